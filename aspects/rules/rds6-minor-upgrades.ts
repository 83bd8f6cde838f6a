import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { resourceRule } from "../rule";

export const RDS6 = resourceRule(DbInstance, {
  id: "RDS6",
  cause: "The RDS instance does not take minor version upgrades.",
  explanation: "Set auto_minor_version_upgrade = true so security patches land in the maintenance window.",
  checkov: "CKV_AWS_226",
  check: (db) => (db.autoMinorVersionUpgradeInput === false ? "auto_minor_version_upgrade is false" : undefined),
});
