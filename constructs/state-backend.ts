import { Construct } from "constructs";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { lockDownBucket, tlsOnlyBucketPolicy } from "./private-bucket";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { assertValid } from "../model/checks";
import { StateBackendSettings, resolveStateBackendSettings, validateStateBackendSettings } from "./state-backend-props";

/** The state bucket's settings (state-backend-props.ts). */
export type StateBackendProps = StateBackendSettings;

/**
 * The S3 bucket that holds every environment's Terraform state: versioned (every state write can be restored),
 * encrypted with KMS, public access blocked, ACLs disabled, TLS 1.2+ only, and protected from `terraform destroy`.
 * Locking uses S3 lock files (`use_lockfile`), so no DynamoDB table is needed.
 */
export class StateBackend extends Construct {
  readonly bucket: S3Bucket;

  constructor(scope: Construct, id: string, props: StateBackendProps) {
    super(scope, id);
    const settings = resolveStateBackendSettings(props);
    assertValid(validateStateBackendSettings(settings));
    const keepDays = settings.noncurrentVersionRetentionDays;

    this.bucket = new S3Bucket(this, "bucket", {
      bucket: props.bucketName,
      lifecycle: { preventDestroy: true },
    });
    lockDownBucket(this, this.bucket);
    new S3BucketVersioningA(this, "versioning", {
      bucket: this.bucket.id,
      versioningConfiguration: { status: "Enabled" },
    });
    new S3BucketServerSideEncryptionConfigurationA(this, "encryption", {
      bucket: this.bucket.id,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" }, bucketKeyEnabled: true }],
    });
    new S3BucketLifecycleConfiguration(this, "lifecycle", {
      bucket: this.bucket.id,
      rule: [
        {
          id: "expire-old-state-versions",
          status: "Enabled",
          filter: [{ prefix: "" }],
          noncurrentVersionExpiration: [{ noncurrentDays: keepDays }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
        },
      ],
    });
    tlsOnlyBucketPolicy(this, this.bucket);
  }
}
