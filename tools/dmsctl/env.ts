/**
 * `--env E`: endpoints of a deployed environment from its Terraform outputs (`terraform output -json` or
 * `cdktf deploy --outputs-file`) and the DMS secrets in Secrets Manager (AWS SDK v3, loaded only when used).
 */
import * as fs from "fs";
import * as path from "path";
import { OUTPUT_NAMES } from "./shared";
import { CliError, Endpoint, Side, SslMode } from "./common";

export type Outputs = Record<string, unknown>;

/** Where outputs are looked for when no --outputs-file is given. */
export function defaultOutputFiles(env: string, cwd = process.cwd()): string[] {
  return [
    path.join(cwd, "outputs", `${env}.json`),
    path.join(cwd, "cdktf.out", "stacks", env, "outputs.json"),
    path.join(cwd, "cdktf-outputs.json"),
  ];
}

/** Reads outputs in either format: `{name: {value}}` (terraform) or `{stack: {name: value}}` (cdktf). */
export function readOutputs(env: string, file?: string, cwd = process.cwd()): Outputs {
  const candidates = file ? [file] : defaultOutputFiles(env, cwd);
  const found = candidates.find((f) => fs.existsSync(f));
  if (!found) {
    throw new CliError(
      `no outputs for environment ${JSON.stringify(env)}: run \`terraform output -json > outputs/${env}.json\` in cdktf.out/stacks/${env} (or cdktf deploy --outputs-file) or pass --outputs-file; looked in ${candidates.join(", ")}`,
    );
  }
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(fs.readFileSync(found, "utf8"));
  } catch (e) {
    throw new CliError(`${found} is not valid JSON: ${(e as Error).message}`);
  }
  const perStack = raw[env];
  const flat =
    perStack && typeof perStack === "object" && !("value" in (perStack as object))
      ? (perStack as Record<string, unknown>)
      : raw;
  return Object.fromEntries(
    Object.entries(flat).map(([k, v]) => [
      k,
      v && typeof v === "object" && "value" in (v as object) ? (v as { value: unknown }).value : v,
    ]),
  );
}

/**
 * Where cutover records what it did (rollback reads it): `<env>.cutover.json` next to `--outputs-file`, else in
 * `outputs/` of the working directory (never under cdktf.out, which every synth replaces).
 */
export function cutoverStatePath(env: string, outputsFile?: string, cwd = process.cwd()): string {
  return path.join(
    outputsFile ? path.dirname(path.resolve(cwd, outputsFile)) : path.join(cwd, "outputs"),
    `${env}.cutover.json`,
  );
}

/** An output that may be absent or empty (an optional feature of the stack): undefined then. */
export function optionalOutput(outputs: Outputs, name: string): string | undefined {
  const v = outputs[name];
  return v === undefined || v === null || v === "" ? undefined : String(v);
}

export function output(outputs: Outputs, name: string): string {
  const v = outputs[name];
  if (v === undefined || v === null || v === "")
    throw new CliError(`output ${name} is missing or empty in the environment's outputs`);
  return String(v);
}

export interface SecretsClient {
  getSecretString(secretArn: string, region: string): Promise<string>;
}

/** The real client: AWS SDK v3 Secrets Manager (credentials from the usual AWS chain). */
export const awsSecretsClient: SecretsClient = {
  async getSecretString(secretArn, region) {
    const { SecretsManagerClient, GetSecretValueCommand } = await import("@aws-sdk/client-secrets-manager");
    const client = new SecretsManagerClient({ region });
    try {
      const r = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
      if (!r.SecretString)
        throw new CliError(`secret ${secretArn} has no value yet (the bootstrap or \`dmsctl users\` writes it)`);
      return r.SecretString;
    } catch (e) {
      if (e instanceof CliError) throw e;
      throw new CliError(`cannot read secret ${secretArn}: ${(e as Error).name}: ${(e as Error).message}`);
    }
  },
};

/** An endpoint from a DMS-format secret (username, password, host, port). */
export async function endpointFromEnv(side: Side, outputs: Outputs, secrets: SecretsClient): Promise<Endpoint> {
  const region = output(outputs, OUTPUT_NAMES.region);
  const arn = output(outputs, side === "source" ? OUTPUT_NAMES.sourceDmsSecretArn : OUTPUT_NAMES.targetDmsSecretArn);
  const text = await secrets.getSecretString(arn, region);
  let s: { username?: string; password?: string; host?: string; port?: number | string };
  try {
    s = JSON.parse(text);
  } catch {
    throw new CliError(`secret ${arn} is not JSON in the DMS format (username, password, host, port)`);
  }
  if (!s.username || !s.password || !s.host) throw new CliError(`secret ${arn} lacks username, password or host`);
  const schemas = outputs[OUTPUT_NAMES.migratedSchemas];
  return {
    side,
    host: s.host,
    port: Number(s.port ?? 3306),
    user: s.username,
    password: s.password,
    schema: Array.isArray(schemas) && schemas.length === 1 ? String(schemas[0]) : undefined,
    sslMode: side === "target" ? "verify-full" : "preferred",
    sslCa: side === "target" ? "rds" : undefined,
  };
}

/** The `migrated_schemas` output (a list; a comma-separated string is accepted too). */
export function migratedSchemas(outputs: Outputs): string[] {
  const raw = outputs[OUTPUT_NAMES.migratedSchemas];
  const list = Array.isArray(raw) ? raw.map(String) : typeof raw === "string" ? raw.split(",") : [];
  const schemas = list.map((s) => s.trim()).filter(Boolean);
  if (schemas.length === 0)
    throw new CliError(
      `output ${OUTPUT_NAMES.migratedSchemas} is missing or empty in the environment's outputs (or pass --schema)`,
    );
  return schemas;
}

/** The `target_port` output as a TCP port. */
export function targetPort(outputs: Outputs): number {
  const raw = output(outputs, OUTPUT_NAMES.targetPort);
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new CliError(`output ${OUTPUT_NAMES.targetPort} must be a TCP port, got ${JSON.stringify(raw)}`);
  return port;
}

/**
 * The RDS target as its master user, from the RDS-managed master secret (`target_master_secret_arn`: JSON with
 * `username` and `password` only) read with the operator's AWS credentials. TLS verify-full against the RDS CAs,
 * as every --env target connection; `sslMode`/`sslCa` override that (a custom CA; tests against a local server).
 * `region` overrides the `region` output.
 */
export async function targetMasterEndpoint(
  outputs: Outputs,
  secrets: SecretsClient,
  o: { region?: string; sslMode?: SslMode; sslCa?: string } = {},
): Promise<Endpoint> {
  const region = o.region ?? output(outputs, OUTPUT_NAMES.region);
  const host = output(outputs, OUTPUT_NAMES.targetEndpointAddress);
  const port = targetPort(outputs);
  const arn = output(outputs, OUTPUT_NAMES.targetMasterSecretArn);
  const text = await secrets.getSecretString(arn, region);
  let s: { username?: unknown; password?: unknown };
  try {
    s = JSON.parse(text);
  } catch {
    throw new CliError(`secret ${arn} is not JSON (expected the RDS-managed master user secret: username, password)`);
  }
  if (
    !s ||
    typeof s !== "object" ||
    typeof s.username !== "string" ||
    !s.username ||
    typeof s.password !== "string" ||
    !s.password
  ) {
    throw new CliError(`secret ${arn} lacks username or password (expected the RDS-managed master user secret)`);
  }
  return {
    side: "target",
    host,
    port,
    user: s.username,
    password: s.password,
    sslMode: o.sslMode ?? "verify-full",
    sslCa: o.sslCa ?? "rds",
  };
}
