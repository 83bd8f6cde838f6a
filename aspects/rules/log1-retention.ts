import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { resourceRule } from "../rule";

export const LOG1 = resourceRule(CloudwatchLogGroup, {
  id: "LOG1",
  cause: "The CloudWatch log group keeps logs forever.",
  explanation:
    "Set retention_in_days (monitoring.logRetentionDays): logs that never expire grow the bill and outlive their use.",
  checkov: "CKV_AWS_66",
  check: (g) => (g.retentionInDaysInput ? undefined : "retention_in_days is not set"),
});
