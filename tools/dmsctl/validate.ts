/**
 * `dmsctl validate`: compares every table on both servers, each server doing its own work concurrently:
 * row counts and checksums of primary-key chunks computed by each server, then row-level comparison of differing
 * chunks only, reporting each differing key as missing (in target), extra (in target) or changed. Differences are
 * re-checked after a delay so rows still in flight under CDC are not reported as lost. Read-only on both sides.
 */
import * as mysql from "mysql2/promise";
import { Endpoint, connect, qi, sleep } from "./common";
import { INTEGER_TYPES, TableMeta, listTables, rowExpr, tableMeta } from "./table-meta";

export type DifferenceKind = "missing" | "extra" | "changed";
export interface Difference {
  /** The key as text (binary key values as 0x-prefixed hex). */
  readonly key: Record<string, string | null>;
  readonly kind: DifferenceKind;
}

/** The raw key values of a difference (Buffers stay Buffers), for re-reading it; not part of the output. */
const rawKeys = new WeakMap<Difference, unknown[]>();
export interface TableResult {
  readonly table: string;
  readonly status: "match" | "mismatch" | "error";
  readonly sourceRows: number | null;
  readonly targetRows: number | null;
  readonly differences: Difference[];
  /** How the table was compared (chunked by key, or as a whole when it has no key). */
  readonly method?: "key-chunks" | "whole-table";
  readonly note?: string;
  readonly error?: string;
}
export interface ValidateResult {
  readonly tables: TableResult[];
}

export interface ValidateOptions {
  readonly schemas?: string[];
  /** `table` or `schema.table` names. */
  readonly tables?: string[];
  /** Rows per chunk (key range width for integer keys). @default 10000 */
  readonly chunkSize?: number;
  /** Tables compared at once (one connection per side each). @default 4 */
  readonly parallel?: number;
  /** Re-checks of differing keys before they are reported. @default 3 */
  readonly retries?: number;
  /** Wait between re-checks (the CDC lag to allow for). @default 5000 */
  readonly retryDelayMs?: number;
  /** Differences listed per table (the count is exact regardless). @default 1000 */
  readonly maxDifferences?: number;
  /** Called as tables finish. */
  readonly onProgress?: (done: number, total: number) => void;
}

interface Chunk {
  readonly id: string;
  readonly n: string;
  readonly x: string;
}

type Row = Record<string, unknown>;

/** Runs the comparison. */
export async function validate(source: Endpoint, target: Endpoint, o: ValidateOptions = {}): Promise<ValidateResult> {
  const chunkSize = o.chunkSize ?? 10000;
  const parallel = o.parallel ?? 4;
  const s0 = await connect(source);
  const t0 = await connect(target);
  let tables: { schema: string; name: string }[];
  let targetOnly: { schema: string; name: string }[] = [];
  try {
    const schemas = o.schemas ?? (source.schema ? [source.schema] : undefined);
    tables = await listTables(s0, schemas);
    if (schemas) {
      const [found] = await s0.query<mysql.RowDataPacket[]>(
        `SELECT schema_name AS s FROM information_schema.schemata WHERE schema_name IN (${schemas.map(() => "?").join(",")})`,
        schemas,
      );
      const missing = schemas.filter((s) => !found.some((f) => f.s === s));
      if (missing.length > 0) throw new ValidateInputError(`schema ${missing.map((m) => JSON.stringify(m)).join(", ")} does not exist on the source`);
    }
    if (o.tables && o.tables.length > 0) {
      const filtered = tables.filter((t) => o.tables!.includes(t.name) || o.tables!.includes(`${t.schema}.${t.name}`));
      const unknown = o.tables.filter((w) => !filtered.some((t) => w === t.name || w === `${t.schema}.${t.name}`));
      if (unknown.length > 0) throw new ValidateInputError(`--tables names tables that do not exist on the source: ${unknown.join(", ")}`);
      tables = filtered;
    } else {
      // Tables the target has and the source does not (in the same schemas) are differences too.
      const onTarget = await listTables(t0, schemas);
      targetOnly = onTarget.filter((x) => !tables.some((y) => y.schema === x.schema && y.name === x.name));
    }
  } finally {
    await s0.end();
    await t0.end();
  }

  const results: TableResult[] = new Array(tables.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    let s: mysql.Connection | undefined;
    let t: mysql.Connection | undefined;
    try {
      s = await connect(source);
      t = await connect(target);
      for (let i = next++; i < tables.length; i = next++) {
        results[i] = await compareTable(s, t, tables[i].schema, tables[i].name, { ...o, chunkSize });
        o.onProgress?.(++done, tables.length);
      }
    } finally {
      await s?.end().catch(() => undefined);
      await t?.end().catch(() => undefined);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(parallel, tables.length)) }, worker));
  const extra: TableResult[] = targetOnly.map((x) => ({
    table: `${x.schema}.${x.name}`,
    status: "error",
    sourceRows: null,
    targetRows: null,
    differences: [],
    error: "table does not exist on the source",
  }));
  return { tables: [...results, ...extra].sort((a, b) => (a.table < b.table ? -1 : a.table > b.table ? 1 : 0)) };
}

/** A problem with what was asked (missing schema, unknown table): exit 2. */
export class ValidateInputError extends Error {}

async function readOnlySnapshot(conn: mysql.Connection): Promise<void> {
  await conn.query("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ");
  await conn.query("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY");
}

async function compareTable(
  s: mysql.Connection,
  t: mysql.Connection,
  schema: string,
  name: string,
  o: ValidateOptions & { chunkSize: number },
): Promise<TableResult> {
  const table = `${schema}.${name}`;
  const base = { table, sourceRows: null, targetRows: null, differences: [] as Difference[] };
  try {
    const [sm, tm] = await Promise.all([tableMeta(s, schema, name), tableMeta(t, schema, name)]);
    if (!sm) return { ...base, status: "error", error: "table disappeared from the source" };
    if (!tm) return { ...base, status: "error", error: "table does not exist on the target" };
    const sCols = sm.columns.map((c) => c.name).sort();
    const tCols = tm.columns.map((c) => c.name).sort();
    if (sCols.join(",") !== tCols.join(",")) {
      const onlyS = sCols.filter((c) => !tCols.includes(c));
      const onlyT = tCols.filter((c) => !sCols.includes(c));
      return {
        ...base,
        status: "error",
        error: `columns differ: ${onlyS.length ? `only on source ${onlyS.join(", ")}` : ""}${onlyS.length && onlyT.length ? "; " : ""}${onlyT.length ? `only on target ${onlyT.join(", ")}` : ""}`,
      };
    }
    // Each side renders its own columns (by name, so column order may differ); text in a non-utf8mb4 charset is
    // converted on that side only, so both renderings are equal exactly when the values are.
    const generated = new Set(sm.columns.filter((c) => c.generated).map((c) => c.name));
    const exprS = rowExpr(sm.columns.filter((c) => !generated.has(c.name)));
    const exprT = rowExpr(tm.columns.filter((c) => !generated.has(c.name)));
    const from = `${qi(schema)}.${qi(name)}`;

    await Promise.all([readOnlySnapshot(s), readOnlySnapshot(t)]);
    try {
      if (sm.keyKind === "none") {
        const q = (expr: string) => `SELECT ${SIGNATURE(expr)} FROM ${from}`;
        const [[ra], [rb]] = await Promise.all([s.query<mysql.RowDataPacket[]>(q(exprS)), t.query<mysql.RowDataPacket[]>(q(exprT))]);
        const a = ra[0];
        const b = rb[0];
        const same = String(a.n) === String(b.n) && String(a.x) === String(b.x);
        return {
          ...base,
          sourceRows: Number(a.n),
          targetRows: Number(b.n),
          status: same ? "match" : "mismatch",
          method: "whole-table",
          note: "no primary key or NOT NULL unique key: compared as a whole, differing rows cannot be named",
        };
      }
      const plan = chunkPlan(sm, o.chunkSize);
      await plan.prepare(s, from);
      const [sChunks, tChunks] = await Promise.all([plan.signatures(s, exprS, from), plan.signatures(t, exprT, from)]);
      const sourceRows = sum(sChunks);
      const targetRows = sum(tChunks);
      const differing = diffChunks(sChunks, tChunks);
      let candidates: Difference[] = [];
      for (const chunkId of differing) {
        const cond = plan.condition(chunkId);
        const q = (expr: string) => `SELECT ${sm.key.map(qi).join(", ")}, MD5(${expr}) AS __h FROM ${from} WHERE ${cond.sql} ORDER BY ${sm.key.map(qi).join(", ")}`;
        const [[sr], [tr]] = await Promise.all([s.query<mysql.RowDataPacket[]>(q(exprS), cond.params), t.query<mysql.RowDataPacket[]>(q(exprT), cond.params)]);
        candidates = candidates.concat(diffRows(sm.key, sr as Row[], tr as Row[]));
      }
      await Promise.all([s.query("COMMIT"), t.query("COMMIT")]);
      const confirmed = await recheck(s, t, sm, exprS, exprT, from, candidates, o);
      const max = o.maxDifferences ?? 1000;
      return {
        ...base,
        sourceRows,
        targetRows,
        status: confirmed.length === 0 ? "match" : "mismatch",
        method: "key-chunks",
        differences: confirmed.slice(0, max),
        ...(confirmed.length > max ? { note: `${confirmed.length} differences, first ${max} listed` } : {}),
        ...(sm.keyKind === "unique" ? { note: `no primary key: rows keyed by unique index (${sm.key.join(", ")})` } : {}),
      };
    } finally {
      await Promise.all([s.query("ROLLBACK").catch(() => undefined), t.query("ROLLBACK").catch(() => undefined)]);
    }
  } catch (e) {
    return { ...base, status: "error", error: (e as Error).message };
  }
}

const sum = (chunks: Map<string, Chunk>) => [...chunks.values()].reduce((acc, c) => acc + Number(c.n), 0);

function diffChunks(a: Map<string, Chunk>, b: Map<string, Chunk>): string[] {
  const ids = new Set([...a.keys(), ...b.keys()]);
  return [...ids].filter((id) => {
    const x = a.get(id);
    const y = b.get(id);
    return !x || !y || x.n !== y.n || x.x !== y.x;
  });
}

interface ChunkPlan {
  /** Computes chunk boundaries on the source (range plans); nothing for bucket plans. */
  prepare(source: mysql.Connection, from: string): Promise<void>;
  signatures(conn: mysql.Connection, expr: string, from: string): Promise<Map<string, Chunk>>;
  condition(chunkId: string): { sql: string; params: unknown[] };
}

/**
 * A chunk's signature: its row count and the XOR of a 64-bit value per row, computed by the server in one pass.
 * The value is the row's CRC32 times a 32-bit odd constant: CRC32 alone is linear over XOR (two rows with the same
 * change at the same offset would cancel out in BIT_XOR); the integer product's carries break that linearity at the
 * cost of one multiplication, keeping the scan close to a bare checksum scan.
 */
const SIGNATURE = (expr: string) => `COUNT(*) AS n, COALESCE(BIT_XOR(CRC32(${expr}) * 2654435761), 0) AS x`;

/**
 * Integer single-column keys: one GROUP BY pass per server (bucket = FLOOR(key / chunkSize)), the cheapest plan.
 * Other keys: boundaries every chunkSize rows along the key (walked on the source's index), then one range query
 * per chunk on each server.
 */
export function chunkPlan(m: TableMeta, chunkSize: number): ChunkPlan {
  const keyCols = m.key.map((k) => m.columns.find((c) => c.name === k)!);
  if (keyCols.length === 1 && INTEGER_TYPES.includes(keyCols[0].dataType)) {
    const k = qi(keyCols[0].name);
    return {
      async prepare() {},
      async signatures(conn, expr, from) {
        // integer DIV (no decimal division); it truncates toward zero, which condition() mirrors
        const [rows] = await conn.query<mysql.RowDataPacket[]>(`SELECT ${k} DIV ${chunkSize} AS __dmsctl_bucket, ${SIGNATURE(expr)} FROM ${from} GROUP BY 1`);
        return new Map(rows.map((r) => [String(r.__dmsctl_bucket), { id: String(r.__dmsctl_bucket), n: String(r.n), x: String(r.x) }]));
      },
      condition(id) {
        const b = BigInt(id);
        const c = BigInt(chunkSize);
        if (b > 0n) return { sql: `${k} >= ? AND ${k} < ?`, params: [(b * c).toString(), ((b + 1n) * c).toString()] };
        if (b < 0n) return { sql: `${k} > ? AND ${k} <= ?`, params: [((b - 1n) * c).toString(), (b * c).toString()] };
        return { sql: `${k} > ? AND ${k} < ?`, params: [(-c).toString(), c.toString()] };
      },
    };
  }
  const cols = m.key.map(qi).join(", ");
  const tuple = `(${cols})`;
  const marks = `(${m.key.map(() => "?").join(", ")})`;
  const bounds: unknown[][] = [];
  const condition = (id: string) => {
    const i = Number(id);
    const parts: string[] = [];
    const params: unknown[] = [];
    if (i > 0) {
      parts.push(`${tuple} > ${marks}`);
      params.push(...bounds[i - 1]);
    }
    if (i < bounds.length) {
      parts.push(`${tuple} <= ${marks}`);
      params.push(...bounds[i]);
    }
    return { sql: parts.length ? parts.join(" AND ") : "1=1", params };
  };
  return {
    async prepare(source, from) {
      let last: unknown[] | undefined;
      for (;;) {
        const [rows] = await source.query<mysql.RowDataPacket[]>(
          `SELECT ${cols} FROM ${from} ${last ? `WHERE ${tuple} > ${marks}` : ""} ORDER BY ${cols} LIMIT 1 OFFSET ${chunkSize - 1}`,
          last ?? [],
        );
        if (rows.length === 0) break;
        last = m.key.map((k) => rows[0][k]);
        bounds.push(last);
      }
    },
    async signatures(conn, expr, from) {
      const out = new Map<string, Chunk>();
      for (let i = 0; i <= bounds.length; i++) {
        const c = condition(String(i));
        const [rows] = await conn.query<mysql.RowDataPacket[]>(`SELECT ${SIGNATURE(expr)} FROM ${from} WHERE ${c.sql}`, c.params);
        const r = rows[0];
        out.set(String(i), { id: String(i), n: String(r.n), x: String(r.x) });
      }
      return out;
    },
    condition,
  };
}

const keyOf = (key: string[], r: Row) => JSON.stringify(key.map((k) => (Buffer.isBuffer(r[k]) ? `0x${(r[k] as unknown as Buffer).toString("hex")}` : r[k])));

/** Row-level diff of one chunk: both sides sorted by key, each row as key + MD5 of the row expression. */
export function diffRows(key: string[], source: Row[], target: Row[]): Difference[] {
  const t = new Map(target.map((r) => [keyOf(key, r), r]));
  const out: Difference[] = [];
  const text = (v: unknown) => (v === null || v === undefined ? null : Buffer.isBuffer(v) ? `0x${v.toString("hex")}` : String(v));
  const make = (r: Row, kind: DifferenceKind) => {
    const d: Difference = { key: Object.fromEntries(key.map((k) => [k, text(r[k])])), kind };
    rawKeys.set(d, key.map((k) => r[k]));
    out.push(d);
  };
  for (const r of source) {
    const k = keyOf(key, r);
    const other = t.get(k);
    if (!other) make(r, "missing");
    else if (String(other.__h) !== String(r.__h)) make(r, "changed");
    t.delete(k);
  }
  for (const r of t.values()) make(r, "extra");
  return out;
}

/**
 * Re-reads the differing keys on both sides after a delay, up to `retries` times: a row DMS had not applied yet
 * (in flight under CDC) converges and drops out; what still differs is reported.
 */
async function recheck(
  s: mysql.Connection,
  t: mysql.Connection,
  m: TableMeta,
  exprS: string,
  exprT: string,
  from: string,
  candidates: Difference[],
  o: ValidateOptions,
): Promise<Difference[]> {
  let pending = candidates;
  const retries = o.retries ?? 3;
  for (let attempt = 0; attempt < retries && pending.length > 0; attempt++) {
    await sleep(o.retryDelayMs ?? 5000);
    const next: Difference[] = [];
    for (let i = 0; i < pending.length; i += 500) {
      const batch = pending.slice(i, i + 500);
      const tuple = `(${m.key.map(qi).join(", ")})`;
      const marks = batch.map(() => `(${m.key.map(() => "?").join(", ")})`).join(", ");
      const params = batch.flatMap((d) => rawKeys.get(d) ?? m.key.map((k) => d.key[k]));
      const q = (expr: string) => `SELECT ${m.key.map(qi).join(", ")}, MD5(${expr}) AS __h FROM ${from} WHERE ${tuple} IN (${marks})`;
      const [[sr], [tr]] = await Promise.all([s.query<mysql.RowDataPacket[]>(q(exprS), params), t.query<mysql.RowDataPacket[]>(q(exprT), params)]);
      next.push(...diffRows(m.key, sr as Row[], tr as Row[]));
    }
    pending = next;
  }
  return pending;
}
