import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { literal, resourceRule } from "../rule";

export const RDS11 = resourceRule(DbInstance, {
  id: "RDS11",
  cause: "The RDS instance is enrolled in paid Extended Support.",
  explanation:
    "MySQL past standard support bills ~$0.10 per vCPU-hour. Use 8.4 with engine_lifecycle_support = open-source-rds-extended-support-disabled, or suppress with the business reason.",
  check: (db) => {
    const engine = literal(db.engineInput);
    if (engine !== undefined && engine !== "mysql") return null;
    return db.engineLifecycleSupportInput === "open-source-rds-extended-support-disabled"
      ? undefined
      : `engine_lifecycle_support is ${JSON.stringify(db.engineLifecycleSupportInput ?? "unset (AWS enrolls the instance)")}`;
  },
});
