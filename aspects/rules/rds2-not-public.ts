import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { resourceRule } from "../rule";

export const RDS2 = resourceRule(DbInstance, {
  id: "RDS2",
  cause: "The RDS instance is publicly accessible.",
  explanation:
    "The target is reached only inside the VPC (DMS and the bootstrap connect privately). Set publicly_accessible = false (target.publiclyAccessible).",
  checkov: "CKV_AWS_17",
  check: (db) =>
    db.publiclyAccessibleInput === false || db.publiclyAccessibleInput === undefined
      ? undefined
      : `publicly_accessible is ${JSON.stringify(db.publiclyAccessibleInput)}`,
});
