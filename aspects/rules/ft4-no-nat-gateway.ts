import { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import { resourceRule } from "../rule";

export const FT4 = resourceRule(NatGateway, {
  id: "FT4",
  cause: "Free-tier guard: a NAT gateway is billed (~$32/month plus data).",
  explanation:
    "Keep network.natGateway false in this environment (the EC2 source reaches package repositories from a public subnet), or turn the guard off (policy.freeTierGuard).",
  when: (ctx) => ctx.freeTier,
  check: (n) => `NAT gateway ${n.node.path}`,
});
