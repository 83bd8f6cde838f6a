import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import { literal, resourceRule } from "../rule";

export const FT5 = resourceRule(VpcEndpoint, {
  id: "FT5",
  cause: "Free-tier guard: an interface VPC endpoint is billed (~$7.30/month per AZ).",
  explanation:
    "Keep network.secretsManagerEndpoint false in this environment (the DMS instance reaches Secrets Manager through its egress-only public IP), or turn the guard off (policy.freeTierGuard).",
  when: (ctx) => ctx.freeTier,
  check: (e) =>
    literal(e.vpcEndpointTypeInput) === "Interface" ? `interface endpoint for ${e.serviceNameInput}` : undefined,
});
