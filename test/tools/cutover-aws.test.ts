/**
 * cutover --aws: AWS's own checks are the first gate. A failing one (here DMS refuses every call: no permission)
 * is NO-GO before any database is touched (the URLs point at a port nothing listens on), naming the call.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { mockClient } from "aws-sdk-client-mock";
import { AccessDeniedFault, DatabaseMigrationServiceClient } from "@aws-sdk/client-database-migration-service";
import { S3Client } from "@aws-sdk/client-s3";
import { freePort } from "../harness/mariadb";
import { dmsctl } from "./run";

const dms = mockClient(DatabaseMigrationServiceClient);
const s3 = mockClient(S3Client);
afterAll(() => {
  dms.restore();
  s3.restore();
});

const REGION = "eu-west-1";
const OUTPUTS: Record<string, string> = {
  region: REGION,
  dms_task_arn: `arn:aws:dms:${REGION}:123456789012:task:FORWARDTASK`,
  dms_task_id: "dmsm-dev-task",
  dms_replication_instance_id: "dmsm-dev-dms",
  dms_source_endpoint_arn: `arn:aws:dms:${REGION}:123456789012:endpoint:SOURCEEP`,
  dms_target_endpoint_arn: `arn:aws:dms:${REGION}:123456789012:endpoint:TARGETEP`,
  dms_fallback_task_arn: "",
  dms_assessment_bucket: "dmsm-dev-assessment-abc123",
  dms_assessment_role_arn: "arn:aws:iam::123456789012:role/dmsm-dev-dms-assessment",
};

function outputsFile(): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "outputs-")), "dev.json");
  fs.writeFileSync(
    file,
    JSON.stringify(Object.fromEntries(Object.entries(OUTPUTS).map(([k, v]) => [k, { value: v, type: "string" }]))),
  );
  return file;
}

test("a failing AWS check is NO-GO (exit 1) before any database connection", async () => {
  dms.reset();
  dms.onAnyCommand().rejects(
    new AccessDeniedFault({
      message: "User is not authorized to perform: dms:DescribeReplicationTasks",
      $metadata: {},
    }),
  );
  const port = await freePort();
  const url = `mysql://admin:pw-0123456789@127.0.0.1:${port}/shop`;
  const r = await dmsctl([
    "cutover",
    "--env",
    "dev",
    "--outputs-file",
    outputsFile(),
    "--source",
    url,
    "--target",
    url,
    "--aws",
    "--format",
    "json",
  ]);
  expect([r.code, r.err]).toEqual([1, ""]);
  const out = r.json<{ go: boolean; steps: { step: string; ok: boolean; detail: string }[] }>();
  expect(out.go).toBe(false);
  expect(out.steps.map((s) => [s.step, s.ok])).toEqual([["AWS preflight", false]]);
  expect(out.steps[0].detail).toMatch(/not authorized|AccessDenied/);
  expect(dms.calls().length).toBeGreaterThan(0);
});

test("--aws without --env: exit 2 naming the option, no AWS call", async () => {
  dms.reset();
  const r = await dmsctl([
    "cutover",
    "--source",
    "mysql://a@127.0.0.1:1/x",
    "--target",
    "mysql://a@127.0.0.1:1/x",
    "--aws",
  ]);
  expect([r.code, r.err]).toEqual([
    2,
    "dmsctl cutover: --aws needs --env (the environment's outputs name the task and its endpoints)",
  ]);
  expect(dms.calls()).toHaveLength(0);
});
