/** Table metadata from information_schema, and the NULL-safe, unambiguous row expression checksums are built on. */
import * as mysql from "mysql2/promise";
import { qi } from "./common";

export const SYSTEM_SCHEMAS = ["mysql", "sys", "information_schema", "performance_schema", "awsdms_control"];

export interface Column {
  readonly name: string;
  readonly dataType: string;
  readonly columnType: string;
  readonly nullable: boolean;
  readonly generated: boolean;
  /** Character set of a text column (null for others). */
  readonly charset: string | null;
  /** Collation of a text column (null for others): how the server orders and matches its values. */
  readonly collation: string | null;
  /** Declared maximum length: characters for text, bytes for binary strings; null when none applies or is known. */
  readonly maxLength: number | null;
}

export interface TableMeta {
  readonly schema: string;
  readonly name: string;
  readonly engine: string | null;
  readonly columns: Column[];
  /** Primary key, or the first unique index whose columns are all NOT NULL; empty when none. */
  readonly key: string[];
  readonly keyKind: "primary" | "unique" | "none";
  /** The server's estimate of the row count (information_schema.tables.table_rows); 0 when it has none. */
  readonly estimatedRows: number;
}

/**
 * Whether information_schema.columns.extra marks a generated column: "VIRTUAL GENERATED" or "STORED GENERATED"
 * (MySQL 5.7+, MariaDB 10.2+; "PERSISTENT" in older MariaDB). Not MySQL 8's "DEFAULT_GENERATED", which marks an
 * expression default (`created_at ... DEFAULT CURRENT_TIMESTAMP`): such a column is stored and written like any other.
 */
export function isGeneratedExtra(extra: unknown): boolean {
  return /\b(VIRTUAL|STORED|PERSISTENT)\b/i.test(String(extra ?? ""));
}
/** {@link isGeneratedExtra} in SQL, on a column named `extra` (optionally qualified: pass `c.extra`). */
export const generatedExtraSql = (extra = "extra") =>
  `(${extra} LIKE '%VIRTUAL%' OR ${extra} LIKE '%STORED%' OR ${extra} LIKE '%PERSISTENT%')`;

/**
 * A collation name as one spelling for both servers: MySQL 8.0.30+ and MariaDB 10.6+ name utf8's collations
 * utf8mb3_*, older servers utf8_* (the same collation): an 8.0.28 source and an 8.0.36 target agree.
 */
export function canonicalCollation(name: string): string {
  return name.toLowerCase().replace(/^utf8_/, "utf8mb3_");
}

export const INTEGER_TYPES = ["tinyint", "smallint", "mediumint", "int", "integer", "bigint"];
const EXACT_TYPES = [...INTEGER_TYPES, "decimal", "numeric", "bit", "year", "float", "double", "real"];
export const TEMPORAL_TYPES = ["date", "datetime", "timestamp", "time"];
export const BINARY_TYPES = ["binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob"];
/** MySQL spatial types (DMS does not migrate them: preflight warns; validate and repair compare them as WKB). */
export const SPATIAL_TYPES = [
  "geometry",
  "point",
  "linestring",
  "polygon",
  "multipoint",
  "multilinestring",
  "multipolygon",
  "geometrycollection",
];

/** Base tables of the given schemas (or every user schema), with the server's estimate of their row counts. */
export async function listTables(
  conn: mysql.Connection,
  schemas: string[] | undefined,
): Promise<{ schema: string; name: string; estimatedRows: number }[]> {
  const where =
    schemas && schemas.length > 0
      ? `table_schema IN (${schemas.map(() => "?").join(",")})`
      : `table_schema NOT IN (${SYSTEM_SCHEMAS.map(() => "?").join(",")})`;
  const [rows] = await conn.query<mysql.RowDataPacket[]>(
    `SELECT table_schema AS s, table_name AS t, table_rows AS r FROM information_schema.tables WHERE table_type = 'BASE TABLE' AND ${where} ORDER BY table_schema, table_name`,
    schemas && schemas.length > 0 ? schemas : SYSTEM_SCHEMAS,
  );
  return rows.map((r) => ({ schema: String(r.s), name: String(r.t), estimatedRows: Number(r.r ?? 0) }));
}

/** Columns, key and engine of one table; undefined when the table does not exist. */
export async function tableMeta(conn: mysql.Connection, schema: string, name: string): Promise<TableMeta | undefined> {
  const [t] = await conn.query<mysql.RowDataPacket[]>(
    "SELECT engine AS e, table_rows AS r FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
    [schema, name],
  );
  if (t.length === 0) return undefined;
  const [cols] = await conn.query<mysql.RowDataPacket[]>(
    `SELECT column_name AS n, data_type AS d, column_type AS ct, is_nullable AS nl, extra AS x, character_set_name AS cs, collation_name AS co, character_maximum_length AS ml
       FROM information_schema.columns WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position`,
    [schema, name],
  );
  const columns: Column[] = cols.map((c) => ({
    name: String(c.n),
    dataType: String(c.d).toLowerCase(),
    columnType: String(c.ct).toLowerCase(),
    nullable: c.nl === "YES",
    generated: isGeneratedExtra(c.x),
    charset: c.cs === null || c.cs === undefined ? null : String(c.cs).toLowerCase(),
    collation: c.co === null || c.co === undefined ? null : canonicalCollation(String(c.co)),
    maxLength: c.ml === null || c.ml === undefined ? null : Number(c.ml),
  }));
  const [idx] = await conn.query<mysql.RowDataPacket[]>(
    `SELECT index_name AS i, non_unique AS nu, column_name AS c, seq_in_index AS q
       FROM information_schema.statistics WHERE table_schema = ? AND table_name = ? ORDER BY index_name = 'PRIMARY' DESC, index_name, seq_in_index`,
    [schema, name],
  );
  const indexes = new Map<string, { unique: boolean; cols: string[] }>();
  for (const r of idx) {
    const i = String(r.i);
    if (!indexes.has(i)) indexes.set(i, { unique: Number(r.nu) === 0, cols: [] });
    indexes.get(i)!.cols.push(String(r.c));
  }
  const nullable = new Set(columns.filter((c) => c.nullable).map((c) => c.name));
  let key: string[] = [];
  let keyKind: TableMeta["keyKind"] = "none";
  if (indexes.has("PRIMARY")) {
    key = indexes.get("PRIMARY")!.cols;
    keyKind = "primary";
  } else {
    const u = [...indexes.values()].find((x) => x.unique && x.cols.every((c) => !nullable.has(c)));
    if (u) {
      key = u.cols;
      keyKind = "unique";
    }
  }
  return {
    schema,
    name,
    engine: t[0].e === null ? null : String(t[0].e),
    columns,
    key,
    keyKind,
    estimatedRows: Number(t[0].r ?? 0),
  };
}

/**
 * Values longer than this (characters of text, bytes of binary strings) are rendered as their MD5, so a row's
 * rendering stays short whatever its LOBs hold: a rendering longer than the session's max_allowed_packet would
 * become NULL (warning 1301) and drop out of a checksum. Reading a long value into MD5() is not limited.
 */
export const LONG_TEXT_CHARS = 256;
export const LONG_BINARY_BYTES = 1024;
/** The most a non-string column renders to (DECIMAL(65,30) with sign and point; temporals; BIT as a number). */
const SHORT_RENDERING = 70;

/**
 * One column as text that is equal on two servers exactly when the values are equal:
 * - NULL becomes `N`; strings and binaries are length-prefixed (`5:hello`), so NULL, '' and 'N' all differ and a
 *   separator inside a value can never shift a column boundary;
 * - text in another charset is converted to utf8mb4 first (same characters give the same bytes on both sides;
 *   utf8mb4 columns are used as they are, the conversion being the most expensive part), byte length kept, so
 *   trailing spaces and case differences count (the bytes are compared, never the collation);
 * - a value longer than {@link LONG_TEXT_CHARS} characters ({@link LONG_BINARY_BYTES} bytes for binary strings) is
 *   `#` and the MD5 of those bytes instead; whether a value is long depends on the value only (characters, not
 *   bytes, for text), never on the charset or the server, so both sides choose alike. Columns declared shorter
 *   skip the test;
 * - numbers, DECIMAL and fractional-second temporals use the server's canonical text for the column's type; a FLOAT
 *   as the double it widens to exactly (as text a FLOAT has 6 digits: 0.1234567 and 0.1234568 both print 0.123457),
 *   a BIT as its unsigned number.
 */
export function columnExpr(c: Column): string {
  const col = qi(c.name);
  let expr: string;
  if (EXACT_TYPES.includes(c.dataType)) expr = exactExpr(c);
  else if (TEMPORAL_TYPES.includes(c.dataType)) expr = col;
  else if (BINARY_TYPES.includes(c.dataType)) {
    const plain = `CONCAT(LENGTH(${col}), ':', ${col})`;
    expr =
      c.maxLength !== null && c.maxLength <= LONG_BINARY_BYTES
        ? plain
        : `IF(LENGTH(${col}) > ${LONG_BINARY_BYTES}, CONCAT('#', MD5(${col})), ${plain})`;
  } else if (SPATIAL_TYPES.includes(c.dataType)) {
    const wkb = `ST_AsBinary(${col})`;
    expr = `IF(LENGTH(${wkb}) > ${LONG_BINARY_BYTES / 2}, CONCAT('#', MD5(${wkb})), HEX(${wkb}))`;
  } else {
    const text = c.charset === "utf8mb4" ? col : `CONVERT(${col} USING utf8mb4)`;
    const plain = `CONCAT(LENGTH(${text}), ':', ${text})`;
    expr =
      c.maxLength !== null && c.maxLength <= LONG_TEXT_CHARS
        ? plain
        : `IF(CHAR_LENGTH(${col}) > ${LONG_TEXT_CHARS}, CONCAT('#', MD5(${text})), ${plain})`;
  }
  // Every non-NULL rendering starts with a digit, '-' or '#', so 'N' cannot collide with a value.
  return c.nullable ? `IFNULL(${expr}, 'N')` : expr;
}

/** A number column as text: the column, except a FLOAT (widened to a double, exact) and a BIT (its number). */
function exactExpr(c: Column): string {
  const col = qi(c.name);
  if (c.dataType === "bit") return `CAST(${col} AS UNSIGNED)`;
  if (c.dataType === "float") return `(${col} + 0e0)`;
  return col;
}

/**
 * A key column as validate reads it, to name a row and find it again: a FLOAT as the double it widens to and a BIT
 * as its number, since neither compares equal to the value the driver reads for it (a FLOAT's 6-digit text; a
 * BIT's bytes, which MariaDB does not match as X'..'); every other type as it is. Aliased to the column's name.
 */
export function keyReadExpr(c: Column): string {
  return c.dataType === "bit" || c.dataType === "float" ? `${exactExpr(c)} AS ${qi(c.name)}` : qi(c.name);
}

/**
 * Where a key value read by {@link keyReadExpr} goes back into SQL to find its row (`sql` is a `?` or a literal): a
 * FLOAT's double cast back to FLOAT (the server may print the double with fewer digits than round-trip, MariaDB
 * 16; the nearest FLOAT is the stored one), so it equals the stored value and the key's index is used.
 */
export function keyValueSql(c: Column, sql: string): string {
  return c.dataType === "float" ? `CAST(${sql} AS FLOAT)` : sql;
}

/** The longest text {@link columnExpr} can produce for a column, in bytes. */
export function columnRenderingBound(c: Column): number {
  if (EXACT_TYPES.includes(c.dataType) || TEMPORAL_TYPES.includes(c.dataType)) return SHORT_RENDERING;
  const prefix = 12; // length digits and ':', or '#'
  if (BINARY_TYPES.includes(c.dataType)) return prefix + Math.min(c.maxLength ?? Infinity, LONG_BINARY_BYTES);
  if (SPATIAL_TYPES.includes(c.dataType)) return prefix + LONG_BINARY_BYTES;
  return prefix + 4 * Math.min(c.maxLength ?? Infinity, LONG_TEXT_CHARS); // utf8mb4: up to 4 bytes a character
}

/** The longest text {@link rowExpr} can produce for these columns, in bytes (separators included). */
export function rowRenderingBound(columns: readonly Column[]): number {
  return columns.reduce((acc, c) => acc + columnRenderingBound(c) + 1, 0);
}

/** The key columns of a table, in key order. */
export const keyColumns = (m: TableMeta): Column[] => m.key.map((k) => m.columns.find((c) => c.name === k)!);

/** The whole row (columns in a fixed order: by name) as one string expression. */
export function rowExpr(columns: readonly Column[]): string {
  const sorted = [...columns].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return `CONCAT_WS('|', ${sorted.map(columnExpr).join(", ")})`;
}

/** The key columns only, in key order, rendered like {@link rowExpr} (for ordering and matching by key). */
export function keyExpr(columns: readonly Column[], key: readonly string[]): string {
  return `CONCAT_WS('|', ${key.map((k) => columnExpr(columns.find((c) => c.name === k)!)).join(", ")})`;
}

const INTEGER_DISPLAY_WIDTH = /^(tinyint|smallint|mediumint|int|integer|bigint)\(\d+\)(?!(?: unsigned)? zerofill)/;

/**
 * A column's type as compared between the servers: the column type without an integer's display width (MySQL
 * 8.0.19+ no longer shows it, MariaDB does; it changes nothing stored), except a ZEROFILL column's, whose width is
 * the width of its text (int(5) zerofill renders 00042).
 */
export function comparableType(c: Column): string {
  return c.columnType.replace(INTEGER_DISPLAY_WIDTH, "$1");
}

/** A view, stored routine or event: migrated by neither DMS nor dmsctl schema. */
export interface SchemaObject {
  readonly schema: string;
  readonly name: string;
  readonly kind: "view" | "procedure" | "function" | "event";
}

/**
 * The views, procedures, functions and events of the schemas (those the connected user can see: information_schema
 * shows a routine only to a user with a privilege on it).
 */
export async function objectsNotMigrated(conn: mysql.Connection, schemas: string[]): Promise<SchemaObject[]> {
  if (schemas.length === 0) return [];
  const inList = schemas.map(() => "?").join(",");
  // three queries, not a UNION: the name columns' collations differ (lower_case_table_names=1 gives views another)
  const rows: mysql.RowDataPacket[] = [];
  for (const sql of [
    `SELECT table_schema AS s, table_name AS n, 'view' AS k FROM information_schema.views WHERE table_schema IN (${inList})`,
    `SELECT routine_schema AS s, routine_name AS n, LOWER(routine_type) AS k FROM information_schema.routines WHERE routine_schema IN (${inList})`,
    `SELECT event_schema AS s, event_name AS n, 'event' AS k FROM information_schema.events WHERE event_schema IN (${inList})`,
  ]) {
    const [found] = await conn.query<mysql.RowDataPacket[]>(sql, schemas);
    rows.push(...found);
  }
  const order = ["view", "procedure", "function", "event"];
  const text = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return rows
    .map((r) => ({ schema: String(r.s), name: String(r.n), kind: String(r.k) as SchemaObject["kind"] }))
    .sort((a, b) => text(a.schema, b.schema) || order.indexOf(a.kind) - order.indexOf(b.kind) || text(a.name, b.name));
}
