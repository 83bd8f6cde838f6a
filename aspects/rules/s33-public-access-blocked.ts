import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { resourceRule } from "../rule";
import { bucketSiblings } from "../s3-siblings";

export const S33 = resourceRule(S3Bucket, {
  id: "S33",
  cause: "The S3 bucket does not block public access.",
  explanation: "Add aws_s3_bucket_public_access_block with all four settings true.",
  checkov: "CKV2_AWS_6",
  check: (b, ctx) => {
    const ok = bucketSiblings(b, ctx.all, S3BucketPublicAccessBlock).some(
      (p) =>
        p.blockPublicAclsInput === true &&
        p.blockPublicPolicyInput === true &&
        p.ignorePublicAclsInput === true &&
        p.restrictPublicBucketsInput === true,
    );
    return ok ? undefined : "no public access block with all four settings true";
  },
});
