import { IConstruct } from "constructs";
import { COMPLIANT, NOT_APPLICABLE, PolicyRule, nonCompliant } from "../rule";
import { securityGroupRules } from "../security-group-rules";

export const SG2: PolicyRule = {
  id: "SG2",
  cause: "A security group rule has no description.",
  explanation:
    "Describe every rule (who connects and why) so a reviewer can tell a needed opening from a leftover one.",
  checkov: "CKV_AWS_23",
  level: "error",
  evaluate(node: IConstruct) {
    const rules = securityGroupRules(node);
    if (!rules || rules.length === 0) return NOT_APPLICABLE;
    const missing = rules.filter((r) => !r.description || r.description.trim().length === 0);
    return missing.length === 0
      ? COMPLIANT
      : nonCompliant(`${missing.length} ${missing[0].direction} rule(s) without a description`);
  },
};
