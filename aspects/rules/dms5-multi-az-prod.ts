import { IConstruct } from "constructs";
import { DmsReplicationConfig } from "@cdktf/provider-aws/lib/dms-replication-config";
import { DmsReplicationInstance } from "@cdktf/provider-aws/lib/dms-replication-instance";
import { COMPLIANT, NOT_APPLICABLE, PolicyRule, RuleContext, blocks, nonCompliant } from "../rule";

export const DMS5: PolicyRule = {
  id: "DMS5",
  cause: "The production DMS replication is single-AZ.",
  explanation:
    "Set multi_az (dms.multiAz) in prod: a replication instance failure must fail over, not stop CDC until someone notices.",
  level: "error",
  evaluate(node: IConstruct, ctx: RuleContext) {
    if (!ctx.production) return NOT_APPLICABLE;
    if (node instanceof DmsReplicationInstance)
      return node.multiAzInput === true ? COMPLIANT : nonCompliant("multi_az is not true");
    if (node instanceof DmsReplicationConfig) {
      const c = blocks<{ multiAz?: unknown }>(node.computeConfigInput)[0];
      return c?.multiAz === true ? COMPLIANT : nonCompliant("compute_config.multi_az is not true");
    }
    return NOT_APPLICABLE;
  },
};
