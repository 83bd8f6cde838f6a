/**
 * `dmsctl schema`: the "create schema matching source" step of a homogeneous migration. Copies table definitions
 * (columns, keys, indexes, charset/collation, AUTO_INCREMENT) from source to target before the full load, holding
 * back foreign keys and triggers (DMS loads tables in parallel and applies changes itself); `--finalize` adds them
 * at cutover. Idempotent; never touches a non-empty target table unless forced. The DMS task's
 * TRUNCATE_BEFORE_LOAD preparation mode keeps these definitions (DROP_AND_CREATE would replace them).
 *
 * All or nothing: DDL cannot be rolled back, so every change a run makes on the target is recorded with its
 * inverse (DROP TRIGGER, DROP FOREIGN KEY, DROP TABLE, the previous definition, DROP DATABASE), and when any later
 * step fails the run undoes them, newest first, before it reports the error. A privilege the connecting user
 * lacks is reported as such: which user, which statement, which privilege, and what to run instead.
 */
import * as mysql from "mysql2/promise";
import { CliError, Endpoint, Side, connect, describeEndpoint, killSession, qi, serverInfo } from "./common";
import { currentRun, registerRestorer } from "./run-context";
import { SchemaObject, listTables, objectsNotMigrated } from "./table-meta";

export type SchemaAction =
  | "created"
  | "unchanged"
  | "recreated"
  | "refused"
  | "foreign-key-added"
  | "trigger-created"
  | "planned"
  /** A view or routine: created by --finalize (DMS does not migrate it). */
  | "held-back"
  | "view-created"
  | "routine-created"
  /** An event: neither DMS nor schema copies it (listed so that no one assumes so). */
  | "not-copied";
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
  /**
   * The target connection is the RDS master user from the environment's master secret (`dmsctl schema --env`):
   * a missing privilege then calls for fixing that user's grants rather than for `--env`.
   */
  readonly targetIsRdsMaster?: boolean;
}

/**
 * sql_mode names MySQL 8.0 removed: NO_AUTO_CREATE_USER (in 5.7's default mode), the SHOW CREATE output modes and
 * the combination modes (whose parts stay listed). None changes how a trigger's body runs, and an 8.0 target
 * refuses them, so a 5.7 trigger is created without them (only when the target refuses its mode as it is) and a
 * difference in them alone is no drift.
 */
const REMOVED_SQL_MODES = new Set([
  "NO_AUTO_CREATE_USER",
  "NO_FIELD_OPTIONS",
  "NO_KEY_OPTIONS",
  "NO_TABLE_OPTIONS",
  "DB2",
  "MSSQL",
  "ORACLE",
  "POSTGRESQL",
  "MAXDB",
  "MYSQL323",
  "MYSQL40",
]);

/** A sql_mode without the names MySQL 8.0 removed. */
export function withoutRemovedModes(mode: string): string {
  return mode
    .split(",")
    .filter((m) => m && !REMOVED_SQL_MODES.has(m.trim().toUpperCase()))
    .join(",");
}

/**
 * A CREATE statement without its DEFINER clause (the creating user becomes the definer): the account as
 * `user`@`host`, 'user'@'host' (quotes doubled inside, spaces allowed) or bare, a role without a host; after an
 * ALGORITHM= of a view, which stays.
 */
export function withoutDefiner(stmt: string): string {
  const part = "(?:`(?:[^`]|``)*`|'(?:[^']|'')*'|[^\\s@`']+)";
  return stmt.replace(
    new RegExp(`^CREATE\\s+(ALGORITHM=\\S+\\s+)?DEFINER\\s*=\\s*${part}(?:@${part})?\\s+`, "i"),
    "CREATE $1",
  );
}

/** The line that closes a SHOW CREATE TABLE's body (starts with ")"), after the CREATE TABLE line; -1 when none. */
const closingLine = (lines: readonly string[]) => lines.findIndex((l, i) => i > 0 && l.startsWith(")"));

const FK_DEFINITION = /^\s*CONSTRAINT `(?:[^`]|``)+` FOREIGN KEY /;

/**
 * The CREATE TABLE without foreign keys, and the foreign key clauses held back. SHOW CREATE TABLE writes one
 * definition per line between `CREATE TABLE ... (` and the line starting with `)`, each but the last ending in a
 * comma: the foreign key lines are taken out wherever they are (several, or before a CHECK constraint) and the
 * commas put back between the lines that stay.
 */
export function splitForeignKeys(ddl: string): { table: string; foreignKeys: string[] } {
  const lines = ddl.split("\n");
  const end = closingLine(lines);
  if (end < 0) return { table: ddl, foreignKeys: [] };
  const body = lines.slice(1, end).map((l) => l.replace(/,$/, ""));
  const foreignKeys = body.filter((l) => FK_DEFINITION.test(l)).map((l) => l.trim());
  if (foreignKeys.length === 0) return { table: ddl, foreignKeys };
  const kept = body.filter((l) => !FK_DEFINITION.test(l));
  return { table: [lines[0], kept.join(",\n"), ...lines.slice(end)].join("\n"), foreignKeys };
}

/**
 * The definition with every collation spelled out, as the server holds it (information_schema): MySQL 5.7 prints
 * none where it is its charset's default (`DEFAULT CHARSET=utf8mb4`, a column's `CHARACTER SET latin1`), and the
 * default changed (utf8mb4: utf8mb4_general_ci in 5.7, utf8mb4_0900_ai_ci in 8.0): copied as printed, a 5.7 table
 * would get another collation on an 8.0 target, which orders and matches its keys differently. MariaDB and MySQL 8
 * print them already (this changes nothing there). Applied to both sides, so comparisons stay like for like.
 */
export function explicitCollations(
  ddl: string,
  tableCollation: string | null,
  columnCollations: ReadonlyMap<string, string>,
): string {
  const lines = ddl.split("\n");
  const end = closingLine(lines);
  if (end < 0) return ddl;
  for (let i = 1; i < end; i++) {
    // the column's name and its type (an ENUM's or SET's quoted values may hold parentheses, commas and '';
    // a value ends only before , or ): no backtracking), then its charset if printed; every text column gets its
    // COLLATE (8.4 prints one where 5.7, whose default collation it was, printed none)
    const col = /^(\s*`((?:[^`]|``)+)` [a-z]+(?:\((?:'(?:[^']|'')*'(?=[,)])|[^)'])*\))?)(.*)$/.exec(lines[i]);
    const collation = col && columnCollations.get(col[2].replace(/``/g, "`"));
    if (!col || !collation) continue;
    const charset = /^ CHARACTER SET \w+(?!\w)/.exec(col[3])?.[0] ?? "";
    const rest = col[3].slice(charset.length);
    if (!rest.startsWith(" COLLATE ")) lines[i] = `${col[1]}${charset} COLLATE ${collation}${rest}`;
  }
  if (tableCollation && !/ COLLATE=/.test(lines[end]))
    lines[end] = lines[end].replace(/(DEFAULT CHARSET=\w+)/, `$1 COLLATE=${tableCollation}`);
  return lines.join("\n");
}

/**
 * A definition stripped of what legitimately differs for comparison: the AUTO_INCREMENT counter, foreign keys, and
 * how the server version spells the same definition: an integer's display width (MySQL 5.7 and 8.0 before 8.0.19
 * and MariaDB print int(11), MySQL 8.0.19+ int) and utf8 for utf8mb3 (MySQL 8.0.30+ and MariaDB 10.6+ print
 * utf8mb3, utf8mb3_general_ci): an existing MySQL 5.7 or 8.0.2x source and an RDS 8.0.3x/8.4 target agree.
 */
export function normalizeDdl(ddl: string): string {
  return sameSpelling(stripDdl(ddl));
}

/** The definition without its AUTO_INCREMENT counter and foreign keys, as the server spelled it (for display). */
function stripDdl(ddl: string): string {
  return splitForeignKeys(ddl)
    .table.replace(/ AUTO_INCREMENT=\d+/, "")
    .replace(/\s+$/gm, "")
    .trim();
}

/** A definition or part of one, spelled alike for every server version (see normalizeDdl). */
function sameSpelling(text: string): string {
  // a ZEROFILL column keeps its width (it is the stored text's width); _utf8'x' is an introducer; a column's
  // collation names its charset (5.7 prints `COLLATE utf8mb4_bin` alone where 8.0 adds `CHARACTER SET utf8mb4`)
  return text
    .replace(/\b(tinyint|smallint|mediumint|int|bigint)\(\d+\)(?!(?: unsigned)? zerofill)/g, "$1")
    .replace(/\b(_?)utf8(?!mb)/g, "$1utf8mb3")
    .replace(/ CHARACTER SET \w+ COLLATE /g, " COLLATE ");
}

interface DdlParts {
  /** Column name -> its definition after the name, in order. */
  readonly columns: Map<string, string>;
  /** Index or constraint name ("PRIMARY" for the primary key) -> its whole clause. */
  readonly indexes: Map<string, string>;
  /** Table options after the closing parenthesis, one per entry (ENGINE=InnoDB, DEFAULT CHARSET=utf8mb4, ...). */
  readonly options: string[];
}

const unquote = (q: string) => q.slice(1, -1).replace(/``/g, "`");

/** The parts of a SHOW CREATE TABLE (one clause per line, as both MySQL and MariaDB print it). */
function ddlParts(ddl: string): DdlParts {
  const lines = stripDdl(ddl).split("\n");
  const columns = new Map<string, string>();
  const indexes = new Map<string, string>();
  // the body ends at the line that closes it: table options follow, then partitioning (one clause a line) if any
  const close = Math.max(1, closingLine(lines));
  for (const raw of lines.slice(1, close)) {
    const line = raw.trim().replace(/,$/, "");
    const col = /^(`(?:[^`]|``)+`) (.*)$/.exec(line);
    if (col) {
      columns.set(unquote(col[1]), col[2]);
      continue;
    }
    const named =
      /^(?:UNIQUE |FULLTEXT |SPATIAL |VECTOR )?(?:KEY|INDEX) (`(?:[^`]|``)+`)|^CONSTRAINT (`(?:[^`]|``)+`)/.exec(line);
    indexes.set(/^PRIMARY KEY/.test(line) ? "PRIMARY" : named ? unquote(named[1] ?? named[2]) : line, line);
  }
  const tail = lines[close] === undefined ? "" : lines[close].replace(/^\)\s*/, "");
  // split "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='a b'" into its options
  const options: string[] =
    tail.match(/(?:DEFAULT )?[A-Z_]+(?: [A-Z_]+)*=(?:'(?:[^']|'')*'|\S+)/g) ?? (tail ? [tail] : []);
  const partitioning = lines
    .slice(close + 1)
    .join(" ")
    .trim();
  if (partitioning) options.push(partitioning);
  return { columns, indexes, options };
}

/**
 * What differs between two table definitions, in words: each column and index only on one side or defined
 * differently (both definitions shown), a different column order, and differing table options. Empty when the
 * definitions are the same (AUTO_INCREMENT counters and foreign keys aside, as in {@link normalizeDdl}).
 */
export function describeDdlDifference(sourceDdl: string, targetDdl: string): string[] {
  const a = ddlParts(sourceDdl);
  const b = ddlParts(targetDdl);
  const out: string[] = [];
  for (const [name, def] of a.columns) {
    const other = b.columns.get(name);
    if (other === undefined) out.push(`column ${qi(name)} missing on the target`);
    else if (sameSpelling(other) !== sameSpelling(def))
      out.push(`column ${qi(name)}: ${def} on the source, ${other} on the target`);
  }
  for (const [name, def] of b.columns)
    if (!a.columns.has(name)) out.push(`column ${qi(name)} only on the target (${def})`);
  const common = (m: Map<string, string>, o: Map<string, string>) => [...m.keys()].filter((k) => o.has(k));
  if (common(a.columns, b.columns).join("\u0000") !== common(b.columns, a.columns).join("\u0000")) {
    out.push(
      `column order differs: ${common(a.columns, b.columns).map(qi).join(", ")} on the source, ${common(b.columns, a.columns).map(qi).join(", ")} on the target`,
    );
  }
  const label = (name: string) => (name === "PRIMARY" ? "primary key" : `index ${qi(name)}`);
  for (const [name, def] of a.indexes) {
    const other = b.indexes.get(name);
    if (other === undefined) out.push(`${label(name)} missing on the target (${def})`);
    else if (sameSpelling(other) !== sameSpelling(def))
      out.push(`${label(name)}: ${def} on the source, ${other} on the target`);
  }
  for (const [name, def] of b.indexes) if (!a.indexes.has(name)) out.push(`${label(name)} only on the target (${def})`);
  const spelled = (xs: string[]) => xs.map(sameSpelling);
  const onlyA = a.options.filter((x) => !spelled(b.options).includes(sameSpelling(x)));
  const onlyB = b.options.filter((x) => !spelled(a.options).includes(sameSpelling(x)));
  if (onlyA.length + onlyB.length > 0)
    out.push(`table options: ${onlyA.join(" ") || "none"} on the source, ${onlyB.join(" ") || "none"} on the target`);
  if (out.length === 0 && normalizeDdl(sourceDdl) !== normalizeDdl(targetDdl))
    out.push("the CREATE TABLE statements differ");
  return out;
}

const definitionDiffers = (sourceDdl: string, targetDdl: string) =>
  `definition differs: ${describeDdlDifference(sourceDdl, targetDdl).join("; ")}`;

/** What a statement does, for messages, and the privilege it needs (the server's error names it when it can). */
interface Step {
  readonly side: Side;
  readonly what: string;
  readonly needs: string;
}

/** A driver error raised by one step, carried to the point where the run's changes are undone. */
class StepError extends Error {
  constructor(
    readonly step: Step,
    readonly cause: Error & { code?: string; errno?: number; sqlMessage?: string },
  ) {
    super(cause.message);
  }
}

async function step<T>(s: Step, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof CliError || e instanceof StepError) throw e;
    throw new StepError(s, e as StepError["cause"]);
  }
}

/** A change this run made on the target, and how to take it back. */
interface Change {
  readonly what: string;
  undo(t: mysql.Connection): Promise<void>;
}

/** Errors that mean "the connected user may not do this" (MySQL and MariaDB numbers). */
const PRIVILEGE_ERRORS: Record<number, string> = {
  1044: "ER_DBACCESS_DENIED_ERROR",
  1142: "ER_TABLEACCESS_DENIED_ERROR",
  1143: "ER_COLUMNACCESS_DENIED_ERROR",
  1227: "ER_SPECIFIC_ACCESS_DENIED_ERROR",
  1419: "ER_BINLOG_CREATE_ROUTINE_NEED_SUPER",
};

async function showCreateTable(conn: mysql.Connection, schema: string, table: string): Promise<string | undefined> {
  try {
    const [rows] = await conn.query<mysql.RowDataPacket[]>(`SHOW CREATE TABLE ${qi(schema)}.${qi(table)}`);
    const [t] = await conn.query<mysql.RowDataPacket[]>(
      "SELECT table_collation AS c FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
      [schema, table],
    );
    const [cols] = await conn.query<mysql.RowDataPacket[]>(
      "SELECT column_name AS n, collation_name AS c FROM information_schema.columns WHERE table_schema = ? AND table_name = ? AND collation_name IS NOT NULL",
      [schema, table],
    );
    return explicitCollations(
      String(rows[0]["Create Table"]),
      t[0]?.c ? String(t[0].c) : null,
      new Map(cols.map((c) => [String(c.n), String(c.c)])),
    );
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === "ER_NO_SUCH_TABLE" || code === "ER_BAD_DB_ERROR") return undefined;
    throw e;
  }
}

async function isEmpty(conn: mysql.Connection, schema: string, table: string): Promise<boolean> {
  const [rows] = await conn.query<mysql.RowDataPacket[]>(`SELECT 1 FROM ${qi(schema)}.${qi(table)} LIMIT 1`);
  return rows.length === 0;
}

/** Undoes a CREATE TABLE of this run; a table that got rows meanwhile (a DMS task already running) stays. */
async function dropIfEmpty(conn: mysql.Connection, schema: string, table: string): Promise<void> {
  if (!(await isEmpty(conn, schema, table))) throw new Error(`${qi(schema)}.${qi(table)} has rows now, left in place`);
  await conn.query(`DROP TABLE ${qi(schema)}.${qi(table)}`);
}

/**
 * The connected account as information_schema's privilege tables name it ('user'@'host'); undefined when a role is
 * active (its privileges are not listed there under the account).
 */
async function currentGrantee(conn: mysql.Connection): Promise<string | undefined> {
  const [[who]] = await conn.query<mysql.RowDataPacket[]>("SELECT CURRENT_USER() AS u, CURRENT_ROLE() AS r");
  if (who.r !== null && who.r !== undefined && String(who.r) !== "NONE") return undefined;
  const account = String(who.u);
  const at = account.lastIndexOf("@");
  return `'${account.slice(0, at)}'@'${account.slice(at + 1)}'`;
}

/**
 * Tables of `schema` whose triggers the connected user cannot see: information_schema.TRIGGERS and SHOW CREATE
 * TRIGGER show a table's triggers only to a user with the TRIGGER privilege on it (global, schema or table), so
 * without it finalize would find no trigger and skip them silently. The DMS source user (SELECT only) is such a
 * user. undefined when the privileges come through an active role and cannot be told from here.
 */
async function tablesWithHiddenTriggers(
  conn: mysql.Connection,
  schema: string,
  tables: string[],
): Promise<string[] | undefined> {
  const grantee = await currentGrantee(conn);
  if (grantee === undefined) return undefined;
  const [wide] = await conn.query<mysql.RowDataPacket[]>(
    `SELECT 1 FROM information_schema.user_privileges WHERE grantee = ? AND privilege_type = 'TRIGGER'
     UNION ALL
     SELECT 1 FROM information_schema.schema_privileges WHERE grantee = ? AND privilege_type = 'TRIGGER' AND ? LIKE table_schema`,
    [grantee, grantee, schema],
  );
  if (wide.length > 0) return [];
  const [granted] = await conn.query<mysql.RowDataPacket[]>(
    "SELECT table_name AS t FROM information_schema.table_privileges WHERE grantee = ? AND privilege_type = 'TRIGGER' AND table_schema = ?",
    [grantee, schema],
  );
  const visible = new Set(granted.map((r) => String(r.t)));
  return tables.filter((t) => !visible.has(t));
}

/**
 * Whether the connected user may not see every stored routine (and read its body): it sees them all with global
 * SELECT (SELECT on mysql.proc in 5.7 and MariaDB) or SHOW_ROUTINE (MySQL 8.0.20+). false when privileges come
 * through an active role and cannot be told from here (as for triggers).
 */
async function routinesMayBeHidden(conn: mysql.Connection): Promise<boolean> {
  const grantee = await currentGrantee(conn);
  if (grantee === undefined) return false;
  const [rows] = await conn.query<mysql.RowDataPacket[]>(
    "SELECT 1 FROM information_schema.user_privileges WHERE grantee = ? AND privilege_type IN ('SELECT', 'SHOW_ROUTINE')",
    [grantee],
  );
  return rows.length === 0;
}

export async function copySchema(sourceEp: Endpoint, targetEp: Endpoint, o: SchemaOptions): Promise<SchemaResult> {
  if (o.schemas.length === 0) throw new CliError("schema needs --schema or a schema in the --source URL");
  const s = await connect(sourceEp, { database: undefined });
  let t: mysql.Connection;
  try {
    t = await connect(targetEp, { database: undefined });
  } catch (e) {
    await s.end().catch(() => undefined);
    throw e;
  }
  const events: SchemaEvent[] = [];
  const drift: { table: string; detail: string }[] = [];
  const changes: Change[] = [];
  const src = (what: string, needs = "SELECT"): Step => ({ side: "source", what, needs });
  const tgt = (what: string, needs = "SELECT"): Step => ({ side: "target", what, needs });
  /** Runs a statement that changes the target; `undo` is recorded once it succeeded. */
  const apply = async (st: Step, sql: string, undo?: Change["undo"]) => {
    await step(st, () => t.query(sql));
    if (undo) changes.push({ what: st.what, undo });
  };
  /**
   * Runs `create` on the target under an object's own session settings, the session's put back after: `mode`, a
   * trigger's or routine's sql_mode (its body is parsed and run under it; a 5.7 source's mode naming one MySQL 8.0
   * removed is retried without them), and `collation`, its collation_connection (how its string literals compare).
   */
  const asCreated = async (
    mode: string | undefined,
    collation: string | undefined,
    what: string,
    create: () => Promise<void>,
  ) => {
    const [[session]] = await step(tgt("read the session's sql_mode and collation"), () =>
      t.query<mysql.RowDataPacket[]>("SELECT @@SESSION.sql_mode AS m, @@SESSION.collation_connection AS c"),
    );
    await step(tgt(`SET SESSION sql_mode and collation_connection for ${what}`), async () => {
      // the object's collation_connection: its string literals compare under it ('a' = 'A' is 1 or 0); the
      // statement's bytes stay the session's utf8mb4
      if (collation) await t.query("SET SESSION collation_connection = ?", [collation]);
      if (mode === undefined) return;
      try {
        await t.query("SET SESSION sql_mode = ?", [mode]);
      } catch (e) {
        if ((e as { code?: string }).code !== "ER_WRONG_VALUE_FOR_VAR") throw e;
        await t.query("SET SESSION sql_mode = ?", [withoutRemovedModes(mode)]);
      }
    });
    try {
      await create();
    } finally {
      await t
        .query("SET SESSION sql_mode = ?, collation_connection = ?", [String(session.m), String(session.c)])
        .catch(() => undefined);
    }
  };
  /**
   * --finalize: the views and routines (of every schema of the run) the target lacks, without their DEFINER (the
   * target's user becomes it, as for triggers), each under the sql_mode (routines) and collation_connection it was
   * created with. Routines first (a view may call a function; a routine's body is not checked at CREATE); a view
   * that reads a view not created yet, in this schema or another, waits for a later round; the rounds end when one
   * creates nothing.
   */
  const finalizeObjects = async (schemas: string[], objects: SchemaObject[]) => {
    const have = await step(tgt(`list the views and routines of ${schemas.map(qi).join(", ")}`), () =>
      objectsNotMigrated(t, schemas),
    );
    const exists = (x: SchemaObject) =>
      have.some(
        (h) =>
          h.schema === x.schema &&
          h.kind === x.kind &&
          (x.kind === "view" ? h.name === x.name : h.name.toLowerCase() === x.name.toLowerCase()),
      );
    // Those the target has already: another definition there is drift (never replaced: it may be a newer one).
    // A view's definition is compared only between servers of one version (each prints its own canonical text).
    const [sv, tv] = await Promise.all([
      step(src("read the server version"), () => serverInfo(s)),
      step(tgt("read the server version"), () => serverInfo(t)),
    ]);
    const sameVersion = sv.flavor === tv.flavor && sv.versionParts.join(".") === tv.versionParts.join(".");
    for (const x of objects.filter(exists)) {
      if (x.kind === "view" && !sameVersion) continue;
      const sql =
        x.kind === "view"
          ? "SELECT view_definition AS d, '' AS m FROM information_schema.views WHERE table_schema = ? AND table_name = ?"
          : "SELECT routine_definition AS d, sql_mode AS m FROM information_schema.routines WHERE routine_schema = ? AND routine_name = ? AND LOWER(routine_type) = ?";
      const args = x.kind === "view" ? [x.schema, x.name] : [x.schema, x.name, x.kind];
      const [[a]] = await step(src(`read ${x.kind} ${qi(x.schema)}.${qi(x.name)}`), () =>
        s.query<mysql.RowDataPacket[]>(sql, args),
      );
      const [[b]] = await step(tgt(`read ${x.kind} ${qi(x.schema)}.${qi(x.name)}`), () =>
        t.query<mysql.RowDataPacket[]>(sql, args),
      );
      if (!a || !b) continue;
      const differs =
        sameSpelling(String(a.d ?? "")) !== sameSpelling(String(b.d ?? "")) ||
        withoutRemovedModes(String(a.m)) !== withoutRemovedModes(String(b.m));
      if (differs)
        drift.push({
          table: `${x.schema}.${x.name}`,
          detail: `${x.kind} defined differently on the target${x.kind === "view" ? "" : " (its body or sql_mode)"}: drop it there and run --finalize again to copy the source's`,
        });
    }
    let pending = [
      ...objects.filter((x) => x.kind !== "view" && !exists(x)),
      ...objects.filter((x) => x.kind === "view" && !exists(x)),
    ];
    const create = async (x: SchemaObject) => {
      const id = `${qi(x.schema)}.${qi(x.name)}`;
      const keyword = x.kind.toUpperCase();
      const [def] = await step(src(`SHOW CREATE ${keyword} ${id}`, x.kind === "view" ? "SHOW VIEW" : "SELECT"), () =>
        s.query<mysql.RowDataPacket[]>(`SHOW CREATE ${keyword} ${id}`),
      );
      const column = x.kind === "view" ? "Create View" : `Create ${x.kind === "procedure" ? "Procedure" : "Function"}`;
      const text = def[0]?.[column];
      if (text === null || text === undefined)
        throw new CliError(
          `the source user ${sourceEp.user} cannot read the body of ${x.kind} ${id}: SHOW CREATE ${keyword} shows it only to its definer or a user with SELECT on the mysql schema (MySQL 8.0.20+: SHOW_ROUTINE); read the source as an admin`,
        );
      const stmt = withoutDefiner(String(text));
      if (o.dryRun) return;
      await apply(tgt(`USE ${qi(x.schema)}`), `USE ${qi(x.schema)}`);
      await asCreated(
        x.kind === "view" ? undefined : String(def[0].sql_mode),
        def[0].collation_connection ? String(def[0].collation_connection) : undefined,
        `${x.kind} ${id}`,
        () =>
          apply(
            tgt(`CREATE ${keyword} ${id}`, x.kind === "view" ? "CREATE VIEW" : "CREATE ROUTINE"),
            stmt,
            async (c) => {
              await c.query(`DROP ${keyword} IF EXISTS ${id}`);
            },
          ),
      );
    };
    while (pending.length > 0) {
      const failed: { x: SchemaObject; e: unknown }[] = [];
      for (const x of pending) {
        try {
          await create(x);
          events.push({
            table: `${x.schema}.${x.name}`,
            action: o.dryRun ? "planned" : `${x.kind === "view" ? "view" : "routine"}-created`,
            detail: x.kind,
          });
        } catch (e) {
          // a view over a view this run has not created yet: ER_NO_SUCH_TABLE; anything else fails the run
          const cause = e instanceof StepError ? e.cause : (e as StepError["cause"]);
          if (x.kind !== "view" || cause?.errno !== 1146) throw e;
          failed.push({ x, e });
        }
      }
      if (failed.length === pending.length) throw failed[0].e;
      pending = failed.map((f) => f.x);
    }
  };
  // Interrupted (SIGINT/SIGTERM): the run's connections are closed at once, so the changes are undone on a fresh
  // session by the run context, which prints the outcome; an error undoes them below, on the run's own session.
  const where = `target ${describeEndpoint(targetEp)}`;
  const restorer = registerRestorer(`${where}: the schema changes of this run`, async () => {
    if (changes.length === 0) return { ok: true, message: `${where}: nothing to undo (this run had changed nothing)` };
    const fresh = await connect(targetEp, { database: undefined }, { evenIfInterrupted: true });
    try {
      // End the run's own session first, so a statement it had sent (waiting on a lock) cannot land after the undo.
      await killSession(fresh, t.threadId);
      const undone = await undoChanges(fresh, changes);
      return { ok: undone.failed.length === 0, message: `${where}: ${undoNote(undone)}` };
    } finally {
      await fresh.end().catch(() => undefined);
    }
  });
  try {
    // Everything read from the source that can refuse the run, before the first change.
    const charsets = new Map<string, { cs: string; co: string }>();
    const heldObjects: SchemaObject[] = [];
    for (const schema of o.schemas) {
      const [db] = await step(src(`read schema ${qi(schema)}`), () =>
        s.query<mysql.RowDataPacket[]>(
          "SELECT default_character_set_name AS cs, default_collation_name AS co FROM information_schema.schemata WHERE schema_name = ?",
          [schema],
        ),
      );
      if (db.length === 0) throw new CliError(`schema ${JSON.stringify(schema)} does not exist on the source`);
      charsets.set(schema, { cs: String(db[0].cs), co: String(db[0].co) });
      if (o.finalize) {
        const names = (await step(src(`list the tables of ${qi(schema)}`), () => listTables(s, [schema]))).map(
          (x) => x.name,
        );
        const hidden = await step(src(`read the privileges of ${sourceEp.user}`), () =>
          tablesWithHiddenTriggers(s, schema, names),
        );
        if (hidden && hidden.length > 0) {
          throw new CliError(
            `--finalize copies the triggers it finds on the source, but the source user ${sourceEp.user} cannot see them: it has no TRIGGER privilege on ` +
              `${hidden.map((x) => `${qi(schema)}.${qi(x)}`).join(", ")} (without it information_schema and SHOW CREATE TRIGGER hide a table's triggers). ` +
              `Nothing was changed. Read the source as an account that has it, e.g. --source mysql://admin@<source_host> with the password in DMSCTL_SOURCE_PASSWORD ` +
              `(--env still takes the target from the environment)`,
          );
        }
        const routines = await step(src(`read the privileges of ${sourceEp.user}`), () => routinesMayBeHidden(s));
        if (routines) {
          throw new CliError(
            `--finalize copies the procedures and functions it finds on the source, but the source user ${sourceEp.user} may not see them all: ` +
              `it has neither global SELECT nor SHOW_ROUTINE (information_schema lists a routine only to its definer or a user with a privilege on it). ` +
              `Nothing was changed. Read the source as an account that has it, e.g. --source mysql://admin@<source_host> with the password in DMSCTL_SOURCE_PASSWORD ` +
              `(--env still takes the target from the environment)`,
          );
        }
      }
    }

    for (const schema of o.schemas) {
      const { cs, co } = charsets.get(schema)!;
      // Finalize adds to tables that exist; it never creates a schema (a missing one shows as missing tables).
      if (o.dryRun && !o.finalize) {
        const [exists] = await step(tgt(`look for schema ${qi(schema)}`), () =>
          t.query<mysql.RowDataPacket[]>("SELECT 1 FROM information_schema.schemata WHERE schema_name = ?", [schema]),
        );
        if (exists.length === 0) {
          events.push({
            table: schema,
            action: "planned",
            detail: `CREATE DATABASE ${qi(schema)} CHARACTER SET ${cs} COLLATE ${co}`,
          });
          drift.push({ table: schema, detail: "schema does not exist on the target" });
        }
      }
      if (!o.dryRun && !o.finalize) {
        const created = await step(tgt(`CREATE DATABASE ${qi(schema)}`, "CREATE"), () =>
          t.query<mysql.ResultSetHeader>(
            `CREATE DATABASE IF NOT EXISTS ${qi(schema)} CHARACTER SET ${cs} COLLATE ${co}`,
          ),
        );
        if (created[0].affectedRows > 0) {
          changes.push({
            what: `CREATE DATABASE ${qi(schema)}`,
            async undo(c) {
              const [left] = await c.query<mysql.RowDataPacket[]>(
                "SELECT 1 FROM information_schema.tables WHERE table_schema = ? LIMIT 1",
                [schema],
              );
              if (left.length > 0) throw new Error(`${qi(schema)} is not empty`);
              await c.query(`DROP DATABASE ${qi(schema)}`);
            },
          });
        }
      }
      const tables = await step(src(`list the tables of ${qi(schema)}`), () => listTables(s, [schema]));
      for (const { name } of tables) {
        const full = `${schema}.${name}`;
        const id = `${qi(schema)}.${qi(name)}`;
        const sourceDdl = (await step(src(`read the definition of ${id}`), () => showCreateTable(s, schema, name)))!;
        const { table: createTable, foreignKeys } = splitForeignKeys(sourceDdl);
        const targetDdl = await step(tgt(`read the definition of ${id}`), () => showCreateTable(t, schema, name));
        if (o.finalize) {
          if (!targetDdl) {
            drift.push({ table: full, detail: "missing on the target" });
            continue;
          }
          for (const fk of foreignKeys) {
            const fkName = /CONSTRAINT (`(?:[^`]|``)+`)/.exec(fk)![1];
            if (targetDdl.includes(`CONSTRAINT ${fkName} FOREIGN KEY`)) continue;
            if (!o.dryRun) {
              await apply(
                tgt(`ALTER TABLE ${id} ADD CONSTRAINT ${fkName} FOREIGN KEY`, "ALTER and REFERENCES"),
                `ALTER TABLE ${id} ADD ${fk}`,
                async (c) => {
                  await c.query(`ALTER TABLE ${id} DROP FOREIGN KEY ${fkName}`);
                  // The index the server may have added for it goes too, when the table had none of that name before.
                  const now = await showCreateTable(c, schema, name);
                  if (now?.includes(`KEY ${fkName} (`) && !targetDdl.includes(`KEY ${fkName} (`))
                    await c.query(`ALTER TABLE ${id} DROP INDEX ${fkName}`);
                },
              );
            }
            events.push({ table: full, action: o.dryRun ? "planned" : "foreign-key-added", detail: fk });
          }
          continue;
        }
        const use = `USE ${qi(schema)}`;
        if (!targetDdl) {
          if (!o.dryRun) {
            await apply(tgt(`USE ${qi(schema)}`), use);
            await apply(tgt(`CREATE TABLE ${id}`, "CREATE"), createTable, (c) => dropIfEmpty(c, schema, name));
          }
          events.push({
            table: full,
            action: o.dryRun ? "planned" : "created",
            detail: foreignKeys.length ? `${foreignKeys.length} foreign key(s) held back until --finalize` : undefined,
          });
          // a dry run changes nothing: what it would create is missing now
          if (o.dryRun) drift.push({ table: full, detail: "missing on the target" });
          continue;
        }
        if (normalizeDdl(targetDdl) === normalizeDdl(sourceDdl)) {
          events.push({ table: full, action: "unchanged" });
          continue;
        }
        const empty = await step(tgt(`read ${id}`), () => isEmpty(t, schema, name));
        if (!empty && !o.force) {
          events.push({
            table: full,
            action: "refused",
            detail: "definition differs and the target table has rows (use --force to recreate it, losing them)",
          });
          drift.push({ table: full, detail: definitionDiffers(sourceDdl, targetDdl) });
          continue;
        }
        if (!o.dryRun) {
          await apply(tgt(`USE ${qi(schema)}`), use);
          await apply(tgt(`DROP TABLE ${id}`, "DROP"), `DROP TABLE ${id}`, async (c) => {
            await c.query(`USE ${qi(schema)}`);
            await c.query(targetDdl); // its previous definition, empty (the rows of a --force recreate are gone)
          });
          await apply(tgt(`CREATE TABLE ${id}`, "CREATE"), createTable, (c) => dropIfEmpty(c, schema, name));
        }
        events.push({
          table: full,
          action: o.dryRun ? "planned" : "recreated",
          detail: o.dryRun
            ? definitionDiffers(sourceDdl, targetDdl)
            : `definition differed: ${describeDdlDifference(sourceDdl, targetDdl).join("; ")}`,
        });
        if (o.dryRun) drift.push({ table: full, detail: definitionDiffers(sourceDdl, targetDdl) });
      }
      if (o.finalize) {
        const [triggers] = await step(src(`list the triggers of ${qi(schema)}`, "TRIGGER"), () =>
          s.query<mysql.RowDataPacket[]>(
            "SELECT trigger_name AS n, event_object_table AS t, sql_mode AS m FROM information_schema.triggers WHERE trigger_schema = ? ORDER BY event_object_table, action_order, trigger_name",
            [schema],
          ),
        );
        for (const tr of triggers) {
          const trigger = `${qi(schema)}.${qi(String(tr.n))}`;
          const [exists] = await step(tgt(`look for trigger ${trigger}`), () =>
            t.query<mysql.RowDataPacket[]>(
              "SELECT sql_mode AS m FROM information_schema.triggers WHERE trigger_schema = ? AND trigger_name = ?",
              [schema, tr.n],
            ),
          );
          if (exists.length > 0) {
            // A trigger's body is parsed and run under the sql_mode it was created with (|| is OR or concatenation,
            // "x" a string or a name, strict or not): another mode on the target is another trigger.
            if (withoutRemovedModes(String(exists[0].m)) !== withoutRemovedModes(String(tr.m)))
              drift.push({
                table: `${schema}.${tr.t}`,
                detail: `trigger ${String(tr.n)}: sql_mode '${String(tr.m)}' on the source, '${String(exists[0].m)}' on the target (drop it on the target and run --finalize again)`,
              });
            continue;
          }
          const [def] = await step(src(`SHOW CREATE TRIGGER ${trigger}`, "TRIGGER"), () =>
            s.query<mysql.RowDataPacket[]>(`SHOW CREATE TRIGGER ${trigger}`),
          );
          const stmt = withoutDefiner(String(def[0]["SQL Original Statement"]));
          if (!o.dryRun) {
            await apply(tgt(`USE ${qi(schema)}`), `USE ${qi(schema)}`);
            // Created under its own sql_mode, as on the source.
            await asCreated(String(def[0].sql_mode), String(def[0].collation_connection), `trigger ${trigger}`, () =>
              apply(tgt(`CREATE TRIGGER ${trigger}`, "TRIGGER"), stmt, async (c) => {
                await c.query(`DROP TRIGGER IF EXISTS ${trigger}`);
              }),
            );
          }
          events.push({
            table: `${schema}.${tr.t}`,
            action: o.dryRun ? "planned" : "trigger-created",
            detail: String(tr.n),
          });
        }
      }
      // Views and stored routines (DMS migrates neither): created by --finalize, after the tables and their foreign
      // keys; events are only listed (enabling one on the target is the operator's call at cutover).
      const objects = await step(src(`list the views, routines and events of ${qi(schema)}`), () =>
        objectsNotMigrated(s, [schema]),
      );
      const held = objects.filter((x) => x.kind !== "event");
      if (o.finalize) heldObjects.push(...held);
      else
        for (const x of held)
          events.push({
            table: `${x.schema}.${x.name}`,
            action: "held-back",
            detail: `${x.kind}: created by --finalize (DMS does not migrate it)`,
          });
      for (const x of objects.filter((y) => y.kind === "event"))
        events.push({
          table: `${x.schema}.${x.name}`,
          action: "not-copied",
          detail:
            "event: neither DMS nor dmsctl schema copies it; create it on the target once the target is the primary (SHOW CREATE EVENT on the source)",
        });
      // Drift the other way: tables only the target has.
      const targetTables = await step(tgt(`list the tables of ${qi(schema)}`), () => listTables(t, [schema]));
      for (const tt of targetTables) {
        if (!tables.some((x) => x.name === tt.name))
          drift.push({ table: `${schema}.${tt.name}`, detail: "only on the target" });
      }
    }
    // views and routines of every schema at once: a view may read a view of another schema of the run
    if (o.finalize && heldObjects.length > 0) await finalizeObjects(o.schemas, heldObjects);
    return { events, drift };
  } catch (e) {
    // Interrupted: the restorer undoes on a fresh session (this one is closed); never twice.
    if (currentRun()?.interrupted) throw e;
    restorer.keep();
    const undone = await undoChanges(t, changes);
    throw failure(e, undone, sourceEp, targetEp, o);
  } finally {
    if (!currentRun()?.interrupted) restorer.keep();
    await s.end().catch(() => undefined);
    await t.end().catch(() => undefined);
  }
}

interface Undone {
  readonly undone: string[];
  readonly failed: { what: string; error: string }[];
}

/** Takes back this run's changes, newest first; what could not be undone is reported, never hidden. */
async function undoChanges(t: mysql.Connection, changes: Change[]): Promise<Undone> {
  const out: Undone = { undone: [], failed: [] };
  if (changes.length === 0) return out;
  await t.query("SET SESSION foreign_key_checks = 0").catch(() => undefined);
  for (const c of [...changes].reverse()) {
    try {
      await c.undo(t);
      out.undone.push(c.what);
    } catch (e) {
      const err = e as Error & { code?: string };
      out.failed.push({ what: c.what, error: err.code ? `${err.code}: ${err.message}` : err.message });
    }
  }
  await t.query("SET SESSION foreign_key_checks = 1").catch(() => undefined);
  return out;
}

function undoNote(u: Undone): string {
  if (u.undone.length === 0 && u.failed.length === 0) return "Nothing was changed on the target.";
  if (u.failed.length === 0)
    return `The ${u.undone.length} change(s) this run had made on the target were undone (${u.undone.join("; ")}): it is as before the run.`;
  return (
    `Undoing this run's changes on the target failed for ${u.failed.map((f) => `${f.what} (${f.error})`).join("; ")}: those are still there, drop them by hand or ` +
    `run again once the cause is fixed${u.undone.length > 0 ? ` (undone: ${u.undone.join("; ")})` : ""}.`
  );
}

/** The error a failed run reports: a missing privilege in plain words, anything else with the step it hit. */
function failure(e: unknown, u: Undone, sourceEp: Endpoint, targetEp: Endpoint, o: SchemaOptions): Error {
  const note = undoNote(u);
  if (e instanceof CliError)
    return u.undone.length + u.failed.length > 0 ? new CliError(`${e.message}. ${note}`, e.code) : e;
  if (!(e instanceof StepError)) {
    if (u.undone.length + u.failed.length === 0) return e as Error;
    const err = e as Error & { code?: string };
    return new CliError(`${err.code ? `${err.code}: ` : ""}${err.message}. ${note}`, err.code);
  }
  const { step: st, cause } = e;
  const ep = st.side === "source" ? sourceEp : targetEp;
  const code = cause.code ?? (cause.errno !== undefined ? PRIVILEGE_ERRORS[cause.errno] : undefined);
  const driver = `${code ? `${code}: ` : ""}${cause.sqlMessage ?? cause.message}`;
  const who = `the ${st.side} user ${ep.user} (${ep.host}:${ep.port})`;
  const rerun = `dmsctl schema --env <env>${o.finalize ? " --finalize" : ""}`;
  if (cause.errno === 1419 || cause.errno === 1418 || code === "ER_BINLOG_CREATE_ROUTINE_NEED_SUPER") {
    return new CliError(
      `${who} may not ${st.what} (${driver}): binary logging is on and ${cause.errno === 1418 ? "the function is not declared DETERMINISTIC, NO SQL or READS SQL DATA" : `${ep.user} has no SUPER privilege (the RDS master user never has it)`}, ` +
        `so the server refuses triggers and stored functions unless log_bin_trust_function_creators = 1. ${note} ` +
        `Set log_bin_trust_function_creators = 1 in the target's DB parameter group (the stack's parameter group sets it; it is dynamic, no reboot) and run ${rerun} again`,
      code,
    );
  }
  if (
    (cause.errno !== undefined && cause.errno in PRIVILEGE_ERRORS) ||
    (code !== undefined && Object.values(PRIVILEGE_ERRORS).includes(code))
  ) {
    const msg = cause.sqlMessage ?? cause.message;
    const privilege =
      /^([A-Z][A-Z ]*?) command denied/.exec(msg)?.[1] ??
      /you need \(at least one of\) the (.+?) privilege/i.exec(msg)?.[1] ??
      st.needs;
    const fix =
      st.side === "source"
        ? `Read the source as an account that has it: --source mysql://admin@<source_host> with the password in DMSCTL_SOURCE_PASSWORD`
        : o.targetIsRdsMaster
          ? `${ep.user} is the RDS master user (from the environment's master secret) and should have it: check SHOW GRANTS FOR CURRENT_USER on the target`
          : `Run it as the RDS master user: ${rerun} connects with the RDS-managed master secret (output target_master_secret_arn) ` +
            `instead of ${ep.user}, or pass --target with an account that has ${privilege}`;
    return new CliError(
      `${who} may not ${st.what}: it lacks the ${privilege} privilege (${driver}). ${note} ${fix}`,
      code,
    );
  }
  return new CliError(`cannot ${st.what} on the ${st.side} as ${ep.user}: ${driver}. ${note}`, code);
}
