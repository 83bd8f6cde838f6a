/**
 * `dmsctl preflight --env E --aws`: DMS TestConnection of every endpoint and a premigration assessment run, with the
 * AWS SDK v3 clients mocked by aws-sdk-client-mock (every request asserted), folded into preflight's table; the
 * database side runs against a real MariaDB server.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { mockClient } from "aws-sdk-client-mock";
import {
  DatabaseMigrationServiceClient,
  DescribeConnectionsCommand,
  DescribeReplicationInstancesCommand,
  DescribeReplicationsCommand,
  DescribeReplicationTaskAssessmentRunsCommand,
  DescribeReplicationTaskIndividualAssessmentsCommand,
  DescribeReplicationTasksCommand,
  InvalidResourceStateFault,
  StartReplicationTaskAssessmentRunCommand,
  TestConnectionCommand,
} from "@aws-sdk/client-database-migration-service";
import { GetObjectCommand, ListObjectsV2Command, NoSuchKey, S3Client } from "@aws-sdk/client-s3";
import { MariaDbServer, startMariaDb } from "../harness/mariadb";
import {
  AwsPreflightOptions,
  assessmentRunName,
  awsPreflight,
  summarizeAwsPreflight,
  summarizeResultFile,
} from "../../tools/dmsctl/preflight-aws";
import { RunContext, withRunContext } from "../../tools/dmsctl/run-context";
import { dmsctl } from "./run";

const dms = mockClient(DatabaseMigrationServiceClient);
const s3 = mockClient(S3Client);

const REGION = "eu-west-1";
const ACCOUNT = "123456789012";
const TASK = `arn:aws:dms:${REGION}:${ACCOUNT}:task:FORWARDTASK`;
const INSTANCE_ARN = `arn:aws:dms:${REGION}:${ACCOUNT}:rep:INSTANCE`;
const SOURCE_EP = `arn:aws:dms:${REGION}:${ACCOUNT}:endpoint:SOURCEEP`;
const TARGET_EP = `arn:aws:dms:${REGION}:${ACCOUNT}:endpoint:TARGETEP`;
const FB_TASK = `arn:aws:dms:${REGION}:${ACCOUNT}:task:FALLBACKTASK`;
const FB_SOURCE_EP = `arn:aws:dms:${REGION}:${ACCOUNT}:endpoint:FBSOURCEEP`;
const FB_TARGET_EP = `arn:aws:dms:${REGION}:${ACCOUNT}:endpoint:FBTARGETEP`;
const BUCKET = "dmsm-dev-assessment-abc123";
const ROLE = `arn:aws:iam::${ACCOUNT}:role/dmsm-dev-dms-assessment`;
const RUN_ARN = `arn:aws:dms:${REGION}:${ACCOUNT}:assessment-run:RUN1`;
const NOW = new Date("2026-03-04T05:06:07.890Z");
const RUN_NAME = "dmsctl-preflight-20260304-050607";
const FOLDER = `dmsctl-preflight/${RUN_NAME}`;

const OUTPUTS: Record<string, string> = {
  region: REGION,
  dms_task_arn: TASK,
  dms_task_id: "dmsm-dev-task",
  dms_replication_instance_id: "dmsm-dev-dms",
  dms_source_endpoint_arn: SOURCE_EP,
  dms_target_endpoint_arn: TARGET_EP,
  dms_fallback_task_arn: FB_TASK,
  dms_assessment_bucket: BUCKET,
  dms_assessment_role_arn: ROLE,
};

function outputsFile(values: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "outputs-"));
  const file = path.join(dir, "dev.json");
  fs.writeFileSync(
    file,
    JSON.stringify(Object.fromEntries(Object.entries(values).map(([k, v]) => [k, { value: v, type: "string" }]))),
  );
  return file;
}

const fault = (message: string) => new InvalidResourceStateFault({ message, $metadata: {} });
const body = (text: string) => ({ transformToString: async () => text }) as never;

/** Every request a mocked client got, in order: [command, input]. */
const sent = (m: typeof dms | typeof s3) =>
  m.calls().map((c) => {
    const cmd = c.args[0] as unknown as { constructor: { name: string }; input: unknown };
    return [cmd.constructor.name, cmd.input];
  });

const connection = (endpoint: string, id: string, status: string, message?: string) => ({
  Connections: [
    {
      EndpointArn: endpoint,
      ReplicationInstanceArn: INSTANCE_ARN,
      EndpointIdentifier: id,
      Status: status,
      ...(message ? { LastFailureMessage: message } : {}),
    },
  ],
});

const connectionFilter = (endpoint: string) => ({
  Filters: [
    { Name: "endpoint-arn", Values: [endpoint] },
    { Name: "replication-instance-arn", Values: [INSTANCE_ARN] },
  ],
});

/**
 * An instance, the fallback task, four endpoints (one fails), a failed run with a warning and a failure. `waits`:
 * the source's test and the run answer "still going" first (the CLI polls every 10 s: its tests answer at once).
 */
function happyInstance(waits = true): void {
  dms.on(DescribeReplicationInstancesCommand).resolves({
    ReplicationInstances: [{ ReplicationInstanceArn: INSTANCE_ARN, ReplicationInstanceStatus: "available" }],
  });
  dms.on(DescribeReplicationTasksCommand).resolves({
    ReplicationTasks: [
      { ReplicationTaskArn: FB_TASK, SourceEndpointArn: FB_SOURCE_EP, TargetEndpointArn: FB_TARGET_EP },
    ],
  });
  dms.on(TestConnectionCommand).resolves({});
  const source = dms.on(DescribeConnectionsCommand, connectionFilter(SOURCE_EP));
  (waits ? source.resolvesOnce(connection(SOURCE_EP, "dmsm-dev-source", "testing")) : source).resolves(
    connection(SOURCE_EP, "dmsm-dev-source", "successful"),
  );
  dms
    .on(DescribeConnectionsCommand, connectionFilter(TARGET_EP))
    .resolves(
      connection(
        TARGET_EP,
        "dmsm-dev-target",
        "failed",
        "Can't connect to MySQL server on 'db' (110 Connection timed out)",
      ),
    );
  dms
    .on(DescribeConnectionsCommand, connectionFilter(FB_SOURCE_EP))
    .resolves(connection(FB_SOURCE_EP, "dmsm-dev-fallback-source", "successful"));
  // a test of this pair was already running: its result is awaited like ours
  dms
    .on(TestConnectionCommand, { EndpointArn: FB_TARGET_EP })
    .rejects(fault("Test connection for replication instance and endpoint is already in progress"));
  dms
    .on(DescribeConnectionsCommand, connectionFilter(FB_TARGET_EP))
    .resolves(connection(FB_TARGET_EP, "dmsm-dev-fallback-target", "successful"));
  dms.on(StartReplicationTaskAssessmentRunCommand).resolves({
    ReplicationTaskAssessmentRun: {
      ReplicationTaskAssessmentRunArn: RUN_ARN,
      AssessmentRunName: RUN_NAME,
      Status: "starting",
      ResultLocationBucket: BUCKET,
      ResultLocationFolder: FOLDER,
    },
  });
  const run = (status: string, done: number, extra: object = {}) => ({
    ReplicationTaskAssessmentRuns: [
      {
        ReplicationTaskAssessmentRunArn: RUN_ARN,
        AssessmentRunName: RUN_NAME,
        Status: status,
        AssessmentProgress: { IndividualAssessmentCount: 3, IndividualAssessmentCompletedCount: done },
        ResultLocationBucket: BUCKET,
        ResultLocationFolder: FOLDER,
        ...extra,
      },
    ],
  });
  const runs = dms.on(DescribeReplicationTaskAssessmentRunsCommand);
  (waits ? runs.resolvesOnce(run("provisioning", 0)).resolvesOnce(run("running", 1)) : runs).resolves(
    run("failed", 3, { ResultStatistic: { Passed: 1, Failed: 1, Warning: 1 } }),
  );
  dms.on(DescribeReplicationTaskIndividualAssessmentsCommand).resolves({
    ReplicationTaskIndividualAssessments: [
      { IndividualAssessmentName: "mysql-check-binlog-format", Status: "passed" },
      { IndividualAssessmentName: "table-with-no-primary-key-or-unique-constraint", Status: "failed" },
      { IndividualAssessmentName: "mysql-check-target-network-parameter", Status: "warning" },
    ],
  });
  s3.on(GetObjectCommand, { Key: `${FOLDER}/table-with-no-primary-key-or-unique-constraint.json` }).resolves({
    Body: body(
      JSON.stringify({
        summary: { status: "failed", message: "2 tables have no primary key or unique constraint" },
        details: [
          { schema: "ecommerce", table: "audit_log" },
          { schema: "ecommerce", table: "events" },
        ],
      }),
    ),
  });
  // not where the guide puts it: found by listing the run's folder
  s3.on(GetObjectCommand, { Key: `${FOLDER}/mysql-check-target-network-parameter.json` }).rejects(
    new NoSuchKey({ message: "The specified key does not exist.", $metadata: {} }),
  );
  s3.on(ListObjectsV2Command).resolves({
    IsTruncated: false,
    Contents: [
      { Key: `${FOLDER}/summary.json` },
      { Key: `${FOLDER}/nested/mysql-check-target-network-parameter.json` },
    ],
  });
  s3.on(GetObjectCommand, { Key: `${FOLDER}/nested/mysql-check-target-network-parameter.json` }).resolves({
    Body: body(JSON.stringify({ message: "max_allowed_packet on the target is smaller than the LOB size" })),
  });
}

const fast: AwsPreflightOptions = { pollMs: 5, connectionTimeoutMs: 5000, assessmentTimeoutMs: 5000, now: () => NOW };

beforeEach(() => {
  dms.reset();
  s3.reset();
});

describe("awsPreflight: TestConnection and a premigration assessment run (instance mode)", () => {
  test("tests every endpoint, runs the assessment, reads the results back and folds them in", async () => {
    happyInstance();
    const progress: string[] = [];
    const r = await awsPreflight(OUTPUTS, { ...fast, onProgress: (l) => progress.push(l) });
    expect(r.ok).toBe(false);
    expect(r.checks.map((c) => [c.side, c.check, c.status, c.value])).toEqual([
      ["dms", "TestConnection source endpoint (dmsm-dev-source)", "pass", "successful from dmsm-dev-dms"],
      [
        "dms",
        "TestConnection target endpoint (dmsm-dev-target)",
        "fail",
        "failed: Can't connect to MySQL server on 'db' (110 Connection timed out)",
      ],
      [
        "dms",
        "TestConnection fallback source endpoint (dmsm-dev-fallback-source)",
        "pass",
        "successful from dmsm-dev-dms",
      ],
      [
        "dms",
        "TestConnection fallback target endpoint (dmsm-dev-fallback-target)",
        "pass",
        "successful from dmsm-dev-dms",
      ],
      [
        "dms",
        `premigration assessment ${RUN_NAME}`,
        "fail",
        `failed: 1 passed, 1 failed, 1 warning; results in s3://${BUCKET}/${FOLDER}/`,
      ],
      ["dms", "assessment mysql-check-binlog-format", "pass", "passed"],
      [
        "dms",
        "assessment mysql-check-target-network-parameter",
        "warn",
        "warning: max_allowed_packet on the target is smaller than the LOB size",
      ],
      [
        "dms",
        "assessment table-with-no-primary-key-or-unique-constraint",
        "fail",
        "failed: 2 tables have no primary key or unique constraint: ecommerce.audit_log, ecommerce.events",
      ],
    ]);
    expect(r.checks[1].fix).toMatch(/security groups between the instance and the database/);
    expect(r.checks[7].fix).toBe(
      `details in s3://${BUCKET}/${FOLDER}/table-with-no-primary-key-or-unique-constraint.json; the DMS guide's page on the assessment table-with-no-primary-key-or-unique-constraint says how to fix it`,
    );
    expect(r.checks[6].fix).toMatch(`s3://${BUCKET}/${FOLDER}/nested/mysql-check-target-network-parameter.json`);
    expect(r.assessmentRun).toEqual({ arn: RUN_ARN, name: RUN_NAME, status: "failed", bucket: BUCKET, folder: FOLDER });
    expect(summarizeAwsPreflight(r)).toEqual({
      ok: false,
      detail: expect.stringMatching(
        /^TestConnection target endpoint \(dmsm-dev-target\): failed: .*; premigration assessment .*; assessment table-with-no-primary-key-or-unique-constraint: failed: /,
      ),
    });
    // progress: each wait says what it waits for and its state
    expect(progress).toEqual(
      expect.arrayContaining([
        "TestConnection source endpoint SOURCEEP: testing (0 s)",
        "TestConnection source endpoint SOURCEEP: successful (0 s)",
        `premigration assessment ${RUN_NAME}: started, results in s3://${BUCKET}/${FOLDER}/`,
        `premigration assessment ${RUN_NAME}: provisioning, 0/3 individual assessments done (0 s)`,
        `premigration assessment ${RUN_NAME}: running, 1/3 individual assessments done (0 s)`,
        `premigration assessment ${RUN_NAME}: failed, 3/3 individual assessments done (0 s)`,
      ]),
    );

    // the exact requests
    const calls = sent(dms);
    expect(calls.slice(0, 2)).toEqual([
      [
        "DescribeReplicationInstancesCommand",
        { Filters: [{ Name: "replication-instance-id", Values: ["dmsm-dev-dms"] }] },
      ],
      [
        "DescribeReplicationTasksCommand",
        { Filters: [{ Name: "replication-task-arn", Values: [FB_TASK] }], WithoutSettings: true },
      ],
    ]);
    expect(calls.filter(([c]) => c === "TestConnectionCommand").map(([, i]) => i)).toEqual(
      [SOURCE_EP, TARGET_EP, FB_SOURCE_EP, FB_TARGET_EP].map((e) => ({
        ReplicationInstanceArn: INSTANCE_ARN,
        EndpointArn: e,
      })),
    );
    expect(calls.filter(([c]) => c === "DescribeConnectionsCommand").map(([, i]) => i)).toEqual(
      expect.arrayContaining([SOURCE_EP, TARGET_EP, FB_SOURCE_EP, FB_TARGET_EP].map(connectionFilter)),
    );
    expect(calls.filter(([c]) => c === "StartReplicationTaskAssessmentRunCommand")).toEqual([
      [
        "StartReplicationTaskAssessmentRunCommand",
        {
          ReplicationTaskArn: TASK,
          ServiceAccessRoleArn: ROLE,
          ResultLocationBucket: BUCKET,
          ResultLocationFolder: FOLDER,
          ResultEncryptionMode: "SSE_S3",
          AssessmentRunName: RUN_NAME,
        },
      ],
    ]);
    expect(calls.filter(([c]) => c === "DescribeReplicationTaskAssessmentRunsCommand").map(([, i]) => i)).toEqual([
      { Filters: [{ Name: "replication-task-assessment-run-arn", Values: [RUN_ARN] }] },
      { Filters: [{ Name: "replication-task-assessment-run-arn", Values: [RUN_ARN] }] },
      { Filters: [{ Name: "replication-task-assessment-run-arn", Values: [RUN_ARN] }] },
    ]);
    expect(calls.filter(([c]) => c === "DescribeReplicationTaskIndividualAssessmentsCommand")).toEqual([
      [
        "DescribeReplicationTaskIndividualAssessmentsCommand",
        { Filters: [{ Name: "replication-task-assessment-run-arn", Values: [RUN_ARN] }] },
      ],
    ]);
    // the passed assessment's file is not read; the others are, the misplaced one after a listing of the folder
    expect(sent(s3)).toEqual([
      ["GetObjectCommand", { Bucket: BUCKET, Key: `${FOLDER}/mysql-check-target-network-parameter.json` }],
      ["ListObjectsV2Command", { Bucket: BUCKET, Prefix: `${FOLDER}/` }],
      ["GetObjectCommand", { Bucket: BUCKET, Key: `${FOLDER}/nested/mysql-check-target-network-parameter.json` }],
      ["GetObjectCommand", { Bucket: BUCKET, Key: `${FOLDER}/table-with-no-primary-key-or-unique-constraint.json` }],
    ]);
  });

  test("a passing run and passing connections: ok; without a fallback task only the forward endpoints", async () => {
    dms.on(DescribeReplicationInstancesCommand).resolves({
      ReplicationInstances: [{ ReplicationInstanceArn: INSTANCE_ARN, ReplicationInstanceStatus: "available" }],
    });
    dms.on(TestConnectionCommand).resolves({});
    dms
      .on(DescribeConnectionsCommand)
      .callsFake((input: { Filters: { Values: string[] }[] }) =>
        connection(input.Filters[0].Values[0], input.Filters[0].Values[0] === SOURCE_EP ? "src" : "tgt", "successful"),
      );
    dms.on(StartReplicationTaskAssessmentRunCommand).resolves({
      ReplicationTaskAssessmentRun: { ReplicationTaskAssessmentRunArn: RUN_ARN, AssessmentRunName: RUN_NAME },
    });
    dms.on(DescribeReplicationTaskAssessmentRunsCommand).resolves({
      ReplicationTaskAssessmentRuns: [
        {
          ReplicationTaskAssessmentRunArn: RUN_ARN,
          AssessmentRunName: RUN_NAME,
          Status: "passed",
          ResultLocationBucket: BUCKET,
          ResultLocationFolder: FOLDER,
          ResultStatistic: { Passed: 2 },
        },
      ],
    });
    dms.on(DescribeReplicationTaskIndividualAssessmentsCommand).resolves({
      ReplicationTaskIndividualAssessments: [
        { IndividualAssessmentName: "mysql-check-binlog-format", Status: "passed" },
        { IndividualAssessmentName: "mysql-check-binlog-row-image", Status: "skipped" },
      ],
    });
    const r = await awsPreflight({ ...OUTPUTS, dms_fallback_task_arn: "" }, fast);
    expect(r.ok).toBe(true);
    expect(r.checks.map((c) => [c.check, c.status, c.value])).toEqual([
      ["TestConnection source endpoint (src)", "pass", "successful from dmsm-dev-dms"],
      ["TestConnection target endpoint (tgt)", "pass", "successful from dmsm-dev-dms"],
      [`premigration assessment ${RUN_NAME}`, "pass", `passed: 2 passed; results in s3://${BUCKET}/${FOLDER}/`],
      ["assessment mysql-check-binlog-format", "pass", "passed"],
      ["assessment mysql-check-binlog-row-image", "pass", "skipped"],
    ]);
    expect(summarizeAwsPreflight(r)).toEqual({ ok: true, detail: "5 AWS checks, none failed" });
    expect(dms.commandCalls(DescribeReplicationTasksCommand)).toHaveLength(0);
    expect(s3.calls()).toHaveLength(0);
  });

  test("a connection test without an answer in time, and a run still going at the timeout, are FAIL", async () => {
    dms.on(DescribeReplicationInstancesCommand).resolves({
      ReplicationInstances: [{ ReplicationInstanceArn: INSTANCE_ARN, ReplicationInstanceStatus: "available" }],
    });
    dms.on(TestConnectionCommand).resolves({});
    dms.on(DescribeConnectionsCommand).resolves(connection(SOURCE_EP, "ep", "testing"));
    dms.on(StartReplicationTaskAssessmentRunCommand).resolves({
      ReplicationTaskAssessmentRun: { ReplicationTaskAssessmentRunArn: RUN_ARN, AssessmentRunName: RUN_NAME },
    });
    dms.on(DescribeReplicationTaskAssessmentRunsCommand).resolves({
      ReplicationTaskAssessmentRuns: [{ ReplicationTaskAssessmentRunArn: RUN_ARN, Status: "running" }],
    });
    const r = await awsPreflight(
      { ...OUTPUTS, dms_fallback_task_arn: "" },
      { pollMs: 20, connectionTimeoutMs: 100, assessmentTimeoutMs: 100, now: () => NOW },
    );
    expect(r.checks.map((c) => [c.check, c.status, c.value])).toEqual([
      ["TestConnection source endpoint (ep)", "fail", "no result within 0 s (still testing)"],
      ["TestConnection target endpoint (ep)", "fail", "no result within 0 s (still testing)"],
      [`premigration assessment ${RUN_NAME}`, "fail", "not finished within 0 s (running)"],
    ]);
    expect(r.checks[2].fix).toMatch(/keeps running in AWS/);
    expect(dms.commandCalls(DescribeReplicationTaskIndividualAssessmentsCommand)).toHaveLength(0);
  });

  test("errors of the AWS API are FAIL rows naming the call; an instance that is not available is one too", async () => {
    dms.on(DescribeReplicationInstancesCommand).resolves({
      ReplicationInstances: [{ ReplicationInstanceArn: INSTANCE_ARN, ReplicationInstanceStatus: "modifying" }],
    });
    dms.on(StartReplicationTaskAssessmentRunCommand).rejects(fault("Replication task is running"));
    const r = await awsPreflight({ ...OUTPUTS, dms_fallback_task_arn: "" }, fast);
    expect(r.checks.map((c) => [c.check, c.status, c.value])).toEqual([
      ["replication instance", "fail", "dmsm-dev-dms is modifying"],
      [
        "premigration assessment",
        "fail",
        "StartReplicationTaskAssessmentRun: InvalidResourceStateFault: Replication task is running",
      ],
    ]);
    expect(r.checks[1].fix).toMatch(/stop the task/);
    expect(dms.commandCalls(TestConnectionCommand)).toHaveLength(0);

    dms.reset();
    dms.on(DescribeReplicationInstancesCommand).resolves({ ReplicationInstances: [] });
    dms.on(StartReplicationTaskAssessmentRunCommand).resolves({ ReplicationTaskAssessmentRun: {} });
    const missing = await awsPreflight({ ...OUTPUTS, dms_fallback_task_arn: "" }, fast);
    expect(missing.checks.map((c) => [c.check, c.status, c.value])).toEqual([
      ["replication instance", "fail", "dmsm-dev-dms not found"],
      ["premigration assessment", "fail", "DMS returned no assessment run ARN"],
    ]);

    dms.reset();
    dms.on(DescribeReplicationInstancesCommand).rejects(
      Object.assign(new Error("User is not authorized to perform: dms:DescribeReplicationInstances"), {
        name: "AccessDeniedFault",
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const denied = await awsPreflight({ ...OUTPUTS, dms_fallback_task_arn: "" }, { ...fast, assessment: "skip" });
    expect(denied.checks).toEqual([
      {
        side: "dms",
        check: "replication instance",
        status: "fail",
        value:
          "DescribeReplicationInstances: AccessDeniedFault: User is not authorized to perform: dms:DescribeReplicationInstances",
        fix: expect.stringMatching(/dms:TestConnection/),
      },
    ]);
  });

  test("no credentials (not an answer of AWS) is an error, not a finding; missing outputs are named", async () => {
    dms.on(DescribeReplicationInstancesCommand).rejects(new Error("Could not load credentials from any providers"));
    await expect(awsPreflight(OUTPUTS, fast)).rejects.toThrow(
      "cannot reach AWS (DescribeReplicationInstances): Error: Could not load credentials from any providers",
    );
    await expect(
      awsPreflight({ ...OUTPUTS, dms_assessment_bucket: "" }, { ...fast, assessment: "run" }),
    ).rejects.toThrow(/output dms_assessment_bucket is missing or empty/);
  });

  test("assessment latest (what cutover uses): folds in the task's newest run without starting one; none is FAIL", async () => {
    dms.on(DescribeReplicationInstancesCommand).resolves({
      ReplicationInstances: [{ ReplicationInstanceArn: INSTANCE_ARN, ReplicationInstanceStatus: "available" }],
    });
    dms.on(TestConnectionCommand).resolves({});
    dms.on(DescribeConnectionsCommand).resolves(connection(SOURCE_EP, "ep", "successful"));
    const older = {
      ReplicationTaskAssessmentRunArn: `${RUN_ARN}-old`,
      AssessmentRunName: "old",
      Status: "failed",
      ReplicationTaskAssessmentRunCreationDate: new Date("2026-03-01T00:00:00Z"),
    };
    const newer = {
      ReplicationTaskAssessmentRunArn: RUN_ARN,
      AssessmentRunName: RUN_NAME,
      Status: "passed",
      ReplicationTaskAssessmentRunCreationDate: new Date("2026-03-04T00:00:00Z"),
      ResultLocationBucket: BUCKET,
      ResultLocationFolder: FOLDER,
      ResultStatistic: { Passed: 1 },
    };
    dms
      .on(DescribeReplicationTaskAssessmentRunsCommand, { Filters: [{ Name: "replication-task-arn", Values: [TASK] }] })
      .resolvesOnce({ ReplicationTaskAssessmentRuns: [older], Marker: "page2" })
      .resolves({ ReplicationTaskAssessmentRuns: [newer] });
    dms
      .on(DescribeReplicationTaskAssessmentRunsCommand, {
        Filters: [{ Name: "replication-task-assessment-run-arn", Values: [RUN_ARN] }],
      })
      .resolves({ ReplicationTaskAssessmentRuns: [newer] });
    dms.on(DescribeReplicationTaskIndividualAssessmentsCommand).resolves({
      ReplicationTaskIndividualAssessments: [
        { IndividualAssessmentName: "mysql-check-binlog-format", Status: "passed" },
      ],
    });
    const r = await awsPreflight({ ...OUTPUTS, dms_fallback_task_arn: "" }, { ...fast, assessment: "latest" });
    expect(r.ok).toBe(true);
    expect(r.assessmentRun?.arn).toBe(RUN_ARN);
    expect(dms.commandCalls(StartReplicationTaskAssessmentRunCommand)).toHaveLength(0);
    expect(dms.commandCalls(DescribeReplicationTaskAssessmentRunsCommand).map((c) => c.args[0].input)).toEqual([
      { Filters: [{ Name: "replication-task-arn", Values: [TASK] }], Marker: undefined },
      { Filters: [{ Name: "replication-task-arn", Values: [TASK] }], Marker: "page2" },
      { Filters: [{ Name: "replication-task-assessment-run-arn", Values: [RUN_ARN] }] },
    ]);

    dms.reset();
    dms.on(DescribeReplicationInstancesCommand).resolves({
      ReplicationInstances: [{ ReplicationInstanceArn: INSTANCE_ARN, ReplicationInstanceStatus: "available" }],
    });
    dms.on(TestConnectionCommand).resolves({});
    dms.on(DescribeConnectionsCommand).resolves(connection(SOURCE_EP, "ep", "successful"));
    dms.on(DescribeReplicationTaskAssessmentRunsCommand).resolves({ ReplicationTaskAssessmentRuns: [] });
    const none = await awsPreflight({ ...OUTPUTS, dms_fallback_task_arn: "" }, { ...fast, assessment: "latest" });
    expect(none.ok).toBe(false);
    expect(none.checks.at(-1)).toEqual({
      side: "dms",
      check: "premigration assessment",
      status: "fail",
      value: "the task has no premigration assessment run",
      fix: "run `dmsctl preflight --env <env> --aws` (it starts one and waits for it)",
    });
  });

  test("an interrupted run stops waiting", async () => {
    dms.on(DescribeReplicationInstancesCommand).resolves({
      ReplicationInstances: [{ ReplicationInstanceArn: INSTANCE_ARN, ReplicationInstanceStatus: "available" }],
    });
    dms.on(TestConnectionCommand).resolves({});
    const ctx = new RunContext();
    dms.on(DescribeConnectionsCommand).callsFake(() => {
      ctx.interrupted = "SIGINT";
      return connection(SOURCE_EP, "ep", "testing");
    });
    await expect(
      withRunContext(ctx, () => awsPreflight({ ...OUTPUTS, dms_fallback_task_arn: "" }, fast)),
    ).rejects.toThrow(/interrupted by SIGINT while waiting for TestConnection source endpoint SOURCEEP/);
  });
});

describe("awsPreflight on DMS Serverless: what is skipped and why", () => {
  const serverless = { ...OUTPUTS, dms_replication_instance_id: "", dms_fallback_task_arn: "" };

  test("no TestConnection (no instance) and no assessment started; WARN with the reason", async () => {
    dms.on(DescribeReplicationsCommand).resolves({ Replications: [{ ReplicationConfigArn: TASK }] });
    const r = await awsPreflight(serverless, fast);
    expect(r.ok).toBe(true);
    expect(r.checks.map((c) => [c.check, c.status, c.value])).toEqual([
      [
        "TestConnection",
        "warn",
        "skipped: DMS Serverless has no replication instance, and TestConnection tests an endpoint from one; DMS connects to both endpoints when the replication starts",
      ],
      [
        "premigration assessment",
        "warn",
        "skipped: DMS Serverless runs a premigration assessment only inside StartReplication, which provisions capacity and starts replicating once the assessment passes (results in a DMS-managed bucket); a preflight never starts the replication",
      ],
    ]);
    expect(sent(dms)).toEqual([
      ["DescribeReplicationsCommand", { Filters: [{ Name: "replication-config-arn", Values: [TASK] }] }],
    ]);
  });

  test("the latest assessment the serverless replication ran is folded in", async () => {
    dms.on(DescribeReplicationsCommand).resolves({
      Replications: [
        {
          ReplicationConfigArn: TASK,
          PremigrationAssessmentStatuses: [
            { Status: "passed", PremigrationAssessmentRunCreationDate: new Date("2026-02-01T00:00:00Z") },
            {
              Status: "failed",
              PremigrationAssessmentRunCreationDate: new Date("2026-03-01T00:00:00Z"),
              ResultStatistic: { Passed: 5, Failed: 1 },
              LastFailureMessage: "binlog_format is not ROW",
            },
          ],
        },
      ],
    });
    const r = await awsPreflight(serverless, fast);
    expect(r.ok).toBe(false);
    expect(r.checks[1]).toMatchObject({
      check: "premigration assessment (latest of the serverless replication, 2026-03-01T00:00:00.000Z)",
      status: "fail",
      value: expect.stringMatching(/^failed: 5 passed, 1 failed \(binlog_format is not ROW\); not started by dmsctl/),
    });
  });
});

describe("helpers", () => {
  test("the run's name and folder come from the clock", () => {
    expect(assessmentRunName(NOW)).toEqual({ name: RUN_NAME, folder: FOLDER });
  });

  test("a result file in one line: its message and the objects it lists", () => {
    expect(
      summarizeResultFile(
        JSON.stringify({
          Summary: { Message: "Unsupported data types found" },
          Details: [1, 2, 3, 4, 5, 6].map((i) => ({ SchemaName: "s", TableName: `t${i}`, ColumnName: "c" })),
        }),
      ),
    ).toBe("Unsupported data types found: s.t1.c, s.t2.c, s.t3.c, s.t4.c, s.t5.c and 1 more");
    expect(summarizeResultFile("not json")).toBe("not json");
    expect(summarizeResultFile('{"x": 1}')).toBe('{"x":1}');
  });
});

describe("dmsctl preflight --env E --aws (a real source, AWS mocked)", () => {
  let server: MariaDbServer;
  beforeAll(async () => {
    server = await startMariaDb();
  });
  afterAll(async () => {
    await server?.stop();
  });

  test("the AWS rows join the database rows; a failing one makes exit 1; JSON carries the run", async () => {
    happyInstance(false);
    const file = outputsFile(OUTPUTS);
    // the databases from URLs (a URL wins over --env), the AWS side from the outputs
    const urls = ["--source", server.url(), "--target", server.url()];
    const args = ["preflight", ...urls, "--env", "dev", "--outputs-file", file, "--aws"];
    const text = await dmsctl(args);
    expect(text.code).toBe(1);
    expect(text.out).toMatch(/^source\s+log_bin\s+(PASS|FAIL)/m);
    expect(text.out).toMatch(
      /^dms\s+TestConnection target endpoint \(dmsm-dev-target\)\s+FAIL\s+failed: Can't connect to MySQL server/m,
    );
    expect(text.out).toMatch(/^dms\s+assessment mysql-check-target-network-parameter\s+WARN\s+warning: max_allowed/m);
    expect(text.err).toMatch(/^preflight --aws: premigration assessment dmsctl-preflight-\d{8}-\d{6}: started/m);

    happyInstance(false);
    const json = await dmsctl([...args, "--format", "json"]);
    expect(json.code).toBe(1);
    const r = json.json<{ ok: boolean; checks: { side: string }[]; assessmentRun: { arn: string } }>();
    expect(r.ok).toBe(false);
    expect(r.checks.filter((c) => c.side === "dms")).toHaveLength(8);
    expect(r.assessmentRun.arn).toBe(RUN_ARN);
  });

  test("--aws needs --env; --aws-timeout-minutes needs --aws and a number; all before any connection", async () => {
    const noEnv = await dmsctl(["preflight", "--source", server.url(), "--aws"]);
    expect([noEnv.code, noEnv.err]).toEqual([
      2,
      "dmsctl preflight: --aws needs --env (the deployed environment whose DMS endpoints and task to check)",
    ]);
    const noAws = await dmsctl(["preflight", "--source", server.url(), "--aws-timeout-minutes", "5"]);
    expect([noAws.code, noAws.err]).toEqual([2, "dmsctl preflight: --aws-timeout-minutes needs --aws"]);
    const bad = await dmsctl(["preflight", "--source", server.url(), "--aws", "--aws-timeout-minutes", "0"]);
    expect([bad.code, bad.err]).toEqual([
      2,
      'dmsctl preflight: --aws-timeout-minutes must be an integer between 1 and 1440, got "0"',
    ]);
    const noOutputs = await dmsctl([
      "preflight",
      "--source",
      server.url(),
      "--aws",
      "--env",
      "dev",
      "--outputs-file",
      "/nonexistent/dev.json",
    ]);
    expect(noOutputs.code).toBe(2);
    expect(noOutputs.err).toMatch(/no outputs for environment "dev"/);
    expect(dms.calls()).toHaveLength(0);
  });
});
