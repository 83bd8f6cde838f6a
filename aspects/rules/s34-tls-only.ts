import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { blocks, resolveText, resourceRule } from "../rule";
import { bucketSiblings } from "../s3-siblings";

type Statement = { effect?: string; condition?: { test: string; variable: string; values: string[] }[] };

export const S34 = resourceRule(S3Bucket, {
  id: "S34",
  cause: "The S3 bucket accepts requests without TLS.",
  explanation: "Attach a bucket policy denying s3:* when aws:SecureTransport is false.",
  checkov: "CKV_AWS_379 (partly: checkov checks public buckets only; cdk-nag AwsSolutions-S10)",
  check: (b, ctx) => {
    for (const policy of bucketSiblings(b, ctx.all, S3BucketPolicy)) {
      const text = resolveText(b, policy.policyInput);
      const doc = ctx.all.find(
        (n): n is DataAwsIamPolicyDocument =>
          n instanceof DataAwsIamPolicyDocument && text.includes(`.${n.friendlyUniqueId}.`),
      );
      const statements = doc ? blocks<Statement>(doc.statementInput) : [];
      const denies = statements.some(
        (s) =>
          s.effect === "Deny" &&
          (s.condition ?? []).some((c) => c.variable === "aws:SecureTransport" && c.values.includes("false")),
      );
      if (denies || /"aws:SecureTransport"\s*:\s*"false"/.test(text)) return undefined;
    }
    return "no bucket policy denying aws:SecureTransport = false";
  },
});
