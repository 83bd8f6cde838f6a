import { Instance } from "@cdktf/provider-aws/lib/instance";
import { blocks, resourceRule } from "../rule";

export const EC21 = resourceRule(Instance, {
  id: "EC21",
  cause: "The EC2 instance accepts IMDSv1.",
  explanation:
    "Set metadata_options.http_tokens = required: IMDSv2 sessions stop SSRF-style theft of the instance role's credentials.",
  checkov: "CKV_AWS_79",
  check: (i) => {
    const m = blocks<{ httpTokens?: string; httpEndpoint?: string }>(i.metadataOptionsInput)[0];
    if (m?.httpEndpoint === "disabled") return undefined;
    return m?.httpTokens === "required"
      ? undefined
      : `metadata_options.http_tokens is ${JSON.stringify(m?.httpTokens ?? "unset (optional)")}`;
  },
});
