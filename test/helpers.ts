import { Testing, TerraformStack } from "cdktf";
import { Construct } from "constructs";

/** Synthesizes what `build` adds to a fresh stack and returns the parsed Terraform JSON. */
export function synthJson(build: (scope: Construct) => void): TerraformJson {
  return JSON.parse(Testing.synthScope((scope) => build(scope))) as TerraformJson;
}

/** Synthesizes a whole stack. */
export function synthStack(stack: TerraformStack): TerraformJson {
  return JSON.parse(Testing.synth(stack)) as TerraformJson;
}

export interface TerraformJson {
  resource?: Record<string, Record<string, Record<string, unknown>>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  output?: Record<string, { value: unknown; description?: string }>;
  terraform?: Record<string, unknown>;
  provider?: Record<string, unknown>;
}

/** All resources of a type, as [address suffix, body]. */
export function resources(json: TerraformJson, type: string): Record<string, unknown>[] {
  return Object.values(json.resource?.[type] ?? {});
}

/** The one resource of a type; fails when there is not exactly one. */
export function only(json: TerraformJson, type: string): Record<string, unknown> {
  const all = resources(json, type);
  if (all.length !== 1) throw new Error(`expected exactly one ${type}, found ${all.length}`);
  return all[0];
}

/** The one data source of a type whose fields include `match`. */
export function dataSources(json: TerraformJson, type: string): Record<string, unknown>[] {
  return Object.values(json.data?.[type] ?? {});
}

/** The DMS task (or serverless replication) log group: the one named dms-tasks-* / dms-serverless-replication-*. */
export function taskLogGroup(json: TerraformJson): Record<string, unknown> {
  const all = resources(json, "aws_cloudwatch_log_group").filter((g) =>
    /^dms-(tasks|serverless-replication)-/.test(String(g.name)),
  );
  if (all.length !== 1) throw new Error(`expected exactly one DMS task log group, found ${all.length}`);
  return all[0];
}
