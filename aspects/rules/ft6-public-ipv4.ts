import { IConstruct } from "constructs";
import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { DmsReplicationInstance } from "@cdktf/provider-aws/lib/dms-replication-instance";
import { Eip } from "@cdktf/provider-aws/lib/eip";
import { Instance } from "@cdktf/provider-aws/lib/instance";
import { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import { COMPLIANT, NOT_APPLICABLE, PolicyRule, RuleContext, isTrue, literal, nonCompliant } from "../rule";

/** The pool of the Elastic IPs AWS owns; an address from any other pool is your own (BYOIP), not billed per hour. */
const AMAZON_IPV4_POOL = "amazon";

/**
 * What carries a public IPv4 address, per resource: a description of it, `undefined` when the resource has none,
 * `null` when it is unknown at synth (a token: rules do not guess).
 */
function publicIpv4(node: IConstruct): string | undefined | null {
  if (node instanceof Instance) {
    return isTrue(node.associatePublicIpAddressInput) ? "EC2 instance: associate_public_ip_address is true" : undefined;
  }
  if (node instanceof DmsReplicationInstance) {
    return isTrue(node.publiclyAccessibleInput) ? "DMS replication instance: publicly_accessible is true" : undefined;
  }
  if (node instanceof DbInstance) {
    return isTrue(node.publiclyAccessibleInput) ? "RDS instance: publicly_accessible is true" : undefined;
  }
  if (node instanceof Eip) {
    if (node.publicIpv4PoolInput !== undefined && literal(node.publicIpv4PoolInput) === undefined) return null;
    const pool = literal(node.publicIpv4PoolInput) ?? AMAZON_IPV4_POOL;
    return pool === AMAZON_IPV4_POOL ? "Elastic IP from the amazon pool: billed attached or idle" : undefined;
  }
  if (node instanceof NatGateway) {
    if (node.connectivityTypeInput !== undefined && literal(node.connectivityTypeInput) === undefined) return null;
    return (literal(node.connectivityTypeInput) ?? "public") === "public"
      ? "NAT gateway: connectivity_type is public, one public IPv4 per Elastic IP it holds"
      : undefined;
  }
  return null;
}

/**
 * FT6: every public IPv4 address AWS assigns is billed $0.005/hour (~$3.65/month) since 2024-02-01, in use or
 * idle. The guard names each resource that holds one, so each is either removed or suppressed with its cost.
 */
export const FT6: PolicyRule = {
  id: "FT6",
  cause: "Free-tier guard: a public IPv4 address is billed ($0.005/hour, ~$3.65/month each, since 2024-02-01).",
  explanation:
    "Keep the resource private (associate_public_ip_address false, publicly_accessible false, no Elastic IP, a private NAT gateway), " +
    "or suppress the finding on that construct with the reason and the monthly cost, or turn the guard off (policy.freeTierGuard). " +
    "Only EC2 instances of a 12-month free-tier account get 750 address-hours/month free; DMS, RDS, Elastic IPs and NAT gateways never do.",
  level: "error",
  evaluate(node: IConstruct, ctx: RuleContext) {
    if (!ctx.freeTier) return NOT_APPLICABLE;
    const found = publicIpv4(node);
    if (found === null) return NOT_APPLICABLE;
    return found === undefined ? COMPLIANT : nonCompliant(found);
  },
};
