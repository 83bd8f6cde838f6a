import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { isTrue, resourceRule } from "../rule";

export const RDS8 = resourceRule(DbInstance, {
  id: "RDS8",
  cause: "The production RDS instance has no deletion protection.",
  explanation:
    "Set deletion_protection = true (target.deletionProtection) in prod: a destroy or a mistaken plan must not drop the migrated database.",
  checkov: "CKV_AWS_293",
  when: (ctx) => ctx.production,
  check: (db) => (isTrue(db.deletionProtectionInput) ? undefined : "deletion_protection is not true"),
});
