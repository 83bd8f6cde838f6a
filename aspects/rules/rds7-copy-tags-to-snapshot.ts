import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { isTrue, resourceRule } from "../rule";

export const RDS7 = resourceRule(DbInstance, {
  id: "RDS7",
  cause: "The RDS instance does not copy tags to snapshots.",
  explanation: "Set copy_tags_to_snapshot = true so snapshots stay attributable (cost, owner, environment).",
  checkov: "CKV2_AWS_60",
  check: (db) => (isTrue(db.copyTagsToSnapshotInput) ? undefined : "copy_tags_to_snapshot is not true"),
});
