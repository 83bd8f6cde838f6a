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
    `SELECT column_name AS n, data_type AS d, column_type AS ct, is_nullable AS nl, extra AS x, character_set_name AS cs, character_maximum_length AS ml
       FROM information_schema.columns WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position`,
    [schema, name],
  );
  const columns: Column[] = cols.map((c) => ({
    name: String(c.n),
    dataType: String(c.d).toLowerCase(),
    columnType: String(c.ct).toLowerCase(),
    nullable: c.nl === "YES",
    generated: /GENERATED|VIRTUAL|STORED/i.test(String(c.x ?? "")),
    charset: c.cs === null || c.cs === undefined ? null : String(c.cs).toLowerCase(),
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
 * - numbers, DECIMAL and fractional-second temporals use the server's canonical text for the column's type.
 */
export function columnExpr(c: Column): string {
  const col = qi(c.name);
  let expr: string;
  if (EXACT_TYPES.includes(c.dataType)) expr = c.dataType === "bit" ? `CAST(${col} AS UNSIGNED)` : col;
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

/** The whole row (columns in a fixed order: by name) as one string expression. */
export function rowExpr(columns: readonly Column[]): string {
  const sorted = [...columns].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return `CONCAT_WS('|', ${sorted.map(columnExpr).join(", ")})`;
}

/** The key columns only, in key order, rendered like {@link rowExpr} (for ordering and matching by key). */
export function keyExpr(columns: readonly Column[], key: readonly string[]): string {
  return `CONCAT_WS('|', ${key.map((k) => columnExpr(columns.find((c) => c.name === k)!)).join(", ")})`;
}

const INTEGER_DISPLAY_WIDTH = /^(tinyint|smallint|mediumint|int|integer|bigint)\(\d+\)/;

/**
 * A column's type as compared between the servers: the column type without an integer's display width (MySQL
 * 8.0.19+ no longer shows it, MariaDB does; it changes nothing stored).
 */
export function comparableType(c: Column): string {
  return c.columnType.replace(INTEGER_DISPLAY_WIDTH, "$1");
}
