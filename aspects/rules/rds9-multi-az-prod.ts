import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { isTrue, resourceRule } from "../rule";

export const RDS9 = resourceRule(DbInstance, {
  id: "RDS9",
  cause: "The production RDS instance is single-AZ.",
  explanation:
    "Set multi_az = true (target.multiAz) in prod: the database the application cuts over to must survive an AZ failure.",
  checkov: "CKV_AWS_157",
  when: (ctx) => ctx.production,
  check: (db) => (isTrue(db.multiAzInput) ? undefined : "multi_az is not true"),
});
