/**
 * `dmsctl seed`: the sample schema (the same SQL the EC2 user data runs) and realistic generated data, fast:
 * multi-row INSERT batches in transactions, or LOAD DATA LOCAL INFILE streamed from memory.
 */
import { Readable } from "stream";
import * as mysql from "mysql2/promise";
import { renderHeartbeatSql, renderSampleSchemaSql } from "./shared";
import { CliError, Endpoint, connect, qi } from "./common";

export interface SeedOptions {
  readonly schema: string;
  readonly products: number;
  readonly orders: number;
  /** Rows per INSERT statement. @default 20000 */
  readonly batchRows?: number;
  /** `auto`: LOAD DATA when the server allows LOCAL INFILE (local_infile=ON), else multi-row INSERTs. */
  readonly method: "insert" | "load-data" | "auto";
  readonly onProgress?: (done: number, total: number) => void;
}

export interface SeedResult {
  readonly method: "insert" | "load-data";
  readonly products: number;
  readonly orders: number;
  readonly seconds: number;
  readonly rowsPerSecond: number;
}

const STATUSES = ["pending", "paid", "shipped", "cancelled"];
const WORDS = [
  "espresso",
  "grinder",
  "kettle",
  "filter",
  "mug",
  "beans",
  "scale",
  "tamper",
  "carafe",
  "dripper",
  "Café",
  "crème",
  "Müller",
  "naïve",
];

/** A small deterministic PRNG (mulberry32): the same seed gives the same data on every run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function productRow(i: number, r: () => number): (string | number | null)[] {
  const name = `${WORDS[Math.floor(r() * WORDS.length)]} ${WORDS[Math.floor(r() * WORDS.length)]} ${i}`;
  const description = r() < 0.1 ? null : r() < 0.05 ? "" : `${name} — ${Math.floor(r() * 1000)} g`;
  return [
    i,
    `SKU-${String(100000 + i)}`,
    name,
    description,
    (Math.floor(r() * 50000) / 100 + 0.99).toFixed(2),
    Math.floor(r() * 500),
  ];
}

function orderRow(i: number, products: number, r: () => number, base: number): (string | number | null)[] {
  const when = new Date(base - Math.floor(r() * 365 * 86400_000));
  const micros = String(Math.floor(r() * 1_000_000)).padStart(6, "0");
  const ts = `${when.toISOString().slice(0, 19).replace("T", " ")}.${micros}`;
  return [
    i,
    `customer${Math.floor(r() * 100000)}@example.com`,
    1 + Math.floor(r() * products),
    1 + Math.floor(r() * 5),
    (Math.floor(r() * 50000) / 100 + 0.5).toFixed(2),
    STATUSES[Math.floor(r() * STATUSES.length)],
    r() < 0.3 ? null : r() < 0.1 ? "" : `gift wrap ${i % 7 === 0 ? "please " : ""}`,
    ts,
  ];
}

// Explicit ids (1..N): the same rows get the same keys on every run, however the batches interleave.
const ORDER_COLS = ["id", "customer_email", "product_id", "quantity", "unit_price", "status", "note", "ordered_at"];
const PRODUCT_COLS = ["id", "sku", "name", "description", "price", "stock"];

async function insertBatches(
  conn: mysql.Connection,
  table: string,
  cols: string[],
  total: number,
  make: (i: number) => (string | number | null)[],
  batchRows: number,
  progress: (n: number) => void,
  first = 1,
): Promise<void> {
  const head = `INSERT INTO ${table} (${cols.map(qi).join(", ")}) VALUES `;
  // The statement text is built here (numbers as they are, strings escaped): cheaper than mysql2 formatting
  // nested arrays, and the server parses one multi-row INSERT per batch.
  const literal = (v: string | number | null) =>
    v === null ? "NULL" : typeof v === "number" ? String(v) : mysql.escape(v);
  // One batch in flight while the next is built: the server parses batch N while this process renders N+1.
  let inFlight: Promise<unknown> = Promise.resolve();
  for (let start = 0; start < total; start += batchRows) {
    const n = Math.min(batchRows, total - start);
    const tuples: string[] = new Array(n);
    for (let i = 0; i < n; i++)
      tuples[i] = `(${make(first + start + i)
        .map(literal)
        .join(",")})`;
    await inFlight;
    progress(start);
    inFlight = conn.query(head + tuples.join(","));
  }
  await inFlight;
  progress(total);
}

function tsvField(v: string | number | null): string {
  if (v === null) return "\\N";
  return String(v).replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n");
}

async function loadData(
  conn: mysql.Connection,
  table: string,
  cols: string[],
  total: number,
  make: (i: number) => (string | number | null)[],
  progress: (n: number) => void,
): Promise<void> {
  let i = 0;
  const stream = new Readable({
    read() {
      let chunk = "";
      for (let k = 0; k < 10000 && i < total; k++) {
        i++;
        chunk += make(i).map(tsvField).join("\t") + "\n";
      }
      progress(i);
      if (chunk) this.push(chunk);
      if (i >= total) this.push(null);
    },
  });
  await conn.query({
    sql: `LOAD DATA LOCAL INFILE 'dmsctl-seed' INTO TABLE ${table} CHARACTER SET utf8mb4 FIELDS TERMINATED BY '\\t' LINES TERMINATED BY '\\n' (${cols.map(qi).join(", ")})`,
    infileStreamFactory: () => stream,
  } as mysql.QueryOptions);
}

export async function seed(ep: Endpoint, o: SeedOptions): Promise<SeedResult> {
  if (!Number.isInteger(o.products) || o.products < 1)
    throw new CliError(`--products must be a positive integer, got ${o.products}`);
  if (!Number.isInteger(o.orders) || o.orders < 0)
    throw new CliError(`--orders must be a non-negative integer, got ${o.orders}`);
  const conn = await connect(ep, { multipleStatements: true, database: undefined });
  const started = process.hrtime.bigint();
  try {
    await conn.query(renderSampleSchemaSql(o.schema));
    await conn.query(renderHeartbeatSql());
    // both tables: products left by an earlier run (with --orders 0) would make the inserts fail on their ids
    for (const table of ["orders", "products"]) {
      const [[existing]] = (await conn.query(`SELECT COUNT(*) AS n FROM ${qi(o.schema)}.${qi(table)}`)) as unknown as [
        mysql.RowDataPacket[],
      ];
      if (Number(existing.n) > 0) {
        throw new CliError(
          `${o.schema}.${table} already has ${existing.n} rows: seed fills an empty sample schema (drop it or pick another --schema)`,
        );
      }
    }
    let method = o.method;
    if (method === "auto") {
      const [[li]] = (await conn.query("SELECT @@GLOBAL.local_infile AS v")) as unknown as [mysql.RowDataPacket[]];
      method = Number(li.v) === 1 ? "load-data" : "insert";
    }
    const total = o.products + o.orders;
    const report = (n: number) => o.onProgress?.(n, total);
    const r = rng(42);
    const base = Date.UTC(2026, 0, 1);
    await conn.query("SET SESSION unique_checks = 0, foreign_key_checks = 0");
    await conn.beginTransaction();
    const products = `${qi(o.schema)}.\`products\``;
    const orders = `${qi(o.schema)}.\`orders\``;
    // Products go first with INSERT IGNORE semantics off: the schema is fresh, ids are 1..N.
    await insertBatches(
      conn,
      products,
      PRODUCT_COLS,
      o.products,
      (i) => productRow(i, r),
      o.batchRows ?? 20000,
      report,
    );
    if (method === "load-data") {
      await loadData(
        conn,
        orders,
        ORDER_COLS,
        o.orders,
        (i) => orderRow(i, o.products, r, base),
        (n) => report(o.products + n),
      );
    } else {
      // One session: MariaDB bulk-loads an empty table under a table lock when unique and foreign key checks are
      // off (measured: a second session only waits), and the next batch is built while one is in flight.
      await insertBatches(
        conn,
        orders,
        ORDER_COLS,
        o.orders,
        (i) => orderRow(i, o.products, r, base),
        o.batchRows ?? 20000,
        (n) => report(o.products + n),
      );
    }
    await conn.commit();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return { method, products: o.products, orders: o.orders, seconds, rowsPerSecond: total / seconds };
  } catch (e) {
    await conn.rollback().catch(() => undefined);
    const code = (e as { code?: string }).code;
    if (
      code === "ER_DBACCESS_DENIED_ERROR" ||
      code === "ER_TABLEACCESS_DENIED_ERROR" ||
      code === "ER_SPECIFIC_ACCESS_DENIED_ERROR"
    ) {
      throw new CliError(`seed needs CREATE and INSERT on ${o.schema}: ${(e as Error).message}`);
    }
    if (/LOCAL INFILE|local_infile|LOAD DATA LOCAL/i.test((e as Error).message)) {
      throw new CliError(
        `LOAD DATA LOCAL INFILE is disabled on the server (SET GLOBAL local_infile=1) or use --method insert: ${(e as Error).message}`,
      );
    }
    throw e;
  } finally {
    await conn.end().catch(() => undefined);
  }
}
