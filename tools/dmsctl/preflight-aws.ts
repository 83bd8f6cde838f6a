/**
 * `dmsctl preflight --env E --aws`: AWS DMS's own checks, folded into preflight's pass / warn / fail table.
 *
 * - **TestConnection** of every endpoint (the forward task's source and target from the outputs, and the fallback
 *   task's two endpoints when the stack has one), from the replication instance the outputs name
 *   (DescribeReplicationInstances gives its ARN); then DescribeConnections until each is `successful` or `failed`,
 *   bounded. A failed test (or one without an answer in time) is FAIL.
 * - A **premigration assessment run** of the task (StartReplicationTaskAssessmentRun with the task ARN, the
 *   assessment role and bucket from the outputs, a folder of its own per run), DescribeReplicationTaskAssessmentRuns
 *   until the run is final, then DescribeReplicationTaskIndividualAssessments: each individual assessment is a row
 *   (failed / error = FAIL, warning = WARN), and what a non-passing one found is read back from its result file in
 *   the bucket (GetObject). The key layout is the DMS guide's ("Specifying, starting, and viewing premigration
 *   assessment runs"): the run's folder holds `summary.json` and one `<individual assessment name>.json` per
 *   individual assessment; a file not at `<folder>/<name>.json` is looked for under the folder (ListObjectsV2).
 * - **DMS Serverless** has neither: TestConnection takes a replication instance, which a serverless replication does
 *   not have (DMS connects to both endpoints itself when the replication starts), and a serverless premigration
 *   assessment runs only inside StartReplication (PremigrationAssessmentSettings), which provisions capacity and
 *   starts replicating once the assessment passes, with the results in a DMS-managed bucket. A preflight never starts
 *   the replication, so both are WARN "skipped" with the reason; the latest assessment the replication ran (from
 *   DescribeReplications) is reported when there is one.
 *
 * Waits print progress. Errors of the AWS APIs (access denied, a task in the wrong state) become FAIL rows naming
 * the call; only a failure to reach AWS at all (no credentials, no network) is an error (exit 2). AWS SDK v3,
 * loaded only when used; the clients can be passed in (tests use aws-sdk-client-mock).
 */
import type { DatabaseMigrationServiceClient } from "@aws-sdk/client-database-migration-service";
import type { S3Client } from "@aws-sdk/client-s3";
import { OUTPUT_NAMES } from "./shared";
import { CliError, sleep } from "./common";
import { currentRun } from "./run-context";
import { Outputs, optionalOutput, output } from "./env";
import type { AssessmentRunInfo, Check, CheckStatus } from "./preflight";

export interface AwsPreflightOptions {
  /** The DMS client (default: an SDK v3 client for the outputs' region, credentials from the usual chain). */
  readonly dms?: DatabaseMigrationServiceClient;
  /** The S3 client the assessment results are read with (default: as `dms`). */
  readonly s3?: S3Client;
  /**
   * `run` starts a new premigration assessment run and waits for it; `latest` folds in the task's latest run
   * (waiting for it if it is still running; FAIL when there is none): what `cutover` uses, so the go/no-go does not
   * wait for a new run; `skip` runs the connection tests only. @default "run"
   */
  readonly assessment?: "run" | "latest" | "skip";
  /** How long the connection tests may take, all together. @default 600000 (10 min) */
  readonly connectionTimeoutMs?: number;
  /** How long the assessment run may take. @default 3600000 (60 min) */
  readonly assessmentTimeoutMs?: number;
  /** The longest wait between two polls. @default 10000 */
  readonly pollMs?: number;
  /** Progress lines (what is being waited for, its state, the time so far). */
  readonly onProgress?: (line: string) => void;
  /** The clock (the run's name and folder are made from it). */
  readonly now?: () => Date;
}

export interface AwsPreflightResult {
  /** One row per connection test, the assessment run and each of its individual assessments (side "dms"). */
  readonly checks: Check[];
  /** No FAIL among the checks. */
  readonly ok: boolean;
  /** The assessment run folded in, if any. */
  readonly assessmentRun?: AssessmentRunInfo;
}

/** Where dmsctl's assessment runs write, inside the assessment bucket: one folder per run below it. */
export const ASSESSMENT_FOLDER_PREFIX = "dmsctl-preflight";

const RUN_WAITING = new Set(["starting", "provisioning", "running"]);
const CONNECTION_WAITING = new Set(["testing", ""]);

type AwsError = Error & { $metadata?: unknown; $fault?: string };

/** An answer of the AWS API (access denied, wrong state...): a finding. Anything else (no credentials, no network): exit 2. */
function isServiceError(e: unknown): e is AwsError {
  return e instanceof Error && (e as AwsError).$metadata !== undefined;
}
const errorText = (e: AwsError) => `${e.name}: ${e.message}`;

/**
 * Runs the AWS checks of an environment (its Terraform outputs). Rows have side "dms"; `ok` is false while any is
 * FAIL. `dmsctl cutover` calls it with `assessment: "latest"` and refuses while `ok` is false.
 */
export async function awsPreflight(outputs: Outputs, o: AwsPreflightOptions = {}): Promise<AwsPreflightResult> {
  const region = output(outputs, OUTPUT_NAMES.region);
  const taskArn = output(outputs, OUTPUT_NAMES.dmsTaskArn);
  const dmsSdk = await import("@aws-sdk/client-database-migration-service");
  const dms = o.dms ?? new dmsSdk.DatabaseMigrationServiceClient({ region });
  const checks: Check[] = [];
  const add = (check: string, status: CheckStatus, value: string, fix?: string) =>
    checks.push({ side: "dms", check, status, value, ...(fix ? { fix } : {}) });
  const progress = o.onProgress ?? (() => undefined);
  const ctx = { dms, dmsSdk, add, progress, o };
  let assessmentRun: AwsPreflightResult["assessmentRun"];

  const instanceId = optionalOutput(outputs, OUTPUT_NAMES.dmsReplicationInstanceId);
  const mode = o.assessment ?? "run";
  if (instanceId && mode === "run") {
    // what the run needs, checked before any call
    output(outputs, OUTPUT_NAMES.assessmentBucket);
    output(outputs, OUTPUT_NAMES.assessmentRoleArn);
  }
  if (instanceId) {
    output(outputs, OUTPUT_NAMES.dmsSourceEndpointArn);
    output(outputs, OUTPUT_NAMES.dmsTargetEndpointArn);
  }
  if (!instanceId) {
    add(
      "TestConnection",
      "warn",
      "skipped: DMS Serverless has no replication instance, and TestConnection tests an endpoint from one; DMS connects to both endpoints when the replication starts",
      "the database checks above cover what the endpoints need from the servers; the replication's first start shows a connection problem in its status",
    );
    if (mode !== "skip") await serverlessAssessment(ctx, taskArn);
  } else {
    await connectionTests(ctx, outputs, instanceId);
    if (mode !== "skip") {
      const s3 = o.s3 ?? new (await import("@aws-sdk/client-s3")).S3Client({ region });
      assessmentRun = await assessment({ ...ctx, s3 }, outputs, taskArn, mode);
    }
  }
  return { checks, ok: !checks.some((c) => c.status === "fail"), ...(assessmentRun ? { assessmentRun } : {}) };
}

/** One line for the go/no-go's step table: the failing checks, or how many passed. */
export function summarizeAwsPreflight(r: AwsPreflightResult): { ok: boolean; detail: string } {
  const failed = r.checks.filter((c) => c.status === "fail");
  const warned = r.checks.filter((c) => c.status === "warn").length;
  return {
    ok: failed.length === 0,
    detail:
      failed.length === 0
        ? `${r.checks.length} AWS checks, none failed${warned ? ` (${warned} warning${warned > 1 ? "s" : ""})` : ""}`
        : failed.map((c) => `${c.check}: ${c.value}`).join("; "),
  };
}

interface Ctx {
  readonly dms: DatabaseMigrationServiceClient;
  readonly dmsSdk: typeof import("@aws-sdk/client-database-migration-service");
  readonly add: (check: string, status: CheckStatus, value: string, fix?: string) => void;
  readonly progress: (line: string) => void;
  readonly o: AwsPreflightOptions;
}

/** Sends a command; an error that is not an answer of the service (credentials, network) is an error of the run. */
async function send<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    if (isServiceError(e)) throw e;
    throw new CliError(`cannot reach AWS (${what}): ${(e as Error).name}: ${(e as Error).message}`);
  }
}

/**
 * Asks `check` until it returns a value or `timeoutMs` passes (undefined then), printing `what: state (N s)` when
 * the state changes and at least once a minute. An interrupted run stops asking.
 */
async function waitFor<T>(
  what: string,
  check: () => Promise<{ value?: T; state: string }>,
  timeoutMs: number,
  o: AwsPreflightOptions,
  progress: (line: string) => void,
): Promise<{ value?: T; state: string }> {
  const start = Date.now();
  const pollMs = o.pollMs ?? 10_000;
  let lastState: string | undefined;
  let lastLine = 0;
  for (;;) {
    const r = await check();
    const elapsed = Date.now() - start;
    if (r.value !== undefined) {
      if (lastState !== undefined) progress(`${what}: ${r.state} (${Math.round(elapsed / 1000)} s)`);
      return r;
    }
    if (r.state !== lastState || Date.now() - lastLine >= 60_000) {
      progress(`${what}: ${r.state} (${Math.round(elapsed / 1000)} s)`);
      lastState = r.state;
      lastLine = Date.now();
    }
    if (elapsed >= timeoutMs) return r;
    const sig = currentRun()?.interrupted;
    if (sig) throw new CliError(`interrupted by ${sig} while waiting for ${what}`);
    await sleep(Math.min(pollMs, Math.max(0, timeoutMs - elapsed)));
  }
}

const minutes = (ms: number) => (ms >= 60_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`);

interface EndpointToTest {
  readonly role: string;
  readonly arn: string;
}

async function connectionTests(ctx: Ctx, outputs: Outputs, instanceId: string): Promise<void> {
  const { dms, dmsSdk, add, progress, o } = ctx;
  let instanceArn: string | undefined;
  try {
    const r = await send("DescribeReplicationInstances", () =>
      dms.send(
        new dmsSdk.DescribeReplicationInstancesCommand({
          Filters: [{ Name: "replication-instance-id", Values: [instanceId] }],
        }),
      ),
    );
    const inst = r.ReplicationInstances?.[0];
    if (!inst?.ReplicationInstanceArn) {
      add(
        "replication instance",
        "fail",
        `${instanceId} not found`,
        "deploy the environment (the outputs name an instance that does not exist in this account and region)",
      );
      return;
    }
    if (inst.ReplicationInstanceStatus && inst.ReplicationInstanceStatus !== "available") {
      add(
        "replication instance",
        "fail",
        `${instanceId} is ${inst.ReplicationInstanceStatus}`,
        "wait until the instance is available: connections are tested from it",
      );
      return;
    }
    instanceArn = inst.ReplicationInstanceArn;
  } catch (e) {
    if (!isServiceError(e)) throw e;
    add("replication instance", "fail", `DescribeReplicationInstances: ${errorText(e)}`, IAM_FIX);
    return;
  }

  const endpoints: EndpointToTest[] = [
    { role: "source", arn: output(outputs, OUTPUT_NAMES.dmsSourceEndpointArn) },
    { role: "target", arn: output(outputs, OUTPUT_NAMES.dmsTargetEndpointArn) },
  ];
  const fallbackArn = optionalOutput(outputs, OUTPUT_NAMES.fallbackTaskArn);
  if (fallbackArn) {
    try {
      const r = await send("DescribeReplicationTasks", () =>
        dms.send(
          new dmsSdk.DescribeReplicationTasksCommand({
            Filters: [{ Name: "replication-task-arn", Values: [fallbackArn] }],
            WithoutSettings: true,
          }),
        ),
      );
      const task = r.ReplicationTasks?.[0];
      if (!task?.SourceEndpointArn || !task.TargetEndpointArn) {
        add("fallback endpoints", "fail", `fallback task ${fallbackArn} not found`, "deploy the environment");
      } else {
        endpoints.push({ role: "fallback source", arn: task.SourceEndpointArn });
        endpoints.push({ role: "fallback target", arn: task.TargetEndpointArn });
      }
    } catch (e) {
      if (!isServiceError(e)) throw e;
      add("fallback endpoints", "fail", `DescribeReplicationTasks: ${errorText(e)}`, IAM_FIX);
    }
  }

  const timeoutMs = o.connectionTimeoutMs ?? 600_000;
  // tested at once; the rows in the endpoints' order
  const rows = await Promise.all(
    endpoints.map(async (ep): Promise<Parameters<Ctx["add"]>> => {
      const check = `TestConnection ${ep.role} endpoint`;
      try {
        await send("TestConnection", () =>
          dms.send(new dmsSdk.TestConnectionCommand({ ReplicationInstanceArn: instanceArn, EndpointArn: ep.arn })),
        );
      } catch (e) {
        if (!isServiceError(e)) throw e;
        // a test already running for this pair: wait for its result like for ours
        if (!(e.name === "InvalidResourceStateFault" && /test/i.test(e.message))) {
          return [check, "fail", `TestConnection: ${errorText(e)}`, IAM_FIX];
        }
      }
      let last: { Status?: string; LastFailureMessage?: string; EndpointIdentifier?: string } | undefined;
      const r = await waitFor(
        `${check} ${ep.arn.split(":").pop()}`,
        async () => {
          const d = await send("DescribeConnections", () =>
            dms.send(
              new dmsSdk.DescribeConnectionsCommand({
                Filters: [
                  { Name: "endpoint-arn", Values: [ep.arn] },
                  { Name: "replication-instance-arn", Values: [instanceArn!] },
                ],
              }),
            ),
          );
          last = d.Connections?.[0];
          const state = last?.Status ?? "";
          return { state: state || "waiting", value: CONNECTION_WAITING.has(state) ? undefined : state };
        },
        timeoutMs,
        o,
        progress,
      ).catch((e: unknown) => {
        if (!isServiceError(e)) throw e;
        return { state: `DescribeConnections: ${errorText(e)}`, value: "error" };
      });
      const name = `${check} (${last?.EndpointIdentifier ?? ep.arn.split(":").pop()})`;
      if (r.value === "successful") return [name, "pass", `successful from ${instanceId}`];
      if (r.value === undefined)
        return [
          name,
          "fail",
          `no result within ${minutes(timeoutMs)} (still ${r.state})`,
          "look at the endpoint in the DMS console; a test that hangs usually means a network path that drops packets (security group, NACL, route)",
        ];
      return [
        name,
        "fail",
        r.value === "error" ? r.state : `${r.value}: ${last?.LastFailureMessage ?? "no message"}`,
        `DMS could not connect from replication instance ${instanceId}: check the server is up, the security groups between the instance and the database, the endpoint's host, port and TLS settings, and the user and password in its secret (dmsctl users)`,
      ];
    }),
  );
  for (const row of rows) add(...row);
}

const IAM_FIX =
  "the AWS credentials dmsctl runs with need dms:Describe*, dms:TestConnection, dms:StartReplicationTaskAssessmentRun, s3:GetObject and s3:ListBucket on the assessment bucket";

interface RunView {
  readonly ReplicationTaskAssessmentRunArn?: string;
  readonly AssessmentRunName?: string;
  readonly Status?: string;
  readonly ReplicationTaskAssessmentRunCreationDate?: Date;
  readonly AssessmentProgress?: { IndividualAssessmentCount?: number; IndividualAssessmentCompletedCount?: number };
  readonly LastFailureMessage?: string;
  readonly ResultLocationBucket?: string;
  readonly ResultLocationFolder?: string;
  readonly ResultStatistic?: Statistic;
}

interface Statistic {
  readonly Passed?: number;
  readonly Failed?: number;
  readonly Error?: number;
  readonly Warning?: number;
  readonly Skipped?: number;
  readonly Cancelled?: number;
}

/** "3 passed, 1 failed": the counts that are not zero. */
const statistic = (s: Statistic | undefined) =>
  s
    ? (["Passed", "Failed", "Error", "Warning", "Skipped", "Cancelled"] as const)
        .filter((k) => (s[k] ?? 0) > 0)
        .map((k) => `${s[k]} ${k.toLowerCase()}`)
        .join(", ")
    : "";

/** The run's name and its folder, from the clock: unique per run (the API requires a unique name). */
export function assessmentRunName(now: Date): { name: string; folder: string } {
  const stamp = now
    .toISOString()
    .replace(/\.\d+Z$/, "")
    .replace(/[-:]/g, "")
    .replace("T", "-")
    .toLowerCase();
  const name = `dmsctl-preflight-${stamp}`;
  return { name, folder: `${ASSESSMENT_FOLDER_PREFIX}/${name}` };
}

async function assessment(
  ctx: Ctx & { s3: S3Client },
  outputs: Outputs,
  taskArn: string,
  mode: "run" | "latest",
): Promise<AwsPreflightResult["assessmentRun"]> {
  const { dms, dmsSdk, add, progress, o } = ctx;
  const check = "premigration assessment";
  let run: RunView | undefined;
  try {
    if (mode === "run") {
      const bucket = output(outputs, OUTPUT_NAMES.assessmentBucket);
      const role = output(outputs, OUTPUT_NAMES.assessmentRoleArn);
      const { name, folder } = assessmentRunName((o.now ?? (() => new Date()))());
      const r = await send("StartReplicationTaskAssessmentRun", () =>
        dms.send(
          new dmsSdk.StartReplicationTaskAssessmentRunCommand({
            ReplicationTaskArn: taskArn,
            ServiceAccessRoleArn: role,
            ResultLocationBucket: bucket,
            ResultLocationFolder: folder,
            ResultEncryptionMode: "SSE_S3",
            AssessmentRunName: name,
          }),
        ),
      );
      run = r.ReplicationTaskAssessmentRun;
      progress(`premigration assessment ${name}: started, results in s3://${bucket}/${folder}/`);
    } else {
      const runs: RunView[] = [];
      let marker: string | undefined;
      do {
        const r = await send("DescribeReplicationTaskAssessmentRuns", () =>
          dms.send(
            new dmsSdk.DescribeReplicationTaskAssessmentRunsCommand({
              Filters: [{ Name: "replication-task-arn", Values: [taskArn] }],
              Marker: marker,
            }),
          ),
        );
        runs.push(...(r.ReplicationTaskAssessmentRuns ?? []));
        marker = r.Marker;
      } while (marker);
      run = runs.sort(
        (a, b) =>
          (b.ReplicationTaskAssessmentRunCreationDate?.getTime() ?? 0) -
          (a.ReplicationTaskAssessmentRunCreationDate?.getTime() ?? 0),
      )[0];
      if (!run) {
        add(
          check,
          "fail",
          "the task has no premigration assessment run",
          "run `dmsctl preflight --env <env> --aws` (it starts one and waits for it)",
        );
        return undefined;
      }
    }
  } catch (e) {
    if (!isServiceError(e)) throw e;
    add(
      check,
      "fail",
      `${mode === "run" ? "StartReplicationTaskAssessmentRun" : "DescribeReplicationTaskAssessmentRuns"}: ${errorText(e)}`,
      e.name === "InvalidResourceStateFault"
        ? "an assessment runs on a task that is not running: stop the task, or run it before the full load starts"
        : IAM_FIX,
    );
    return undefined;
  }
  const arn = run?.ReplicationTaskAssessmentRunArn;
  if (!arn) {
    add(check, "fail", "DMS returned no assessment run ARN", IAM_FIX);
    return undefined;
  }
  const name = run?.AssessmentRunName ?? arn;

  // Wait for a final state.
  const timeoutMs = o.assessmentTimeoutMs ?? 3_600_000;
  let waited: { value?: RunView; state: string };
  try {
    waited = await waitFor(
      `premigration assessment ${name}`,
      async () => {
        const r = await send("DescribeReplicationTaskAssessmentRuns", () =>
          dms.send(
            new dmsSdk.DescribeReplicationTaskAssessmentRunsCommand({
              Filters: [{ Name: "replication-task-assessment-run-arn", Values: [arn] }],
            }),
          ),
        );
        const cur: RunView | undefined = r.ReplicationTaskAssessmentRuns?.[0];
        const status = cur?.Status ?? "starting";
        const p = cur?.AssessmentProgress;
        const state =
          p?.IndividualAssessmentCount !== undefined
            ? `${status}, ${p.IndividualAssessmentCompletedCount ?? 0}/${p.IndividualAssessmentCount} individual assessments done`
            : status;
        return { state, value: RUN_WAITING.has(status) ? undefined : cur };
      },
      timeoutMs,
      o,
      progress,
    );
  } catch (e) {
    if (!isServiceError(e)) throw e;
    add(check, "fail", `DescribeReplicationTaskAssessmentRuns: ${errorText(e)}`, IAM_FIX);
    return undefined;
  }
  const final = waited.value;
  const bucket = final?.ResultLocationBucket ?? run?.ResultLocationBucket;
  const folder = final?.ResultLocationFolder ?? run?.ResultLocationFolder;
  const where = bucket ? `s3://${bucket}/${folder ? `${folder}/` : ""}` : "";
  if (!final) {
    add(
      `${check} ${name}`,
      "fail",
      `not finished within ${minutes(timeoutMs)} (${waited.state})`,
      `it keeps running in AWS: run preflight again later (the cutover reads the latest run), or look at it in the DMS console (${arn})`,
    );
    return { arn, name, status: waited.state, bucket, folder };
  }
  const status = final.Status ?? "unknown";
  const stats = statistic(final.ResultStatistic);
  add(
    `${check} ${name}`,
    status === "passed" ? "pass" : status === "warning" ? "warn" : "fail",
    `${status}${stats ? `: ${stats}` : ""}${final.LastFailureMessage ? ` (${final.LastFailureMessage})` : ""}${where ? `; results in ${where}` : ""}`,
    status === "passed"
      ? undefined
      : /^error/.test(status)
        ? "DMS could not run the assessment: check the assessment role may write to the bucket, and the instance can reach both databases (the TestConnection rows)"
        : "fix what the failing assessments below name, then run preflight --aws again",
  );

  // Each individual assessment, and what the non-passing ones found.
  try {
    const individuals: { IndividualAssessmentName?: string; Status?: string }[] = [];
    let marker: string | undefined;
    do {
      const r = await send("DescribeReplicationTaskIndividualAssessments", () =>
        dms.send(
          new dmsSdk.DescribeReplicationTaskIndividualAssessmentsCommand({
            Filters: [{ Name: "replication-task-assessment-run-arn", Values: [arn] }],
            Marker: marker,
          }),
        ),
      );
      individuals.push(...(r.ReplicationTaskIndividualAssessments ?? []));
      marker = r.Marker;
    } while (marker);
    individuals.sort((a, b) => String(a.IndividualAssessmentName).localeCompare(String(b.IndividualAssessmentName)));
    for (const ia of individuals) {
      const iname = ia.IndividualAssessmentName ?? "?";
      const istatus = ia.Status ?? "unknown";
      const row = individualStatus(istatus);
      if (row === "pass") {
        add(`assessment ${iname}`, "pass", istatus);
        continue;
      }
      const found = bucket ? await resultFile(ctx.s3, bucket, folder, iname) : undefined;
      add(
        `assessment ${iname}`,
        row,
        `${istatus}${found?.summary ? `: ${found.summary}` : ""}`,
        found?.key
          ? `details in s3://${bucket}/${found.key}; the DMS guide's page on the assessment ${iname} says how to fix it`
          : `the DMS guide's page on the assessment ${iname} says how to fix it${found?.error ? ` (result file: ${found.error})` : ""}`,
      );
    }
  } catch (e) {
    if (!isServiceError(e)) throw e;
    add(`${check} details`, "fail", `DescribeReplicationTaskIndividualAssessments: ${errorText(e)}`, IAM_FIX);
  }
  return { arn, name, status, bucket, folder };
}

/** An individual assessment's status as a row: failed / error are FAIL, warning (and one not finished) WARN. */
function individualStatus(s: string): CheckStatus {
  if (s === "passed" || s === "skipped") return "pass";
  if (s === "failed" || s === "error" || s === "invalid state") return "fail";
  return "warn";
}

/** An individual assessment's result file: `<folder>/<name>.json`, else a key ending in `/<name>.json` below the folder. */
async function resultFile(
  s3: S3Client,
  bucket: string,
  folder: string | undefined,
  name: string,
): Promise<{ key?: string; summary?: string; error?: string }> {
  const { GetObjectCommand, ListObjectsV2Command } = await import("@aws-sdk/client-s3");
  const prefix = folder ? `${folder.replace(/\/+$/, "")}/` : "";
  const read = async (key: string) => {
    const r = await send("GetObject", () => s3.send(new GetObjectCommand({ Bucket: bucket, Key: key })));
    const text = (await r.Body?.transformToString("utf-8")) ?? "";
    return { key, summary: summarizeResultFile(text) };
  };
  try {
    return await read(`${prefix}${name}.json`);
  } catch (e) {
    if (!isServiceError(e)) throw e;
    if (e.name !== "NoSuchKey" && e.name !== "NotFound") return { error: errorText(e) };
  }
  try {
    let token: string | undefined;
    do {
      const r = await send("ListObjectsV2", () =>
        s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token })),
      );
      const hit = r.Contents?.find((c) => c.Key?.endsWith(`/${name}.json`) || c.Key === `${name}.json`);
      if (hit?.Key) return await read(hit.Key);
      token = r.IsTruncated ? r.NextContinuationToken : undefined;
    } while (token);
    return { error: `no ${name}.json under s3://${bucket}/${prefix}` };
  } catch (e) {
    if (!isServiceError(e)) throw e;
    return { error: errorText(e) };
  }
}

const MESSAGE_KEYS = /^(message|summary|description|resultmessage|result|details?message|reason)$/i;
const NAME_KEYS = ["schema", "schemaname", "table", "tablename", "column", "columnname", "name", "object"];

/**
 * What a result file says, in one line: its first message-like text, then the objects it lists (schema.table.column)
 * when it lists any. The files' fields vary by assessment, so this reads them loosely; the file's place is shown
 * next to it.
 */
export function summarizeResultFile(text: string): string {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return text.trim().slice(0, 200);
  }
  let message: string | undefined;
  const objects: string[] = [];
  const visit = (v: unknown, depth: number) => {
    if (depth > 6 || v === null || typeof v !== "object") return;
    if (Array.isArray(v)) {
      for (const x of v) {
        const named = objectName(x);
        if (named) objects.push(named);
        else visit(x, depth + 1);
      }
      return;
    }
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (message === undefined && typeof x === "string" && x.trim() && MESSAGE_KEYS.test(k)) message = x.trim();
      else visit(x, depth + 1);
    }
  };
  visit(doc, 0);
  const listed = objects.length
    ? `${objects.slice(0, 5).join(", ")}${objects.length > 5 ? ` and ${objects.length - 5} more` : ""}`
    : "";
  const line = [message, listed].filter(Boolean).join(": ");
  return (line || JSON.stringify(doc).slice(0, 200)).slice(0, 400);
}

function objectName(x: unknown): string | undefined {
  if (!x || typeof x !== "object" || Array.isArray(x)) return undefined;
  const lower = new Map(Object.entries(x as Record<string, unknown>).map(([k, v]) => [k.toLowerCase(), v]));
  const parts = NAME_KEYS.map((k) => lower.get(k)).filter((v): v is string => typeof v === "string" && v !== "");
  return parts.length ? [...new Set(parts)].join(".") : undefined;
}

/**
 * DMS Serverless: no assessment is started (it would start the replication); the latest one the replication ran, if
 * any, is reported (DescribeReplications: PremigrationAssessmentStatuses).
 */
async function serverlessAssessment(ctx: Ctx, configArn: string): Promise<void> {
  const { dms, dmsSdk, add } = ctx;
  const check = "premigration assessment";
  const skipped =
    "skipped: DMS Serverless runs a premigration assessment only inside StartReplication, which provisions capacity and starts replicating once the assessment passes (results in a DMS-managed bucket); a preflight never starts the replication";
  const fix =
    "start the replication with a premigration assessment (console, or aws dms start-replication --premigration-assessment-settings with FailOnAssessmentFailure true); preflight --aws then reports its latest result";
  try {
    const r = await send("DescribeReplications", () =>
      dms.send(
        new dmsSdk.DescribeReplicationsCommand({
          Filters: [{ Name: "replication-config-arn", Values: [configArn] }],
        }),
      ),
    );
    const statuses = r.Replications?.[0]?.PremigrationAssessmentStatuses ?? [];
    const latest = [...statuses].sort(
      (a, b) =>
        (b.PremigrationAssessmentRunCreationDate?.getTime() ?? 0) -
        (a.PremigrationAssessmentRunCreationDate?.getTime() ?? 0),
    )[0];
    if (!latest) {
      add(check, "warn", skipped, fix);
      return;
    }
    const status = latest.Status ?? "unknown";
    const stats = statistic(latest.ResultStatistic);
    const when = latest.PremigrationAssessmentRunCreationDate?.toISOString() ?? "?";
    const warnings = (latest.ResultStatistic?.Warning ?? 0) > 0;
    add(
      `${check} (latest of the serverless replication, ${when})`,
      status === "passed" && !warnings
        ? "pass"
        : status === "passed" || RUN_WAITING.has(status) || status === "warning"
          ? "warn"
          : "fail",
      `${status}${stats ? `: ${stats}` : ""}${latest.LastFailureMessage ? ` (${latest.LastFailureMessage})` : ""}; not started by dmsctl (${skipped.replace(/^skipped: /, "")})`,
      status === "passed"
        ? undefined
        : "read its results in the DMS console (the replication's premigration assessments)",
    );
  } catch (e) {
    if (!isServiceError(e)) throw e;
    add(check, "fail", `DescribeReplications: ${errorText(e)}`, IAM_FIX);
  }
}
