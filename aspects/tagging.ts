import { IAspect } from "cdktf";
import { IConstruct } from "constructs";
import { AwsProvider, AwsProviderDefaultTags } from "@cdktf/provider-aws/lib/provider";
import { blocks } from "./rule";

/**
 * Puts the project's common tags on every taggable resource, through each AWS provider's `default_tags` (the AWS
 * provider then tags every resource that supports tags, including ones added later). Tags a stack already sets win.
 */
export class TaggingAspect implements IAspect {
  constructor(private readonly tags: Readonly<Record<string, string>>) {}

  visit(node: IConstruct): void {
    if (!(node instanceof AwsProvider)) return;
    const existing = Object.assign(
      {},
      ...blocks<AwsProviderDefaultTags>(node.defaultTagsInput).map((d) => d.tags ?? {}),
    );
    node.defaultTags = [{ tags: { ...this.tags, ...existing } }];
  }
}
