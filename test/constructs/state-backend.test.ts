import { StateBackend } from "../../constructs/state-backend";
import { dataSources, only, synthJson } from "../helpers";

describe("StateBackend", () => {
  const json = synthJson((s) => new StateBackend(s, "state", { bucketName: "my-state" }));

  test("bucket is protected from destroy", () => {
    expect(only(json, "aws_s3_bucket")).toMatchObject({ bucket: "my-state", lifecycle: { prevent_destroy: true } });
  });

  test("versioned, KMS-encrypted, public access blocked, ACLs disabled", () => {
    expect(only(json, "aws_s3_bucket_versioning")).toMatchObject({ versioning_configuration: { status: "Enabled" } });
    expect(only(json, "aws_s3_bucket_server_side_encryption_configuration")).toMatchObject({
      rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms" }, bucket_key_enabled: true }],
    });
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

  test("policy denies plain HTTP and TLS below 1.2", () => {
    const [doc] = dataSources(json, "aws_iam_policy_document");
    const statements = doc.statement as {
      sid: string;
      effect: string;
      condition: { test: string; variable: string; values: string[] }[];
    }[];
    expect(statements.map((s) => [s.sid, s.effect, s.condition[0].variable, s.condition[0].values[0]])).toEqual([
      ["DenyInsecureTransport", "Deny", "aws:SecureTransport", "false"],
      ["DenyOutdatedTLS", "Deny", "s3:TlsVersion", "1.2"],
    ]);
    expect(only(json, "aws_s3_bucket_policy").policy).toMatch(/aws_iam_policy_document/);
  });

  test("old state versions expire", () => {
    expect(only(json, "aws_s3_bucket_lifecycle_configuration")).toMatchObject({
      rule: [{ status: "Enabled", noncurrent_version_expiration: [{ noncurrent_days: 90 }] }],
    });
  });

  test("throws on a zero retention", () => {
    expect(() =>
      synthJson((s) => new StateBackend(s, "state", { bucketName: "b", noncurrentVersionRetentionDays: 0 })),
    ).toThrow(/noncurrentVersionRetentionDays must be an integer between 1 and 3650, got 0/);
  });
});
