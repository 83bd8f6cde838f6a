import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { blocks, resourceRule } from "../rule";

export const RDS10 = resourceRule(DbInstance, {
  id: "RDS10",
  cause: "The RDS instance exports no logs to CloudWatch Logs.",
  explanation: "Export at least the error log (target.logExports) so failures are visible without console access.",
  checkov: "CKV_AWS_129",
  check: (db) =>
    blocks<string>(db.enabledCloudwatchLogsExportsInput).length > 0
      ? undefined
      : "enabled_cloudwatch_logs_exports is empty",
});
