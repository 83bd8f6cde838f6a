import { Construct } from "constructs";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { lockDownBucket, tlsOnlyBucketPolicy } from "./private-bucket";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { assertValid } from "../model/checks";
import {
  ASSESSMENT_NONCURRENT_VERSION_DAYS,
  DmsAssessmentSettings,
  resolveDmsAssessmentSettings,
  validateDmsAssessmentSettings,
} from "./dms-assessment-props";

/** The assessment storage's settings (dms-assessment-props.ts) and the prefix of its names. */
export interface DmsAssessmentProps extends DmsAssessmentSettings {
  /** Prefix of the bucket (`<namePrefix>-assessment-<suffix>`, unique: S3 names are global) and the role. */
  readonly namePrefix: string;
}

/** The S3 actions DMS needs to write assessment results (DMS guide, "Creating prerequisites for premigration assessments"). */
export const ASSESSMENT_OBJECT_ACTIONS = [
  "s3:PutObject",
  "s3:GetObject",
  "s3:DeleteObject",
  "s3:PutObjectTagging",
] as const;
export const ASSESSMENT_BUCKET_ACTIONS = ["s3:ListBucket", "s3:GetBucketLocation"] as const;

/**
 * Where DMS premigration assessment runs (`StartReplicationTaskAssessmentRun`, `dmsctl preflight --aws`) write their
 * results, and the role DMS writes them with.
 *
 * The bucket: a generated unique name, SSE-S3 encryption by default (the results describe tables and settings, not
 * data; SSE-S3 needs no key policy and no KMS grant for DMS), versioned (a result overwritten by a re-run or deleted
 * stays restorable for 30 days: the go/no-go's evidence), results expiring after `resultExpirationDays`, public
 * access blocked, ACLs disabled, TLS 1.2+ only.
 *
 * The role: trusted by `dms.amazonaws.com` only on behalf of this account (`aws:SourceAccount`), allowed exactly the
 * actions the DMS guide lists on this bucket and its objects.
 */
export class DmsAssessment extends Construct {
  readonly bucket: S3Bucket;
  readonly role: IamRole;
  /** The bucket's name (generated from the prefix at apply). */
  readonly bucketName: string;
  readonly roleArn: string;

  constructor(scope: Construct, id: string, props: DmsAssessmentProps) {
    super(scope, id);
    const s = resolveDmsAssessmentSettings(props);
    assertValid(validateDmsAssessmentSettings(s));

    this.bucket = new S3Bucket(this, "bucket", {
      bucketPrefix: `${props.namePrefix}-assessment-`,
      forceDestroy: s.forceDestroy,
    });
    this.bucketName = this.bucket.bucket;
    lockDownBucket(this, this.bucket);
    const versioning = new S3BucketVersioningA(this, "versioning", {
      bucket: this.bucket.id,
      versioningConfiguration: { status: "Enabled" },
    });
    new S3BucketServerSideEncryptionConfigurationA(this, "encryption", {
      bucket: this.bucket.id,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
    });
    new S3BucketLifecycleConfiguration(this, "lifecycle", {
      bucket: this.bucket.id,
      rule: [
        {
          id: "expire-assessment-results",
          status: "Enabled",
          filter: [{ prefix: "" }],
          expiration: [{ days: s.resultExpirationDays }],
          noncurrentVersionExpiration: [{ noncurrentDays: ASSESSMENT_NONCURRENT_VERSION_DAYS }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
        },
        {
          // An expired result leaves a delete marker; once its last version is gone, the marker goes too.
          id: "remove-expired-delete-markers",
          status: "Enabled",
          filter: [{ prefix: "" }],
          expiration: [{ expiredObjectDeleteMarker: true }],
        },
      ],
      // S3 refuses a lifecycle configuration with noncurrent-version rules before versioning is set.
      dependsOn: [versioning],
    });
    tlsOnlyBucketPolicy(this, this.bucket);

    // Confused-deputy guard: DMS may assume the role only on behalf of this account.
    const account = new DataAwsCallerIdentity(this, "account");
    const trust = new DataAwsIamPolicyDocument(this, "trust", {
      statement: [
        {
          actions: ["sts:AssumeRole"],
          principals: [{ type: "Service", identifiers: ["dms.amazonaws.com"] }],
          condition: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [account.accountId] }],
        },
      ],
    });
    this.role = new IamRole(this, "role", {
      name: `${props.namePrefix}-dms-assessment`,
      description: "AWS DMS writes premigration assessment results to its bucket",
      assumeRolePolicy: trust.json,
    });
    this.roleArn = this.role.arn;
    const access = new DataAwsIamPolicyDocument(this, "access", {
      statement: [
        { sid: "AssessmentResults", actions: [...ASSESSMENT_OBJECT_ACTIONS], resources: [`${this.bucket.arn}/*`] },
        { sid: "AssessmentBucket", actions: [...ASSESSMENT_BUCKET_ACTIONS], resources: [this.bucket.arn] },
      ],
    });
    new IamRolePolicy(this, "role-policy", {
      name: "write-assessment-results",
      role: this.role.id,
      policy: access.json,
    });
  }
}
