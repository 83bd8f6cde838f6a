import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { FREE_TIER } from "../../model/catalog";
import { literal, resourceRule } from "../rule";

export const FT2 = resourceRule(DbInstance, {
  id: "FT2",
  cause: "Free-tier guard: the RDS instance is billed beyond the free tier.",
  explanation: `Use ${FREE_TIER.rdsInstanceClasses.join(" or ")}, single-AZ, at most ${FREE_TIER.rdsMaxStorageGiB} GiB of gp2/gp3 without storage autoscaling, or turn the guard off (policy.freeTierGuard).`,
  when: (ctx) => ctx.freeTier,
  check: (db) => {
    const cls = literal(db.instanceClassInput);
    if (cls && !(FREE_TIER.rdsInstanceClasses as readonly string[]).includes(cls))
      return `instance_class ${cls} is not free-tier`;
    if (db.multiAzInput === true) return "multi_az doubles the instance hours";
    const storage = literal(db.allocatedStorageInput) ?? 0;
    if (storage > FREE_TIER.rdsMaxStorageGiB)
      return `allocated_storage ${storage} GiB exceeds ${FREE_TIER.rdsMaxStorageGiB} GiB`;
    if ((literal(db.maxAllocatedStorageInput) ?? 0) > FREE_TIER.rdsMaxStorageGiB)
      return "storage autoscaling can grow past the free 20 GiB";
    const type = literal(db.storageTypeInput);
    if (type && type !== "gp2" && type !== "gp3") return `storage_type ${type} is provisioned IOPS`;
    return undefined;
  },
});
