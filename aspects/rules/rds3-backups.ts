import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { literal, resourceRule } from "../rule";

export const RDS3 = resourceRule(DbInstance, {
  id: "RDS3",
  cause: "The RDS instance keeps no automated backups.",
  explanation:
    "Set backup_retention_period >= 1 (target.backupRetentionDays); a fallback replication from the target also needs its binlogs, which need backups on.",
  checkov: "CKV_AWS_133",
  check: (db) => {
    const days = literal(db.backupRetentionPeriodInput);
    return days !== undefined && days >= 1
      ? undefined
      : `backup_retention_period is ${JSON.stringify(db.backupRetentionPeriodInput)}`;
  },
});
