/**
 * The CLI's contracts: exit codes 0 / 1 / 2 / 130 as documented; options and preconditions checked before any
 * connection or write; a connection lost mid-run is an error (exit 2) naming its side, in the tool's words, never
 * a finding and never the driver's raw message.
 */
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import * as mysql from "mysql2/promise";
import { MariaDbServer, freePort, startMariaDb } from "../harness/mariadb";
import { connectionsOf, spawnDmsctl, waitForLockWait } from "./child";
import { dmsctl } from "./run";

const TOOL = "dmsctl_tool";
const PASSWORD = "tool-Password-5512";
const ENV = { DMSCTL_SOURCE_PASSWORD: PASSWORD, DMSCTL_TARGET_PASSWORD: PASSWORD };
const RAW_DRIVER =
  /Can't add new command|closed state|PROTOCOL_CONNECTION_LOST|Connection lost: The server closed|Connection was killed|unexpected error/;

describe("options are checked before any connection (a server that would hang every connection for 10 s)", () => {
  let blackHole: net.Server;
  let port: number;
  let accepted = 0;
  const sockets: net.Socket[] = [];
  beforeAll(async () => {
    port = await freePort();
    blackHole = net.createServer((c) => {
      accepted++;
      sockets.push(c);
    });
    await new Promise<void>((r) => blackHole.listen(port, "127.0.0.1", r));
  });
  afterAll(() => {
    for (const c of sockets) c.destroy();
    blackHole.close();
  });

  const u = () => `mysql://admin:pw-0123456789@127.0.0.1:${port}/shop`;
  const outputs = () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "contracts-")), "dev.json");
    fs.writeFileSync(
      file,
      JSON.stringify({
        region: { value: "us-east-1" },
        dms_task_arn: { value: "arn:aws:dms:us-east-1:1:task:x" },
        dms_task_id: { value: "x" },
        dms_replication_instance_id: { value: "i" },
        dms_task_log_group: { value: "g" },
      }),
    );
    return file;
  };

  test.each([
    ["preflight", () => ["preflight", "--source", u(), "--format", "yaml"]],
    ["seed", () => ["seed", "--source", u(), "--format", "yaml"]],
    ["schema", () => ["schema", "--source", u(), "--target", u(), "--format", "yaml"]],
    ["verify", () => ["verify", "--source", u(), "--target", u(), "--format", "yaml"]],
    ["validate", () => ["validate", "--source", u(), "--target", u(), "--format", "yaml"]],
    ["cutover", () => ["cutover", "--source", u(), "--target", u(), "--format", "yaml"]],
    [
      "users",
      () => [
        "users",
        "--schema",
        "shop",
        "--region",
        "us-east-1",
        "--target",
        u(),
        "--target-secret-arn",
        "arn:aws:secretsmanager:us-east-1:1:secret:x",
        "--format",
        "yaml",
      ],
    ],
    ["status", () => ["status", "--env", "dev", "--outputs-file", outputs(), "--format", "yaml"]],
  ])("%s --format yaml: exit 2 at once, naming the option and the value, nothing connected", async (cmd, args) => {
    accepted = 0;
    const r = await spawnDmsctl(args()).exit(5_000);
    expect([r.timedOut, r.code, r.err]).toEqual([
      false,
      2,
      `dmsctl ${cmd}: --format must be text or json, got "yaml"\n`,
    ]);
    expect(accepted).toBe(0);
  });

  test.each([
    ["verify", ["--max-latency-seconds=-1"], /--max-latency-seconds must be a number > 0, got "-1"/],
    ["verify", ["--max-latency-seconds", "soon"], /--max-latency-seconds must be a number > 0, got "soon"/],
    ["verify", ["--count", "3"], /--count needs --watch/],
    ["cutover", ["--max-latency-seconds", "0"], /--max-latency-seconds must be a number > 0, got "0"/],
    ["cutover", ["--parallel", "0"], /--parallel must be an integer between 1 and 64, got "0"/],
    ["cutover", ["--chunk-size", "9"], /--chunk-size must be an integer between 10 and 10000000, got "9"/],
    ["cutover", ["--canaries", "0"], /--canaries must be an integer between 1 and 100, got "0"/],
    ["cutover", ["--canary-interval-ms", "5"], /--canary-interval-ms must be an integer between 10 and 60000, got "5"/],
    // digits only (Number() takes these three)
    ["cutover", ["--canaries", "0x10"], /--canaries must be an integer between 1 and 100, got "0x10"/],
    ["cutover", ["--canaries", " 1e1"], /--canaries must be an integer between 1 and 100, got " 1e1"/],
    ["cutover", ["--chunk-size", "1e3"], /--chunk-size must be an integer between 10 and 10000000, got "1e3"/],
  ])("%s %j: exit 2 before connecting", async (cmd, extra, message) => {
    accepted = 0;
    const r = await dmsctl([cmd, "--source", u(), "--target", u(), ...extra]);
    expect([r.code, r.err]).toEqual([2, expect.stringMatching(message)]);
    expect(r.err).not.toMatch(/1\/4 preflight/);
    expect(accepted).toBe(0);
  });
});

describe("against real servers", () => {
  let source: MariaDbServer;
  let target: MariaDbServer;
  let sAdmin: mysql.Connection;
  let tAdmin: mysql.Connection;
  const src = () => `mysql://${TOOL}@127.0.0.1:${source.port}/shop`;
  const tgt = () => `mysql://${TOOL}@127.0.0.1:${target.port}/shop`;

  beforeAll(async () => {
    [source, target] = await Promise.all([startMariaDb(), startMariaDb()]);
    sAdmin = await source.connect();
    tAdmin = await target.connect();
    for (const c of [sAdmin, tAdmin]) {
      await c.query(
        `CREATE USER '${TOOL}'@'127.0.0.1' IDENTIFIED BY '${PASSWORD}'; GRANT ALL PRIVILEGES ON *.* TO '${TOOL}'@'127.0.0.1'`,
      );
      await c.query(
        "CREATE DATABASE shop; CREATE TABLE shop.t (id INT PRIMARY KEY, v INT); INSERT INTO shop.t VALUES (1, 1), (2, 2), (3, 3)",
      );
    }
  }, 60_000);
  afterAll(async () => {
    await tAdmin?.query("UNLOCK TABLES").catch(() => undefined);
    await sAdmin?.end();
    await tAdmin?.end();
    await Promise.all([source?.stop(), target?.stop()]);
  });

  test("verify refuses a bad --max-latency-seconds before writing any canary", async () => {
    const r = await dmsctl(
      ["verify", "--source", src(), "--target", tgt(), "--timeout-seconds", "1", "--max-latency-seconds=-1"],
      ENV,
    );
    expect([r.code, r.err]).toEqual([2, 'dmsctl verify: --max-latency-seconds must be a number > 0, got "-1"']);
    const [rows] = (await sAdmin.query(
      "SELECT COUNT(*) AS n FROM information_schema.schemata WHERE schema_name = 'dms_migrate'",
    )) as unknown as [{ n: number }[]];
    expect(Number(rows[0].n)).toBe(0);
  });

  test("cutover --freeze-source refuses, before step 1, a source user that may not set read_only", async () => {
    await sAdmin.query(
      "CREATE USER 'nofreeze'@'127.0.0.1' IDENTIFIED BY 'nofreeze-password-1'; GRANT SELECT, REPLICATION CLIENT, REPLICATION SLAVE ON *.* TO 'nofreeze'@'127.0.0.1'; GRANT ALL PRIVILEGES ON dms_migrate.* TO 'nofreeze'@'127.0.0.1'",
    );
    const r = await dmsctl(
      ["cutover", "--source", `mysql://nofreeze@127.0.0.1:${source.port}/shop`, "--target", tgt(), "--freeze-source"],
      { ...ENV, DMSCTL_SOURCE_PASSWORD: "nofreeze-password-1" },
    );
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      new RegExp(
        `^dmsctl cutover: --freeze-source: nofreeze@127\\.0\\.0\\.1:${source.port}/shop may not set read_only on the source \\(it needs SUPER, or READ_ONLY ADMIN on MariaDB, SYSTEM_VARIABLES_ADMIN on MySQL 8\\); nothing was changed`,
      ),
    );
    expect(r.err).not.toMatch(/1\/4 preflight/);
    const [[ro]] = (await sAdmin.query("SELECT @@GLOBAL.read_only AS r")) as unknown as [{ r: number }[]];
    expect(Number(ro.r)).toBe(0);
  });

  test("validate: the target connection killed mid-run is an error (exit 2) naming the target, not a finding, no driver message", async () => {
    await tAdmin.query("LOCK TABLES shop.t WRITE");
    const run = dmsctl(["validate", "--source", src(), "--target", tgt(), "--retry-delay-seconds", "0.1"], ENV);
    const id = await waitForLockWait(await target.connect(), TOOL);
    const killer = await target.connect();
    await killer.query(`KILL CONNECTION ${id}`);
    await killer.end();
    await tAdmin.query("UNLOCK TABLES");
    const r = await run;
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      new RegExp(
        `^dmsctl validate: lost the connection to the target ${TOOL}@127\\.0\\.0\\.1:${target.port}/shop`,
        "m",
      ),
    );
    expect(`${r.out}\n${r.err}`).not.toMatch(RAW_DRIVER);
    expect(await connectionsOf(sAdmin, TOOL)).toEqual([]);
    expect(await connectionsOf(tAdmin, TOOL)).toEqual([]);
  });

  test("verify --watch: the source connection killed between canaries is an error (exit 2) naming the source, no driver message", async () => {
    // The target never receives the canaries here (no replication): each waits its timeout, so kill while it waits.
    // A real process: an idle connection's loss surfaces as an 'error' event, which no caller awaits.
    const child = spawnDmsctl(
      [
        "verify",
        "--source",
        src(),
        "--target",
        tgt(),
        "--watch",
        "--count",
        "20",
        "--interval-ms",
        "100",
        "--timeout-seconds",
        "1",
      ],
      ENV,
    );
    // Its session on the source once the first canary is written (connected, heartbeat table created).
    let id: number | undefined;
    const deadline = Date.now() + 10_000;
    while (id === undefined && Date.now() < deadline) {
      const [rows] = (await sAdmin.query(
        "SELECT ID AS id FROM information_schema.PROCESSLIST WHERE USER = ? AND EXISTS (SELECT 1 FROM information_schema.tables WHERE table_schema = 'dms_migrate' AND table_name = 'heartbeat')",
        [TOOL],
      )) as unknown as [{ id: number }[]];
      id = rows[0]?.id;
      if (id === undefined) await new Promise((res) => setTimeout(res, 20));
    }
    await new Promise((res) => setTimeout(res, 200)); // the canary is in, its wait on the target has begun
    expect(id).toBeDefined();
    await sAdmin.query(`KILL CONNECTION ${id}`);
    const r = await child.exit(15_000);
    expect([r.timedOut, r.code]).toEqual([false, 2]);
    expect(r.err).toMatch(
      new RegExp(`^dmsctl verify: lost the connection to the source ${TOOL}@127\\.0\\.0\\.1:${source.port}/shop`, "m"),
    );
    expect(`${r.out}\n${r.err}`).not.toMatch(RAW_DRIVER);
    expect(await connectionsOf(tAdmin, TOOL)).toEqual([]);
  }, 30_000);
});

describe("verify --watch and Ctrl-C", () => {
  let source: MariaDbServer;
  let target: MariaDbServer;
  beforeAll(async () => {
    [source, target] = await Promise.all([startMariaDb(), startMariaDb()]);
  }, 60_000);
  afterAll(async () => Promise.all([source?.stop(), target?.stop()]));

  test("the first SIGINT ends the watch normally (its summary, exit 0), even while a canary waits; nothing left open", async () => {
    // No replication between the two: the canary waits its whole timeout (60 s) unless the watch stops it.
    const child = spawnDmsctl([
      "verify",
      "--source",
      source.url(),
      "--target",
      target.url(),
      "--watch",
      "--format",
      "json",
    ]);
    const s = await source.connect();
    try {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const [rows] = (await s.query(
          "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = 'dms_migrate' AND table_name = 'heartbeat'",
        )) as unknown as [{ n: number }[]];
        if (Number(rows[0].n) > 0) break;
        if (Date.now() > deadline) throw new Error("verify never wrote its first canary");
        await new Promise((r) => setTimeout(r, 20));
      }
      child.proc.kill("SIGINT");
      const r = await child.exit(5_000);
      expect([r.timedOut, r.code]).toEqual([false, 0]);
      expect(JSON.parse(r.out)).toMatchObject({ beats: [], timedOut: 0 });
      expect(r.err).not.toMatch(/interrupted/);
    } finally {
      await s.end();
    }
  }, 30_000);
});

describe("exit codes are documented", () => {
  test("dmsctl --help lists 0, 1, 2 and 130", async () => {
    const r = await dmsctl(["--help"]);
    expect(r.out).toMatch(
      /Exit codes:\n {2}0 {4}all clear\n {2}1 {4}a finding .*\n {2}2 {4}an error \(usage, connection, a connection lost mid-run\).*\n {2}130 {2}interrupted \(SIGINT\/SIGTERM\)/,
    );
    for (const c of ["preflight", "verify", "cutover", "users"])
      expect((await dmsctl([c, "--help"])).out).toContain("130  interrupted");
  });

  test("the README's dmsctl section says the same", () => {
    const readme = fs.readFileSync(path.join(__dirname, "..", "..", "README.md"), "utf8");
    const section = readme
      .slice(readme.indexOf("### Proving the migration: dmsctl"), readme.indexOf("## Configuration"))
      .replace(/\s+/g, " ");
    expect(section).toMatch(
      /exit codes are 0 all clear, 1 a finding, 2 an error \(usage, connection, a connection lost mid-run\), 130 interrupted/,
    );
  });
});
