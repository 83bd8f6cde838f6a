import { Construct } from "constructs";
import { ITerraformDependable, TerraformProvider, TerraformResource, TerraformStack } from "cdktf";

/** Provider of `time_sleep` (hashicorp/time), as terraform-aws-dms uses; no cdktf bindings needed for one resource. */
export const TIME_PROVIDER = { source: "hashicorp/time", version: "0.13.1" } as const;

class TimeProvider extends TerraformProvider {
  constructor(scope: Construct, id: string) {
    super(scope, id, {
      terraformResourceType: "time",
      terraformGeneratorMetadata: { providerName: "time", providerVersion: TIME_PROVIDER.version },
      terraformProviderSource: TIME_PROVIDER.source,
    });
  }
  protected synthesizeAttributes(): Record<string, unknown> {
    return {};
  }
}

/** A `time_sleep` that waits `duration` (e.g. "10s", "10m") after `after` are created. */
export function timeSleep(
  scope: Construct,
  id: string,
  duration: string,
  after: ITerraformDependable[],
): TerraformResource {
  if (!/^\d+[smh]$/.test(duration))
    throw new Error(`duration must be like 10s, 10m or 1h, got ${JSON.stringify(duration)}`);
  const stack = TerraformStack.of(scope);
  if (!stack.node.tryFindChild("time")) new TimeProvider(stack, "time");
  const sleep = new TerraformResource(scope, id, {
    terraformResourceType: "time_sleep",
    terraformGeneratorMetadata: { providerName: "time", providerVersion: TIME_PROVIDER.version },
    dependsOn: after,
  });
  sleep.addOverride("create_duration", duration);
  return sleep;
}
