import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { resourceRule } from "../rule";
import { bucketSiblings } from "../s3-siblings";

export const S32 = resourceRule(S3Bucket, {
  id: "S32",
  cause: "The S3 bucket is not versioned.",
  explanation: "Enable versioning: a corrupted or deleted state file can then be restored.",
  checkov: "CKV_AWS_21",
  check: (b, ctx) => {
    const v = bucketSiblings(b, ctx.all, S3BucketVersioningA);
    return v.some((x) => x.versioningConfigurationInput?.status === "Enabled")
      ? undefined
      : "no versioning configuration with status Enabled";
  },
});
