import { IConstruct } from "constructs";
import { MYSQL_PORT } from "../../model/names";
import { COMPLIANT, NOT_APPLICABLE, PolicyRule, nonCompliant } from "../rule";
import { coversPort, securityGroupRules } from "../security-group-rules";

export const SG3: PolicyRule = {
  id: "SG3",
  cause: "MySQL (3306) is open to a CIDR range instead of named security groups.",
  explanation:
    "Open MySQL only to the security groups that need it (DMS -> source, DMS -> target): an address range admits whatever lands in it.",
  level: "error",
  evaluate(node: IConstruct) {
    const rules = securityGroupRules(node)?.filter((r) => r.direction === "ingress" && coversPort(r, MYSQL_PORT));
    if (!rules || rules.length === 0) return NOT_APPLICABLE;
    const byCidr = rules.filter((r) => r.cidrs.length > 0 || r.fromPrefixList);
    return byCidr.length === 0
      ? COMPLIANT
      : nonCompliant(`MySQL ingress from ${byCidr.flatMap((r) => r.cidrs).join(", ") || "a prefix list"}`);
  },
};
