/**
 * The cdktf app: the state-backend bootstrap stack, the account stack (DMS account roles), and one stack per
 * environment (dev, staging, prod).
 * Every environment is loaded and validated before any stack is built, so a bad value stops synth before a file
 * is written (scripts/synth.js also synthesizes into a staging folder and swaps it in only on success).
 */
import { App } from "cdktf";
import { ConfigError } from "./environments/config";
import { loadEnvironment, selectedEnvironments } from "./environments/load";
import { MigrationStack } from "./stacks/migration-stack";
import { fixHclFiles } from "./stacks/hcl-output";
import { StateBackendStack } from "./stacks/state-backend-stack";
import { AccountStack } from "./stacks/account-stack";

export interface BuildOptions {
  /** Output folder. @default CDKTF_OUTDIR, else cdktf.out */
  readonly outdir?: string;
  /** Write HCL (cdk.tf) instead of JSON. @default SYNTH_HCL_OUTPUT=true (as `cdktf synth --hcl` sets it) */
  readonly hcl?: boolean;
}

export function buildApp(env: NodeJS.ProcessEnv = process.env, options: BuildOptions = {}): App {
  const configs = selectedEnvironments(env).map((name) => loadEnvironment(name, { env }));
  const app = new App({
    ...(options.outdir ? { outdir: options.outdir } : {}),
    ...(options.hcl !== undefined ? { hclOutput: options.hcl } : {}),
  });
  // cdktf 0.21 names the output file from the App's hclOutput but renders each stack as HCL only when
  // SYNTH_HCL_OUTPUT says so at the stack's construction: the two must agree.
  const hclBefore = process.env.SYNTH_HCL_OUTPUT;
  process.env.SYNTH_HCL_OUTPUT = String(app.hclOutput);
  try {
    const first = configs[0];
    const other = configs.find((c) => c.state.bucket !== first.state.bucket || c.state.region !== first.state.region);
    if (other) {
      throw new ConfigError(other.name, [
        `state.bucket/state.region must match the other environments' (${JSON.stringify(first.state.bucket)} in ${first.state.region}), got ${JSON.stringify(other.state.bucket)} in ${other.state.region}: synthesize accounts separately with DMS_MIGRATE_ENVIRONMENTS`,
      ]);
    }
    new StateBackendStack(app, "state-backend", {
      bucketName: first.state.bucket,
      region: first.state.region,
      tags: { Project: "dms-migrate", Environment: "shared", ManagedBy: "cdktf" },
    });
    new AccountStack(app, "account", {
      region: first.region,
      state: first.state,
      tags: { Project: "dms-migrate", Environment: "shared", ManagedBy: "cdktf" },
    });
    for (const config of configs) new MigrationStack(app, config.name, config);
  } finally {
    if (hclBefore === undefined) delete process.env.SYNTH_HCL_OUTPUT;
    else process.env.SYNTH_HCL_OUTPUT = hclBefore;
  }
  return app;
}

/** Builds and synthesizes the app; HCL output gets the fixes of stacks/hcl-output.ts. Returns the output folder. */
export function synthesize(env: NodeJS.ProcessEnv = process.env, options: BuildOptions = {}): string {
  const app = buildApp(env, options);
  app.synth();
  if (app.hclOutput) fixHclFiles(app.outdir);
  return app.outdir;
}

if (require.main === module) {
  try {
    synthesize();
  } catch (e) {
    // A bad value (ConfigError) or a policy finding (cdktf's error annotations): the message, not a stack trace.
    process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  }
}
