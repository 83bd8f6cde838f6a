/**
 * verify when the canary cannot arrive because the heartbeat table is missing on the target (the task is not
 * running, or its mapping leaves the table out): an error naming the side and the table, not a latency timeout.
 */
import { MariaDbServer, startMariaDb } from "../harness/mariadb";
import { dmsctl } from "./run";

let source: MariaDbServer;
let target: MariaDbServer;

beforeAll(async () => {
  [source, target] = await Promise.all([startMariaDb(), startMariaDb()]);
}, 120_000);

afterAll(async () => {
  await Promise.all([source?.stop(), target?.stop()]);
});

test("no heartbeat schema on the target: exit 2, the table named, not a timeout", async () => {
  const r = await dmsctl(["verify", "--source", source.url(), "--target", target.url(), "--timeout-seconds", "1"]);
  expect(r.code).toBe(2);
  expect(r.err).toMatch(
    /^dmsctl verify: the heartbeat table dms_migrate\.heartbeat does not exist on the target after 1 s: is the DMS task running, and does its table mapping include dms_migrate\.heartbeat/,
  );
  expect(r.err).not.toMatch(/timeout|did not reach/);
});

test("the schema but no table on the target: the table named", async () => {
  const admin = await target.connect();
  await admin.query("CREATE DATABASE dms_migrate");
  await admin.end();
  const r = await dmsctl(["verify", "--source", source.url(), "--target", target.url(), "--timeout-seconds", "1"]);
  expect(r.code).toBe(2);
  expect(r.err).toMatch(/^dmsctl verify: the heartbeat table dms_migrate\.heartbeat does not exist on the target/);
});

test("the table exists but nothing replicates into it: still a timeout finding (exit 1)", async () => {
  const admin = await target.connect();
  await admin.query("CREATE TABLE dms_migrate.heartbeat (token CHAR(36) PRIMARY KEY, source_written_at DATETIME(6))");
  await admin.end();
  const r = await dmsctl(["verify", "--source", source.url(), "--target", target.url(), "--timeout-seconds", "1"]);
  expect(r.code).toBe(1);
  expect(r.err).toMatch(/1 canary\(ies\) did not reach the target within the timeout/);
});
