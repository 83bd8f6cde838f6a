/**
 * `validate --repair --apply` writes the target one transaction per chunk, so an interrupt leaves every chunk either
 * repaired or as it was: a real SIGINT to a real dmsctl (the built bin) while the third chunk's REPLACE waits for a
 * row lock, after that chunk's DELETE ran. The first two chunks stay repaired, the third is back as it was (its
 * DELETE rolled back), the rest untouched; a second run finishes the job.
 */
import * as mysql from "mysql2/promise";
import { ReplicationPair, startReplicationPair } from "../harness/mariadb";
import { connectionsOf, spawnDmsctl } from "./child";
import { dmsctl } from "./run";

const USER = "dmsctl_repair";
const PASSWORD = "repair-Password-4412";
const ENV = { DMSCTL_SOURCE_PASSWORD: PASSWORD, DMSCTL_TARGET_PASSWORD: PASSWORD };
const CHUNKS = 10;

let pair: ReplicationPair;
let s: mysql.Connection;
let t: mysql.Connection;
let lock: mysql.Connection;

const urls = () => [
  "--source",
  `mysql://${USER}@127.0.0.1:${pair.source.port}/ri`,
  "--target",
  `mysql://${USER}@127.0.0.1:${pair.target.port}/ri`,
];
const args = (extra: string[] = []) => [
  "validate",
  ...urls(),
  "--chunk-size",
  "50",
  "--retries",
  "0",
  "--repair",
  "--apply",
  ...extra,
];

/** Each chunk's rows on a side (id and value), chunk by chunk. */
async function chunks(c: mysql.Connection): Promise<string[][]> {
  const [rows] = (await c.query("SELECT id, v FROM ri.t ORDER BY id")) as unknown as [{ id: number; v: string }[]];
  const out: string[][] = Array.from({ length: CHUNKS }, () => []);
  for (const r of rows) out[Math.floor(r.id / 50)].push(`${r.id}=${r.v}`);
  return out;
}

beforeAll(async () => {
  pair = await startReplicationPair();
  s = await pair.source.connect();
  t = await pair.target.connect();
  lock = await pair.target.connect();
  // the tool's own account, so its connections can be told apart (source: read only)
  await s.query(
    `SET SESSION sql_log_bin = 0; CREATE USER '${USER}'@'127.0.0.1' IDENTIFIED BY '${PASSWORD}'; GRANT SELECT, PROCESS ON *.* TO '${USER}'@'127.0.0.1'; SET SESSION sql_log_bin = 1`,
  );
  await t.query(
    `SET SESSION sql_log_bin = 0; CREATE USER '${USER}'@'127.0.0.1' IDENTIFIED BY '${PASSWORD}'; GRANT ALL PRIVILEGES ON *.* TO '${USER}'@'127.0.0.1'; SET SESSION sql_log_bin = 1`,
  );
  await s.query("CREATE DATABASE ri; CREATE TABLE ri.t (id INT PRIMARY KEY, v VARCHAR(20))");
  // every id of each chunk of 50 but the last one
  await s.query("INSERT INTO ri.t VALUES ?", [
    Array.from({ length: CHUNKS * 50 }, (_, id) => [id, `v${id}`]).filter(([id]) => Number(id) % 50 !== 49),
  ]);
  await pair.sync();
  // in every chunk: one row changed, one missing, one extra (the DELETE of the extra row comes first)
  await t.query("SET SESSION sql_log_bin = 0");
  for (let k = 0; k < CHUNKS; k++) {
    await t.query("UPDATE ri.t SET v = 'changed' WHERE id = ?", [k * 50 + 1]);
    await t.query("DELETE FROM ri.t WHERE id = ?", [k * 50 + 2]);
    await t.query("INSERT INTO ri.t VALUES (?, 'extra')", [k * 50 + 49]);
  }
  await t.query("SET SESSION sql_log_bin = 1");
}, 120_000);

afterAll(async () => {
  for (const c of [lock, s, t]) await c?.end().catch(() => undefined);
  await pair?.stop();
});

test("SIGINT during a chunk: the chunks before stay repaired, that chunk is rolled back whole, exit 130", async () => {
  const [source, before] = [await chunks(s), await chunks(t)];
  // hold the changed row of the third chunk (id 101): its REPLACE waits, after the DELETE of id 149 ran
  await lock.query("START TRANSACTION");
  await lock.query("SELECT * FROM ri.t WHERE id = 101 FOR UPDATE");

  const child = spawnDmsctl(args(), ENV);
  let exited = false;
  child.proc.on("exit", () => (exited = true));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited) throw new Error(`dmsctl ended before the lock wait:\n${child.err()}\n${child.out()}`);
    const [[w]] = (await t.query(
      "SELECT COUNT(*) AS n FROM information_schema.INNODB_TRX WHERE trx_state = 'LOCK WAIT'",
    )) as unknown as [{ n: number }[]];
    if (Number(w.n) > 0) break;
    if (Date.now() > deadline) throw new Error(`the repair never waited for the lock:\n${child.err()}\n${child.out()}`);
    // INNODB_TRX is a cache InnoDB refreshes only when it was not read for 0.1 s: ask less often than that
    await new Promise((r) => setTimeout(r, 250));
  }
  // the DELETE of the third chunk's extra row has run inside its transaction (invisible to others until commit)
  child.proc.kill("SIGINT");
  const exit = await child.exit(30_000);
  expect(exit.code).toBe(130);
  expect(exit.err).toMatch(
    /interrupted by SIGINT during repair ri\.t: chunk 3\/10 \(2 applied; the chunk in progress is rolled back\)/,
  );
  // let the waiting statement through: it finds its client gone, and the transaction is rolled back
  await lock.query("ROLLBACK");
  expect(await connectionsOf(t, USER, 20_000)).toEqual([]);

  const after = await chunks(t);
  expect(after.slice(0, 2)).toEqual(source.slice(0, 2)); // repaired
  expect(after[2]).toEqual(before[2]); // rolled back whole: id 149 still there, 101 still changed, 102 still missing
  expect(after[2]).toEqual(expect.arrayContaining(["149=extra", "101=changed"]));
  expect(after.slice(3)).toEqual(before.slice(3)); // never started

  // a second run repairs the rest
  const again = await dmsctl(args(), ENV);
  expect(again.code).toBe(0);
  expect(again.out).toMatch(/^ri\.t\s+REPAIRED\s+8\s+8\s+16\s+8 chunk\(s\) match/m);
  expect(await chunks(t)).toEqual(source);
});
