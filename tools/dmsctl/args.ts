/**
 * What every dmsctl command shares: the parsed option values, the output streams, the connection options and their
 * help, and the parsers of option values (each names the option and the value it refuses).
 */
import { ParseArgsConfig } from "util";
import { CliError, Endpoint, Side, parseMysqlUrl, parseSslOptions } from "./common";

export type Values = Record<string, string | boolean | undefined>;
export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  env: NodeJS.ProcessEnv;
  /** Ends the process (the bin's io only): after an interrupt, so no leftover timer or socket keeps it alive. */
  exit?: (code: number) => void;
}

export const CONNECTION_HELP = `Connections:
  --source URL              mysql://user[:password]@host:port[/schema]  (password better in DMSCTL_SOURCE_PASSWORD)
  --target URL              mysql://user[:password]@host:port[/schema]  (password better in DMSCTL_TARGET_PASSWORD)
  --source-ssl-mode MODE    disabled | preferred | required | verify-ca | verify-full  (default preferred)
  --target-ssl-mode MODE    same; use verify-full with --target-ssl-ca rds for RDS
  --source-ssl-ca FILE|rds  CA certificate PEM, or "rds" for the Amazon RDS CA bundles
  --target-ssl-ca FILE|rds
  --env ENV                 take host, port, user and password from a deployed environment: its Terraform outputs
                            and the DMS secrets in Secrets Manager (AWS credentials from the usual chain)
  --outputs-file FILE       outputs of that environment (terraform output -json); default outputs/<env>.json
Output:
  --format text|json        (default text)`;

export const CONN_OPTIONS: ParseArgsConfig["options"] = {
  source: { type: "string" },
  target: { type: "string" },
  "source-ssl-mode": { type: "string" },
  "target-ssl-mode": { type: "string" },
  "source-ssl-ca": { type: "string" },
  "target-ssl-ca": { type: "string" },
  env: { type: "string" },
  "outputs-file": { type: "string" },
  format: { type: "string" },
  help: { type: "boolean", short: "h" },
};

export interface Command {
  summary: string;
  usage: string;
  /** More than the summary, for `dmsctl <command> --help`. */
  details?: string;
  options: ParseArgsConfig["options"];
  run(v: Values, io: Io): Promise<number>;
}

export function int(v: Values, name: string, dflt: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = v[name];
  if (raw === undefined) return dflt;
  // digits only: Number() would also take "0x10", " 1e1" and "1e3"
  const n = /^-?\d+$/.test(String(raw)) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < min || n > max)
    throw new CliError(`--${name} must be an integer between ${min} and ${max}, got ${JSON.stringify(raw)}`);
  return n;
}

export function num(v: Values, name: string, dflt: number): number {
  const raw = v[name];
  if (raw === undefined) return dflt;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new CliError(`--${name} must be a number > 0, got ${JSON.stringify(raw)}`);
  return n;
}

export function list(v: Values, name: string): string[] | undefined {
  const raw = v[name];
  if (raw === undefined) return undefined;
  const items = String(raw)
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean);
  if (items.length === 0) throw new CliError(`--${name} must list at least one name, got ${JSON.stringify(raw)}`);
  return items;
}

export function format(v: Values): "text" | "json" {
  const f = (v.format as string | undefined) ?? "text";
  if (f !== "text" && f !== "json") throw new CliError(`--format must be text or json, got ${JSON.stringify(f)}`);
  return f;
}

/** --<side>-ssl-mode and --<side>-ssl-ca as given (unparsed). */
export function sslFlags(v: Values, side: Side): { mode?: string; ca?: string } {
  return { mode: v[`${side}-ssl-mode`] as string | undefined, ca: v[`${side}-ssl-ca`] as string | undefined };
}

export async function endpoint(v: Values, side: Side, io: Io, required: boolean): Promise<Endpoint | undefined> {
  const url = v[side] as string | undefined;
  if (url) return parseMysqlUrl(url, side, io.env, sslFlags(v, side));
  if (v.env) {
    const overrides = parseSslOptions(side, sslFlags(v, side));
    const { readOutputs, endpointFromEnv, awsSecretsClient } = await import("./env");
    const e = await endpointFromEnv(
      side,
      readOutputs(String(v.env), v["outputs-file"] as string | undefined),
      awsSecretsClient,
    );
    return { ...e, ...overrides };
  }
  if (required) throw new CliError(`--${side} is required (mysql://user@host:port/schema) or --env`);
  return undefined;
}

export const need = async (v: Values, side: Side, io: Io) => (await endpoint(v, side, io, true))!;

/** --dms-source-user / --dms-target-user: whose grants preflight checks (default: the connecting users'). */
export function dmsUsersOf(v: Values): { source?: string; target?: string } {
  return { source: v["dms-source-user"] as string | undefined, target: v["dms-target-user"] as string | undefined };
}

export function schemasOf(v: Values, ...eps: (Endpoint | undefined)[]): string[] | undefined {
  return list(v, "schema") ?? eps.find((e) => e?.schema)?.schema?.split(",");
}
