import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { resourceRule } from "../rule";
import { bucketSiblings } from "../s3-siblings";

export const S31 = resourceRule(S3Bucket, {
  id: "S31",
  cause: "The S3 bucket has no default encryption configuration.",
  explanation:
    "Add aws_s3_bucket_server_side_encryption_configuration (aws:kms): Terraform state holds every resource attribute.",
  checkov: "CKV_AWS_145",
  check: (b, ctx) =>
    bucketSiblings(b, ctx.all, S3BucketServerSideEncryptionConfigurationA).length > 0
      ? undefined
      : "no server-side encryption configuration",
});
