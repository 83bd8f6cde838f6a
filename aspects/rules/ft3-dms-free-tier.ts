import { IConstruct } from "constructs";
import { DmsReplicationConfig } from "@cdktf/provider-aws/lib/dms-replication-config";
import { DmsReplicationInstance } from "@cdktf/provider-aws/lib/dms-replication-instance";
import { FREE_TIER } from "../../model/catalog";
import { COMPLIANT, NOT_APPLICABLE, PolicyRule, RuleContext, literal, nonCompliant } from "../rule";

export const FT3: PolicyRule = {
  id: "FT3",
  cause: "Free-tier guard: the DMS replication is billed beyond the free tier.",
  explanation: `Use ${FREE_TIER.dmsInstanceClasses.join(" or ")}, single-AZ, at most ${FREE_TIER.dmsMaxStorageGiB} GiB; DMS Serverless has no free tier. Or turn the guard off (policy.freeTierGuard).`,
  level: "error",
  evaluate(node: IConstruct, ctx: RuleContext) {
    if (!ctx.freeTier) return NOT_APPLICABLE;
    if (node instanceof DmsReplicationConfig)
      return nonCompliant("DMS Serverless (aws_dms_replication_config) is billed per DCU-hour");
    if (!(node instanceof DmsReplicationInstance)) return NOT_APPLICABLE;
    const cls = literal(node.replicationInstanceClassInput);
    if (cls && !(FREE_TIER.dmsInstanceClasses as readonly string[]).includes(cls))
      return nonCompliant(`replication_instance_class ${cls} is not free-tier`);
    if (node.multiAzInput === true) return nonCompliant("multi_az doubles the instance hours");
    const storage = literal(node.allocatedStorageInput) ?? 50;
    if (storage > FREE_TIER.dmsMaxStorageGiB)
      return nonCompliant(`allocated_storage ${storage} GiB exceeds ${FREE_TIER.dmsMaxStorageGiB} GiB`);
    return COMPLIANT;
  },
};
