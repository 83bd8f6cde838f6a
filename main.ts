/**
 * The cdktf app: one stack per environment (dev, staging, prod) and the state-backend bootstrap stack.
 * Every environment is loaded and validated before any stack is built, so a bad value stops synth before a file
 * is written (scripts/synth.js also synthesizes into a staging folder and swaps it in only on success).
 */
import { App } from "cdktf";
import { ConfigError } from "./environments/config";
import { loadEnvironment, selectedEnvironments } from "./environments/load";
import { MigrationStack } from "./stacks/migration-stack";
import { StateBackendStack } from "./stacks/state-backend-stack";

export function buildApp(env: NodeJS.ProcessEnv = process.env, outdir?: string): App {
  const configs = selectedEnvironments(env).map((name) => loadEnvironment(name, { env }));
  const app = new App(outdir ? { outdir } : undefined);
  const first = configs[0];
  const other = configs.find((c) => c.state.bucket !== first.state.bucket || c.state.region !== first.state.region);
  if (other) {
    throw new ConfigError(other.name, [
      `state.bucket/state.region must match the other environments' (${first.state.bucket} in ${first.state.region}), got ${other.state.bucket} in ${other.state.region}: synthesize accounts separately with DMS_MIGRATE_ENVIRONMENTS`,
    ]);
  }
  new StateBackendStack(app, "state-backend", {
    bucketName: first.state.bucket,
    region: first.state.region,
    tags: { Project: "dms-migrate", Environment: "shared", ManagedBy: "cdktf" },
  });
  for (const config of configs) new MigrationStack(app, config.name, config);
  return app;
}

if (require.main === module) {
  try {
    buildApp().synth();
  } catch (e) {
    // A bad value (ConfigError) or a policy finding (cdktf's error annotations): the message, not a stack trace.
    process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  }
}
