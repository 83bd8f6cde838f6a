import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { resourceRule } from "../rule";

export const SNS1 = resourceRule(SnsTopic, {
  id: "SNS1",
  cause: "The SNS topic is not encrypted at rest.",
  explanation:
    "Set kms_master_key_id to a customer-managed key whose policy lets the publishers (CloudWatch, DMS) use it (monitoring.alertTopicEncryption = cmk).",
  checkov: "CKV_AWS_26",
  check: (t) => (t.kmsMasterKeyIdInput ? undefined : "kms_master_key_id is not set"),
});
