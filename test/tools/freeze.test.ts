/**
 * cutover --freeze-source never strands a frozen source: a real signal to a real dmsctl process at each step (each
 * step held at a deterministic point: a server that never answers, replication stopped, a table lock on the
 * target), then the source's read_only / super_read_only are what they were before the run, and the message says
 * what was restored. A source that was read-only before the run stays read-only, whatever happens.
 */
import * as net from "net";
import * as mysql from "mysql2/promise";
import { ReplicationPair, freePort, startReplicationPair } from "../harness/mariadb";
import { connectionsOf, spawnDmsctl, waitForLockWait } from "./child";
import { FAST_CANARIES } from "./run";

const TOOL = "dmsctl_tool";
const TOOL_PASSWORD = "tool-Password-4821";
const ENV = { DMSCTL_SOURCE_PASSWORD: TOOL_PASSWORD, DMSCTL_TARGET_PASSWORD: TOOL_PASSWORD };

let pair: ReplicationPair;
let s: mysql.Connection; // source, admin
let tLock: mysql.Connection; // target, admin: holds LOCK TABLES
let tCtl: mysql.Connection; // target, admin: replication control, processlist

const src = () => `mysql://${TOOL}@127.0.0.1:${pair.source.port}/frz`;
const tgt = (port = pair.target.port) => `mysql://${TOOL}@127.0.0.1:${port}/frz`;
const cutover = (target = tgt(), extra: string[] = []) =>
  spawnDmsctl(
    [
      "cutover",
      ...FAST_CANARIES,
      "--source",
      src(),
      "--target",
      target,
      "--schema",
      "frz",
      "--freeze-source",
      "--max-latency-seconds",
      "5",
      "--retry-delay-seconds",
      "0.2",
      ...extra,
    ],
    ENV,
  );

/** read_only and, where the server has it, super_read_only (MariaDB has no super_read_only). */
async function frozenState(): Promise<Record<string, string>> {
  const [rows] = (await s.query(
    "SHOW GLOBAL VARIABLES WHERE Variable_name IN ('read_only', 'super_read_only')",
  )) as unknown as [{ Variable_name: string; Value: string }[]];
  return Object.fromEntries(rows.map((r) => [r.Variable_name, r.Value]));
}

async function waitUntilFrozen(timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await frozenState()).read_only !== "ON") {
    if (Date.now() > deadline) throw new Error("the source was never set read-only");
    await new Promise((r) => setTimeout(r, 25));
  }
}

beforeAll(async () => {
  pair = await startReplicationPair();
  s = await pair.source.connect();
  tLock = await pair.target.connect();
  tCtl = await pair.target.connect();
  for (const c of [s, tCtl]) {
    await c.query(
      `SET SESSION sql_log_bin = 0; CREATE USER '${TOOL}'@'127.0.0.1' IDENTIFIED BY '${TOOL_PASSWORD}'; GRANT ALL PRIVILEGES ON *.* TO '${TOOL}'@'127.0.0.1'; SET SESSION sql_log_bin = 1`,
    );
  }
  await s.query("CREATE DATABASE frz; CREATE TABLE frz.items (id INT PRIMARY KEY, v VARCHAR(20) NOT NULL)");
  await s.query(
    `INSERT INTO frz.items VALUES ${Array.from({ length: 50 }, (_, i) => `(${i + 1}, 'item ${i + 1}')`).join(", ")}`,
  );
  await pair.sync();
}, 60_000);

afterAll(async () => {
  for (const c of [s, tLock, tCtl]) await c?.end().catch(() => undefined);
  await pair?.stop();
});

afterEach(async () => {
  // Whatever a test left: the lock, stopped replication, a frozen source.
  await tLock.query("UNLOCK TABLES");
  await tCtl.query("START SLAVE");
  await s.query("SET GLOBAL read_only = OFF");
  expect(await connectionsOf(s, TOOL)).toEqual([]);
});

/** Runs cutover up to the final canary, which cannot arrive (replication stopped): the source is frozen then. */
async function upToFinalCanary() {
  await tLock.query("LOCK TABLES frz.items WRITE");
  const child = cutover();
  await waitForLockWait(tCtl, TOOL); // step 3 holds here
  await tCtl.query("STOP SLAVE");
  await tLock.query("UNLOCK TABLES");
  await child.waitForErr(/final canary/);
  await waitUntilFrozen();
  return child;
}

describe("cutover --freeze-source interrupted by a signal", () => {
  test("SIGINT during the preflight (the target never answers): exit 130, nothing changed, and it says so", async () => {
    const sockets: net.Socket[] = [];
    const blackHole = net.createServer((c) => sockets.push(c));
    const port = await freePort();
    await new Promise<void>((r) => blackHole.listen(port, "127.0.0.1", r));
    const reached = new Promise<void>((r) => blackHole.once("connection", () => r()));
    try {
      const before = await frozenState();
      const child = cutover(tgt(port));
      await child.waitForErr(/1\/4 preflight/);
      await reached; // inside step 1: connecting to the target
      child.proc.kill("SIGINT");
      const r = await child.exit(10_000);
      expect([r.code, r.timedOut]).toEqual([130, false]);
      expect(r.err).toMatch(/dmsctl cutover: interrupted by SIGINT during 1\/4 preflight/);
      expect(r.err).toMatch(/nothing to restore/);
      expect(await frozenState()).toEqual(before);
    } finally {
      for (const c of sockets) c.destroy();
      blackHole.close();
    }
  }, 60_000);

  test("SIGTERM during the latency check (replication stopped): exit 130, the source untouched", async () => {
    await tCtl.query("STOP SLAVE");
    const before = await frozenState();
    const child = cutover();
    await child.waitForErr(/2\/4 replication latency/);
    child.proc.kill("SIGTERM");
    const r = await child.exit(10_000);
    expect([r.code, r.timedOut]).toEqual([130, false]);
    expect(r.err).toMatch(/interrupted by SIGTERM during 2\/4 replication latency/);
    expect(r.err).toMatch(/nothing to restore/);
    expect(await frozenState()).toEqual(before);
  }, 60_000);

  test("SIGINT during the validation (a table locked on the target): exit 130, the source untouched", async () => {
    await tLock.query("LOCK TABLES frz.items WRITE");
    const before = await frozenState();
    const child = cutover();
    await child.waitForErr(/3\/4 validate/);
    await waitForLockWait(tCtl, TOOL);
    child.proc.kill("SIGINT");
    const r = await child.exit(10_000);
    expect([r.code, r.timedOut]).toEqual([130, false]);
    expect(r.err).toMatch(/interrupted by SIGINT during 3\/4 validate/);
    expect(r.err).toMatch(/nothing to restore/);
    expect(await frozenState()).toEqual(before);
  }, 60_000);

  test("SIGINT while the source is frozen, waiting for the final canary: read_only restored as found, exit 130, and it says what it restored", async () => {
    const before = await frozenState();
    expect(before.read_only).toBe("OFF");
    const child = await upToFinalCanary();
    child.proc.kill("SIGINT");
    const r = await child.exit(15_000);
    expect([r.code, r.timedOut]).toEqual([130, false]);
    expect(r.err).toMatch(/interrupted by SIGINT during 4\/4 .*final canary/);
    expect(r.err).toMatch(
      new RegExp(
        `restored source ${TOOL}@127\\.0\\.0\\.1:${pair.source.port}.*: read_only=OFF \\(as found before the run\\)`,
      ),
    );
    expect(await frozenState()).toEqual(before);
  }, 60_000);

  test("SIGTERM during the final validation: read_only restored, exit 130", async () => {
    const before = await frozenState();
    const child = await upToFinalCanary();
    // Hold the final validation on the lock, then let the final canary through.
    await tLock.query("LOCK TABLES frz.items WRITE");
    await tCtl.query("START SLAVE");
    await child.waitForErr(/final validate/);
    await waitForLockWait(tCtl, TOOL);
    expect((await frozenState()).read_only).toBe("ON");
    child.proc.kill("SIGTERM");
    const r = await child.exit(15_000);
    expect([r.code, r.timedOut]).toEqual([130, false]);
    expect(r.err).toMatch(/interrupted by SIGTERM during 4\/4 .*final validate/);
    expect(r.err).toMatch(/restored source .*: read_only=OFF \(as found before the run\)/);
    expect(await frozenState()).toEqual(before);
  }, 60_000);

  test("a source that was read-only before the run stays read-only when cutover is interrupted after its freeze step", async () => {
    await s.query("SET GLOBAL read_only = ON");
    const before = await frozenState();
    const child = await upToFinalCanary();
    child.proc.kill("SIGINT");
    const r = await child.exit(15_000);
    expect([r.code, r.timedOut]).toEqual([130, false]);
    expect(r.err).toMatch(/read_only=ON \(as found before the run: left read-only\)/);
    expect(await frozenState()).toEqual(before);
  }, 60_000);
});

describe("cutover --freeze-source NO-GO and errors after the freeze", () => {
  /** Runs cutover with a row changed on the source only after step 3 read it: step 3 passes, the final validation does not. */
  async function driftAfterStep3(extra: string[] = []) {
    await tLock.query("LOCK TABLES frz.items WRITE");
    const child = cutover(tgt(), extra);
    await waitForLockWait(tCtl, TOOL); // step 3's snapshots are taken; its target read waits on the lock
    await s.query(
      "SET SESSION sql_log_bin = 0; UPDATE frz.items SET v = 'drift' WHERE id = 7; SET SESSION sql_log_bin = 1",
    );
    await tLock.query("UNLOCK TABLES");
    return child;
  }
  afterEach(async () => {
    await s.query(
      "SET SESSION sql_log_bin = 0; UPDATE frz.items SET v = 'item 7' WHERE id = 7; SET SESSION sql_log_bin = 1",
    );
  });

  test("NO-GO after freezing a writable source makes it writable again (exit 1) and says so", async () => {
    const before = await frozenState();
    const r = await (await driftAfterStep3()).exit(60_000);
    expect([r.code, r.timedOut]).toEqual([1, false]);
    expect(r.out).toMatch(/final validate\s+NO-GO\s+frz\.items: mismatch/);
    expect(r.out).toMatch(/unfreeze\s+OK\s+.*read_only=OFF \(as found before the run\)/);
    expect(await frozenState()).toEqual(before);
  }, 60_000);

  test("NO-GO on a source that was read-only before the run leaves it read-only (exit 1)", async () => {
    await s.query("SET GLOBAL read_only = ON");
    const before = await frozenState();
    const r = await (await driftAfterStep3()).exit(60_000);
    expect([r.code, r.timedOut]).toEqual([1, false]);
    expect(r.out).toMatch(/final validate\s+NO-GO/);
    expect(r.out).toMatch(/read_only=ON \(as found before the run: left read-only\)/);
    expect(await frozenState()).toEqual(before);
  }, 60_000);

  test("the target connection lost during the final validation: read_only restored, exit 2 naming the target", async () => {
    const before = await frozenState();
    const child = await upToFinalCanary();
    await tLock.query("LOCK TABLES frz.items WRITE");
    await tCtl.query("START SLAVE");
    await child.waitForErr(/final validate/);
    const id = await waitForLockWait(tCtl, TOOL);
    await tCtl.query(`KILL CONNECTION ${id}`);
    const r = await child.exit(30_000);
    expect([r.code, r.timedOut]).toEqual([2, false]);
    expect(r.err).toMatch(new RegExp(`lost the connection to the target ${TOOL}@127\\.0\\.0\\.1:${pair.target.port}`));
    expect(r.err).toMatch(/restored source .*: read_only=OFF \(as found before the run\)/);
    expect(`${r.out}\n${r.err}`).not.toMatch(/Can't add new command|closed state|PROTOCOL_CONNECTION_LOST/);
    expect(await frozenState()).toEqual(before);
  }, 60_000);
});
