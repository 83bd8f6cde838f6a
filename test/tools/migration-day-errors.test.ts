/**
 * The migration day's error paths and the rollback's target freezes, on a real lab pair replicating both ways
 * (native replication source -> target and target -> source stand in for the forward and the fallback DMS tasks).
 * Each error names its cause, and leaves the servers and the tasks as they were. AWS calls are aws-sdk-client-mock,
 * asserted exactly.
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
const RECORD = "mysql.dmsm-prod.internal";
const TARGET_ADDRESS = "dmsm-prod-target.c0abcdefghij.us-east-1.rds.amazonaws.com";
const MASTER_PASSWORD = "master-Password-9";
const APP_PASSWORD = "app-Password-2";

const dms = mockClient(DatabaseMigrationServiceClient);
const r53 = mockClient(Route53Client);
let status: Record<string, string>;

let pair: ReplicationPair;
let s: mysql.Connection;
let t: mysql.Connection;
let dir: string;

const src = () => pair.source.url();
const tgt = () => pair.target.url();
/** The target as an RDS-like master user: no SUPER, no READ_ONLY ADMIN (so it may not set read_only). */
const master = () => `mysql://master:${MASTER_PASSWORD}@127.0.0.1:${pair.target.port}`;
const readOnly = async (c: mysql.Connection) =>
  Number(((await c.query("SELECT @@GLOBAL.read_only AS r")) as unknown as [{ r: number }[]])[0][0].r);
const grantsOf = async (user: string) =>
  ((await t.query("SHOW GRANTS FOR ?@'127.0.0.1'", [user])) as unknown as [Record<string, string>[]])[0].map(
    (r) => Object.values(r)[0],
  );

function outputsFile(extra: Record<string, unknown> = {}): string {
  const file = path.join(fs.mkdtempSync(path.join(dir, "env-")), "prod.json");
  const values = {
    region: "us-east-1",
    source_mode: "existing",
    source_host: "db1.corp.example",
    target_endpoint_address: TARGET_ADDRESS,
    target_port: 3306,
    migrated_schemas: ["err"],
    dms_task_arn: FORWARD,
    dms_task_id: "dmsm-prod-task",
    dms_fallback_task_arn: FALLBACK,
    dms_fallback_task_id: "dmsm-prod-fallback",
    database_zone_id: ZONE,
    database_record_name: RECORD,
    active_database: "source",
    ...extra,
  };
  fs.writeFileSync(
    file,
    JSON.stringify(Object.fromEntries(Object.entries(values).map(([k, v]) => [k, { value: v, sensitive: false }]))),
  );
  return file;
}

const fallbackCutover = (file: string, extra: string[] = []) =>
  dmsctl([
    "cutover",
    ...FAST_CANARIES,
    "--env",
    "prod",
    "--outputs-file",
    file,
    "--source",
    src(),
    "--target",
    tgt(),
    "--schema",
    "err",
    "--freeze-source",
    "--fallback",
    "--retry-delay-seconds",
    "0.2",
    ...extra,
  ]);

/** The DMS requests but the Describes, as [command, input]. */
const dmsRequests = () =>
  dms
    .calls()
    .map((c) => [c.args[0].constructor.name, c.args[0].input])
    .filter(([n]) => n !== "DescribeReplicationTasksCommand");

beforeAll(async () => {
  pair = await startReplicationPair();
  s = await pair.source.connect();
  t = await pair.target.connect();
  await s.query(
    "SET SESSION sql_log_bin = 0; CREATE USER 'dms_source'@'%' IDENTIFIED BY 'dms-Source-1'; GRANT SELECT, READ_ONLY ADMIN ON *.* TO 'dms_source'@'%'; CREATE USER 'plain_dms'@'%' IDENTIFIED BY 'plain-Dms-1'; GRANT SELECT ON *.* TO 'plain_dms'@'%'; SET SESSION sql_log_bin = 1",
  );
  // The RDS master user's privileges (no SUPER, no READ_ONLY ADMIN); CONNECTION ADMIN plays mysql.rds_kill, and
  // BINLOG ADMIN keeps the REVOKE out of the binlog, as DMS (unlike the lab's native fallback) never carries it.
  await t.query(
    `SET SESSION sql_log_bin = 0;
     CREATE USER 'master'@'127.0.0.1' IDENTIFIED BY '${MASTER_PASSWORD}';
     GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, RELOAD, PROCESS, REFERENCES, INDEX, ALTER, SHOW DATABASES, CREATE TEMPORARY TABLES, LOCK TABLES, EXECUTE, REPLICATION SLAVE, BINLOG MONITOR, CREATE VIEW, SHOW VIEW, CREATE ROUTINE, ALTER ROUTINE, CREATE USER, EVENT, TRIGGER, CONNECTION ADMIN, BINLOG ADMIN ON *.* TO 'master'@'127.0.0.1' WITH GRANT OPTION;
     CREATE USER 'nobinlog'@'127.0.0.1' IDENTIFIED BY '${MASTER_PASSWORD}';
     GRANT SELECT, PROCESS ON *.* TO 'nobinlog'@'127.0.0.1';
     CREATE USER 'repl_back'@'127.0.0.1' IDENTIFIED BY 'back-Password-7';
     GRANT REPLICATION SLAVE ON *.* TO 'repl_back'@'127.0.0.1';
     SET SESSION sql_log_bin = 1`,
  );
  await s.query(
    "CREATE DATABASE err; CREATE TABLE err.items (id INT PRIMARY KEY, v VARCHAR(20) NOT NULL); CREATE TABLE err.audit (id INT PRIMARY KEY, what VARCHAR(20) NOT NULL)",
  );
  await s.query(
    `INSERT INTO err.items VALUES ${Array.from({ length: 100 }, (_, i) => `(${i + 1}, 'item ${i + 1}')`).join(", ")}`,
  );
  await pair.sync();
  await t.query(
    `SET SESSION sql_log_bin = 0;
     CREATE USER 'app'@'127.0.0.1' IDENTIFIED BY '${APP_PASSWORD}';
     GRANT SELECT, INSERT, UPDATE, DELETE ON err.* TO 'app'@'127.0.0.1';
     GRANT INSERT, UPDATE ON err.audit TO 'app'@'127.0.0.1';
     SET SESSION sql_log_bin = 1`,
  );
  // The fallback stand-in: the source replicates the target from its current position (both ways from here).
  const [[pos]] = (await t.query("SHOW MASTER STATUS")) as unknown as [{ File: string; Position: number }[]];
  await s.query(
    `CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=${pair.target.port}, MASTER_USER='repl_back', MASTER_PASSWORD='back-Password-7', MASTER_LOG_FILE='${pos.File}', MASTER_LOG_POS=${pos.Position}, MASTER_USE_GTID=no; START SLAVE`,
  );
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "migration-day-errors-"));
}, 60_000);

afterAll(async () => {
  dms.restore();
  r53.restore();
  await s?.end().catch(() => undefined);
  await t?.end().catch(() => undefined);
  await pair?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  dms.reset();
  r53.reset();
  status = { [FORWARD]: "running", [FALLBACK]: "ready" };
  dms.on(DescribeReplicationTasksCommand).callsFake((input) => ({
    ReplicationTasks: [{ ReplicationTaskArn: input.Filters[0].Values[0], Status: status[input.Filters[0].Values[0]] }],
  }));
  dms.on(StopReplicationTaskCommand).callsFake((input) => {
    status[input.ReplicationTaskArn] = "stopped";
    return {};
  });
  dms.on(StartReplicationTaskCommand).callsFake((input) => {
    status[input.ReplicationTaskArn] = "running";
    return {};
  });
  r53.on(ListResourceRecordSetsCommand).resolves({
    ResourceRecordSets: [
      { Name: `${RECORD}.`, Type: "CNAME", TTL: 60, ResourceRecords: [{ Value: "db1.corp.example" }] },
    ],
    IsTruncated: false,
    MaxItems: 1,
  });
  r53
    .on(ChangeResourceRecordSetsCommand)
    .resolves({ ChangeInfo: { Id: "/change/C0042", Status: "PENDING", SubmittedAt: new Date() } });
  r53.on(GetChangeCommand).resolves({ ChangeInfo: { Id: "/change/C0042", Status: "INSYNC", SubmittedAt: new Date() } });
});

afterEach(async () => {
  await s.query("SET GLOBAL read_only = OFF");
  await t.query("SET GLOBAL read_only = OFF");
});

describe("cutover --fallback refuses before anything changes", () => {
  test("the environment has no fallback task in its outputs", async () => {
    const r = await fallbackCutover(outputsFile({ dms_fallback_task_arn: "" }));
    expect([r.code, r.err]).toEqual([
      2,
      "dmsctl cutover: --fallback: the environment prod has no fallback task (output dms_fallback_task_arn is missing or empty): set cutover.fallback true in environments/prod.ts and apply, or cutover without --fallback",
    ]);
    expect(dms.calls()).toHaveLength(0);
    expect(await readOnly(s)).toBe(0);
  });

  test("--fallback needs --freeze-source and --env", async () => {
    const a = await dmsctl(["cutover", "--source", src(), "--target", tgt(), "--fallback", "--env", "prod"]);
    expect([a.code, a.err]).toEqual([
      2,
      "dmsctl cutover: --fallback needs --freeze-source: the fallback starts from the target's position once no write reaches the source",
    ]);
    const b = await dmsctl(["cutover", "--source", src(), "--target", tgt(), "--fallback", "--freeze-source"]);
    expect([b.code, b.err]).toEqual([
      2,
      "dmsctl cutover: --fallback needs --env (the environment's outputs name the forward and the fallback task)",
    ]);
  });

  test("the fallback task is already running (both would loop changes)", async () => {
    status[FALLBACK] = "running";
    const r = await fallbackCutover(outputsFile());
    expect([r.code, r.err]).toEqual([
      2,
      "dmsctl cutover: --fallback: the fallback task dmsm-prod-fallback is running: it must be stopped until cutover starts it, after the forward task stopped (both running would loop changes); nothing was changed",
    ]);
    expect(dmsRequests()).toEqual([]);
    expect(await readOnly(s)).toBe(0);
  });

  test("the DMS source user may not write through read_only: the message gives the GRANT", async () => {
    const r = await fallbackCutover(outputsFile(), ["--dms-source-user", "plain_dms"]);
    expect([r.code, r.err]).toEqual([
      2,
      "dmsctl cutover: --fallback: the source stays read-only after cutover, and 'plain_dms'@'%' may not write through read_only, so the fallback task could not apply a row: run `GRANT READ_ONLY ADMIN ON *.* TO 'plain_dms'@'%'` on the source (MariaDB), then cutover again; nothing was changed",
    ]);
    expect(dmsRequests()).toEqual([]);
    expect(await readOnly(s)).toBe(0);
  });
  test("the target user may not read the target's binlog position", async () => {
    const r = await fallbackCutover(outputsFile(), [
      "--target",
      `mysql://nobinlog:${MASTER_PASSWORD}@127.0.0.1:${pair.target.port}`,
    ]);
    expect([r.code, r.err]).toEqual([
      2,
      "dmsctl cutover: the target user may not read the binlog position (SHOW MASTER STATUS needs REPLICATION CLIENT, BINLOG MONITOR on MariaDB; the RDS master user has it); nothing was changed",
    ]);
    expect(dmsRequests()).toEqual([]);
    expect(await readOnly(s)).toBe(0);
  });
});

describe("cutover --fallback errors after the freeze put everything back", () => {
  test("the forward task is still running when the wait ends: the fallback never starts, the source is unfrozen", async () => {
    dms.on(StopReplicationTaskCommand).resolves({}); // DMS accepts the stop, the task keeps running
    const file = outputsFile();
    const r = await fallbackCutover(file, ["--task-timeout-seconds", "1"]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /^dmsctl cutover: forward task dmsm-prod-task arn:aws:dms:us-east-1:123456789012:task:FORWARDTASK is still running after 1 s: it must be stopped before the fallback starts \(never both running\)/m,
    );
    expect(r.err).toMatch(/dmsctl cutover: forward task dmsm-prod-task: still running \(it never stopped\)/);
    expect(r.err).toMatch(/dmsctl cutover: restored source admin@127\.0\.0\.1:\d+: read_only=OFF/);
    expect(dmsRequests()).toEqual([["StopReplicationTaskCommand", { ReplicationTaskArn: FORWARD }]]);
    expect(await readOnly(s)).toBe(0);
    const state = JSON.parse(fs.readFileSync(path.join(path.dirname(file), "prod.cutover.json"), "utf8"));
    expect(state.phase).toBe("aborted");
  });

  test("the forward task running again when the fallback would start (someone resumed it): the fallback never starts", async () => {
    // DMS reports the forward task stopped once, then running again (resumed from the console meanwhile).
    let forwardDescribes = 0;
    dms.on(DescribeReplicationTasksCommand).callsFake((input) => {
      const arn = input.Filters[0].Values[0];
      if (arn === FORWARD && status[FORWARD] === "stopped" && ++forwardDescribes > 1) status[FORWARD] = "running";
      return { ReplicationTasks: [{ ReplicationTaskArn: arn, Status: status[arn] }] };
    });
    const r = await fallbackCutover(outputsFile());
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /^dmsctl cutover: the forward task dmsm-prod-task is running: the fallback task dmsm-prod-fallback is not started \(both running would loop changes\)$/m,
    );
    expect(dmsRequests()).toEqual([["StopReplicationTaskCommand", { ReplicationTaskArn: FORWARD }]]);
    expect(await readOnly(s)).toBe(0);
  });

  test("the fallback task fails to start: the forward task resumes, the source is unfrozen", async () => {
    dms.on(StartReplicationTaskCommand).callsFake((input) => {
      status[input.ReplicationTaskArn] = input.ReplicationTaskArn === FALLBACK ? "failed" : "running";
      return {};
    });
    dms.on(DescribeReplicationTasksCommand).callsFake((input) => {
      const arn = input.Filters[0].Values[0];
      return {
        ReplicationTasks: [
          {
            ReplicationTaskArn: arn,
            Status: status[arn],
            ...(status[arn] === "failed"
              ? { LastFailureMessage: "Could not find first log file name in binary log index file" }
              : {}),
          },
        ],
      };
    });
    const r = await fallbackCutover(outputsFile());
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /^dmsctl cutover: fallback task dmsm-prod-fallback arn:\S+ did not start: it is failed: Could not find first log file name in binary log index file$/m,
    );
    expect(r.err).toMatch(/resumed forward task dmsm-prod-task \(resume-processing from where it stopped\)/);
    const requests = dmsRequests();
    expect(requests[0]).toEqual(["StopReplicationTaskCommand", { ReplicationTaskArn: FORWARD }]);
    expect(requests[1]).toEqual([
      "StartReplicationTaskCommand",
      {
        ReplicationTaskArn: FALLBACK,
        StartReplicationTaskType: "start-replication",
        CdcStartPosition: expect.stringMatching(/^mysql-bin\.\d{6}:\d+$/),
      },
    ]);
    expect(requests.slice(2)).toEqual([
      ["StartReplicationTaskCommand", { ReplicationTaskArn: FORWARD, StartReplicationTaskType: "resume-processing" }],
    ]);
    expect(await readOnly(s)).toBe(0);
  });
});

describe("the emergency flip", () => {
  test("a Route 53 change not INSYNC in time is an error naming the change", async () => {
    r53
      .on(GetChangeCommand)
      .resolves({ ChangeInfo: { Id: "/change/C0042", Status: "PENDING", SubmittedAt: new Date() } });
    const r = await dmsctl([
      "cutover",
      "--flip",
      "--env",
      "prod",
      "--outputs-file",
      outputsFile(),
      "--flip-timeout-seconds",
      "1",
    ]);
    expect([r.code, r.err]).toEqual([
      2,
      `dmsctl cutover: Route 53 change /change/C0042 (${RECORD} -> ${TARGET_ADDRESS}) is not INSYNC after 1 s: Route 53 accepted it and will apply it, but not every resolver may see it yet; check with \`aws route53 get-change --id /change/C0042\` before relying on the flip`,
    ]);
    expect(r53.commandCalls(GetChangeCommand).length).toBeGreaterThan(1);
  });

  test("rollback --flip points the record back at the source by its host name, with the record's TTL", async () => {
    const r = await dmsctl([
      "rollback",
      "--flip",
      "--env",
      "prod",
      "--outputs-file",
      outputsFile(),
      "--format",
      "json",
    ]);
    expect(r.code).toBe(0);
    // The record pointed at db1.corp.example already: nothing is sent.
    expect(r.json()).toMatchObject({ flip: { changed: false, value: "db1.corp.example", to: "source" } });
    expect(r53.commandCalls(ChangeResourceRecordSetsCommand)).toHaveLength(0);
    r53.on(ListResourceRecordSetsCommand).resolves({
      ResourceRecordSets: [
        { Name: `${RECORD}.`, Type: "CNAME", TTL: 60, ResourceRecords: [{ Value: TARGET_ADDRESS }] },
      ],
    });
    const back = await dmsctl(["rollback", "--flip", "--env", "prod", "--outputs-file", outputsFile()]);
    expect(back.code).toBe(0);
    expect(r53.commandCalls(ChangeResourceRecordSetsCommand).map((c) => c.args[0].input)).toEqual([
      {
        HostedZoneId: ZONE,
        ChangeBatch: {
          Comment: `dmsctl rollback --flip: ${RECORD} -> source (db1.corp.example)`,
          Changes: [
            {
              Action: "UPSERT",
              ResourceRecordSet: {
                Name: RECORD,
                Type: "CNAME",
                TTL: 60,
                ResourceRecords: [{ Value: "db1.corp.example" }],
              },
            },
          ],
        },
      },
    ]);
    // The outputs say active_database "source": the code is in line already.
    expect(back.out).toMatch(/The code already says cutover\.activeDatabase "source" \(output active_database\)/);
  });

  test("the record missing in the zone, --flip without --env, --flip with other steps", async () => {
    r53.on(ListResourceRecordSetsCommand).resolves({
      ResourceRecordSets: [
        { Name: "other.dmsm-prod.internal.", Type: "CNAME", TTL: 60, ResourceRecords: [{ Value: "x" }] },
      ],
    });
    const missing = await dmsctl(["cutover", "--flip", "--env", "prod", "--outputs-file", outputsFile()]);
    expect([missing.code, missing.err]).toEqual([
      2,
      `dmsctl cutover: record ${RECORD} (CNAME) not found in hosted zone ${ZONE}: was the environment applied with the stable database name (cutover.* in its config)?`,
    ]);
    const noEnv = await dmsctl(["rollback", "--flip"]);
    expect([noEnv.code, noEnv.err]).toEqual([
      2,
      "dmsctl rollback: --flip needs --env (the environment's outputs name the hosted zone, the record and the source)",
    ]);
    const combined = await dmsctl(["cutover", "--flip", "--freeze-source", "--env", "prod"]);
    expect([combined.code, combined.err]).toEqual([
      2,
      "dmsctl cutover: --flip only points the stable name at the target; it does not combine with --freeze-source (run cutover first, then --flip)",
    ]);
  });
});

describe("cutover --rehearse with --env", () => {
  test("a fallback that will not stop again: the forward task is not resumed (never both running), and it says so", async () => {
    dms.on(StopReplicationTaskCommand).callsFake((input) => {
      if (input.ReplicationTaskArn === FORWARD) status[FORWARD] = "stopped"; // the fallback keeps running
      return {};
    });
    const r = await dmsctl([
      "cutover",
      ...FAST_CANARIES,
      "--rehearse",
      "--env",
      "prod",
      "--outputs-file",
      outputsFile(),
      "--source",
      src(),
      "--target",
      tgt(),
      "--schema",
      "err",
      "--retry-delay-seconds",
      "0.2",
      "--task-timeout-seconds",
      "1",
      "--format",
      "json",
    ]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /^dmsctl cutover: could NOT restore fallback task dmsm-prod-fallback \S+ \(started by this run\): fallback task dmsm-prod-fallback \S+ is still running after 1 s/m,
    );
    expect(r.err).toMatch(
      /^dmsctl cutover: could NOT resume forward task dmsm-prod-task: the fallback task dmsm-prod-fallback is running \(never both running\); once it stopped, run: aws dms start-replication-task --start-replication-task-type resume-processing --replication-task-arn arn:aws:dms:us-east-1:123456789012:task:FORWARDTASK$/m,
    );
    expect(dmsRequests().map(([n, i]) => [n, (i as { ReplicationTaskArn: string }).ReplicationTaskArn])).toEqual([
      ["StopReplicationTaskCommand", FORWARD],
      ["StartReplicationTaskCommand", FALLBACK],
      ["StopReplicationTaskCommand", FALLBACK],
    ]);
    expect(await readOnly(s)).toBe(0); // the source is put back all the same
  });
});

describe("cutover --rehearse without --env (the lab)", () => {
  test("times every step, simulates the DMS steps and the flip, predicts the write downtime, keeps nothing", async () => {
    const r = await dmsctl([
      "cutover",
      ...FAST_CANARIES,
      "--rehearse",
      "--source",
      src(),
      "--target",
      tgt(),
      "--schema",
      "err",
      "--retry-delay-seconds",
      "0.2",
      "--format",
      "json",
    ]);
    const j = r.json<{
      go: boolean;
      frozen: boolean;
      steps: { step: string; ms: number; simulated?: boolean; downtime?: boolean }[];
      rehearsal: { predictedWriteDowntimeMs: number; restored: { ok: boolean; message: string }[] };
    }>();
    expect([r.code, j.go, j.frozen]).toEqual([0, true, false]);
    expect(j.steps.map((x) => [x.step, x.simulated === true, x.downtime === true])).toEqual([
      ["preflight", false, false],
      ["latency", false, false],
      ["validate", false, false],
      ["freeze", false, true],
      ["drain", false, true],
      ["final validate", false, true],
      ["stop forward task", true, true],
      ["target position", false, true],
      ["binlog retention", false, true],
      ["start fallback", true, true],
      ["flip", true, true],
    ]);
    expect(j.rehearsal.predictedWriteDowntimeMs).toBe(j.steps.filter((x) => x.downtime).reduce((a, x) => a + x.ms, 0));
    expect(j.rehearsal.restored).toEqual([
      { ok: true, message: expect.stringMatching(/^restored source admin@127\.0\.0\.1:\d+: read_only=OFF/) },
    ]);
    expect(await readOnly(s)).toBe(0);
    expect(dms.calls()).toHaveLength(0);
    expect(r53.calls()).toHaveLength(0);
  });
});

describe("rollback", () => {
  const rollback = (target: string, extra: string[] = []) =>
    dmsctl([
      "rollback",
      "--source",
      src(),
      "--target",
      target,
      "--schema",
      "err",
      "--retry-delay-seconds",
      "0.2",
      "--format",
      "json",
      ...extra,
    ]);

  test("refuses an environment without a fallback task (the target's writes were never carried back)", async () => {
    const r = await rollback(tgt(), ["--env", "prod", "--outputs-file", outputsFile({ dms_fallback_task_arn: "" })]);
    expect([r.code, r.err]).toEqual([
      2,
      "dmsctl rollback: the environment prod has no fallback task (output dms_fallback_task_arn is empty): nothing carried the target's writes back to the source, and a rollback would lose them; nothing was changed",
    ]);
    expect(await readOnly(t)).toBe(0);
  });

  test("a target user that may not set read_only needs --app-users (RDS); a wrong account is refused", async () => {
    const r = await rollback(master());
    expect([r.code, r.err]).toEqual([
      2,
      expect.stringMatching(
        /^dmsctl rollback: the target cannot be frozen: master@127\.0\.0\.1:\d+ may not set read_only \(on RDS no user may\), so rollback revokes the application's writes instead: name its accounts with --app-users user\[@host\]\[,\.\.\.\]; nothing was changed$/,
      ),
    ]);
    const wrong = await rollback(master(), ["--app-users", "nobody"]);
    expect([wrong.code, wrong.err]).toEqual([
      2,
      'dmsctl rollback: --app-users: no account "nobody" on the target; nothing was changed',
    ]);
    const self = await rollback(master(), ["--app-users", "master"]);
    expect([self.code, self.err]).toEqual([
      2,
      'dmsctl rollback: --app-users: "master" is the connecting user, which writes the canary and must keep its privileges; nothing was changed',
    ]);
    const forced = await rollback(master(), ["--freeze-method", "read-only"]);
    expect(forced.err).toMatch(
      /--freeze-method read-only: master@127\.0\.0\.1:\d+ may not set read_only on the target/,
    );
    const bad = await rollback(tgt(), ["--freeze-method", "lock"]);
    expect([bad.code, bad.err]).toEqual([
      2,
      'dmsctl rollback: --freeze-method must be one of auto, read-only, revoke, got "lock"',
    ]);
  });

  test("revoke (RDS): GO revokes the application's writes at every level and ends its sessions; the GRANTs printed undo it", async () => {
    const before = await grantsOf("app");
    const appSession = await mysql.createConnection({
      host: "127.0.0.1",
      port: pair.target.port,
      user: "app",
      password: APP_PASSWORD,
    });
    try {
      await appSession.query("INSERT INTO err.items VALUES (500, 'written on RDS')");
      const r = await rollback(master(), ["--app-users", "app"]);
      const j = r.json<{
        go: boolean;
        freezeMethod: string;
        steps: { step: string; detail: string }[];
        instructions: string[];
      }>();
      expect([r.code, j.go, j.freezeMethod]).toEqual([0, true, "revoke"]);
      expect(j.steps[0].detail).toBe(
        "revoke: revoked DELETE, INSERT, UPDATE on `err`.* from 'app'@'127.0.0.1'; INSERT, UPDATE on `err`.`audit` from 'app'@'127.0.0.1'; ended 1 session(s) of app",
      );
      // The open session is gone; a new one may read but not write.
      await expect(appSession.query("SELECT 1")).rejects.toThrow();
      const again = await mysql.createConnection({
        host: "127.0.0.1",
        port: pair.target.port,
        user: "app",
        password: APP_PASSWORD,
      });
      try {
        expect(
          ((await again.query("SELECT COUNT(*) AS n FROM err.items")) as unknown as [{ n: number }[]])[0][0].n,
        ).toBe(101);
        await expect(again.query("INSERT INTO err.items VALUES (501, 'refused')")).rejects.toMatchObject({
          errno: 1142,
        });
        await expect(again.query("INSERT INTO err.audit VALUES (1, 'refused')")).rejects.toMatchObject({ errno: 1142 });
      } finally {
        await again.end();
      }
      // The row written on the target before the freeze reached the source.
      expect(((await s.query("SELECT v FROM err.items WHERE id = 500")) as unknown as [{ v: string }[]])[0]).toEqual([
        { v: "written on RDS" },
      ]);
      const undo = /undo only to migrate again: (.*)$/.exec(j.instructions[1])![1];
      expect(undo).toBe(
        "GRANT DELETE, INSERT, UPDATE ON `err`.* TO 'app'@'127.0.0.1'; GRANT INSERT, UPDATE ON `err`.`audit` TO 'app'@'127.0.0.1';",
      );
      await t.query(`SET SESSION sql_log_bin = 0; ${undo} SET SESSION sql_log_bin = 1`); // as the freeze did
      expect(await grantsOf("app")).toEqual(before);
    } finally {
      appSession.destroy();
      await t.query("DELETE FROM err.items WHERE id = 500");
      await pair.sync();
    }
  });

  test("NO-GO on a difference: the revoked privileges are granted back exactly, the source stays as it was", async () => {
    const before = await grantsOf("app");
    await s.query(
      "SET SESSION sql_log_bin = 0; UPDATE err.items SET v = 'source only' WHERE id = 7; SET SESSION sql_log_bin = 1",
    );
    await s.query("SET GLOBAL read_only = ON");
    try {
      const r = await rollback(master(), ["--app-users", "app@127.0.0.1"]);
      const j = r.json<{ go: boolean; steps: { step: string; ok: boolean; detail: string }[] }>();
      expect([r.code, j.go, j.steps.map((x) => [x.step, x.ok])]).toEqual([
        1,
        false,
        [
          ["freeze target", true],
          ["drain", true],
          ["validate", false],
          ["unfreeze", true],
        ],
      ]);
      expect(j.steps[2].detail).toBe("err.items: mismatch (1 differences)");
      expect(j.steps[3].detail).toMatch(
        /restored target master@127\.0\.0\.1:\d+: write privileges of 'app'@'127\.0\.0\.1' granted back as found before the run/,
      );
      expect(await grantsOf("app")).toEqual(before);
      expect(await readOnly(s)).toBe(1); // the flip back never ran: the source stays frozen
    } finally {
      await s.query(
        "SET SESSION sql_log_bin = 0; UPDATE err.items SET v = 'item 7' WHERE id = 7; SET SESSION sql_log_bin = 1",
      );
    }
  });

  test("the flip back not INSYNC in time: the record, the source's read_only and the target's freeze are put back", async () => {
    await s.query("SET GLOBAL read_only = ON"); // as cutover left it
    status[FALLBACK] = "running";
    let current = TARGET_ADDRESS;
    let n = 0;
    r53.on(ListResourceRecordSetsCommand).callsFake(() => ({
      ResourceRecordSets: [{ Name: `${RECORD}.`, Type: "CNAME", TTL: 60, ResourceRecords: [{ Value: current }] }],
    }));
    r53.on(ChangeResourceRecordSetsCommand).callsFake((input) => {
      current = input.ChangeBatch.Changes[0].ResourceRecordSet.ResourceRecords[0].Value;
      return { ChangeInfo: { Id: `/change/C${++n}`, Status: "PENDING", SubmittedAt: new Date() } };
    });
    r53.on(GetChangeCommand).callsFake((input) => ({
      ChangeInfo: { Id: input.Id, Status: input.Id === "/change/C1" ? "PENDING" : "INSYNC", SubmittedAt: new Date() },
    }));
    const r = await rollback(tgt(), ["--env", "prod", "--outputs-file", outputsFile(), "--flip-timeout-seconds", "1"]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /^dmsctl rollback: Route 53 change \/change\/C1 \(mysql\.dmsm-prod\.internal -> db1\.corp\.example\) is not INSYNC after 1 s/m,
    );
    expect(r.err).toMatch(
      /^dmsctl rollback: restored record mysql\.dmsm-prod\.internal -> dmsm-prod-target\.c0abcdefghij\.us-east-1\.rds\.amazonaws\.com \(as before the run\)$/m,
    );
    expect(r.err).toMatch(/^dmsctl rollback: restored source admin@127\.0\.0\.1:\d+: read_only=ON/m);
    expect(r.err).toMatch(/^dmsctl rollback: restored target admin@127\.0\.0\.1:\d+: read_only=OFF/m);
    expect(r53.commandCalls(ChangeResourceRecordSetsCommand).map((c) => c.args[0].input.ChangeBatch!.Changes)).toEqual([
      [
        {
          Action: "UPSERT",
          ResourceRecordSet: { Name: RECORD, Type: "CNAME", TTL: 60, ResourceRecords: [{ Value: "db1.corp.example" }] },
        },
      ],
      [
        {
          Action: "UPSERT",
          ResourceRecordSet: { Name: RECORD, Type: "CNAME", TTL: 60, ResourceRecords: [{ Value: TARGET_ADDRESS }] },
        },
      ],
    ]);
    expect([current, await readOnly(s), await readOnly(t)]).toEqual([TARGET_ADDRESS, 1, 0]);
    expect(dmsRequests()).toEqual([]); // the fallback keeps running: the rollback did not happen
  });

  test("read-only (the lab): GO leaves the target read-only and the source writable; the output says what moved", async () => {
    await s.query("SET GLOBAL read_only = ON"); // as cutover left it
    const r = await rollback(tgt(), []);
    const j = r.json<{ go: boolean; freezeMethod: string; moved: { tables: unknown[] }; notes: string[] }>();
    expect([r.code, j.go, j.freezeMethod]).toEqual([0, true, "read-only"]);
    expect(j.moved.tables).toEqual([
      { table: "err.audit", rowsAtCutover: null, rowsNow: 0, netRows: null },
      { table: "err.items", rowsAtCutover: null, rowsNow: 100, netRows: null },
    ]);
    expect(j.notes[0]).toMatch(/^no --env: /);
    expect([await readOnly(s), await readOnly(t)]).toEqual([0, 1]);
  });
});
