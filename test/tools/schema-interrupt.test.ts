/**
 * schema changes the target, so an interrupt must put it back: a real SIGINT to a real `dmsctl schema --finalize`
 * while its second foreign key waits for a table lock. The first foreign key (already added) is dropped again on a
 * fresh session, the waiting statement is killed so it cannot land afterwards, the run says what it undid, exit 130.
 */
import * as mysql from "mysql2/promise";
import { MariaDbServer, startMariaDb } from "../harness/mariadb";
import { spawnDmsctl, waitForLockWait } from "./child";
import { dmsctl } from "./run";

const TOOL = "dmsctl_schema";
const PASSWORD = "schema-Password-7731";
const ENV = { DMSCTL_SOURCE_PASSWORD: PASSWORD, DMSCTL_TARGET_PASSWORD: PASSWORD };

let source: MariaDbServer;
let target: MariaDbServer;
let lock: mysql.Connection;
let ctl: mysql.Connection;
const url = (server: MariaDbServer) => `mysql://${TOOL}@127.0.0.1:${server.port}/sch`;

beforeAll(async () => {
  [source, target] = await Promise.all([startMariaDb(), startMariaDb()]);
  for (const server of [source, target]) {
    const admin = await server.connect();
    await admin.query(
      `CREATE USER '${TOOL}'@'127.0.0.1' IDENTIFIED BY '${PASSWORD}'; GRANT ALL PRIVILEGES ON *.* TO '${TOOL}'@'127.0.0.1'`,
    );
    await admin.end();
  }
  const s = await source.connect();
  await s.query(
    "CREATE DATABASE sch; CREATE TABLE sch.a_parent (id INT PRIMARY KEY); " +
      "CREATE TABLE sch.b_child (id INT PRIMARY KEY, p INT, FOREIGN KEY (p) REFERENCES sch.a_parent (id)); " +
      "CREATE TABLE sch.c_child (id INT PRIMARY KEY, p INT, FOREIGN KEY (p) REFERENCES sch.a_parent (id))",
  );
  await s.end();
  // The target schema without foreign keys, as before the full load.
  const first = await dmsctl(["schema", "--source", url(source), "--target", url(target), "--schema", "sch"], ENV);
  expect([first.code, first.err]).toEqual([0, ""]);
  lock = await target.connect();
  ctl = await target.connect();
}, 120_000);

afterAll(async () => {
  for (const c of [lock, ctl]) await c?.end().catch(() => undefined);
  await Promise.all([source?.stop(), target?.stop()]);
});

async function foreignKeys(): Promise<string[]> {
  const [rows] = (await ctl.query(
    "SELECT TABLE_NAME AS t FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = 'sch' ORDER BY 1",
  )) as unknown as [{ t: string }[]];
  return rows.map((r) => r.t);
}

test("SIGINT while the second foreign key waits: the first is dropped again, nothing lands later, exit 130", async () => {
  await lock.query("LOCK TABLES sch.c_child WRITE");
  const child = spawnDmsctl(
    ["schema", "--source", url(source), "--target", url(target), "--schema", "sch", "--finalize"],
    ENV,
  );
  await waitForLockWait(ctl, TOOL);
  expect(await foreignKeys()).toEqual(["b_child"]);
  child.proc.kill("SIGINT");
  const r = await child.exit(30_000);
  await lock.query("UNLOCK TABLES");
  expect([r.timedOut, r.code]).toEqual([false, 130]);
  expect(r.err).toMatch(/interrupted by SIGINT/);
  expect(r.err).toMatch(
    /target dmsctl_schema@127\.0\.0\.1:\d+.*change\(s\) this run had made on the target were undone/,
  );
  // The killed ALTER never lands once the lock is gone.
  await new Promise((res) => setTimeout(res, 500));
  expect(await foreignKeys()).toEqual([]);
}, 60_000);
