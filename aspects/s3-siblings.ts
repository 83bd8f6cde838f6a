import { IConstruct } from "constructs";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { resolveText } from "./rule";

/** Siblings of a bucket: resources of `cls` whose `bucket` argument references this bucket (or its literal name). */
export function bucketSiblings<T extends IConstruct & { bucketInput?: string }>(
  bucket: S3Bucket,
  all: readonly IConstruct[],
  cls: abstract new (...args: never[]) => T,
): T[] {
  const ref = `${bucket.terraformResourceType}.${bucket.friendlyUniqueId}.`;
  const name = bucket.bucketInput;
  return all
    .filter((n): n is T => n instanceof cls)
    .filter((n) => {
      const b = n.bucketInput;
      if (b === undefined) return false;
      if (name !== undefined && b === name) return true;
      return resolveText(bucket, b).includes(ref);
    });
}
