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
}

export interface TableMeta {
  readonly schema: string;
  readonly name: string;
  readonly engine: string | null;
  readonly columns: Column[];
  /** Primary key, or the first unique index whose columns are all NOT NULL; empty when none. */
  readonly key: string[];
  readonly keyKind: "primary" | "unique" | "none";
}

export const INTEGER_TYPES = ["tinyint", "smallint", "mediumint", "int", "integer", "bigint"];
const EXACT_TYPES = [...INTEGER_TYPES, "decimal", "numeric", "bit", "year", "float", "double", "real"];
const TEMPORAL_TYPES = ["date", "datetime", "timestamp", "time"];
const BINARY_TYPES = ["binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob"];
const SPATIAL_TYPES = ["geometry", "point", "linestring", "polygon", "multipoint", "multilinestring", "multipolygon", "geometrycollection"];

/** Base tables of the given schemas (or every user schema). */
export async function listTables(conn: mysql.Connection, schemas: string[] | undefined): Promise<{ schema: string; name: string }[]> {
  const where = schemas && schemas.length > 0 ? `table_schema IN (${schemas.map(() => "?").join(",")})` : `table_schema NOT IN (${SYSTEM_SCHEMAS.map(() => "?").join(",")})`;
  const [rows] = await conn.query<mysql.RowDataPacket[]>(
    `SELECT table_schema AS s, table_name AS t FROM information_schema.tables WHERE table_type = 'BASE TABLE' AND ${where} ORDER BY table_schema, table_name`,
    schemas && schemas.length > 0 ? schemas : SYSTEM_SCHEMAS,
  );
  return rows.map((r) => ({ schema: String(r.s), name: String(r.t) }));
}

/** Columns, key and engine of one table; undefined when the table does not exist. */
export async function tableMeta(conn: mysql.Connection, schema: string, name: string): Promise<TableMeta | undefined> {
  const [t] = await conn.query<mysql.RowDataPacket[]>(
    "SELECT engine AS e FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
    [schema, name],
  );
  if (t.length === 0) return undefined;
  const [cols] = await conn.query<mysql.RowDataPacket[]>(
    `SELECT column_name AS n, data_type AS d, column_type AS ct, is_nullable AS nl, extra AS x, character_set_name AS cs
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
  return { schema, name, engine: t[0].e === null ? null : String(t[0].e), columns, key, keyKind };
}

/**
 * One column as text that is equal on two servers exactly when the values are equal:
 * - NULL becomes `N`; strings and binaries are length-prefixed (`5:hello`), so NULL, '' and 'N' all differ and a
 *   separator inside a value can never shift a column boundary;
 * - text in another charset is converted to utf8mb4 first (same characters give the same bytes on both sides;
 *   utf8mb4 columns are used as they are, the conversion being the most expensive part), byte length kept, so
 *   trailing spaces and case differences count;
 * - numbers, DECIMAL and fractional-second temporals use the server's canonical text for the column's type.
 */
export function columnExpr(c: Column): string {
  const col = qi(c.name);
  let expr: string;
  if (EXACT_TYPES.includes(c.dataType)) expr = c.dataType === "bit" ? `CAST(${col} AS UNSIGNED)` : col;
  else if (TEMPORAL_TYPES.includes(c.dataType)) expr = col;
  else if (BINARY_TYPES.includes(c.dataType)) expr = `CONCAT(LENGTH(${col}), ':', ${col})`;
  else if (SPATIAL_TYPES.includes(c.dataType)) expr = `HEX(ST_AsBinary(${col}))`;
  else {
    const text = c.charset === "utf8mb4" ? col : `CONVERT(${col} USING utf8mb4)`;
    expr = `CONCAT(LENGTH(${text}), ':', ${text})`;
  }
  // Every non-NULL rendering starts with a digit or '-', so 'N' cannot collide with a value.
  return c.nullable ? `IFNULL(${expr}, 'N')` : expr;
}

/** The whole row (columns in a fixed order: by name) as one string expression. */
export function rowExpr(columns: readonly Column[]): string {
  const sorted = [...columns].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return `CONCAT_WS('|', ${sorted.map(columnExpr).join(", ")})`;
}
