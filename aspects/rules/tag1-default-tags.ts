import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { blocks, resourceRule } from "../rule";

export const TAG1 = resourceRule(AwsProvider, {
  id: "TAG1",
  cause: "The AWS provider does not tag resources with the project's common tags.",
  explanation:
    "Every taggable resource must carry the common tags (Project, Environment, ManagedBy) for cost allocation and ownership: set them in the provider's default_tags (the TaggingAspect does).",
  check: (p, ctx) => {
    const tags = Object.assign(
      {},
      ...blocks<{ tags?: Record<string, string> }>(p.defaultTagsInput).map((d) => d.tags ?? {}),
    );
    const missing = ctx.requiredTags.filter((t) => !tags[t]);
    return missing.length === 0 ? undefined : `default_tags lacks ${missing.join(", ")}`;
  },
});
