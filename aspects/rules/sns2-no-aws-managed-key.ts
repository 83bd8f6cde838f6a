import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { resourceRule } from "../rule";

export const SNS2 = resourceRule(SnsTopic, {
  id: "SNS2",
  cause: "The SNS topic uses the AWS managed key alias/aws/sns.",
  explanation:
    "CloudWatch alarms cannot publish to a topic under alias/aws/sns (its key policy cannot grant them): alerts would be lost silently. Use a customer-managed key.",
  check: (t) =>
    /alias\/aws\/sns$/.test(String(t.kmsMasterKeyIdInput ?? ""))
      ? `kms_master_key_id is ${t.kmsMasterKeyIdInput}`
      : undefined,
});
