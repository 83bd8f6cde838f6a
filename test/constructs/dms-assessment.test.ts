import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Aspects, TerraformStack, Testing } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { PolicyPack } from "../../aspects/pack";
import { TaggingAspect } from "../../aspects/tagging";
import { DmsAssessment, DmsAssessmentProps } from "../../constructs/dms-assessment";
import { dataSources, only, resources, synthJson, TerraformJson } from "../helpers";

type Statement = {
  sid?: string;
  effect?: string;
  actions: string[];
  resources?: string[];
  principals?: { type: string; identifiers: string[] }[];
  condition?: { test: string; variable: string; values: string[] }[];
};

function statementsOf(json: TerraformJson, idPart: string): Statement[] {
  const entry = Object.entries(json.data?.aws_iam_policy_document ?? {}).find(([k]) => k.includes(idPart));
  if (!entry) throw new Error(`no policy document ${idPart}`);
  return entry[1].statement as Statement[];
}

const build = (props: Partial<DmsAssessmentProps> = {}) =>
  synthJson((s) => new DmsAssessment(s, "assessment", { namePrefix: "dmsm-t", ...props }));

describe("DmsAssessment", () => {
  const json = build();
  const bucketRef = /^\$\{aws_s3_bucket\.assessment_bucket_[A-Z0-9]+\.arn\}$/;

  test("a bucket with a generated, unique name (S3 names are global), kept from a destroy while it holds results", () => {
    // GIVEN the defaults THEN the name is the prefix plus a suffix S3 accepts, and force_destroy is off
    expect(only(json, "aws_s3_bucket")).toMatchObject({ bucket_prefix: "dmsm-t-assessment-", force_destroy: false });
    expect(only(json, "aws_s3_bucket")).not.toHaveProperty("bucket");
    expect(only(build({ forceDestroy: true }), "aws_s3_bucket").force_destroy).toBe(true);
  });

  test("encrypted (SSE-S3), versioned, public access blocked, ACLs disabled", () => {
    expect(only(json, "aws_s3_bucket_server_side_encryption_configuration")).toMatchObject({
      rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: "AES256" } }],
    });
    expect(only(json, "aws_s3_bucket_versioning")).toMatchObject({ versioning_configuration: { status: "Enabled" } });
    expect(only(json, "aws_s3_bucket_public_access_block")).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(only(json, "aws_s3_bucket_ownership_controls")).toMatchObject({
      rule: { object_ownership: "BucketOwnerEnforced" },
    });
  });

  test("results expire after resultExpirationDays, replaced ones 30 days later; the lifecycle waits for versioning", () => {
    const lifecycle = only(build({ resultExpirationDays: 30 }), "aws_s3_bucket_lifecycle_configuration");
    expect(lifecycle.rule).toEqual([
      {
        id: "expire-assessment-results",
        status: "Enabled",
        filter: [{ prefix: "" }],
        expiration: [{ days: 30 }],
        noncurrent_version_expiration: [{ noncurrent_days: 30 }],
        abort_incomplete_multipart_upload: [{ days_after_initiation: 7 }],
      },
      {
        id: "remove-expired-delete-markers",
        status: "Enabled",
        filter: [{ prefix: "" }],
        expiration: [{ expired_object_delete_marker: true }],
      },
    ]);
    expect(lifecycle.depends_on).toEqual([expect.stringMatching(/^aws_s3_bucket_versioning\./)]);
    expect(
      (only(json, "aws_s3_bucket_lifecycle_configuration").rule as { expiration: { days?: number }[] }[])[0].expiration,
    ).toEqual([{ days: 90 }]);
  });

  test("bucket policy denies plain HTTP and TLS below 1.2", () => {
    const statements = statementsOf(json, "tls-only");
    expect(statements.map((s) => [s.sid, s.effect, s.condition![0].variable, s.condition![0].values[0]])).toEqual([
      ["DenyInsecureTransport", "Deny", "aws:SecureTransport", "false"],
      ["DenyOutdatedTLS", "Deny", "s3:TlsVersion", "1.2"],
    ]);
    expect(only(json, "aws_s3_bucket_policy").policy).toMatch(/aws_iam_policy_document\.assessment_tls-only/);
  });

  test("the role: DMS may assume it only for this account; it may write results to this bucket only", () => {
    expect(only(json, "aws_iam_role")).toMatchObject({ name: "dmsm-t-dms-assessment" });
    const [trust] = statementsOf(json, "trust");
    expect(trust.actions).toEqual(["sts:AssumeRole"]);
    expect(trust.principals).toEqual([{ type: "Service", identifiers: ["dms.amazonaws.com"] }]);
    expect(trust.condition).toEqual([
      {
        test: "StringEquals",
        variable: "aws:SourceAccount",
        values: [expect.stringMatching(/^\$\{data\.aws_caller_identity\.assessment_account_[A-Z0-9]+\.account_id\}$/)],
      },
    ]);
    // The DMS guide's list ("Creating prerequisites for premigration assessments"), on this bucket and nothing else.
    const access = statementsOf(json, "access");
    expect(access.map((s) => ({ sid: s.sid, actions: s.actions, resources: s.resources }))).toEqual([
      {
        sid: "AssessmentResults",
        actions: ["s3:PutObject", "s3:GetObject", "s3:DeleteObject", "s3:PutObjectTagging"],
        resources: [expect.stringMatching(/^\$\{aws_s3_bucket\.assessment_bucket_[A-Z0-9]+\.arn\}\/\*$/)],
      },
      {
        sid: "AssessmentBucket",
        actions: ["s3:ListBucket", "s3:GetBucketLocation"],
        resources: [expect.stringMatching(bucketRef)],
      },
    ]);
    expect(JSON.stringify(access)).not.toMatch(/"\*"|s3:\*/);
    expect(only(json, "aws_iam_role_policy").policy).toMatch(/aws_iam_policy_document\.assessment_access/);
    expect(dataSources(json, "aws_caller_identity")).toHaveLength(1);
  });

  test("passes the policy pack: S31-S34 on the bucket, IAM1 on the role, tags", () => {
    // GIVEN the construct in a stack with the whole pack WHEN it synthesizes THEN nothing is reported
    const app = Testing.app({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), "assessment-")) });
    const stack = new TerraformStack(app, "t");
    new AwsProvider(stack, "aws", { region: "us-east-1" });
    Aspects.of(stack).add(new TaggingAspect({ Project: "p", Environment: "t", ManagedBy: "cdktf" }));
    const pack = new PolicyPack({ environment: "t", production: true, freeTierGuard: true });
    Aspects.of(stack).add(pack);
    new DmsAssessment(stack, "assessment", { namePrefix: "dmsm-t" });
    expect(() => app.synth()).not.toThrow();
    expect(pack.findings).toEqual([]);
    expect(resources(JSON.parse(Testing.synth(stack)), "aws_s3_bucket")).toHaveLength(1);
  });

  test.each([
    [{ resultExpirationDays: 0 }, /resultExpirationDays must be an integer between 1 and 3650, got 0/],
    [{ resultExpirationDays: 1.5 }, /resultExpirationDays must be an integer between 1 and 3650, got 1.5/],
    [{ forceDestroy: "yes" as unknown as boolean }, /forceDestroy must be true or false, got "yes"/],
  ])("throws for %j", (props, message) => {
    expect(() => build(props)).toThrow(message);
  });
});
