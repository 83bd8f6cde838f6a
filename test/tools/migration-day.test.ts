/**
 * The migration day on the lab pair, in one test: a rehearsal with its timings, the cutover (freeze, validate, the
 * forward task stopped, the fallback started from the target's binlog position), the emergency flip, writes on the
 * new side, the rollback (freeze the target, drain, validate, flip back) and a final validation with zero
 * differences.
 *
 * Real MariaDB servers do the data: native replication source -> target stands in for the forward DMS task, and the
 * fallback DMS task is native replication target -> source, set up by the mocked StartReplicationTask from exactly
 * the CdcStartPosition dmsctl sends (so a wrong position loses or repeats rows, and the final validation says so).
 * AWS (DMS, Route 53) is aws-sdk-client-mock, every request asserted.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as mysql from "mysql2/promise";
import { mockClient } from "aws-sdk-client-mock";
import {
  DatabaseMigrationServiceClient,
  DescribeReplicationTasksCommand,
  StartReplicationTaskCommand,
  StopReplicationTaskCommand,
} from "@aws-sdk/client-database-migration-service";
import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
} from "@aws-sdk/client-route-53";
import { ReplicationPair, startReplicationPair } from "../harness/mariadb";
import { dmsctl, FAST_CANARIES } from "./run";

const FORWARD = "arn:aws:dms:us-east-1:123456789012:task:FORWARDTASK";
const FALLBACK = "arn:aws:dms:us-east-1:123456789012:task:FALLBACKTASK";
const ZONE = "Z0123456789ABCDEFGHIJ";
const RECORD = "mysql.dmsm-staging.internal";
const TARGET_ADDRESS = "dmsm-staging-target.c0abcdefghij.us-east-1.rds.amazonaws.com";
const SOURCE_NAME = "ip-10-20-0-15.ec2.internal";
const REPL_PASSWORD = "back-Password-77";

/** What the lab's "DMS" and "Route 53" are doing, driven by the mocked requests. */
class Lab {
  status: Record<string, string> = { [FORWARD]: "running", [FALLBACK]: "ready" };
  record = SOURCE_NAME;
  changes = 0;
  readonly dms = mockClient(DatabaseMigrationServiceClient);
  readonly r53 = mockClient(Route53Client);

  constructor(
    private readonly pair: ReplicationPair,
    private readonly sCtl: mysql.Connection,
    private readonly tCtl: mysql.Connection,
  ) {}

  wire(): void {
    this.dms.reset();
    this.r53.reset();
    this.changes = 0;
    this.dms.on(DescribeReplicationTasksCommand).callsFake((input) => {
      const arn = input.Filters[0].Values[0];
      return {
        ReplicationTasks: [
          {
            ReplicationTaskArn: arn,
            ReplicationTaskIdentifier: arn === FORWARD ? "dmsm-staging-task" : "dmsm-staging-fallback",
            Status: this.status[arn],
          },
        ],
      };
    });
    this.dms.on(StopReplicationTaskCommand).callsFake(async (input) => {
      const arn = input.ReplicationTaskArn;
      if (arn === FORWARD) await this.tCtl.query("STOP SLAVE");
      else await this.sCtl.query("STOP SLAVE");
      this.status[arn] = "stopped";
      return { ReplicationTask: { ReplicationTaskArn: arn, Status: "stopping" } };
    });
    this.dms.on(StartReplicationTaskCommand).callsFake(async (input) => {
      const arn = input.ReplicationTaskArn;
      if (arn === FORWARD) {
        expect(input.StartReplicationTaskType).toBe("resume-processing");
        await this.tCtl.query("START SLAVE");
      } else {
        // The fallback: the source replicates the target from exactly the position dmsctl gives.
        const [file, pos] = String(input.CdcStartPosition).split(":");
        await this.sCtl.query("STOP SLAVE").catch(() => undefined);
        await this.sCtl.query("RESET SLAVE ALL").catch(() => undefined);
        await this.sCtl.query(
          `CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=${this.pair.target.port}, MASTER_USER='repl_back', MASTER_PASSWORD='${REPL_PASSWORD}', MASTER_LOG_FILE=?, MASTER_LOG_POS=?, MASTER_USE_GTID=no`,
          [file, Number(pos)],
        );
        await this.sCtl.query("START SLAVE");
      }
      this.status[arn] = "running";
      return { ReplicationTask: { ReplicationTaskArn: arn, Status: "starting" } };
    });
    this.r53.on(ListResourceRecordSetsCommand).callsFake(() => ({
      ResourceRecordSets: [{ Name: `${RECORD}.`, Type: "CNAME", TTL: 30, ResourceRecords: [{ Value: this.record }] }],
      IsTruncated: false,
      MaxItems: 1,
    }));
    this.r53.on(ChangeResourceRecordSetsCommand).callsFake((input) => {
      this.record = input.ChangeBatch.Changes[0].ResourceRecordSet.ResourceRecords[0].Value;
      this.changes++;
      return { ChangeInfo: { Id: `/change/C${this.changes}`, Status: "PENDING", SubmittedAt: new Date() } };
    });
    this.r53
      .on(GetChangeCommand)
      .callsFake((input) => ({ ChangeInfo: { Id: input.Id, Status: "INSYNC", SubmittedAt: new Date() } }));
  }

  /** The DMS requests made, in order: [command, input]. */
  dmsRequests(): [string, Record<string, unknown>][] {
    return this.dms
      .calls()
      .map((c) => [c.args[0].constructor.name, c.args[0].input as Record<string, unknown>])
      .filter(([n]) => n !== "DescribeReplicationTasksCommand") as [string, Record<string, unknown>][];
  }

  restore(): void {
    this.dms.restore();
    this.r53.restore();
  }
}

let pair: ReplicationPair;
let s: mysql.Connection;
let t: mysql.Connection;
let lab: Lab;
let dir: string;
let outputsFile: string;

const src = () => pair.source.url();
const tgt = () => pair.target.url();
const env = () => ["--env", "staging", "--outputs-file", outputsFile];
const readOnly = async (c: mysql.Connection) =>
  Number(((await c.query("SELECT @@GLOBAL.read_only AS r")) as unknown as [{ r: number }[]])[0][0].r);
const slaveRunning = async (c: mysql.Connection) => {
  const [rows] = (await c.query("SHOW SLAVE STATUS")) as unknown as [Record<string, string>[]];
  return rows.length > 0 && rows[0].Slave_SQL_Running === "Yes";
};

beforeAll(async () => {
  pair = await startReplicationPair();
  s = await pair.source.connect();
  t = await pair.target.connect();
  // Harness accounts stay out of the binlogs. The DMS source user writes through read_only (what --fallback needs
  // for the fallback task); repl_back reads the target's binlog for the lab's fallback; app is the application.
  await s.query(
    "SET SESSION sql_log_bin = 0; CREATE USER 'dms_source'@'%' IDENTIFIED BY 'dms-Source-1'; GRANT SELECT, REPLICATION CLIENT, REPLICATION SLAVE, READ_ONLY ADMIN ON *.* TO 'dms_source'@'%'; SET SESSION sql_log_bin = 1",
  );
  await t.query(
    `SET SESSION sql_log_bin = 0; CREATE USER 'repl_back'@'127.0.0.1' IDENTIFIED BY '${REPL_PASSWORD}'; GRANT REPLICATION SLAVE ON *.* TO 'repl_back'@'127.0.0.1'; SET SESSION sql_log_bin = 1`,
  );
  await s.query(
    "CREATE DATABASE day; CREATE TABLE day.items (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL, qty INT NOT NULL, note TEXT NULL) DEFAULT CHARSET=utf8mb4",
  );
  await s.query(
    `INSERT INTO day.items VALUES ${Array.from({ length: 200 }, (_, i) => `(${i + 1}, 'item ${i + 1}', ${i % 7}, ${i % 3 ? `'note ${i}'` : "NULL"})`).join(", ")}`,
  );
  await pair.sync();
  await t.query(
    "SET SESSION sql_log_bin = 0; CREATE USER 'app'@'127.0.0.1' IDENTIFIED BY 'app-Password-1'; GRANT SELECT, INSERT, UPDATE, DELETE ON day.* TO 'app'@'127.0.0.1'; SET SESSION sql_log_bin = 1",
  );
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "migration-day-"));
  outputsFile = path.join(dir, "staging.json");
  const outputs = {
    region: "us-east-1",
    source_mode: "ec2",
    source_host: "10.20.0.15",
    target_endpoint_address: TARGET_ADDRESS,
    target_port: 3306,
    migrated_schemas: ["day"],
    dms_task_arn: FORWARD,
    dms_task_id: "dmsm-staging-task",
    dms_fallback_task_arn: FALLBACK,
    dms_fallback_task_id: "dmsm-staging-fallback",
    database_zone_id: ZONE,
    database_record_name: RECORD,
    active_database: "source",
  };
  fs.writeFileSync(
    outputsFile,
    JSON.stringify(Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, { value: v, sensitive: false }]))),
  );
  lab = new Lab(pair, s, t);
}, 60_000);

afterAll(async () => {
  lab?.restore();
  await s?.end().catch(() => undefined);
  await t?.end().catch(() => undefined);
  await pair?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

test("a full day on the lab pair: rehearsal, cutover, flip, writes on the new side, rollback, zero differences", async () => {
  // ---- 1. The rehearsal: every step for real (the DMS tasks too: --env names a fallback task), timed, then put back.
  lab.wire();
  const rehearsal = await dmsctl([
    "cutover",
    ...FAST_CANARIES,
    "--rehearse",
    ...env(),
    "--source",
    src(),
    "--target",
    tgt(),
    "--schema",
    "day",
    "--retry-delay-seconds",
    "0.2",
  ]);
  console.log(`dmsctl cutover --rehearse\n${rehearsal.out}`);
  expect([rehearsal.code, rehearsal.err]).toEqual([0, expect.stringMatching(/resumed forward task dmsm-staging-task/)]);
  for (const step of [
    "freeze",
    "drain",
    "final validate",
    "stop forward task",
    "target position",
    "binlog retention",
    "start fallback",
    "flip",
  ])
    expect(rehearsal.out).toMatch(new RegExp(`^${step}\\s+OK\\s+\\d+(\\.\\d s| ms)`, "m"));
  expect(rehearsal.out).toMatch(
    /Predicted write downtime: \d+(\.\d)? m?s = freeze \d+(\.\d)? m?s \+ drain \d+(\.\d)? m?s \+ final validate \d+(\.\d)? m?s \+ stop forward task \d+(\.\d)? m?s \+ target position \d+(\.\d)? m?s \+ binlog retention \d+(\.\d)? m?s \+ start fallback \d+(\.\d)? m?s \+ flip \d+(\.\d)? m?s \(simulated\)/,
  );
  expect(rehearsal.out).toMatch(/plus up to the record's TTL \(30 s\)/);
  // Everything put back: the source writable, the forward task running, the fallback stopped, the record unchanged.
  expect(await readOnly(s)).toBe(0);
  expect(lab.status).toEqual({ [FORWARD]: "running", [FALLBACK]: "stopped" });
  expect([await slaveRunning(t), await slaveRunning(s)]).toEqual([true, false]);
  expect(lab.record).toBe(SOURCE_NAME);
  const rehearsed = lab.dmsRequests();
  expect(rehearsed.map(([n, i]) => [n, i.ReplicationTaskArn, i.StartReplicationTaskType])).toEqual([
    ["StopReplicationTaskCommand", FORWARD, undefined],
    ["StartReplicationTaskCommand", FALLBACK, "start-replication"],
    ["StopReplicationTaskCommand", FALLBACK, undefined], // put back, newest first
    ["StartReplicationTaskCommand", FORWARD, "resume-processing"],
  ]);
  expect(rehearsed[1][1].CdcStartPosition).toMatch(/^mysql-bin\.\d{6}:\d+$/);
  // The simulated flip re-wrote the record with its own value (type, TTL, value unchanged).
  expect(lab.r53.commandCalls(ChangeResourceRecordSetsCommand).map((c) => c.args[0].input)).toEqual([
    {
      HostedZoneId: ZONE,
      ChangeBatch: {
        Comment: `dmsctl cutover --rehearse: ${RECORD} re-written unchanged (timing a flip)`,
        Changes: [
          {
            Action: "UPSERT",
            ResourceRecordSet: { Name: RECORD, Type: "CNAME", TTL: 30, ResourceRecords: [{ Value: SOURCE_NAME }] },
          },
        ],
      },
    },
  ]);
  expect(fs.existsSync(path.join(dir, "staging.cutover.json"))).toBe(false); // a rehearsal keeps nothing

  // ---- 2. The cutover: freeze, final validation, forward stopped, the fallback from the target's position.
  lab.wire();
  await s.query("INSERT INTO day.items VALUES (201, 'written before the freeze', 1, NULL)");
  const cut = await dmsctl([
    "cutover",
    ...FAST_CANARIES,
    ...env(),
    "--source",
    src(),
    "--target",
    tgt(),
    "--schema",
    "day",
    "--freeze-source",
    "--fallback",
    "--retry-delay-seconds",
    "0.2",
    "--format",
    "json",
  ]);
  const c = cut.json<{
    go: boolean;
    frozen: boolean;
    steps: { step: string; ok: boolean; detail: string; ms: number }[];
    cdcStartPosition: string;
    stateFile: string;
    instructions: string[];
  }>();
  expect([cut.code, c.go, c.frozen, c.steps.map((x) => x.step)]).toEqual([
    0,
    true,
    true,
    [
      "preflight",
      "latency",
      "validate",
      "freeze",
      "final validate",
      "stop forward task",
      "target position",
      "binlog retention",
      "start fallback",
    ],
  ]);
  expect(c.steps.find((x) => x.step === "binlog retention")!.detail).toMatch(
    /^not RDS \(no mysql\.rds_set_configuration\): skipped; the server's binlogs never expire$/,
  );
  const state = JSON.parse(fs.readFileSync(path.join(dir, "staging.cutover.json"), "utf8"));
  expect(c.stateFile).toBe(path.join(dir, "staging.cutover.json"));
  expect(state).toMatchObject({
    version: 1,
    env: "staging",
    phase: "cutover",
    cutover: {
      sourceFound: { read_only: "OFF" },
      forwardTaskArn: FORWARD,
      fallbackTaskArn: FALLBACK,
      cdcStartPosition: c.cdcStartPosition,
      targetBinlog: { statement: "SHOW MASTER STATUS" },
      tableRows: { "day.items": 201 },
    },
  });
  expect(c.cdcStartPosition).toBe(`${state.cutover.targetBinlog.file}:${state.cutover.targetBinlog.position}`);
  // Exactly two DMS requests, the forward stop first; the fallback starts from the recorded position.
  expect(lab.dmsRequests()).toEqual([
    ["StopReplicationTaskCommand", { ReplicationTaskArn: FORWARD }],
    [
      "StartReplicationTaskCommand",
      {
        ReplicationTaskArn: FALLBACK,
        StartReplicationTaskType: "start-replication",
        CdcStartPosition: c.cdcStartPosition,
      },
    ],
  ]);
  const stop = lab.dms.commandCalls(StopReplicationTaskCommand)[0];
  const start = lab.dms.commandCalls(StartReplicationTaskCommand)[0];
  expect(stop.calledBefore(start)).toBe(true);
  // Between them DMS was asked, and said the forward task is stopped (never both running).
  const describes = lab.dms.commandCalls(DescribeReplicationTasksCommand);
  expect(describes.some((d) => d.calledAfter(stop) && d.calledBefore(start))).toBe(true);
  expect(await readOnly(s)).toBe(1);
  expect(c.instructions.join("\n")).toMatch(/dmsctl rollback --env staging/);

  // ---- 3. The emergency flip to the target, and how to bring the code in line.
  lab.wire();
  const flip = await dmsctl(["cutover", "--flip", ...env()]);
  expect(flip.code).toBe(0);
  expect(flip.out).toMatch(
    new RegExp(
      `${RECORD.replace(/\./g, "\\.")} \\(CNAME, TTL 30 s\\) now points at the target: ${TARGET_ADDRESS.replace(/\./g, "\\.")} .*was ${SOURCE_NAME.replace(/\./g, "\\.")}\\); Route 53 change /change/C1 INSYNC`,
    ),
  );
  expect(flip.out).toMatch(/set cutover\.activeDatabase: "target" in environments\/staging\.ts, open a pull request/);
  expect(lab.r53.commandCalls(ChangeResourceRecordSetsCommand).map((x) => x.args[0].input)).toEqual([
    {
      HostedZoneId: ZONE,
      ChangeBatch: {
        Comment: `dmsctl cutover --flip: ${RECORD} -> target (${TARGET_ADDRESS})`,
        Changes: [
          {
            Action: "UPSERT",
            ResourceRecordSet: { Name: RECORD, Type: "CNAME", TTL: 30, ResourceRecords: [{ Value: TARGET_ADDRESS }] },
          },
        ],
      },
    },
  ]);
  expect(lab.r53.commandCalls(GetChangeCommand).map((x) => x.args[0].input)).toEqual([{ Id: "/change/C1" }]);
  expect(lab.r53.commandCalls(ListResourceRecordSetsCommand)[0].args[0].input).toEqual({
    HostedZoneId: ZONE,
    StartRecordName: RECORD,
    StartRecordType: "CNAME",
    MaxItems: 1,
  });

  // ---- 4. The application writes to the new side.
  const app = await mysql.createConnection({
    host: "127.0.0.1",
    port: pair.target.port,
    user: "app",
    password: "app-Password-1",
    charset: "utf8mb4_general_ci",
  });
  try {
    await app.query(
      `INSERT INTO day.items VALUES ${Array.from({ length: 25 }, (_, i) => `(${1000 + i}, 'new on RDS ${i}', ${i}, 'ünïcødé ✓')`).join(", ")}`,
    );
    await app.query("UPDATE day.items SET qty = qty + 100, note = NULL WHERE id BETWEEN 10 AND 19");
    await app.query("DELETE FROM day.items WHERE id BETWEEN 50 AND 54");
  } finally {
    await app.end();
  }

  // ---- 5. The rollback: freeze the target, drain the fallback, validate, flip back, stop the fallback.
  lab.wire();
  const back = await dmsctl([
    "rollback",
    ...env(),
    "--source",
    src(),
    "--target",
    tgt(),
    "--retry-delay-seconds",
    "0.2",
    "--format",
    "json",
  ]);
  const b = back.json<{
    go: boolean;
    targetFrozen: boolean;
    freezeMethod: string;
    steps: { step: string; ok: boolean; detail: string }[];
    moved: { tables: unknown[]; binlog: { from: string; to: string; bytes: number } };
    instructions: string[];
  }>();
  expect([back.code, b.go, b.targetFrozen, b.freezeMethod, b.steps.map((x) => [x.step, x.ok])]).toEqual([
    0,
    true,
    true,
    "read-only",
    [
      ["freeze target", true],
      ["drain", true],
      ["validate", true],
      ["flip back", true],
      ["stop fallback", true],
    ],
  ]);
  expect(b.moved.tables).toEqual([{ table: "day.items", rowsAtCutover: 201, rowsNow: 221, netRows: 20 }]);
  expect(b.moved.binlog.from).toBe(c.cdcStartPosition);
  expect(b.moved.binlog.bytes).toBeGreaterThan(0);
  expect(b.steps[3].detail).toMatch(
    new RegExp(`source read_only=OFF \\(as before cutover\\); ${RECORD.replace(/\./g, "\\.")} -> ${SOURCE_NAME}`),
  );
  expect(b.instructions[0]).toMatch(/cutover\.activeDatabase: "source" in environments\/staging\.ts/);
  // The flip back: the record's value before the flip to the target (recorded then), same type and TTL.
  expect(lab.r53.commandCalls(ChangeResourceRecordSetsCommand).map((x) => x.args[0].input)).toEqual([
    {
      HostedZoneId: ZONE,
      ChangeBatch: {
        Comment: `dmsctl rollback: ${RECORD} -> source (${SOURCE_NAME})`,
        Changes: [
          {
            Action: "UPSERT",
            ResourceRecordSet: { Name: RECORD, Type: "CNAME", TTL: 30, ResourceRecords: [{ Value: SOURCE_NAME }] },
          },
        ],
      },
    },
  ]);
  expect(lab.dmsRequests()).toEqual([["StopReplicationTaskCommand", { ReplicationTaskArn: FALLBACK }]]);
  expect([await readOnly(s), await readOnly(t)]).toEqual([0, 1]);
  const after = JSON.parse(fs.readFileSync(path.join(dir, "staging.cutover.json"), "utf8"));
  expect(after).toMatchObject({
    phase: "rolled-back",
    record: { pointsAt: "source", value: SOURCE_NAME },
    rollback: { targetFreeze: { method: "read-only", undo: "SET GLOBAL read_only = OFF;" } },
  });

  // ---- 6. The final validation: the source has every write made on the target, zero differences.
  const v = await dmsctl(["validate", "--source", src(), "--target", tgt(), "--schema", "day", "--format", "json"]);
  const vr = v.json<{ tables: { table: string; status: string; sourceRows: number; counts: unknown }[] }>();
  expect([v.code, vr.tables]).toEqual([
    0,
    [
      expect.objectContaining({
        table: "day.items",
        status: "match",
        sourceRows: 221,
        counts: { missing: 0, extra: 0, changed: 0 },
      }),
    ],
  ]);
  const [[row]] = (await s.query("SELECT name, note FROM day.items WHERE id = 1024")) as unknown as [
    { name: string; note: string }[],
  ];
  expect(row).toEqual({ name: "new on RDS 24", note: "ünïcødé ✓" });
}, 180_000);
