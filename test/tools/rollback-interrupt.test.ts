/**
 * rollback never strands a frozen target: a real SIGINT / SIGTERM to a real dmsctl process while it waits for the
 * fallback to drain (no fallback runs here, so the canary cannot arrive), then the target is exactly as before the
 * run (read_only, or the application's write privileges) and the message says what was restored.
 */
import * as mysql from "mysql2/promise";
import { ReplicationPair, startReplicationPair } from "../harness/mariadb";
import { spawnDmsctl } from "./child";

const MASTER_PASSWORD = "master-Password-5";

let pair: ReplicationPair;
let s: mysql.Connection;
let t: mysql.Connection;

const rollback = (target: string, extra: string[] = []) =>
  spawnDmsctl([
    "rollback",
    "--source",
    pair.source.url(),
    "--target",
    target,
    "--schema",
    "intr",
    "--max-latency-seconds",
    "15",
    ...extra,
  ]);
const readOnly = async (c: mysql.Connection) =>
  Number(((await c.query("SELECT @@GLOBAL.read_only AS r")) as unknown as [{ r: number }[]])[0][0].r);
const grantsOf = async (user: string) =>
  ((await t.query("SHOW GRANTS FOR ?@'127.0.0.1'", [user])) as unknown as [Record<string, string>[]])[0].map(
    (r) => Object.values(r)[0],
  );

beforeAll(async () => {
  pair = await startReplicationPair();
  s = await pair.source.connect();
  t = await pair.target.connect();
  await s.query("CREATE DATABASE intr; CREATE TABLE intr.items (id INT PRIMARY KEY, v VARCHAR(20) NOT NULL)");
  await s.query("INSERT INTO intr.items VALUES (1, 'one'), (2, 'two')");
  await pair.sync();
  await t.query(
    `SET SESSION sql_log_bin = 0;
     CREATE USER 'master'@'127.0.0.1' IDENTIFIED BY '${MASTER_PASSWORD}';
     GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, PROCESS, INDEX, ALTER, CREATE USER, BINLOG MONITOR, CONNECTION ADMIN, BINLOG ADMIN ON *.* TO 'master'@'127.0.0.1' WITH GRANT OPTION;
     CREATE USER 'app'@'127.0.0.1' IDENTIFIED BY 'app-Password-3';
     GRANT SELECT, INSERT, UPDATE, DELETE ON intr.* TO 'app'@'127.0.0.1'`,
  );
}, 60_000);

afterAll(async () => {
  await s?.end().catch(() => undefined);
  await t?.end().catch(() => undefined);
  await pair?.stop();
});

test("SIGINT while the fallback drains: exit 130, the target's read_only put back, and it says so", async () => {
  expect(await readOnly(t)).toBe(0);
  const child = rollback(pair.target.url());
  await child.waitForErr(/2\/5 fallback drain/);
  expect(await readOnly(t)).toBe(1); // frozen while it waits
  child.proc.kill("SIGINT");
  const r = await child.exit(15_000);
  expect([r.code, r.timedOut]).toEqual([130, false]);
  expect(r.err).toMatch(/dmsctl rollback: interrupted by SIGINT during 2\/5 fallback drain/);
  expect(r.err).toMatch(
    /dmsctl rollback: restored target admin@127\.0\.0\.1:\d+: read_only=OFF \(as found before the run\)/,
  );
  expect(await readOnly(t)).toBe(0);
}, 60_000);

test("SIGTERM while the fallback drains (revoke, RDS): the application's privileges granted back exactly", async () => {
  const before = await grantsOf("app");
  const child = rollback(`mysql://master:${MASTER_PASSWORD}@127.0.0.1:${pair.target.port}`, ["--app-users", "app"]);
  await child.waitForErr(/2\/5 fallback drain/);
  expect(await grantsOf("app")).not.toEqual(before); // revoked while it waits
  child.proc.kill("SIGTERM");
  const r = await child.exit(15_000);
  expect([r.code, r.timedOut]).toEqual([130, false]);
  expect(r.err).toMatch(/interrupted by SIGTERM during 2\/5 fallback drain/);
  expect(r.err).toMatch(
    /restored target master@127\.0\.0\.1:\d+: write privileges of 'app'@'127\.0\.0\.1' granted back as found before the run/,
  );
  expect(await grantsOf("app")).toEqual(before);
  expect(await readOnly(s)).toBe(0); // the source was never touched (the flip back never came)
}, 60_000);
