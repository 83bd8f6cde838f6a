/**
 * Loads an environment: the typed defaults in `<env>.ts`, then `environments/<env>.local.json` (not committed),
 * then environment variables, validated as a whole. Overrides never need a code change:
 *
 * - `environments/<env>.local.json`: any part of the config, e.g. `{"monitoring": {"alertEmails": ["ops@x.io"]}}`
 * - `DMS_MIGRATE_<ENV>_CONFIG`: the same JSON in a variable (CI)
 * - `DMS_MIGRATE_<ENV>_ALERT_EMAILS`: comma-separated e-mail addresses
 * - `DMS_MIGRATE_STATE_BUCKET`, `DMS_MIGRATE_STATE_REGION`: the state bucket of every environment
 * - `DMS_MIGRATE_ENVIRONMENTS`: which environments to synthesize (comma-separated; default all)
 *
 * A variable that is empty or only whitespace counts as not set: the configured value stays. GitHub Actions passes
 * an unset repository variable (`${{ vars.X }}`) as an empty string, which must not wipe the alert e-mails of
 * the config or point the state at bucket "". Likewise an `ALERT_EMAILS` value holding no address at all (e.g.
 * `","`). To clear the configured alert e-mails on purpose, set `{"monitoring": {"alertEmails": []}}` in the
 * local file or in `DMS_MIGRATE_<ENV>_CONFIG`.
 */
import * as fs from "fs";
import * as path from "path";
import {
  ConfigError,
  DeepPartial,
  ENVIRONMENT_NAMES,
  EnvironmentConfig,
  EnvironmentName,
  validateEnvironmentConfig,
} from "./config";
import { dev } from "./dev";
import { prod } from "./prod";
import { staging } from "./staging";

const DEFAULTS: Record<EnvironmentName, EnvironmentConfig> = { dev, staging, prod };

export interface LoadOptions {
  /** Environment variables to read. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Folder holding `<env>.local.json`. @default this folder (environments/ in the source tree) */
  readonly dir?: string;
}

/** The folder holding cdktf.json (this file runs from environments/ under ts-jest and dist/environments/ compiled). */
function projectRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, "cdktf.json"))) {
    const parent = path.dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
  return dir;
}

/** Checks a name against the known environments. */
export function assertEnvironmentName(name: string): EnvironmentName {
  if (!(ENVIRONMENT_NAMES as readonly string[]).includes(name)) {
    throw new ConfigError(name, [
      `environment name must be one of ${ENVIRONMENT_NAMES.join(", ")}, got ${JSON.stringify(name)}`,
    ]);
  }
  return name as EnvironmentName;
}

/** The environments to synthesize: `DMS_MIGRATE_ENVIRONMENTS` or all of them. */
export function selectedEnvironments(env: NodeJS.ProcessEnv = process.env): EnvironmentName[] {
  const raw = env.DMS_MIGRATE_ENVIRONMENTS?.trim();
  if (!raw) return [...ENVIRONMENT_NAMES];
  return raw.split(",").map((n) => assertEnvironmentName(n.trim()));
}

/**
 * Merges `override` into `base`: objects merge key by key, arrays and scalars replace (so a local
 * `policy.suppressions` replaces the environment's list: repeat the ones to keep). Unknown keys are errors.
 */
export function mergeConfig<T>(base: T, override: unknown, where: string, problems: string[]): T {
  if (override === undefined) return base;
  if (base === null || typeof base !== "object" || Array.isArray(base)) return override as T;
  if (override === null || typeof override !== "object" || Array.isArray(override)) {
    problems.push(`${where || "config"} must be an object, got ${JSON.stringify(override)}`);
    return base;
  }
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  // Optional fields the defaults leave out; any other unknown key is a typo.
  const optionalObjects = new Set([
    "existing",
    "tags",
    "transformations",
    "secretKmsKeyArn",
    "caCertificatePem",
    "serverTimezone",
  ]);
  for (const [k, v] of Object.entries(override as Record<string, unknown>)) {
    const field = where ? `${where}.${k}` : k;
    if (!(k in out) && !optionalObjects.has(k)) {
      problems.push(`${field} is not a configuration field (check the spelling), got ${JSON.stringify(v)}`);
      continue;
    }
    out[k] = k in out && out[k] !== undefined ? mergeConfig(out[k], v, field, problems) : v;
  }
  return out as T;
}

function readJson(file: string, problems: string[]): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    problems.push(`${file} is not valid JSON: ${(e as Error).message}`);
    return undefined;
  }
}

/** The variable's value trimmed, or undefined when it is unset, empty or only whitespace (CI's unset variables). */
function setting(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

/** Loads and validates one environment; throws a {@link ConfigError} naming every bad field and value. */
export function loadEnvironment(name: string, options: LoadOptions = {}): EnvironmentConfig {
  const envName = assertEnvironmentName(name);
  const env = options.env ?? process.env;
  const dir = options.dir ?? path.join(projectRoot(), "environments");
  const problems: string[] = [];
  let config: EnvironmentConfig = DEFAULTS[envName];

  const localFile = path.join(dir, `${envName}.local.json`);
  if (fs.existsSync(localFile)) {
    config = mergeConfig(config, readJson(localFile, problems) as DeepPartial<EnvironmentConfig>, "", problems);
  }
  const prefix = `DMS_MIGRATE_${envName.toUpperCase()}_`;
  const jsonVar = setting(env, `${prefix}CONFIG`);
  if (jsonVar !== undefined) {
    try {
      config = mergeConfig(config, JSON.parse(jsonVar), "", problems);
    } catch (e) {
      problems.push(`${prefix}CONFIG is not valid JSON: ${(e as Error).message}`);
    }
  }
  const emails = (setting(env, `${prefix}ALERT_EMAILS`) ?? "")
    .split(",")
    .map((x) => x.trim())
    .filter((x) => x.length > 0);
  if (emails.length > 0) config = { ...config, monitoring: { ...config.monitoring, alertEmails: emails } };
  const bucket = setting(env, "DMS_MIGRATE_STATE_BUCKET");
  if (bucket !== undefined) config = { ...config, state: { ...config.state, bucket } };
  const region = setting(env, "DMS_MIGRATE_STATE_REGION");
  if (region !== undefined) config = { ...config, state: { ...config.state, region } };
  if (config.name !== envName)
    problems.push(`name must stay ${JSON.stringify(envName)}, got ${JSON.stringify(config.name)}`);

  if (problems.length > 0) throw new ConfigError(envName, problems);
  return validateEnvironmentConfig(config);
}
