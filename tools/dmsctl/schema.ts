/**
 * `dmsctl schema`: the "create schema matching source" step of a homogeneous migration. Copies table definitions
 * (columns, keys, indexes, charset/collation, AUTO_INCREMENT) from source to target before the full load, holding
 * back foreign keys and triggers (DMS loads tables in parallel and applies changes itself); `--finalize` adds them
 * at cutover. Idempotent; never touches a non-empty target table unless forced. The DMS task's
 * TRUNCATE_BEFORE_LOAD preparation mode keeps these definitions (DROP_AND_CREATE would replace them).
 */
import * as mysql from "mysql2/promise";
import { CliError, Endpoint, connect, qi } from "./common";
import { listTables } from "./table-meta";

export type SchemaAction = "created" | "unchanged" | "recreated" | "refused" | "foreign-key-added" | "trigger-created" | "planned";
export interface SchemaEvent {
  readonly table: string;
  readonly action: SchemaAction;
  readonly detail?: string;
}
export interface SchemaResult {
  readonly events: SchemaEvent[];
  /** Tables whose definitions differ between source and target after the run. */
  readonly drift: { table: string; detail: string }[];
}
export interface SchemaOptions {
  readonly schemas: string[];
  readonly finalize: boolean;
  /** Recreate non-empty target tables whose definition differs (data is lost). */
  readonly force: boolean;
  readonly dryRun: boolean;
}

const FK_LINE = /,\n\s*CONSTRAINT `(?:[^`]|``)+` FOREIGN KEY [^\n]*(?=\n)/g;

/** The CREATE TABLE without foreign keys, and the foreign key clauses held back. */
export function splitForeignKeys(ddl: string): { table: string; foreignKeys: string[] } {
  const foreignKeys = (ddl.match(FK_LINE) ?? []).map((l) => l.replace(/^,\n\s*/, ""));
  return { table: ddl.replace(FK_LINE, ""), foreignKeys };
}

/** A definition stripped of what legitimately differs (AUTO_INCREMENT counter, foreign keys) for comparison. */
export function normalizeDdl(ddl: string): string {
  return splitForeignKeys(ddl)
    .table.replace(/ AUTO_INCREMENT=\d+/, "")
    .replace(/\s+$/gm, "")
    .trim();
}

async function showCreateTable(conn: mysql.Connection, schema: string, table: string): Promise<string | undefined> {
  try {
    const [rows] = await conn.query<mysql.RowDataPacket[]>(`SHOW CREATE TABLE ${qi(schema)}.${qi(table)}`);
    return String(rows[0]["Create Table"]);
  } catch (e) {
    if ((e as { code?: string }).code === "ER_NO_SUCH_TABLE") return undefined;
    throw e;
  }
}

async function isEmpty(conn: mysql.Connection, schema: string, table: string): Promise<boolean> {
  const [rows] = await conn.query<mysql.RowDataPacket[]>(`SELECT 1 FROM ${qi(schema)}.${qi(table)} LIMIT 1`);
  return rows.length === 0;
}

export async function copySchema(sourceEp: Endpoint, targetEp: Endpoint, o: SchemaOptions): Promise<SchemaResult> {
  if (o.schemas.length === 0) throw new CliError("schema needs --schema or a schema in the --source URL");
  const s = await connect(sourceEp, { database: undefined });
  const t = await connect(targetEp, { database: undefined });
  const events: SchemaEvent[] = [];
  const drift: { table: string; detail: string }[] = [];
  try {
    for (const schema of o.schemas) {
      const [db] = await s.query<mysql.RowDataPacket[]>(
        "SELECT default_character_set_name AS cs, default_collation_name AS co FROM information_schema.schemata WHERE schema_name = ?",
        [schema],
      );
      if (db.length === 0) throw new CliError(`schema ${JSON.stringify(schema)} does not exist on the source`);
      if (!o.dryRun) {
        await t.query(`CREATE DATABASE IF NOT EXISTS ${qi(schema)} CHARACTER SET ${db[0].cs} COLLATE ${db[0].co}`);
      }
      const tables = await listTables(s, [schema]);
      for (const { name } of tables) {
        const full = `${schema}.${name}`;
        const sourceDdl = (await showCreateTable(s, schema, name))!;
        const { table: createTable, foreignKeys } = splitForeignKeys(sourceDdl);
        const targetDdl = await showCreateTable(t, schema, name);
        if (o.finalize) {
          if (!targetDdl) {
            drift.push({ table: full, detail: "missing on the target" });
            continue;
          }
          for (const fk of foreignKeys) {
            const fkName = /CONSTRAINT (`(?:[^`]|``)+`)/.exec(fk)![1];
            if (targetDdl.includes(`CONSTRAINT ${fkName} FOREIGN KEY`)) continue;
            if (!o.dryRun) await t.query(`ALTER TABLE ${qi(schema)}.${qi(name)} ADD ${fk}`);
            events.push({ table: full, action: o.dryRun ? "planned" : "foreign-key-added", detail: fk });
          }
          continue;
        }
        const use = `USE ${qi(schema)}`;
        if (!targetDdl) {
          if (!o.dryRun) {
            await t.query(use);
            await t.query(createTable);
          }
          events.push({ table: full, action: o.dryRun ? "planned" : "created", detail: foreignKeys.length ? `${foreignKeys.length} foreign key(s) held back until --finalize` : undefined });
          continue;
        }
        if (normalizeDdl(targetDdl) === normalizeDdl(sourceDdl)) {
          events.push({ table: full, action: "unchanged" });
          continue;
        }
        const empty = await isEmpty(t, schema, name);
        if (!empty && !o.force) {
          events.push({ table: full, action: "refused", detail: "definition differs and the target table has rows (use --force to recreate it, losing them)" });
          drift.push({ table: full, detail: "definition differs" });
          continue;
        }
        if (!o.dryRun) {
          await t.query(use);
          await t.query(`DROP TABLE ${qi(schema)}.${qi(name)}`);
          await t.query(createTable);
        }
        events.push({ table: full, action: o.dryRun ? "planned" : "recreated", detail: "definition differed" });
      }
      if (o.finalize) {
        const [triggers] = await s.query<mysql.RowDataPacket[]>(
          "SELECT trigger_name AS n, event_object_table AS t FROM information_schema.triggers WHERE trigger_schema = ? ORDER BY action_order",
          [schema],
        );
        for (const tr of triggers) {
          const [exists] = await t.query<mysql.RowDataPacket[]>("SELECT 1 FROM information_schema.triggers WHERE trigger_schema = ? AND trigger_name = ?", [schema, tr.n]);
          if (exists.length > 0) continue;
          const [def] = await s.query<mysql.RowDataPacket[]>(`SHOW CREATE TRIGGER ${qi(schema)}.${qi(String(tr.n))}`);
          const stmt = String(def[0]["SQL Original Statement"]).replace(/^CREATE\s+DEFINER=\S+\s+/i, "CREATE ");
          if (!o.dryRun) {
            await t.query(`USE ${qi(schema)}`);
            await t.query(stmt);
          }
          events.push({ table: `${schema}.${tr.t}`, action: o.dryRun ? "planned" : "trigger-created", detail: String(tr.n) });
        }
      }
      // Drift the other way: tables only the target has.
      const targetTables = await listTables(t, [schema]);
      for (const tt of targetTables) {
        if (!tables.some((x) => x.name === tt.name)) drift.push({ table: `${schema}.${tt.name}`, detail: "only on the target" });
      }
    }
    return { events, drift };
  } finally {
    await s.end().catch(() => undefined);
    await t.end().catch(() => undefined);
  }
}
