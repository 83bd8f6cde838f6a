/**
 * `dmsctl validate`: compares every table on both servers, each server doing its own work concurrently:
 * row counts and checksums of primary-key chunks computed by each server, then row-level comparison of differing
 * chunks only, reporting each differing key as missing (in target), extra (in target) or changed. Differences are
 * re-checked after a delay so rows still in flight under CDC are not reported as lost. Read-only on both sides.
 *
 * Large differences stay cheap: a chunk one side does not have at all is counted from the other side's row count
 * (no row is read but the few listed), a wide chunk is compared as two streams ordered by key hash (memory bounded
 * whatever its size), and only a bounded number of differing keys is held for re-checks; the counts reported are
 * always the true counts, the listing is capped at `maxDifferences`.
 */
import * as mysql from "mysql2/promise";
import { Endpoint, connect, hasCastAsFloat, qi, serverInfo, sleep } from "./common";
import {
  Column,
  INTEGER_TYPES,
  TableMeta,
  comparableType,
  keyColumns,
  keyExpr,
  keyReadExpr,
  keyValueSql,
  listTables,
  rowExpr,
  rowRenderingBound,
  tableMeta,
} from "./table-meta";

export type DifferenceKind = "missing" | "extra" | "changed";
export interface Difference {
  /** The key as text (binary key values as 0x-prefixed hex). */
  readonly key: Record<string, string | null>;
  readonly kind: DifferenceKind;
}

/** How many rows differ, by kind: always the true counts, however many of them are listed. */
export interface DifferenceCounts {
  readonly missing: number;
  readonly extra: number;
  readonly changed: number;
}

/** A column whose type differs between the servers: its values may render differently and show as changed. */
export interface TypeDifference {
  readonly column: string;
  readonly source: string;
  readonly target: string;
}

/** The raw key values of a difference (Buffers stay Buffers), for re-reading it; not part of the output. */
const rawKeys = new WeakMap<Difference, unknown[]>();
/** The row hashes each side had when a difference was read (none for a side without the row). */
const rowHashes = new WeakMap<Difference, { s?: string; t?: string }>();
export interface TableResult {
  readonly table: string;
  readonly status: "match" | "mismatch" | "error";
  readonly sourceRows: number | null;
  readonly targetRows: number | null;
  /** The differing keys, at most `maxDifferences` of them (see `counts` and `truncated`). */
  readonly differences: Difference[];
  /**
   * The true number of differing rows by kind. For a table without a key: rows (with their multiplicity) only the
   * source or only the target has; a changed row counts as one missing and one extra.
   */
  readonly counts?: DifferenceCounts;
  /**
   * Of the differences, the held rows in flight under CDC rather than lost: the target's row changed between two
   * reads of this run (replication is writing it), or holds a version the source had at an earlier read. They are
   * counted among the differences; cutover --freeze-source lets them through its first check, never its last.
   */
  readonly inFlight?: number;
  /** True when `differences` lists fewer rows than `counts` adds up to. */
  readonly truncated?: boolean;
  /** Columns whose types differ between source and target (compared before the rows). */
  readonly typeDifferences?: TypeDifference[];
  /** How the table was compared (chunked by key, or as a whole when it has no key). */
  readonly method?: "key-chunks" | "whole-table";
  readonly note?: string;
  readonly error?: string;
}
export interface ValidateResult {
  readonly tables: TableResult[];
}

/** Where a run is: tables finished, and rows checksummed on the source out of the servers' estimate. */
export interface ValidateProgress {
  readonly tablesDone: number;
  readonly tablesTotal: number;
  readonly rowsScanned: number;
  readonly rowsEstimated: number;
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
  /** Differences listed per table (the counts are exact regardless). @default 1000 */
  readonly maxDifferences?: number;
  /** Called as rows are checksummed and as tables finish. */
  readonly onProgress?: (p: ValidateProgress) => void;
  /**
   * Keep, for each keyed table that differs, its chunk plan and the chunks still differing after the re-checks
   * (`repairPlanOf(result)`): what `validate --repair` re-reads, whatever the listing's cap. @default false
   */
  readonly keepChunks?: boolean;
}

/**
 * What `validate --repair` needs of a differing keyed table: both sides' metadata and renderings, the chunk plan
 * the comparison used (its ranges stay valid: they are key ranges, not row positions), and the ids of the chunks
 * that still differed after the re-checks, in key order. Not part of the output (a WeakMap on the result).
 */
export interface RepairPlan {
  readonly schema: string;
  readonly name: string;
  /** `schema`.`name`, quoted. */
  readonly from: string;
  readonly source: TableMeta;
  readonly target: TableMeta;
  readonly sides: { readonly s: Side; readonly t: Side };
  readonly plan: ChunkPlan;
  readonly chunkIds: string[];
}
const repairPlans = new WeakMap<TableResult, RepairPlan>();

/** The repair plan validate kept for a differing keyed table (with `keepChunks`); undefined otherwise. */
export function repairPlanOf(r: TableResult): RepairPlan | undefined {
  return repairPlans.get(r);
}

/** The key of a difference as read (Buffers stay Buffers, integers as read), for re-reading its row. */
export function rawKeyOf(d: Difference): unknown[] | undefined {
  return rawKeys.get(d);
}

interface Chunk {
  readonly id: string;
  readonly n: string;
  readonly x: string;
}

type Row = Record<string, unknown>;

/** Differing keys held in memory per table for key-by-key re-checks; chunks beyond are re-checked as chunks. */
const KEPT_KEYS = 10_000;
/** A differing chunk with more rows than this on a side is compared as two ordered streams, not read whole. */
const DIRECT_ROWS = 20_000;
/** Rows per signature query of an integer-keyed table (so progress moves inside a long table). */
const SEGMENT_ROWS = 50_000;
const MAX_SEGMENTS = 1000;

/** Runs the comparison. */
export async function validate(source: Endpoint, target: Endpoint, o: ValidateOptions = {}): Promise<ValidateResult> {
  const chunkSize = o.chunkSize ?? 10000;
  const parallel = o.parallel ?? 4;
  const s0 = await connect(source);
  let t0: mysql.Connection;
  try {
    t0 = await connect(target);
  } catch (e) {
    await s0.end().catch(() => undefined);
    throw e;
  }
  let tables: { schema: string; name: string; estimatedRows: number }[];
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
      if (missing.length > 0)
        throw new ValidateInputError(
          `schema ${missing.map((m) => JSON.stringify(m)).join(", ")} does not exist on the source`,
        );
    }
    if (o.tables && o.tables.length > 0) {
      const filtered = tables.filter((t) => o.tables!.includes(t.name) || o.tables!.includes(`${t.schema}.${t.name}`));
      const unknown = o.tables.filter((w) => !filtered.some((t) => w === t.name || w === `${t.schema}.${t.name}`));
      if (unknown.length > 0)
        throw new ValidateInputError(`--tables names tables that do not exist on the source: ${unknown.join(", ")}`);
      tables = filtered;
    } else {
      // Tables the target has and the source does not (in the same schemas) are differences too.
      const onTarget = await listTables(t0, schemas);
      targetOnly = onTarget.filter((x) => !tables.some((y) => y.schema === x.schema && y.name === x.name));
    }
  } finally {
    await s0.end().catch(() => undefined);
    await t0.end().catch(() => undefined);
  }

  // Progress: rows checksummed on the source out of the estimate, each table's estimate replaced by its true
  // count once it is done (so the two meet at the end).
  const estimates = tables.map((t) => t.estimatedRows);
  const scanned = tables.map(() => 0);
  let done = 0;
  const report = () =>
    o.onProgress?.({
      tablesDone: done,
      tablesTotal: tables.length,
      rowsScanned: scanned.reduce((a, b) => a + b, 0),
      rowsEstimated: estimates.reduce((a, b, i) => a + Math.max(b, scanned[i]), 0),
    });

  const results: TableResult[] = new Array(tables.length);
  let next = 0;
  const worker = async () => {
    let s: mysql.Connection | undefined;
    let t: mysql.Connection | undefined;
    try {
      s = await connect(source);
      t = await connect(target);
      const packets = { source: await maxAllowedPacket(s), target: await maxAllowedPacket(t) };
      const versions = { source: (await serverInfo(s)).version, target: (await serverInfo(t)).version };
      for (let i = next++; i < tables.length; i = next++) {
        const onRows = (n: number) => {
          scanned[i] += n;
          report();
        };
        results[i] = await compareTable(s, t, tables[i].schema, tables[i].name, {
          ...o,
          chunkSize,
          packets,
          versions,
          onRows,
        });
        estimates[i] = results[i].sourceRows ?? scanned[i];
        scanned[i] = estimates[i];
        done++;
        report();
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

async function maxAllowedPacket(conn: mysql.Connection): Promise<number> {
  const [[r]] = await conn.query<mysql.RowDataPacket[]>("SELECT @@SESSION.max_allowed_packet AS p");
  return Number(r.p);
}

/** A consistent, read-only snapshot on the connection (ended by COMMIT or ROLLBACK). */
export async function readOnlySnapshot(conn: mysql.Connection): Promise<void> {
  await conn.query("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ");
  await conn.query("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY");
}

/** Columns present on both sides whose types differ, by name. */
export function typeDifferences(source: readonly Column[], target: readonly Column[]): TypeDifference[] {
  const out: TypeDifference[] = [];
  for (const c of [...source].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const other = target.find((x) => x.name === c.name);
    if (other && comparableType(c) !== comparableType(other))
      out.push({ column: c.name, source: comparableType(c), target: comparableType(other) });
  }
  return out;
}

/** Key columns (the source's key) whose collations differ between the servers. */
export function keyCollationDifferences(source: TableMeta, target: TableMeta): TypeDifference[] {
  const out: TypeDifference[] = [];
  for (const name of source.key) {
    const a = source.columns.find((c) => c.name === name);
    const b = target.columns.find((c) => c.name === name);
    if (a?.collation && b?.collation && a.collation !== b.collation)
      out.push({ column: name, source: a.collation, target: b.collation });
  }
  return out;
}

interface CompareOptions extends ValidateOptions {
  readonly chunkSize: number;
  readonly packets: { source: number; target: number };
  /** VERSION() of each server. */
  readonly versions: { source: string; target: string };
  readonly onRows: (n: number) => void;
}

async function compareTable(
  s: mysql.Connection,
  t: mysql.Connection,
  schema: string,
  name: string,
  o: CompareOptions,
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
    const types = typeDifferences(sm.columns, tm.columns);
    const withTypes = types.length > 0 ? { typeDifferences: types } : {};
    const collations = keyCollationDifferences(sm, tm);
    if (collations.length > 0)
      return {
        ...base,
        ...withTypes,
        status: "error",
        error: `${collations.map((d) => `key column ${d.column} is ${d.source} on the source, ${d.target} on the target`).join("; ")}: the servers order and match its values differently, so rows cannot be compared by key (a row may even be unique on one side only); give the target the source's collation (dmsctl schema reports the difference)`,
      };
    // Each side renders its own columns (by name, so column order may differ); text in a non-utf8mb4 charset is
    // converted on that side only, so both renderings are equal exactly when the values are.
    const generated = new Set(sm.columns.filter((c) => c.generated).map((c) => c.name));
    const sRendered = sm.columns.filter((c) => !generated.has(c.name));
    const tRendered = tm.columns.filter((c) => !generated.has(c.name));
    // A rendering longer than the session's max_allowed_packet would be NULL and drop out of the checksum: refuse
    // rather than compare less than every row (long values are hashed, so only a tiny packet gets here).
    for (const [side, cols] of [
      ["source", sRendered],
      ["target", tRendered],
    ] as const) {
      const bound = rowRenderingBound(cols);
      if (bound > o.packets[side]) {
        return {
          ...base,
          ...withTypes,
          status: "error",
          error: `a row can render to ${bound} bytes for its checksum, more than max_allowed_packet (${o.packets[side]}) on the ${side}: raise max_allowed_packet to at least ${bound}`,
        };
      }
    }
    const side = (m: TableMeta, cols: Column[]): Side => ({
      row: rowExpr(cols),
      key: m.key.length > 0 ? keyExpr(m.columns, m.key) : "",
    });
    const sides = { s: side(sm, sRendered), t: side(tm, tRendered) };
    const from = `${qi(schema)}.${qi(name)}`;

    if (sm.keyKind === "none") return { ...base, ...withTypes, ...(await compareWhole(s, t, from, sides, o)) };
    // A FLOAT key is found again only as CAST(? AS FLOAT) (keyValueSql), which older servers lack: compared as a
    // whole there, a verdict and counts without the rows' keys.
    const old = (["source", "target"] as const).filter((x) => !hasCastAsFloat(o.versions[x]));
    if (old.length > 0 && keyColumns(sm).some((c) => c.dataType === "float"))
      return {
        ...base,
        ...withTypes,
        ...(await compareWhole(s, t, from, sides, o)),
        note: `the key has a FLOAT column, and the ${old.map((x) => `${x} (${o.versions[x]})`).join(" and ")} cannot match one again (CAST(... AS FLOAT) needs MySQL 8.0.17+): compared as a whole, differing rows cannot be named (a changed row counts as missing and extra)`,
      };

    await Promise.all([readOnlySnapshot(s), readOnlySnapshot(t)]);
    try {
      const plan = chunkPlan(sm, o.chunkSize);
      await plan.prepare(s, t, from);
      const [sChunks, tChunks] = await Promise.all([
        plan.signatures(s, sides.s.row, from, o.onRows),
        plan.signatures(t, sides.t.row, from),
      ]);
      const sourceRows = sum(sChunks);
      const targetRows = sum(tChunks);
      const max = o.maxDifferences ?? 1000;
      const cx: ChunkContext = { s, t, m: sm, plan, from, sides };
      const found = new Found(max);
      for (const id of diffChunks(sChunks, tChunks).sort(plan.order)) {
        await found.add(cx, id, Number(sChunks.get(id)?.n ?? 0), Number(tChunks.get(id)?.n ?? 0));
      }
      await Promise.all([s.query("COMMIT"), t.query("COMMIT")]);
      await found.recheck(cx, o);
      const counts = found.counts();
      const total = counts.missing + counts.extra + counts.changed;
      const inFlight = found.behind();
      const differences = found.listed();
      const notes = [
        ...(differences.length < total ? [`${total} differences, first ${differences.length} listed`] : []),
        ...(sm.keyKind === "unique" ? [`no primary key: rows keyed by unique index (${sm.key.join(", ")})`] : []),
        ...(inFlight > 0
          ? [
              `${inFlight} of them hold a version the source had at an earlier read: rows still being written, the target behind (in flight)`,
            ]
          : []),
        // the row counts are the first pass's; the re-checks found every difference gone (rows in flight then)
        ...(total === 0 && sourceRows !== targetRows
          ? ["rows counted in the first pass, when the target was behind; every difference matched on re-check"]
          : []),
      ];
      const result: TableResult = {
        ...base,
        sourceRows,
        targetRows,
        status: total === 0 ? "match" : "mismatch",
        method: "key-chunks",
        differences,
        counts,
        ...(inFlight > 0 ? { inFlight } : {}),
        truncated: differences.length < total,
        ...withTypes,
        ...(notes.length > 0 ? { note: notes.join("; ") } : {}),
      };
      if (o.keepChunks && total > 0) {
        const chunkIds = found.chunkIds().sort(plan.order);
        repairPlans.set(result, { schema, name, from, source: sm, target: tm, sides, plan, chunkIds });
      }
      return result;
    } finally {
      await Promise.all([s.query("ROLLBACK").catch(() => undefined), t.query("ROLLBACK").catch(() => undefined)]);
    }
  } catch (e) {
    return { ...base, status: "error", error: (e as Error).message };
  }
}

/** A side's row and key renderings. */
export interface Side {
  readonly row: string;
  readonly key: string;
}

interface ChunkContext {
  readonly s: mysql.Connection;
  readonly t: mysql.Connection;
  readonly m: TableMeta;
  readonly plan: ChunkPlan;
  readonly from: string;
  readonly sides: { s: Side; t: Side };
}

/** A differing chunk whose differences are not all held: counted, re-checked as a whole chunk. */
interface CountedChunk {
  readonly id: string;
  readonly counts: DifferenceCounts;
  readonly listed: Difference[];
}

const countKinds = (ds: readonly Difference[]): DifferenceCounts => ({
  missing: ds.filter((d) => d.kind === "missing").length,
  extra: ds.filter((d) => d.kind === "extra").length,
  changed: ds.filter((d) => d.kind === "changed").length,
});

/**
 * The differences of one table as they are found and re-checked, in bounded memory: up to KEPT_KEYS differing
 * keys are held (and re-checked key by key); a chunk whose differences do not fit is held as its counts and the
 * few keys it contributes to the listing (and re-checked as a chunk).
 */
class Found {
  private kept: Difference[] = [];
  private chunks: CountedChunk[] = [];
  /** The chunk of each held key (by its text), so a repair knows which chunks still differ. */
  private readonly keptChunk = new Map<string, string>();
  /** Every row hash the source had for a held key, over the first read and the re-checks. */
  private readonly sourceSeen = new Map<string, Set<string>>();
  /** The target's row hash for a held key at the last read ("" when it had no row). */
  private readonly targetLast = new Map<string, string>();
  /** Held keys whose row changed on the target between two reads: CDC is still writing them. */
  private readonly targetMoved = new Set<string>();
  constructor(private readonly max: number) {}

  private remember(diffs: readonly Difference[]): void {
    for (const d of diffs) {
      const k = keyTextOf(d);
      const h = rowHashes.get(d);
      if (h?.s !== undefined) {
        if (!this.sourceSeen.has(k)) this.sourceSeen.set(k, new Set());
        this.sourceSeen.get(k)!.add(h.s);
      }
      if (!h) continue;
      const t = h.t ?? "";
      const last = this.targetLast.get(k);
      if (last !== undefined && last !== t) this.targetMoved.add(k);
      this.targetLast.set(k, t);
    }
  }

  /**
   * Held differences in flight (see TableResult.inFlight): the target's row changed between two reads of this run
   * (CDC is writing it), or it holds a version the source had at an earlier read.
   */
  behind(): number {
    return this.kept.filter((d) => {
      const k = keyTextOf(d);
      const t = rowHashes.get(d)?.t;
      return this.targetMoved.has(k) || (t !== undefined && (this.sourceSeen.get(k)?.has(t) ?? false));
    }).length;
  }

  private listedFromChunks(): number {
    return this.chunks.reduce((a, c) => a + c.listed.length, 0);
  }

  /** Classifies one differing chunk (n: its row counts on each side). */
  async add(cx: ChunkContext, id: string, ns: number, nt: number): Promise<void> {
    const keepRoom = Math.max(0, KEPT_KEYS - this.kept.length);
    const listRoom = Math.max(0, this.max - Math.min(this.kept.length, this.max) - this.listedFromChunks());
    const r = await evaluateChunk(cx, id, ns, nt, keepRoom, listRoom);
    if (r.complete && r.diffs.length <= keepRoom) {
      this.kept.push(...r.diffs);
      this.remember(r.diffs);
      for (const d of r.diffs) this.keptChunk.set(keyTextOf(d), id);
    } else this.chunks.push({ id, counts: r.counts, listed: r.diffs.slice(0, listRoom) });
  }

  /** The chunks that still differ: those of the held keys, and the counted ones. */
  chunkIds(): string[] {
    const ids = new Set(this.chunks.map((c) => c.id));
    for (const d of this.kept) {
      const id = this.keptChunk.get(keyTextOf(d));
      if (id !== undefined) ids.add(id);
    }
    return [...ids];
  }

  /**
   * Re-reads what differs after a delay, up to `retries` times: a row DMS had not applied yet (in flight under
   * CDC) converges and drops out; what still differs is reported. Held keys are re-read key by key; counted chunks
   * have their signatures recomputed, and are compared again while they still differ.
   */
  async recheck(cx: ChunkContext, o: ValidateOptions): Promise<void> {
    const retries = o.retries ?? 3;
    for (let attempt = 0; attempt < retries && (this.kept.length > 0 || this.chunks.length > 0); attempt++) {
      await sleep(o.retryDelayMs ?? 5000);
      this.kept = await recheckKeys(cx, this.kept);
      this.remember(this.kept);
      const chunks = this.chunks;
      this.chunks = [];
      for (const c of chunks) {
        const [a, b] = await Promise.all([
          cx.plan.signature(cx.s, cx.sides.s.row, cx.from, c.id),
          cx.plan.signature(cx.t, cx.sides.t.row, cx.from, c.id),
        ]);
        if (a.n === b.n && a.x === b.x) continue;
        await this.add(cx, c.id, Number(a.n), Number(b.n));
      }
    }
  }

  counts(): DifferenceCounts {
    const k = countKinds(this.kept);
    return this.chunks.reduce(
      (acc, c) => ({
        missing: acc.missing + c.counts.missing,
        extra: acc.extra + c.counts.extra,
        changed: acc.changed + c.counts.changed,
      }),
      k,
    );
  }

  listed(): Difference[] {
    return [...this.kept.slice(0, this.max), ...this.chunks.flatMap((c) => c.listed)].slice(0, this.max);
  }
}

/**
 * One differing chunk: its true counts, and up to `keepRoom` (or at least `listRoom`) of its differences.
 * - one side has no row in it: every row of the other is missing (extra); counted from the signature, only the
 *   listed keys are read;
 * - small: both sides' keys and row hashes read and matched by key;
 * - wide: both sides streamed in the order of their keys' hashes and merged, so memory does not grow with it.
 */
async function evaluateChunk(
  cx: ChunkContext,
  id: string,
  ns: number,
  nt: number,
  keepRoom: number,
  listRoom: number,
): Promise<{ counts: DifferenceCounts; diffs: Difference[]; complete: boolean }> {
  const { m, plan, from } = cx;
  const cond = plan.condition(id);
  // the key's columns themselves (qualified): a FLOAT or BIT key is read under its own name as an expression, and
  // ORDER BY that alias would sort the rows instead of walking the key's index
  const keyCols = keyOrder(m, from);
  const keySel = keySelect(m);
  const kc = keyColumns(m);
  if (ns === 0 || nt === 0) {
    const [conn, kind, n]: [mysql.Connection, DifferenceKind, number] =
      ns === 0 ? [cx.t, "extra", nt] : [cx.s, "missing", ns];
    const counts = { missing: kind === "missing" ? n : 0, extra: kind === "extra" ? n : 0, changed: 0 };
    const limit = n <= keepRoom ? n : listRoom;
    if (limit === 0) return { counts, diffs: [], complete: n === 0 };
    const [rows] = await conn.query<mysql.RowDataPacket[]>(
      `SELECT ${keySel} FROM ${from} WHERE ${cond.sql} ORDER BY ${keyCols} LIMIT ${limit}`,
      cond.params,
    );
    const diffs = (rows as Row[]).map((r) => difference(kc, r, kind));
    return { counts, diffs, complete: diffs.length === n };
  }
  const cap = Math.max(keepRoom, listRoom);
  if (Math.max(ns, nt) <= DIRECT_ROWS) {
    const q = (sd: Side) =>
      `SELECT ${keySel}, MD5(${sd.row}) AS __h FROM ${from} WHERE ${cond.sql} ORDER BY ${keyCols}`;
    const [[sr], [tr]] = await Promise.all([
      cx.s.query<mysql.RowDataPacket[]>(q(cx.sides.s), cond.params),
      cx.t.query<mysql.RowDataPacket[]>(q(cx.sides.t), cond.params),
    ]);
    const diffs = diffRows(kc, sr as Row[], tr as Row[]);
    return { counts: countKinds(diffs), diffs: diffs.slice(0, cap), complete: diffs.length <= cap };
  }
  const q = (sd: Side) =>
    `SELECT ${keySel}, MD5(${sd.key}) AS __k, MD5(${sd.row}) AS __h FROM ${from} WHERE ${cond.sql} ORDER BY __k`;
  const counts = { missing: 0, extra: 0, changed: 0 };
  const diffs: Difference[] = [];
  const add = (r: Row, kind: DifferenceKind, hashes: { s?: unknown; t?: unknown }) => {
    counts[kind]++;
    if (diffs.length < cap) diffs.push(difference(kc, r, kind, hashes));
  };
  await mergeStreams(stream(cx.s, q(cx.sides.s), cond.params), stream(cx.t, q(cx.sides.t), cond.params), (a, b) => {
    if (!b) add(a!, "missing", { s: a!.__h });
    else if (!a) add(b, "extra", { t: b.__h });
    else if (String(a.__h) !== String(b.__h)) add(a, "changed", { s: a.__h, t: b.__h });
  });
  return { counts, diffs, complete: counts.missing + counts.extra + counts.changed <= cap };
}

/**
 * Every difference of one chunk of a repair plan, read afresh on both connections (inside whatever transactions
 * they are in): all of them, whatever validate listed; memory bounded by the chunk, not the table.
 */
export async function chunkDifferences(
  p: RepairPlan,
  s: mysql.Connection,
  t: mysql.Connection,
  id: string,
): Promise<Difference[]> {
  const cx: ChunkContext = { s, t, m: p.source, plan: p.plan, from: p.from, sides: p.sides };
  const [a, b] = await Promise.all([
    p.plan.signature(s, p.sides.s.row, p.from, id),
    p.plan.signature(t, p.sides.t.row, p.from, id),
  ]);
  if (a.n === b.n && a.x === b.x) return [];
  const all = Number.MAX_SAFE_INTEGER;
  return (await evaluateChunk(cx, id, Number(a.n), Number(b.n), all, all)).diffs;
}

/** Whether one chunk of a repair plan has the same signature on both connections now. */
export async function chunkMatches(
  p: RepairPlan,
  s: mysql.Connection,
  t: mysql.Connection,
  id: string,
): Promise<boolean> {
  const [a, b] = await Promise.all([
    p.plan.signature(s, p.sides.s.row, p.from, id),
    p.plan.signature(t, p.sides.t.row, p.from, id),
  ]);
  return a.n === b.n && a.x === b.x;
}

/** A query's rows one at a time (the driver pauses the connection while they are not consumed). */
function stream(conn: mysql.Connection, sql: string, params: unknown[]): AsyncIterator<Row> {
  // the promise wrapper's callback connection (typed on PoolConnection only) streams
  const core = (
    conn as unknown as {
      connection: {
        query(sql: string, values: unknown[]): { stream(o: { highWaterMark: number }): AsyncIterable<Row> };
      };
    }
  ).connection;
  return core.query(sql, params).stream({ highWaterMark: 500 })[Symbol.asyncIterator]();
}

/**
 * Merges two row streams sorted by `__k` (hex text, compared as such on both servers and here), calling `pair`
 * with the rows of equal keys, or with one side missing. Both streams are read to their end whatever happens, so
 * the connections are left ready for the next query.
 */
async function mergeStreams(
  a: AsyncIterator<Row>,
  b: AsyncIterator<Row>,
  pair: (a: Row | undefined, b: Row | undefined) => void,
): Promise<void> {
  try {
    let [x, y] = await Promise.all([a.next(), b.next()]);
    while (!x.done || !y.done) {
      const ka = x.done ? undefined : String(x.value.__k);
      const kb = y.done ? undefined : String(y.value.__k);
      if (kb === undefined || (ka !== undefined && ka < kb)) {
        pair(x.value as Row, undefined);
        x = await a.next();
      } else if (ka === undefined || kb < ka) {
        pair(undefined, y.value as Row);
        y = await b.next();
      } else {
        pair(x.value as Row, y.value as Row);
        [x, y] = await Promise.all([a.next(), b.next()]);
      }
    }
  } finally {
    const drain = async (it: AsyncIterator<Row>) => {
      try {
        while (!(await it.next()).done);
      } catch {
        // the stream failed: its error is what the caller reports
      }
    };
    await Promise.all([drain(a), drain(b)]);
  }
}

/**
 * A table without a key, compared as a whole (re-checked like a differing chunk). Its signature is a multiset
 * hash: the row count and the exact SUM of a 64-bit piece of each row's SHA1, so equal rows add up instead of
 * cancelling (an XOR would miss rows duplicated differently on each side). When it differs, both sides' rows
 * are grouped by hash and merged as ordered streams to count what only one side has, with multiplicity.
 */
async function compareWhole(
  s: mysql.Connection,
  t: mysql.Connection,
  from: string,
  sides: { s: Side; t: Side },
  o: CompareOptions,
): Promise<Omit<TableResult, "table" | "differences"> & { differences: Difference[] }> {
  const note =
    "no primary key or NOT NULL unique key: compared as a whole, differing rows cannot be named (a changed row counts as missing and extra)";
  const h = (sd: Side) => `CAST(CONV(LEFT(SHA1(${sd.row}), 16), 16, 10) AS UNSIGNED)`;
  const q = (sd: Side) => `SELECT COUNT(*) AS n, COALESCE(SUM(${h(sd)}), 0) AS x FROM ${from}`;
  const retries = o.retries ?? 3;
  for (let attempt = 0; ; attempt++) {
    await Promise.all([readOnlySnapshot(s), readOnlySnapshot(t)]);
    try {
      const [[ra], [rb]] = await Promise.all([
        s.query<mysql.RowDataPacket[]>(q(sides.s)),
        t.query<mysql.RowDataPacket[]>(q(sides.t)),
      ]);
      const [a, b] = [ra[0], rb[0]];
      if (attempt === 0) o.onRows(Number(a.n));
      const same = String(a.n) === String(b.n) && String(a.x) === String(b.x);
      const result = {
        sourceRows: Number(a.n),
        targetRows: Number(b.n),
        method: "whole-table" as const,
        note,
        differences: [] as Difference[],
      };
      if (same) return { ...result, status: "match", counts: { missing: 0, extra: 0, changed: 0 }, truncated: false };
      if (attempt < retries) {
        await Promise.all([s.query("COMMIT"), t.query("COMMIT")]);
        await sleep(o.retryDelayMs ?? 5000);
        continue;
      }
      const g = (sd: Side) => `SELECT SHA1(${sd.row}) AS __k, COUNT(*) AS c FROM ${from} GROUP BY __k ORDER BY __k`;
      const counts = { missing: 0, extra: 0, changed: 0 };
      await mergeStreams(stream(s, g(sides.s), []), stream(t, g(sides.t), []), (x, y) => {
        const d = Number(x?.c ?? 0) - Number(y?.c ?? 0);
        if (d > 0) counts.missing += d;
        else counts.extra -= d;
      });
      return { ...result, status: "mismatch", counts, truncated: counts.missing + counts.extra > 0 };
    } finally {
      await Promise.all([s.query("ROLLBACK").catch(() => undefined), t.query("ROLLBACK").catch(() => undefined)]);
    }
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

export interface ChunkPlan {
  /** Computes chunk boundaries on the source (range plans), or the key span of both sides (bucket plans). */
  prepare(source: mysql.Connection, target: mysql.Connection, from: string): Promise<void>;
  /** Every chunk's signature; `onRows` is told the rows each query covered as it finishes. */
  signatures(
    conn: mysql.Connection,
    expr: string,
    from: string,
    onRows?: (n: number) => void,
  ): Promise<Map<string, Chunk>>;
  /** One chunk's signature (for re-checks). */
  signature(conn: mysql.Connection, expr: string, from: string, chunkId: string): Promise<Chunk>;
  condition(chunkId: string): { sql: string; params: unknown[] };
  /** Orders chunk ids along the key. */
  order(a: string, b: string): number;
}

/**
 * A chunk's signature: its row count and the XOR of a 64-bit value per row, computed by the server in one pass.
 * The value is the row's CRC32 times a 32-bit odd constant: CRC32 alone is linear over XOR (two rows with the same
 * change at the same offset would cancel out in BIT_XOR); the integer product's carries break that linearity at the
 * cost of one multiplication, keeping the scan close to a bare checksum scan. Rows are distinct by key on the
 * source, so equal rows cannot cancel out there; tables without a key use a multiset hash (compareWhole).
 */
const SIGNATURE = (expr: string) => `COUNT(*) AS n, COALESCE(BIT_XOR(CRC32(${expr}) * 2654435761), 0) AS x`;

const byBigInt = (a: string, b: string) => {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
};

/**
 * Integer single-column keys: GROUP BY passes per server (bucket = key DIV chunkSize), the cheapest plan, split
 * into segments of about SEGMENT_ROWS rows along the key so progress moves inside a long table.
 * Other keys: boundaries every chunkSize rows along the key (walked on the source's index), then one range query
 * per chunk on each server.
 */
export function chunkPlan(m: TableMeta, chunkSize: number): ChunkPlan {
  const keyCols = keyColumns(m);
  const one = (r: mysql.RowDataPacket | undefined, id: string): Chunk => ({
    id,
    n: String(r?.n ?? 0),
    x: String(r?.x ?? 0),
  });
  if (keyCols.length === 1 && INTEGER_TYPES.includes(keyCols[0].dataType)) {
    const k = qi(keyCols[0].name);
    const c = BigInt(chunkSize);
    // integer DIV (no decimal division) truncates toward zero, like BigInt division; condition() mirrors it. The
    // bounds are BigInts, sent as integer literals: a quoted number would be compared as a double, inexact past 2^53.
    const lower = (b: bigint) =>
      b > 0n
        ? { sql: `${k} >= ?`, p: b * c }
        : b < 0n
          ? { sql: `${k} > ?`, p: (b - 1n) * c }
          : { sql: `${k} > ?`, p: -c };
    const upper = (b: bigint) =>
      b > 0n
        ? { sql: `${k} < ?`, p: (b + 1n) * c }
        : b < 0n
          ? { sql: `${k} <= ?`, p: b * c }
          : { sql: `${k} < ?`, p: c };
    const condition = (id: string) => {
      const b = BigInt(id);
      const [l, u] = [lower(b), upper(b)];
      return { sql: `${l.sql} AND ${u.sql}`, params: [l.p, u.p] };
    };
    let segments: { sql: string; params: unknown[] }[] = [{ sql: "1=1", params: [] }];
    return {
      async prepare(source, target, from) {
        const span = `SELECT MIN(${k}) AS lo, MAX(${k}) AS hi FROM ${from}`;
        const [[[a]], [[b]]] = await Promise.all([
          source.query<mysql.RowDataPacket[]>(span),
          target.query<mysql.RowDataPacket[]>(span),
        ]);
        const ends = [a.lo, a.hi, b.lo, b.hi]
          .filter((v) => v !== null && v !== undefined)
          .map((v) => BigInt(String(v)) / c);
        if (ends.length === 0) return;
        const lo = ends.reduce((x, y) => (y < x ? y : x));
        const hi = ends.reduce((x, y) => (y > x ? y : x));
        const buckets = hi - lo + 1n;
        const wanted = BigInt(Math.min(MAX_SEGMENTS, Math.max(1, Math.ceil(m.estimatedRows / SEGMENT_ROWS))));
        const count = wanted < buckets ? wanted : buckets;
        if (count <= 1n) return;
        const width = (buckets + count - 1n) / count;
        segments = [];
        for (let b0 = lo; b0 <= hi; b0 += width) {
          const b1 = b0 + width - 1n;
          // the first and last segments are open-ended: nothing outside them is missed
          const parts = [...(b0 > lo ? [lower(b0)] : []), ...(b1 < hi ? [upper(b1)] : [])];
          segments.push({
            sql: parts.length ? parts.map((x) => x.sql).join(" AND ") : "1=1",
            params: parts.map((x) => x.p),
          });
        }
      },
      async signatures(conn, expr, from, onRows) {
        const out = new Map<string, Chunk>();
        for (const seg of segments) {
          const [rows] = await conn.query<mysql.RowDataPacket[]>(
            `SELECT ${k} DIV ${chunkSize} AS __dmsctl_bucket, ${SIGNATURE(expr)} FROM ${from} WHERE ${seg.sql} GROUP BY 1`,
            seg.params,
          );
          let n = 0;
          for (const r of rows) {
            const id = String(r.__dmsctl_bucket);
            out.set(id, one(r, id));
            n += Number(r.n);
          }
          onRows?.(n);
        }
        return out;
      },
      async signature(conn, expr, from, id) {
        const cond = condition(id);
        const [rows] = await conn.query<mysql.RowDataPacket[]>(
          `SELECT ${SIGNATURE(expr)} FROM ${from} WHERE ${cond.sql}`,
          cond.params,
        );
        return one(rows[0], id);
      },
      condition,
      order: byBigInt,
    };
  }
  const cols = m.key.map(qi).join(", ");
  const tuple = `(${cols})`;
  const marks = keyMarks(keyCols);
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
  const signature = async (conn: mysql.Connection, expr: string, from: string, id: string) => {
    const c = condition(id);
    const [rows] = await conn.query<mysql.RowDataPacket[]>(
      `SELECT ${SIGNATURE(expr)} FROM ${from} WHERE ${c.sql}`,
      c.params,
    );
    return one(rows[0], id);
  };
  return {
    async prepare(source, _target, from) {
      let last: unknown[] | undefined;
      for (;;) {
        const [rows] = await source.query<mysql.RowDataPacket[]>(
          `SELECT ${keySelect(m)} FROM ${from} ${last ? `WHERE ${tuple} > ${marks}` : ""} ORDER BY ${keyOrder(m, from)} LIMIT 1 OFFSET ${chunkSize - 1}`,
          last ?? [],
        );
        if (rows.length === 0) break;
        last = keyCols.map((c) => keyParam(c, rows[0][c.name]));
        bounds.push(last);
      }
    },
    async signatures(conn, expr, from, onRows) {
      const out = new Map<string, Chunk>();
      for (let i = 0; i <= bounds.length; i++) {
        const chunk = await signature(conn, expr, from, String(i));
        out.set(chunk.id, chunk);
        onRows?.(Number(chunk.n));
      }
      return out;
    },
    signature,
    condition,
    order: (a, b) => Number(a) - Number(b),
  };
}

/** The key's columns for ORDER BY, qualified with the table so that no select-list alias shadows them. */
const keyOrder = (m: TableMeta, from: string): string => m.key.map((k) => `${from}.${qi(k)}`).join(", ");
/** Placeholders for one key tuple, in key order (see keyValueSql). */
export const keyMarks = (key: readonly Column[]): string => `(${key.map((c) => keyValueSql(c, "?")).join(", ")})`;
/** The select list that reads a table's key (see keyReadExpr: FLOAT and BIT keys read so they can be found again). */
const keySelect = (m: TableMeta): string => keyColumns(m).map(keyReadExpr).join(", ");

/**
 * A key value as read, as a query parameter: integers and BITs as BigInts (integer literals in SQL: a quoted number
 * is compared as a double, inexact past 2^53, and a quoted number never matches a BIT in a row constructor).
 */
function keyParam(c: Column, v: unknown): unknown {
  return (INTEGER_TYPES.includes(c.dataType) || c.dataType === "bit") && v !== null && v !== undefined
    ? BigInt(String(v))
    : v;
}

const keyText = (v: unknown) =>
  v === null || v === undefined ? null : Buffer.isBuffer(v) ? `0x${v.toString("hex")}` : String(v);
const keyOf = (key: readonly Column[], r: Row) => JSON.stringify(key.map((k) => keyText(r[k.name])));
/** A difference's key as keyOf renders it (its key's columns in key order). */
const keyTextOf = (d: Difference) => JSON.stringify(Object.values(d.key));

function difference(
  key: readonly Column[],
  r: Row,
  kind: DifferenceKind,
  hashes?: { s?: unknown; t?: unknown },
): Difference {
  const d: Difference = { key: Object.fromEntries(key.map((k) => [k.name, keyText(r[k.name])])), kind };
  if (hashes)
    rowHashes.set(d, {
      ...(hashes.s !== undefined ? { s: String(hashes.s) } : {}),
      ...(hashes.t !== undefined ? { t: String(hashes.t) } : {}),
    });
  rawKeys.set(
    d,
    key.map((k) => keyParam(k, r[k.name])),
  );
  return d;
}

/** Row-level diff of one chunk: both sides sorted by key, each row as key + MD5 of the row expression. */
export function diffRows(key: readonly Column[], source: Row[], target: Row[]): Difference[] {
  const t = new Map(target.map((r) => [keyOf(key, r), r]));
  const out: Difference[] = [];
  for (const r of source) {
    const k = keyOf(key, r);
    const other = t.get(k);
    if (!other) out.push(difference(key, r, "missing", { s: r.__h }));
    else if (String(other.__h) !== String(r.__h)) out.push(difference(key, r, "changed", { s: r.__h, t: other.__h }));
    t.delete(k);
  }
  for (const r of t.values()) out.push(difference(key, r, "extra", { t: r.__h }));
  return out;
}

/** Re-reads differing keys on both sides (500 a query); returns those that still differ. */
async function recheckKeys(cx: ChunkContext, pending: Difference[]): Promise<Difference[]> {
  const { m, from } = cx;
  const next: Difference[] = [];
  for (let i = 0; i < pending.length; i += 500) {
    const batch = pending.slice(i, i + 500);
    const tuple = `(${m.key.map(qi).join(", ")})`;
    const marks = batch.map(() => keyMarks(keyColumns(m))).join(", ");
    const params = batch.flatMap((d) => rawKeys.get(d) ?? m.key.map((k) => d.key[k]));
    const q = (sd: Side) => `SELECT ${keySelect(m)}, MD5(${sd.row}) AS __h FROM ${from} WHERE ${tuple} IN (${marks})`;
    const [[sr], [tr]] = await Promise.all([
      cx.s.query<mysql.RowDataPacket[]>(q(cx.sides.s), params),
      cx.t.query<mysql.RowDataPacket[]>(q(cx.sides.t), params),
    ]);
    next.push(...diffRows(keyColumns(m), sr as Row[], tr as Row[]));
  }
  return next;
}
