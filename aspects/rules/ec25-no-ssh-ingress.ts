import { IConstruct } from "constructs";
import { COMPLIANT, NOT_APPLICABLE, PolicyRule, nonCompliant } from "../rule";
import { coversPort, securityGroupRules } from "../security-group-rules";

export const EC25: PolicyRule = {
  id: "EC25",
  cause: "SSH (22) is open to an address range.",
  explanation: "No SSH at all: operators reach instances with SSM Session Manager (no open port, audited sessions).",
  checkov: "CKV_AWS_24",
  level: "error",
  evaluate(node: IConstruct) {
    const rules = securityGroupRules(node)?.filter(
      (r) => r.direction === "ingress" && coversPort(r, 22) && r.cidrs.length > 0,
    );
    if (rules === undefined) return NOT_APPLICABLE;
    return rules.length === 0
      ? COMPLIANT
      : nonCompliant(`SSH ingress from ${rules.flatMap((r) => r.cidrs).join(", ")}`);
  },
};
