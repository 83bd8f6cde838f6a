import { IConstruct } from "constructs";
import { COMPLIANT, NOT_APPLICABLE, PolicyRule, nonCompliant } from "../rule";
import { WORLD, securityGroupRules } from "../security-group-rules";

export const SG1: PolicyRule = {
  id: "SG1",
  cause: "A security group accepts traffic from the whole internet (0.0.0.0/0 or ::/0).",
  explanation:
    "Allow named security groups (or a narrow CIDR) instead: nothing in this migration is served to the internet.",
  checkov: "CKV_AWS_24, CKV_AWS_25, CKV_AWS_260, CKV_AWS_277",
  level: "error",
  evaluate(node: IConstruct) {
    const rules = securityGroupRules(node)?.filter((r) => r.direction === "ingress");
    if (!rules || rules.length === 0) return NOT_APPLICABLE;
    const open = rules.filter((r) => r.cidrs.some((c) => WORLD.includes(c)));
    return open.length === 0
      ? COMPLIANT
      : nonCompliant(
          `ingress from ${open.flatMap((r) => r.cidrs).join(", ")} on ports ${open.map((r) => `${r.fromPort ?? "all"}-${r.toPort ?? "all"}`).join(", ")}`,
        );
  },
};
