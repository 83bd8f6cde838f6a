/**
 * `dmsctl validate --repair [--apply]`: the SQL that makes the target's rows equal to the source's where validate
 * found them different, chunk by chunk: `DELETE` of the rows only the target has, `REPLACE` of the rows the target
 * lacks or has differently, with every value written as a literal of its type.
 *
 * - Every differing row of a differing chunk is repaired, not only the ones validate listed: each chunk (a key range
 *   of validate's plan) is read again on both sides when its SQL is made, both sides' keys and row hashes, then the
 *   source's rows by key, a batch at a time.
 * - Without `--apply` nothing is written: the SQL is printed (a script for the mysql client: `SET NAMES utf8mb4`,
 *   `time_zone` UTC as the values were read, foreign key checks off so a REPLACE never cascades, one transaction per
 *   chunk). With `--apply` each chunk is made and applied in one transaction on the target (an interrupted run
 *   leaves each chunk applied or not), then that chunk is validated again.
 * - The source is only read, in read-only transactions (a write there would fail).
 * - Refused (nothing printed, nothing written) when a differing table has no usable key (no primary key or NOT
 *   NULL unique key: its rows cannot be named) or the target has no unique key on the same columns (a REPLACE
 *   would add rows, not replace them).
 *
 * Literals: NULL; integers, DECIMAL and BIT as the server's exact decimal text; FLOAT/DOUBLE as the double's
 * shortest round-trip text (a FLOAT read as a double, so it rounds back to the same float); temporals as quoted
 * text (read and written in UTC); text (JSON, ENUM, SET included) quoted when it has only printable characters and
 * no backslash (so the quoting is the same under NO_BACKSLASH_ESCAPES), else `_utf8mb4 X'...'`; binary strings and
 * BLOBs as `X'...'`; spatial values as `ST_GeomFromWKB(X'...', srid)`. A value over `pieceBytes` is assembled in
 * a session variable a piece at a time, so no statement is larger than a few hundred KB whatever the value.
 */
import * as mysql from "mysql2/promise";
import { Endpoint, connect, isLostConnection, qi } from "./common";
import { setStage } from "./run-context";
import {
  BINARY_TYPES,
  Column,
  INTEGER_TYPES,
  SPATIAL_TYPES,
  TEMPORAL_TYPES,
  keyColumns,
  keyValueSql,
} from "./table-meta";
import {
  Difference,
  RepairPlan,
  ValidateResult,
  chunkDifferences,
  chunkMatches,
  keyMarks,
  rawKeyOf,
  readOnlySnapshot,
  repairPlanOf,
} from "./validate";

export interface RepairOptions {
  /** Write to the target (one transaction per chunk, then re-validate it); else only make the SQL. */
  readonly apply: boolean;
  /** Each line of the script as it is made (print mode; the header and the chunks' statements). */
  readonly onSql?: (line: string) => void;
  /** Progress lines (apply mode: a chunk applied, a table done). */
  readonly onProgress?: (line: string) => void;
  /** Rows per REPLACE and keys per DELETE. @default 200 */
  readonly batchRows?: number;
  /** A value longer than this (bytes) is assembled in pieces of this size. @default 262144 */
  readonly pieceBytes?: number;
  /** Keep each table's statements in the result (JSON output). @default false */
  readonly keepSql?: boolean;
}

export interface TableRepair {
  readonly table: string;
  /**
   * `planned`: SQL made, nothing written; `repaired`: applied and every chunk matches again; `still-differs`: applied
   * and a chunk differs again (a row changed meanwhile: run it again); `not-repaired`: validate could not compare it.
   */
  readonly status: "planned" | "repaired" | "still-differs" | "not-repaired";
  /** Chunks that differed. */
  readonly chunks: number;
  /** Rows deleted from the target (only it had them). */
  readonly deleted: number;
  /** Rows written from the source (missing or changed on the target). */
  readonly replaced: number;
  /** After --apply: the chunks validated again, and how many still differ. */
  readonly revalidated?: { readonly chunks: number; readonly differing: number };
  readonly error?: string;
  /** The statements (with `keepSql`), chunk by chunk. */
  readonly sql?: string[];
}

export interface RepairResult {
  readonly applied: boolean;
  /** The script's session settings (before any chunk). */
  readonly preamble: string[];
  readonly tables: TableRepair[];
  /** Print mode: SQL made for every differing table; apply mode: every table repaired and matching again. */
  readonly ok: boolean;
}

/** A differing table that cannot be repaired safely (exit 2, before anything is printed or written). */
export class RepairRefusedError extends Error {}

/**
 * The session the SQL runs in: the values' charset, UTC for TIMESTAMP, no cascades or FK errors from a REPLACE, and
 * its own sql_mode, whatever the target's: strict, so a value the target would change (too long, out of range, a
 * character its charset lacks) is an error naming it, never a silent truncation; but dates as a lax source may hold
 * them (zero dates, zero parts, invalid days: no NO_ZERO_DATE / NO_ZERO_IN_DATE, ALLOW_INVALID_DATES), which RDS's
 * default mode refuses; NO_AUTO_VALUE_ON_ZERO keeps an AUTO_INCREMENT column's 0 a 0. An ENUM's error value ('',
 * index 0) cannot be written in any strict mode: that table is reported not repaired. The literals need no
 * backslash, so they read alike with and without NO_BACKSLASH_ESCAPES.
 */
export const REPAIR_PREAMBLE = [
  "SET NAMES utf8mb4;",
  "SET time_zone = '+00:00';",
  "SET foreign_key_checks = 0;",
  "SET sql_mode = 'STRICT_ALL_TABLES,ALLOW_INVALID_DATES,NO_AUTO_VALUE_ON_ZERO';",
];
export const REPAIR_POSTAMBLE = ["SET foreign_key_checks = 1;"];

/** Why each differing table cannot be repaired (empty: all can). */
export function repairRefusals(v: ValidateResult): string[] {
  const out: string[] = [];
  for (const t of v.tables) {
    if (t.status !== "mismatch") continue;
    const p = repairPlanOf(t);
    if (!p) {
      out.push(
        `${t.table} has no primary key or NOT NULL unique key: its differing rows cannot be named, so they cannot be repaired (add a key, or leave it out with --tables)`,
      );
      continue;
    }
    const same = (a: readonly string[], b: readonly string[]) => [...a].sort().join("\0") === [...b].sort().join("\0");
    if (p.target.keyKind === "none" || !same(p.target.key, p.source.key)) {
      out.push(
        `${t.table} has no unique key on (${p.source.key.join(", ")}) on the target${p.target.key.length ? ` (its key is (${p.target.key.join(", ")}))` : ""}: a REPLACE would add rows instead of replacing them (create the key: dmsctl schema reports the difference)`,
      );
    }
  }
  return out;
}

/** Makes (and with `apply`, applies) the repair of every differing table of a validate result (kept chunks). */
export async function repair(
  source: Endpoint,
  target: Endpoint,
  v: ValidateResult,
  o: RepairOptions,
): Promise<RepairResult> {
  const refusals = repairRefusals(v);
  if (refusals.length > 0) throw new RepairRefusedError(`cannot repair: ${refusals.join("; ")}`);
  const tables: TableRepair[] = [];
  const work = v.tables.filter((t) => t.status !== "match");
  if (work.length === 0) return { applied: o.apply, preamble: REPAIR_PREAMBLE, tables, ok: true };

  const s = await connect(source);
  let t: mysql.Connection;
  try {
    t = await connect(target);
  } catch (e) {
    await s.end().catch(() => undefined);
    throw e;
  }
  try {
    const [[pkt]] = await t.query<mysql.RowDataPacket[]>("SELECT @@SESSION.max_allowed_packet AS p");
    const maxPacket = Number(pkt.p);
    if (o.apply) for (const line of REPAIR_PREAMBLE) await t.query(line.replace(/;$/, ""));
    else for (const line of REPAIR_PREAMBLE) o.onSql?.(line);
    for (const r of work) {
      const p = repairPlanOf(r);
      if (r.status === "error" || !p) {
        tables.push({
          table: r.table,
          status: "not-repaired",
          chunks: 0,
          deleted: 0,
          replaced: 0,
          error: r.error ?? "not compared",
        });
        continue;
      }
      tables.push(await repairTable(s, t, p, maxPacket, o));
    }
    if (!o.apply) for (const line of REPAIR_POSTAMBLE) o.onSql?.(line);
  } finally {
    await s.end().catch(() => undefined);
    await t.end().catch(() => undefined);
  }
  const ok = o.apply ? tables.every((x) => x.status === "repaired") : tables.every((x) => x.status === "planned");
  return { applied: o.apply, preamble: REPAIR_PREAMBLE, tables, ok };
}

/** A comment line of the script: never more than one line, whatever a key or name holds. */
export const sqlComment = (text: string) => `-- ${text.replace(/[\r\n]+/g, " ")}`;

async function repairTable(
  s: mysql.Connection,
  t: mysql.Connection,
  p: RepairPlan,
  maxPacket: number,
  o: RepairOptions,
): Promise<TableRepair> {
  const table = `${p.schema}.${p.name}`;
  const sql: string[] = [];
  let deleted = 0;
  let replaced = 0;
  let differing = 0;
  let lastProgress = 0;
  const writer = new RowWriter(p, maxPacket, o);
  /** Errors thrown inside a chunk's transaction (so rolled back), as opposed to after its COMMIT. */
  const rolledBack = new WeakSet<object>();
  // a line of the script (print mode), kept for JSON; in apply mode the statement runs on the target
  const line = (x: string) => {
    if (!o.apply) o.onSql?.(x);
    if (o.keepSql) sql.push(x);
  };
  const emit = async (statement: string) => {
    if (o.apply) await t.query(statement);
    line(`${statement};`);
  };
  try {
    for (const [i, id] of p.chunkIds.entries()) {
      setStage(
        `repair ${table}: chunk ${i + 1}/${p.chunkIds.length}${o.apply ? ` (${i} applied; the chunk in progress is rolled back)` : ""}`,
      );
      await readOnlySnapshot(s);
      if (o.apply) await t.query("START TRANSACTION");
      else await readOnlySnapshot(t);
      let open = false;
      try {
        const diffs = await chunkDifferences(p, s, t, id);
        if (diffs.length > 0) {
          const extra = diffs.filter((d) => d.kind === "extra").length;
          const cond = p.plan.condition(id);
          line(
            sqlComment(
              `${table}: chunk ${mysql.format(cond.sql, cond.params as mysql.SqlValue[])}: ${extra} to delete, ${diffs.length - extra} to write`,
            ),
          );
          line("START TRANSACTION;");
          open = true;
          const counts = await writer.chunk(s, diffs, emit);
          deleted += counts.deleted;
          replaced += counts.replaced;
          if (o.apply) await t.query("COMMIT");
          line("COMMIT;");
          open = false;
        }
        if (o.apply && diffs.length === 0) await t.query("COMMIT");
      } catch (e) {
        if (o.apply) await t.query("ROLLBACK").catch(() => undefined);
        if (e && typeof e === "object") rolledBack.add(e);
        // the script must not leave a half chunk to the next START TRANSACTION (which would commit it)
        if (open) line("ROLLBACK;");
        throw e;
      } finally {
        await s.query("COMMIT").catch(() => undefined);
        if (!o.apply) await t.query("COMMIT").catch(() => undefined);
      }
      if (o.apply) {
        if (!(await chunkMatches(p, s, t, id))) differing++;
        if (Date.now() - lastProgress >= 1000 || i === p.chunkIds.length - 1) {
          lastProgress = Date.now();
          o.onProgress?.(
            `${table}: ${i + 1}/${p.chunkIds.length} chunks applied (${deleted} rows deleted, ${replaced} written)`,
          );
        }
      }
    }
  } catch (e) {
    // A value too long for the target, or a statement a server refused (its chunk rolled back): that table is not
    // repaired, the others still are. A lost connection or an interrupt ends the run.
    const refused =
      !(e instanceof ValueTooLongError) && typeof (e as { errno?: unknown }).errno === "number" && !isLostConnection(e);
    const how = !rolledBack.has(e as object)
      ? ""
      : o.apply
        ? " (that chunk was rolled back)"
        : " (the script rolls that chunk back)";
    if (e instanceof ValueTooLongError || refused)
      return {
        table,
        status: "not-repaired",
        chunks: p.chunkIds.length,
        deleted,
        replaced,
        error: refused ? `a server refused a statement${how}: ${(e as Error).message}` : (e as Error).message,
        ...(o.keepSql ? { sql } : {}),
      };
    throw e;
  }
  const base = { table, chunks: p.chunkIds.length, deleted, replaced, ...(o.keepSql ? { sql } : {}) };
  if (!o.apply) return { ...base, status: "planned" };
  return {
    ...base,
    status: differing === 0 ? "repaired" : "still-differs",
    revalidated: { chunks: p.chunkIds.length, differing },
  };
}

/** A value larger than the target's max_allowed_packet: it could not be assembled there (CONCAT would give NULL). */
class ValueTooLongError extends Error {}

const NUMBER_TYPES = [...INTEGER_TYPES, "decimal", "numeric", "year", "bit"];
const FLOAT_TYPES = ["float", "double", "real"];

type Kind = "number" | "float" | "temporal" | "text" | "binary" | "spatial";

function kindOf(c: Column): Kind {
  if (NUMBER_TYPES.includes(c.dataType)) return "number";
  if (FLOAT_TYPES.includes(c.dataType)) return "float";
  if (TEMPORAL_TYPES.includes(c.dataType)) return "temporal";
  if (BINARY_TYPES.includes(c.dataType)) return "binary";
  if (SPATIAL_TYPES.includes(c.dataType)) return "spatial";
  return "text";
}

/**
 * Text with no character that needs an escape, and so quoted alike under any sql_mode: no control character (below
 * U+0020, or DEL) and no backslash.
 */
function isPlainText(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f || c === 0x5c) return false;
  }
  return true;
}

/** A string literal of exactly this text (its characters; the column's charset converts on assignment). */
export function textLiteral(text: string): string {
  if (isPlainText(text)) return `'${text.replace(/'/g, "''")}'`;
  return `_utf8mb4 X'${Buffer.from(text, "utf8").toString("hex")}'`;
}

export const binaryLiteral = (b: Buffer) => `X'${b.toString("hex")}'`;

const NUMERIC = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** A literal of a value as read for a column of this kind (text for numbers and temporals, Buffers for binaries). */
export function literal(kind: Kind, v: unknown, srid?: unknown): string {
  if (v === null || v === undefined) return "NULL";
  switch (kind) {
    case "number":
    case "float": {
      const text = typeof v === "bigint" || typeof v === "number" ? String(v) : String(v);
      // an exact decimal as the server printed it; anything else (a float key read as a JS number) as text
      return NUMERIC.test(text) ? text : textLiteral(text);
    }
    case "binary":
      return binaryLiteral(Buffer.isBuffer(v) ? v : Buffer.from(String(v), "utf8"));
    case "spatial":
      return `ST_GeomFromWKB(${binaryLiteral(v as Buffer)}, ${Number(srid ?? 0)})`;
    default:
      return textLiteral(Buffer.isBuffer(v) ? v.toString("utf8") : String(v));
  }
}

/** How a column is selected for its literal: the expression(s) and whether they come back as bytes. */
function selectExprs(c: Column, i: number): { sql: string[]; binary: string[] } {
  const col = qi(c.name);
  switch (kindOf(c)) {
    case "float":
      // a FLOAT prints with 6 digits; as a double it prints exactly, and rounds back to the same float
      return { sql: [`(${col} + 0e0) AS c${i}`], binary: [] };
    case "number":
      return { sql: [c.dataType === "bit" ? `CAST(${col} AS UNSIGNED) AS c${i}` : `${col} AS c${i}`], binary: [] };
    case "binary":
      return { sql: [`${col} AS c${i}`], binary: [`c${i}`] };
    case "spatial":
      return { sql: [`ST_AsBinary(${col}) AS c${i}`, `ST_SRID(${col}) AS s${i}`], binary: [`c${i}`] };
    default:
      return { sql: [`${col} AS c${i}`], binary: [] };
  }
}

interface TypeCastField {
  readonly name: string;
  readonly type: string;
  string(encoding?: string): string | null;
  buffer(): Buffer | null;
}

/** Builds a chunk's statements: deletes of the target's extra rows first, then REPLACEs of the source's rows. */
class RowWriter {
  private readonly columns: Column[];
  private readonly select: string;
  private readonly binary: Set<string>;
  private readonly batch: number;
  /** Source rows read at once: fewer when a column can hold a large value, so memory stays bounded. */
  private readonly fetch: number;
  private readonly piece: number;
  private readonly keyCols: Column[];
  private vars = 0;

  constructor(
    private readonly p: RepairPlan,
    private readonly maxPacket: number,
    o: RepairOptions,
  ) {
    // generated columns are computed by the target; every other column is written (invisible ones included)
    this.columns = p.source.columns.filter((c) => !c.generated);
    const exprs = this.columns.map(selectExprs);
    this.select = exprs.flatMap((e) => e.sql).join(", ");
    this.binary = new Set(exprs.flatMap((e) => e.binary));
    this.batch = o.batchRows ?? 200;
    const large = this.columns.some(
      (c) => (kindOf(c) === "binary" || kindOf(c) === "text") && (c.maxLength === null || c.maxLength > 65535),
    );
    this.fetch = large ? Math.min(this.batch, 20) : this.batch;
    this.piece = o.pieceBytes ?? 256 * 1024;
    this.keyCols = keyColumns(p.source);
  }

  /** Emits a chunk's statements as they are made (a batch of rows in memory at a time); returns the row counts. */
  async chunk(
    s: mysql.Connection,
    diffs: Difference[],
    emit: (statement: string) => Promise<void>,
  ): Promise<{ deleted: number; replaced: number }> {
    const extra = diffs.filter((d) => d.kind === "extra");
    const write = diffs.filter((d) => d.kind !== "extra");
    for (let i = 0; i < extra.length; i += this.batch) await emit(this.deleteStatement(extra.slice(i, i + this.batch)));
    let written = 0;
    for (let i = 0; i < write.length; i += this.fetch) {
      const rows = await this.sourceRows(s, write.slice(i, i + this.fetch));
      written += rows.length;
      for (const x of this.replaceStatements(rows)) await emit(x);
    }
    return { deleted: extra.length, replaced: written };
  }

  private keyTuple(d: Difference): string {
    const raw = rawKeyOf(d) ?? this.keyCols.map((c) => d.key[c.name]);
    const lits = this.keyCols.map((c, j) => keyValueSql(c, literal(kindOf(c), raw[j])));
    return `(${lits.join(", ")})`;
  }

  private get keyList(): string {
    return `(${this.keyCols.map((c) => qi(c.name)).join(", ")})`;
  }

  private deleteStatement(ds: Difference[]): string {
    return `DELETE FROM ${this.p.from} WHERE ${this.keyList} IN (${ds.map((d) => this.keyTuple(d)).join(", ")})`;
  }

  /** The source's rows of these keys (read in the chunk's snapshot), each value as the literal for its column. */
  private async sourceRows(s: mysql.Connection, ds: Difference[]): Promise<mysql.RowDataPacket[]> {
    const marks = ds.map(() => keyMarks(this.keyCols)).join(", ");
    const params = ds.flatMap((d) => rawKeyOf(d) ?? this.keyCols.map((c) => d.key[c.name]));
    const binary = this.binary;
    const [rows] = await s.query<mysql.RowDataPacket[]>({
      sql: `SELECT ${this.select} FROM ${this.p.from} WHERE ${this.keyList} IN (${marks})`,
      values: params,
      // exact text of every value (no JS number, no parsed JSON), bytes for binaries
      typeCast: ((field: TypeCastField) =>
        binary.has(field.name)
          ? field.buffer()
          : field.type === "JSON"
            ? field.string("utf8")
            : field.string()) as unknown as mysql.QueryOptions["typeCast"],
    });
    return rows;
  }

  /** REPLACEs of the rows: short rows in multi-row statements, a row with a long value on its own. */
  private replaceStatements(rows: mysql.RowDataPacket[]): string[] {
    const head = `REPLACE INTO ${this.p.from} (${this.columns.map((c) => qi(c.name)).join(", ")}) VALUES `;
    const out: string[] = [];
    let tuples: string[] = [];
    let size = 0;
    const flush = () => {
      if (tuples.length) out.push(head + tuples.join(", "));
      tuples = [];
      size = 0;
    };
    for (const r of rows) {
      const pre: string[] = [];
      const used: string[] = [];
      const values = this.columns.map((c, i) => {
        const v = r[`c${i}`];
        const kind = kindOf(c);
        if ((kind === "binary" || kind === "text") && v !== null && v !== undefined) {
          const bytes = Buffer.isBuffer(v) ? v.length : Buffer.byteLength(String(v), "utf8");
          if (bytes > this.piece) {
            if (bytes > this.maxPacket)
              throw new ValueTooLongError(
                `${this.p.schema}.${this.p.name}.${c.name} holds a value of ${bytes} bytes, more than the target's max_allowed_packet (${this.maxPacket}): raise it to at least ${bytes}`,
              );
            const name = `@dmsctl_repair_${++this.vars}`;
            used.push(name);
            pre.push(...this.pieces(name, kind, v));
            return name;
          }
        }
        return literal(kind, v, r[`s${i}`]);
      });
      const tuple = `(${values.join(", ")})`;
      if (pre.length > 0) {
        flush();
        out.push(...pre, head + tuple, ...used.map((n) => `SET ${n} = NULL`));
        continue;
      }
      if (tuples.length > 0 && size + tuple.length > this.piece * 2) flush();
      tuples.push(tuple);
      size += tuple.length;
      if (tuples.length >= this.batch) flush();
    }
    flush();
    return out;
  }

  /** A long value assembled in a session variable: SET, then CONCAT a piece at a time. */
  private pieces(name: string, kind: "binary" | "text", v: unknown): string[] {
    const parts: string[] = [];
    if (kind === "binary") {
      const b = v as Buffer;
      for (let i = 0; i < b.length; i += this.piece) parts.push(binaryLiteral(b.subarray(i, i + this.piece)));
    } else {
      // whole characters per piece, each piece at most `piece` bytes of UTF-8
      let cur = "";
      let bytes = 0;
      for (const ch of String(v)) {
        const n = Buffer.byteLength(ch, "utf8");
        if (bytes + n > this.piece) {
          parts.push(textLiteral(cur));
          cur = "";
          bytes = 0;
        }
        cur += ch;
        bytes += n;
      }
      parts.push(textLiteral(cur));
    }
    return parts.map((lit, i) => (i === 0 ? `SET ${name} = ${lit}` : `SET ${name} = CONCAT(${name}, ${lit})`));
  }
}
