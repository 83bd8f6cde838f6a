/**
 * dmsctl's throughput next to the raw floors (printed, never asserted), on 1,000,000 `orders` rows:
 * - seed: dmsctl seed (multi-row INSERT, and its LOAD DATA mode) vs a raw LOAD DATA LOCAL INFILE of the same rows
 * - validate: dmsctl validate vs one `SELECT BIT_XOR(CRC32(CONCAT_WS(...)))` scan on each server, concurrently
 * Goals: validate within 2x of its floor, seed within 2x of LOAD DATA.
 * Usage: node scripts/ts-run.js bench/validate.ts [rows]   (or npm run bench:validate)
 */
import { Readable } from "stream";
import * as mysql from "mysql2/promise";
import { startMariaDb, startReplicationPair } from "../test/harness/mariadb";
import { seed } from "../tools/dmsctl/seed";
import { validate } from "../tools/dmsctl/validate";
import { parseMysqlUrl } from "../tools/dmsctl/common";
import { renderSampleSchemaSql } from "../model/source-sql";

const rows = Number(process.argv[2] ?? 1_000_000);
const secs = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;
const rate = (n: number, s: number) => `${Math.round(n / s).toLocaleString("en-US")} rows/s`;
const COLS = "id, customer_email, product_id, quantity, unit_price, status, note, ordered_at";

function* chunks(buf: Buffer, size: number): Generator<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

async function seedBench(): Promise<void> {
  const server = await startMariaDb({
    config:
      "[mysqld]\ninnodb_buffer_pool_size = 512M\ninnodb_log_file_size = 256M\ninnodb_flush_log_at_trx_commit = 2\nlocal_infile = 1\n",
  });
  try {
    const ep = (schema: string) => parseMysqlUrl(server.url(schema), "source", {}, { mode: "disabled" });
    let t0 = process.hrtime.bigint();
    const ins = await seed(ep("seed_insert"), {
      schema: "seed_insert",
      products: 1000,
      orders: rows,
      method: "insert",
    });
    const insertS = secs(t0);
    t0 = process.hrtime.bigint();
    await seed(ep("seed_load"), { schema: "seed_load", products: 1000, orders: rows, method: "load-data" });
    const loadS = secs(t0);
    // the floor: the server ingesting a ready-made TSV of the same rows (dumped from the first schema)
    const c = await server.connect({ multipleStatements: true, infileStreamFactory: undefined } as never);
    await c.query(renderSampleSchemaSql("seed_raw"));
    await c.query("INSERT INTO seed_raw.products SELECT * FROM seed_insert.products");
    const [dump] = await c.query<mysql.RowDataPacket[]>(`SELECT ${COLS} FROM seed_insert.orders`);
    const tsv =
      dump
        .map((r) =>
          [
            r.id,
            r.customer_email,
            r.product_id,
            r.quantity,
            r.unit_price,
            r.status,
            r.note === null ? "\\N" : r.note,
            r.ordered_at,
          ].join("\t"),
        )
        .join("\n") + "\n";
    await c.query("SET SESSION foreign_key_checks = 0, unique_checks = 0");
    t0 = process.hrtime.bigint();
    await c.query({
      sql: `LOAD DATA LOCAL INFILE 'raw' INTO TABLE seed_raw.orders FIELDS TERMINATED BY '\\t' LINES TERMINATED BY '\\n' (${COLS})`,
      infileStreamFactory: () => Readable.from(chunks(Buffer.from(tsv), 1 << 20)),
    } as mysql.QueryOptions);
    const rawS = secs(t0);
    await c.end();
    const total = ins.products + ins.orders;
    console.log(`seed (${rows.toLocaleString("en-US")} orders + 1,000 products):`);
    console.log(`  raw LOAD DATA LOCAL INFILE (floor) ${rawS.toFixed(2)} s  ${rate(rows, rawS)}`);
    console.log(
      `  dmsctl seed --method insert        ${insertS.toFixed(2)} s  ${rate(total, insertS)}  (${(insertS / rawS).toFixed(2)}x the floor)`,
    );
    console.log(
      `  dmsctl seed --method load-data     ${loadS.toFixed(2)} s  ${rate(total, loadS)}  (${(loadS / rawS).toFixed(2)}x the floor; the default where local_infile is on)`,
    );
  } finally {
    await server.stop();
  }
}

async function validateBench(): Promise<void> {
  const pair = await startReplicationPair();
  try {
    const src = parseMysqlUrl(pair.source.url("shop"), "source", {}, { mode: "disabled" });
    const tgt = parseMysqlUrl(pair.target.url("shop"), "target", {}, { mode: "disabled" });
    await seed(src, { schema: "shop", products: 1000, orders: rows, method: "load-data" });
    await pair.sync(600_000);
    const [s, t] = await Promise.all([pair.source.connect(), pair.target.connect()]);
    const floorSql = `SELECT BIT_XOR(CRC32(CONCAT_WS('|', ${COLS}))) AS x FROM shop.orders`;
    await Promise.all([s.query(floorSql), t.query(floorSql)]); // warm both buffer pools
    let t0 = process.hrtime.bigint();
    await Promise.all([s.query(floorSql), t.query(floorSql)]);
    const floorS = secs(t0);
    await Promise.all([s.end(), t.end()]);
    t0 = process.hrtime.bigint();
    const r = await validate(src, tgt, {
      schemas: ["shop"],
      tables: ["orders"],
      chunkSize: 10000,
      parallel: 4,
      retries: 0,
    });
    const valS = secs(t0);
    if (r.tables[0].status !== "match")
      throw new Error(`bench data differ: ${JSON.stringify(r.tables[0]).slice(0, 300)}`);
    console.log(`validate (${rows.toLocaleString("en-US")} orders on two servers, both sides concurrently):`);
    console.log(
      `  floor: BIT_XOR(CRC32(CONCAT_WS)) scan on each server  ${floorS.toFixed(2)} s  ${rate(rows, floorS)}`,
    );
    console.log(
      `  dmsctl validate                                       ${valS.toFixed(2)} s  ${rate(rows, valS)}  (${(valS / floorS).toFixed(2)}x the floor)`,
    );
  } finally {
    await pair.stop();
  }
}

(async () => {
  await seedBench();
  await validateBench();
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
