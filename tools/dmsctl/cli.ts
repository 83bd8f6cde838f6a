/**
 * dmsctl: prove a MySQL -> RDS migration with real databases. `dmsctl <command> --help` for each command.
 * Exit codes: 0 all clear, 1 a finding (blocker, difference, latency over threshold), 2 an error (usage, connection,
 * a connection lost mid-run), 130 interrupted (SIGINT/SIGTERM; what the run changed on a server is restored first).
 * Every command module is loaded lazily, so `dmsctl --help` starts in milliseconds.
 */
import { parseArgs, ParseArgsConfig } from "util";
import type { UserSpec } from "./users";
import {
  CliError,
  EXIT_ERROR,
  EXIT_FINDING,
  EXIT_INTERRUPTED,
  EXIT_OK,
  Endpoint,
  Progress,
  Side,
  isLostConnection,
  parseMysqlUrl,
  parseSslOptions,
  passwordsInArgs,
  redactUrl,
  renderTable,
} from "./common";
import { RunContext, currentRun, withRunContext } from "./run-context";

type Values = Record<string, string | boolean | undefined>;
interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  env: NodeJS.ProcessEnv;
  /** Ends the process (the bin's io only): after an interrupt, so no leftover timer or socket keeps it alive. */
  exit?: (code: number) => void;
}

const CONNECTION_HELP = `Connections:
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

const CONN_OPTIONS: ParseArgsConfig["options"] = {
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

interface Command {
  summary: string;
  usage: string;
  /** More than the summary, for `dmsctl <command> --help`. */
  details?: string;
  options: ParseArgsConfig["options"];
  run(v: Values, io: Io): Promise<number>;
}

function int(v: Values, name: string, dflt: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = v[name];
  if (raw === undefined) return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new CliError(`--${name} must be an integer between ${min} and ${max}, got ${JSON.stringify(raw)}`);
  return n;
}

function num(v: Values, name: string, dflt: number): number {
  const raw = v[name];
  if (raw === undefined) return dflt;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new CliError(`--${name} must be a number > 0, got ${JSON.stringify(raw)}`);
  return n;
}

function list(v: Values, name: string): string[] | undefined {
  const raw = v[name];
  if (raw === undefined) return undefined;
  const items = String(raw)
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean);
  if (items.length === 0) throw new CliError(`--${name} must list at least one name, got ${JSON.stringify(raw)}`);
  return items;
}

function format(v: Values): "text" | "json" {
  const f = (v.format as string | undefined) ?? "text";
  if (f !== "text" && f !== "json") throw new CliError(`--format must be text or json, got ${JSON.stringify(f)}`);
  return f;
}

/** --<side>-ssl-mode and --<side>-ssl-ca as given (unparsed). */
function sslFlags(v: Values, side: Side): { mode?: string; ca?: string } {
  return { mode: v[`${side}-ssl-mode`] as string | undefined, ca: v[`${side}-ssl-ca`] as string | undefined };
}

async function endpoint(v: Values, side: Side, io: Io, required: boolean): Promise<Endpoint | undefined> {
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

const need = async (v: Values, side: Side, io: Io) => (await endpoint(v, side, io, true))!;

/** --dms-source-user / --dms-target-user: whose grants preflight checks (default: the connecting users'). */
function dmsUsersOf(v: Values): { source?: string; target?: string } {
  return { source: v["dms-source-user"] as string | undefined, target: v["dms-target-user"] as string | undefined };
}

function schemasOf(v: Values, ...eps: (Endpoint | undefined)[]): string[] | undefined {
  return list(v, "schema") ?? eps.find((e) => e?.schema)?.schema?.split(",");
}

const COMMANDS: Record<string, Command> = {
  preflight: {
    summary: "check the source (and target) can be replicated by DMS: binlog, privileges, keys, engines, types",
    usage:
      "dmsctl preflight --source URL [--target URL] [--schema S[,S2]] [--dms-source-user dms_source] [--dms-target-user dms_target] [--lob-max-size-kb 64]",
    details: `Options:
  --schema S[,S2]           schemas DMS migrates (default: the schema of the --source or --target URL); without
                            one only the server-wide checks run
  --dms-source-user U       check this source account's grants (user or user@host) instead of the connecting
                            user's (default: the connecting user)
  --dms-target-user U       the same for the target account
  --lob-max-size-kb N       the DMS task's LobMaxSize, the environment's lobMaxSizeKb (default 64, the task's
                            default; 0 = full LOB mode, no limit; 0 to 102400): LOB columns whose values are larger
                            are reported (a table's first 100000 rows read, 10 s at most)
Each check is PASS, WARN or FAIL with the value seen and the fix. Exit 0 with no FAIL, 1 with one, 2 on a usage or
connection error.`,
    options: {
      schema: { type: "string" },
      "dms-source-user": { type: "string" },
      "dms-target-user": { type: "string" },
      "lob-max-size-kb": { type: "string" },
    },
    async run(v, io) {
      const lobMaxSizeKb = int(v, "lob-max-size-kb", 64, 0, 102400);
      const source = await need(v, "source", io);
      const target = await endpoint(v, "target", io, false);
      const { preflight } = await import("./preflight");
      const r = await preflight(source, target, schemasOf(v, source, target), dmsUsersOf(v), { lobMaxSizeKb });
      if (format(v) === "json") io.out(JSON.stringify(r, null, 2));
      else {
        io.out(
          renderTable(
            ["side", "check", "status", "value", "fix"],
            r.checks.map((c) => [
              c.side,
              c.check,
              c.status.toUpperCase(),
              c.value,
              c.status === "pass" ? "" : (c.fix ?? ""),
            ]),
          ),
        );
        io.out(
          r.ok
            ? "\npreflight: no blocker"
            : `\npreflight: ${r.checks.filter((c) => c.status === "fail").length} blocker(s)`,
        );
      }
      return r.ok ? EXIT_OK : EXIT_FINDING;
    },
  },
  seed: {
    summary: "create the sample schema (the EC2 bootstrap's SQL) and generate realistic data fast",
    usage:
      "dmsctl seed --source URL [--schema ecommerce] [--products 1000] [--orders 100000] [--method auto|insert|load-data] [--batch-rows 20000]",
    details: `Options:
  --schema S             schema to create and fill (default: the URL's schema, else ecommerce)
  --products N           products to generate, 1-10,000,000 (default 1000)
  --orders N             orders to generate (each with its items), 0-1,000,000,000 (default 100000)
  --method M             auto (LOAD DATA LOCAL INFILE when the server allows it, else INSERT), insert or load-data
                         (default auto)
  --batch-rows N         rows per batch, 1-100,000 (default 20000); the same run gives the same keys`,
    options: {
      schema: { type: "string" },
      products: { type: "string" },
      orders: { type: "string" },
      method: { type: "string" },
      "batch-rows": { type: "string" },
    },
    async run(v, io) {
      const source = await need(v, "source", io);
      const method = (v.method as string | undefined) ?? "auto";
      if (method !== "insert" && method !== "load-data" && method !== "auto") {
        throw new CliError(`--method must be auto, insert or load-data, got ${JSON.stringify(method)}`);
      }
      const { seed } = await import("./seed");
      const { SAMPLE_SCHEMA } = await import("./shared");
      const products = int(v, "products", 1000, 1, 10_000_000);
      const orders = int(v, "orders", 100_000, 0, 1_000_000_000);
      const bar = new Progress("seed", products + orders);
      const r = await seed(source, {
        schema: (v.schema as string | undefined) ?? source.schema ?? SAMPLE_SCHEMA,
        products,
        orders,
        method,
        batchRows: int(v, "batch-rows", 20000, 1, 100_000),
        onProgress: (d) => bar.update(d),
      });
      io.out(
        format(v) === "json"
          ? JSON.stringify(r)
          : `seeded ${r.products} products and ${r.orders} orders in ${r.seconds.toFixed(1)} s (${Math.round(r.rowsPerSecond)} rows/s, ${r.method})`,
      );
      return EXIT_OK;
    },
  },
  schema: {
    summary:
      "copy table definitions source -> target before the full load (foreign keys and triggers held back); --finalize adds them",
    usage: [
      "dmsctl schema --env ENV [--outputs-file FILE] [--source URL] [--schema S[,S2]] [--finalize] [--force] [--dry-run]",
      "       dmsctl schema --source URL --target URL [--schema S] [--finalize] [--force] [--dry-run]",
    ].join("\n"),
    details: `Options:
  --schema S[,S2]           schemas to copy (default: the schema of the --source/--target URL, with --env the
                            environment's migrated_schemas output)
  --finalize                at cutover: add the foreign keys and triggers held back before the full load (default off)
  --force                   recreate target tables whose definition differs even when they have rows, losing the
                            rows (default off: such tables are refused and reported as drift)
  --dry-run                 change nothing: list what would be created or recreated, and report it as drift,
                            including a schema the target does not have (default off)
Drift names what differs: each column or index only on one side or defined differently (both definitions),
column order, table options. Exit 0 when source and target agree, 1 on drift or a refused table, 2 on a usage or
connection error.
With --env ENV the target is reached as the RDS master user, exactly as dmsctl users --env does: the
RDS-managed master user secret (output target_master_secret_arn, read with your AWS credentials), TLS verify-full
against the RDS CAs (--target-ssl-mode / --target-ssl-ca override it). Not as dms_target: the DMS user may not
create triggers or reference tables in foreign keys, and triggers created by it would stop working once it is
dropped after the migration. The schemas default to the migrated_schemas output. The source is --source URL or,
without it, the source DMS secret, whose user (dms_source, SELECT only) cannot see triggers, so --finalize refuses
it: pass --source with an account that has the TRIGGER privilege (password in DMSCTL_SOURCE_PASSWORD).
An explicit --target URL is used as given.
A run is all or nothing: when a statement fails (a privilege the target user lacks, ERROR 1419 without
log_bin_trust_function_creators = 1, a lost connection), the changes this run made are undone before it exits 2.`,
    options: {
      schema: { type: "string" },
      finalize: { type: "boolean" },
      force: { type: "boolean" },
      "dry-run": { type: "boolean" },
    },
    async run(v, io) {
      const source = await need(v, "source", io);
      let target: Endpoint;
      let schemas: string[] | undefined;
      const viaMaster = !v.target && !!v.env;
      if (viaMaster) {
        // The RDS master user, as `users --env`: the one account that may create triggers and foreign keys there.
        const tls = parseSslOptions("target", sslFlags(v, "target"));
        const { readOutputs, targetMasterEndpoint, migratedSchemas, awsSecretsClient } = await import("./env");
        const outputs = readOutputs(String(v.env), v["outputs-file"] as string | undefined);
        schemas = schemasOf(v, source) ?? migratedSchemas(outputs);
        target = await targetMasterEndpoint(outputs, awsSecretsClient, tls);
      } else {
        target = await need(v, "target", io);
        schemas = schemasOf(v, source, target);
      }
      const { copySchema } = await import("./schema");
      const r = await copySchema(source, target, {
        schemas: schemas ?? [],
        finalize: v.finalize === true,
        force: v.force === true,
        dryRun: v["dry-run"] === true,
        targetIsRdsMaster: viaMaster,
      });
      if (format(v) === "json") io.out(JSON.stringify(r, null, 2));
      else {
        io.out(
          renderTable(
            ["table", "action", "detail"],
            r.events.map((e) => [e.table, e.action, e.detail ?? ""]),
          ),
        );
        io.out(
          r.drift.length === 0
            ? "\nno drift between source and target"
            : `\ndrift:\n${renderTable(
                ["table", "detail"],
                r.drift.map((d) => [d.table, d.detail]),
              )}`,
        );
        if (v["dry-run"] === true) io.out("\n(dry run: nothing was changed on the target)");
      }
      return r.drift.length === 0 && !r.events.some((e) => e.action === "refused") ? EXIT_OK : EXIT_FINDING;
    },
  },
  status: {
    summary: "the live DMS task: state, full-load progress per table, CDC latency and recent errors (AWS APIs)",
    usage: "dmsctl status --env ENV [--outputs-file FILE]",
    details: `Reads the environment's Terraform outputs (--outputs-file, default outputs/<env>.json from terraform output
-json) and asks AWS (your credentials, the usual chain) for the task's state, per-table full-load progress, the CDC
latency metrics and the last error lines of the task log. No database connection.`,
    options: {},
    async run(v, io) {
      if (!v.env) throw new CliError("status needs --env (the deployed environment whose task to show)");
      const { readOutputs, output } = await import("./env");
      const { taskStatus, awsStatusApi } = await import("./status");
      const { OUTPUT_NAMES } = await import("./shared");
      const outputs = readOutputs(String(v.env), v["outputs-file"] as string | undefined);
      const s = await taskStatus(outputs, awsStatusApi(output(outputs, OUTPUT_NAMES.region)));
      if (format(v) === "json") io.out(JSON.stringify(s, null, 2));
      else {
        const t = s.task;
        io.out(
          `task ${t.id}: ${t.status}${t.fullLoadProgressPercent !== undefined ? `, full load ${t.fullLoadProgressPercent}%` : ""}${t.stopReason ? ` (${t.stopReason})` : ""}`,
        );
        io.out(
          `tables: ${t.tablesLoaded ?? 0} loaded, ${t.tablesLoading ?? 0} loading, ${t.tablesQueued ?? 0} queued, ${t.tablesErrored ?? 0} errored`,
        );
        io.out(`CDC latency: source ${s.latency.sourceSeconds ?? "-"} s, target ${s.latency.targetSeconds ?? "-"} s`);
        if (t.lastFailureMessage) io.out(`last failure: ${t.lastFailureMessage}`);
        io.out("");
        io.out(
          renderTable(
            ["table", "state", "full load rows", "inserts", "updates", "deletes", "validation"],
            s.tables.map((x) => [
              `${x.schema}.${x.table}`,
              x.state,
              x.fullLoadRows,
              x.inserts,
              x.updates,
              x.deletes,
              x.validationState ?? "",
            ]),
          ),
        );
        if (s.recentErrors.length > 0)
          io.out(`\nrecent errors:\n${s.recentErrors.map((e) => `${e.time} ${e.message}`).join("\n")}`);
      }
      const healthy =
        !/fail|error/i.test(s.task.status) && (s.task.tablesErrored ?? 0) === 0 && s.recentErrors.length === 0;
      return healthy ? EXIT_OK : EXIT_FINDING;
    },
  },
  verify: {
    summary: "write a canary to the heartbeat table on the source and time its arrival on the target",
    usage:
      "dmsctl verify --source URL --target URL [--timeout-seconds 60] [--max-latency-seconds S] [--watch [--count N] [--interval-ms 1000]]",
    details: `Options:
  --timeout-seconds N      how long a canary may take to arrive, 1-3600 (default 60); a late one is a finding
  --max-latency-seconds S  a finding (exit 1) when the latency is over S (default: no limit)
  --watch                  keep sending canaries and print current / average / maximum latency until Ctrl-C
                           (which ends it normally, with the summary) or --count canaries
  --count N                with --watch: stop after N canaries (default 0: until Ctrl-C)
  --interval-ms N          with --watch: time between canaries, 10-60000 ms (default 1000)
The canary goes to dms_migrate.heartbeat on the source (never a business table); the DMS task must include it
(the generated table mappings do). A heartbeat table missing on either side is an error naming the side.`,
    options: {
      "timeout-seconds": { type: "string" },
      "max-latency-seconds": { type: "string" },
      watch: { type: "boolean" },
      count: { type: "string" },
      "interval-ms": { type: "string" },
    },
    async run(v, io) {
      const source = await need(v, "source", io);
      const target = await need(v, "target", io);
      const { verify } = await import("./verify");
      const watch = v.watch === true;
      const json = format(v) === "json";
      // Every option before the first canary is written.
      if (!watch && v.count !== undefined)
        throw new CliError(
          `--count needs --watch (without it verify sends one canary), got --count ${JSON.stringify(v.count)}`,
        );
      const timeoutSeconds = int(v, "timeout-seconds", 60, 1, 3600);
      const count = watch ? int(v, "count", 0, 0) : 1;
      const intervalMs = int(v, "interval-ms", 1000, 10, 60_000);
      const limit = v["max-latency-seconds"] !== undefined ? num(v, "max-latency-seconds", 5) * 1000 : undefined;
      const controller = new AbortController();
      // --watch ends normally on the first Ctrl-C (with its summary); a second one, or SIGTERM, interrupts (130).
      const ctx = currentRun();
      if (ctx && watch) {
        ctx.softInterrupt = () => {
          if (controller.signal.aborted) return false;
          controller.abort();
          return true;
        };
      }
      try {
        const r = await verify(source, target, {
          timeoutSeconds,
          count,
          intervalMs,
          signal: controller.signal,
          onBeat: (b, st) => {
            if (json) return;
            const ms = (x: number | null) => (x === null ? "timeout" : `${x.toFixed(0)} ms`);
            io.out(
              watch
                ? `current ${ms(st.current)}  avg ${ms(st.avg)}  max ${ms(st.max)}  (${st.n})`
                : `replication latency: ${ms(b.latencyMs)}`,
            );
          },
        });
        const over = limit !== undefined && r.maxMs !== null && r.maxMs > limit;
        if (json) io.out(JSON.stringify({ ...r, limitMs: limit ?? null, over }, null, 2));
        if (r.timedOut > 0) io.err(`${r.timedOut} canary(ies) did not reach the target within the timeout`);
        if (over) io.err(`max latency ${r.maxMs!.toFixed(0)} ms is over ${limit} ms`);
        return r.timedOut > 0 || over ? EXIT_FINDING : EXIT_OK;
      } finally {
        if (ctx) ctx.softInterrupt = undefined;
      }
    },
  },
  validate: {
    summary: "compare every table row by row (counts, chunk checksums, differing keys), read-only on both sides",
    usage:
      "dmsctl validate --source URL --target URL [--schema S] [--tables a,b] [--chunk-size N] [--parallel N] [--retries 3] [--retry-delay-seconds 5] [--max-differences N]",
    details: `Options:
  --schema S[,S2]           schemas to compare (default: the schema of the --source URL, else every user schema)
  --tables a,b              only these tables (name or schema.name; default every base table of the schemas)
  --chunk-size N            rows per checksummed chunk, the key range width for integer keys (default 10000;
                            10 to 10000000); a wider chunk costs no more memory, only a longer re-read when it differs
  --parallel N              tables compared at once, one connection per server each (default 4; 1 to 64)
  --retries N               re-checks of what differs before it is reported, so rows in flight under CDC are not
                            (default 3; 0 to 100)
  --retry-delay-seconds S   wait before each re-check: the replication lag to allow for (default 5)
  --max-differences N       differing keys listed per table (default 1000); the counts are always the true counts,
                            and a table with more says "N differences, first M listed" ("truncated": true in JSON)
Column types that differ between the servers are named first (with both types): rows that differ only there show
as changed. Values longer than 256 characters (1024 bytes) are compared by their MD5, so no row is too long for
max_allowed_packet. A table without a primary key or NOT NULL unique key is compared as a whole, duplicates
counted; its differing rows cannot be named. The progress line (on a terminal) shows rows checksummed so far out
of the servers' estimate. Exit 0 when every table matches, 1 when one differs or cannot be compared, 2 on a usage
or connection error.`,
    options: {
      schema: { type: "string" },
      tables: { type: "string" },
      "chunk-size": { type: "string" },
      parallel: { type: "string" },
      retries: { type: "string" },
      "retry-delay-seconds": { type: "string" },
      "max-differences": { type: "string" },
    },
    async run(v, io) {
      const source = await need(v, "source", io);
      const target = await need(v, "target", io);
      const { validate, ValidateInputError } = await import("./validate");
      const { renderValidateText, ValidateProgressLine } = await import("./validate-report");
      const bar = new ValidateProgressLine();
      let r;
      try {
        r = await validate(source, target, {
          schemas: schemasOf(v, source),
          tables: list(v, "tables"),
          chunkSize: int(v, "chunk-size", 10000, 10, 10_000_000),
          parallel: int(v, "parallel", 4, 1, 64),
          retries: int(v, "retries", 3, 0, 100),
          retryDelayMs: num(v, "retry-delay-seconds", 5) * 1000,
          maxDifferences: int(v, "max-differences", 1000, 1),
          onProgress: (p) => bar.update(p),
        });
      } catch (e) {
        if (e instanceof ValidateInputError) throw new CliError(e.message);
        throw e;
      }
      io.out(format(v) === "json" ? JSON.stringify(r, null, 2) : renderValidateText(r));
      // A table that differs or could not be compared (missing on the target, columns differ) is a finding: exit 1.
      // Exit 2 is for what stops the comparison itself (usage, connections, a missing schema).
      return r.tables.every((t) => t.status === "match") ? EXIT_OK : EXIT_FINDING;
    },
  },
  cutover: {
    summary:
      "go/no-go: preflight, latency under threshold, validate clean; --freeze-source sets the source read-only and re-validates",
    usage:
      "dmsctl cutover --source URL --target URL [--schema S] [--max-latency-seconds 5] [--freeze-source] [--dms-source-user U] [--dms-target-user U] [--chunk-size 10000] [--parallel 4] [--retry-delay-seconds 5]",
    details: `Options:
  --schema S[,S2]          schemas to check (default: the URL's schema)
  --max-latency-seconds S  the replication latency the go needs, measured with canaries (default 5)
  --freeze-source          after the first checks, set the source read-only, wait for a final canary and validate
                           again; on NO-GO, an error or Ctrl-C read_only is put back as it was found
  --dms-source-user U      the DMS source user preflight checks the privileges of (default: the connecting user)
  --dms-target-user U      the DMS target user preflight checks the privileges of (default: the connecting user)
  --chunk-size N           validate's rows per checksum chunk, 10-10,000,000 (default 10000)
  --parallel N             validate's tables compared at once, 1-64 (default 4)
  --retry-delay-seconds S  validate's wait before re-checking differing rows (CDC in flight) (default 5)`,
    options: {
      schema: { type: "string" },
      "dms-source-user": { type: "string" },
      "dms-target-user": { type: "string" },
      "max-latency-seconds": { type: "string" },
      "freeze-source": { type: "boolean" },
      "chunk-size": { type: "string" },
      parallel: { type: "string" },
      "retry-delay-seconds": { type: "string" },
    },
    async run(v, io) {
      const source = await need(v, "source", io);
      const target = await need(v, "target", io);
      const { cutover } = await import("./cutover");
      const json = format(v) === "json";
      const r = await cutover(source, target, {
        schemas: schemasOf(v, source, target),
        maxLatencySeconds: num(v, "max-latency-seconds", 5),
        freezeSource: v["freeze-source"] === true,
        dmsUsers: dmsUsersOf(v),
        validate: {
          chunkSize: int(v, "chunk-size", 10000, 10, 10_000_000),
          parallel: int(v, "parallel", 4, 1, 64),
          retryDelayMs: num(v, "retry-delay-seconds", 5) * 1000,
        },
        log: json ? undefined : (l) => io.err(l),
      });
      if (json)
        io.out(JSON.stringify({ go: r.go, frozen: r.frozen, steps: r.steps, instructions: r.instructions }, null, 2));
      else {
        io.out(
          renderTable(
            ["step", "result", "detail"],
            r.steps.map((s) => [s.step, s.ok ? "OK" : "NO-GO", s.detail]),
          ),
        );
        io.out(
          r.go
            ? `\nGO${r.frozen ? " (source is read-only)" : ""}. Next:\n${r.instructions.map((x, i) => `  ${i + 1}. ${x}`).join("\n")}`
            : "\nNO-GO: fix the failing step and run cutover again.",
        );
      }
      return r.go ? EXIT_OK : EXIT_FINDING;
    },
  },
  users: {
    summary:
      "create or rotate the least-privilege DMS users and write their DMS secrets: the target as its RDS master user (--env), an existing source",
    usage: [
      "dmsctl users --env ENV [--outputs-file FILE] [--schema S[,S2]] [--region R] [--source URL [--source-secret-arn ARN]]",
      "       dmsctl users --schema S --region R [--source URL --source-secret-arn ARN] [--target URL --target-secret-arn ARN] [--source-secret-host H] [--target-secret-host H]",
    ].join("\n"),
    details: `The normal way, after terraform apply: dmsctl users --env ENV. It reads the environment's Terraform outputs and,
with your AWS credentials, the RDS-managed master user secret (output target_master_secret_arn); connects to the
target (target_endpoint_address, target_port) as that user with TLS verify-full against the RDS CAs; creates or
rotates dms_target with the grants DMS needs on the migrated schemas (output migrated_schemas, or --schema); and
writes the DMS secret (output target_dms_secret_arn: username, password, host, port, engine). No password ever
appears on the command line or in the output. Add --source URL to do an existing source too: its secret defaults
to the source_dms_secret_arn output (the password of the URL better in DMSCTL_SOURCE_PASSWORD).
Each secret is written before its user is changed; if the SQL then fails without changing the password, the
secret's previous value is written back.

Options:
  --schema S[,S2]            schemas the DMS users are granted on (default with --env: the migrated_schemas output)
  --region R                 region of the secrets (default with --env: the region output)
  --source-secret-arn ARN    the source's DMS secret (default with --env: the source_dms_secret_arn output)
  --target-secret-arn ARN    the target's DMS secret (default with --env: the target_dms_secret_arn output)
  --source-secret-host H     the host written into the source secret, as DMS reaches it (default: the URL's host)
  --target-secret-host H     the host written into the target secret, as DMS reaches it (default: the URL's host)`,
    options: {
      schema: { type: "string" },
      region: { type: "string" },
      "source-secret-arn": { type: "string" },
      "target-secret-arn": { type: "string" },
      "source-secret-host": { type: "string" },
      "target-secret-host": { type: "string" },
    },
    async run(v, io) {
      if (!v.env && !v.source && !v.target) {
        throw new CliError(
          "users needs --env ENV (the target of a deployed environment), or --source / --target URLs with their secret ARNs",
        );
      }
      const envModule = v.env ? await import("./env") : undefined;
      const outputs = envModule?.readOutputs(String(v.env), v["outputs-file"] as string | undefined);
      const { OUTPUT_NAMES } = await import("./shared");
      const fromOutputs = (name: string) => (envModule && outputs ? envModule.output(outputs, name) : undefined);

      const region = (v.region as string | undefined) ?? fromOutputs(OUTPUT_NAMES.region);
      if (!region || !/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/.test(region)) {
        throw new CliError(
          `--region must be an AWS region such as us-east-1, got ${JSON.stringify(region)}${outputs && v.region === undefined ? ` (from output ${OUTPUT_NAMES.region})` : ""}`,
        );
      }
      // Everything that can be checked without AWS or a database first.
      const schemas = list(v, "schema") ?? (envModule && outputs ? envModule.migratedSchemas(outputs) : undefined);
      const secretOf = (side: Side) => {
        const arn =
          (v[`${side}-secret-arn`] as string | undefined) ??
          fromOutputs(side === "source" ? OUTPUT_NAMES.sourceDmsSecretArn : OUTPUT_NAMES.targetDmsSecretArn);
        if (!arn) throw new CliError(`--${side}-secret-arn is required with --${side}`);
        const host = v[`${side}-secret-host`] as string | undefined;
        // DMS reaches the target at the RDS address from the outputs, whatever this machine connects through.
        if (side === "target" && envModule && outputs) {
          return {
            secretArn: arn,
            secretHost: host ?? fromOutputs(OUTPUT_NAMES.targetEndpointAddress),
            secretPort: envModule.targetPort(outputs),
          };
        }
        return { secretArn: arn, secretHost: host };
      };
      const source = v.source
        ? { endpoint: parseMysqlUrl(String(v.source), "source", io.env, sslFlags(v, "source")), ...secretOf("source") }
        : undefined;
      let target: UserSpec | undefined;
      if (v.target)
        target = {
          endpoint: parseMysqlUrl(String(v.target), "target", io.env, sslFlags(v, "target")),
          ...secretOf("target"),
        };
      else if (envModule && outputs) {
        const secret = secretOf("target");
        // --target-ssl-mode / --target-ssl-ca override verify-full against the RDS CAs only when given.
        const tls = parseSslOptions("target", sslFlags(v, "target"));
        target = {
          endpoint: await envModule.targetMasterEndpoint(outputs, envModule.awsSecretsClient, { region, ...tls }),
          ...secret,
        };
      }
      const { createUsers, awsSecretsWriter } = await import("./users");
      const r = await createUsers({
        schemas: schemas ?? schemasOf(v, source?.endpoint, target?.endpoint) ?? [],
        region,
        source,
        target,
        secrets: awsSecretsWriter,
      });
      io.out(
        format(v) === "json"
          ? JSON.stringify(r, null, 2)
          : r.users.map((u) => `${u.side}: ${u.user} ready, credentials in ${u.secretArn}`).join("\n"),
      );
      return EXIT_OK;
    },
  },
};

function mainHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((k) => k.length));
  return `dmsctl: prove a MySQL -> Amazon RDS migration with AWS DMS, with real databases

Usage: dmsctl <command> [options]   (dmsctl <command> --help for details)

Commands:
${Object.entries(COMMANDS)
  .map(([k, c]) => `  ${k.padEnd(width)}  ${c.summary}`)
  .join("\n")}

${EXIT_CODES_HELP}`;
}

const EXIT_CODES_HELP = `Exit codes:
  0    all clear
  1    a finding (blocker, difference, latency over threshold)
  2    an error (usage, connection, a connection lost mid-run); options are checked before any connection
  130  interrupted (SIGINT/SIGTERM): every connection is closed and what the run changed on a server is put back
       as it was found first (cutover --freeze-source: read_only), and the message says what; verify --watch ends
       normally on the first Ctrl-C`;

/** Runs dmsctl; returns the exit code. */
/** Each command's own options (besides the connection options every command shares), for the help's tests. */
export function commandOptions(): Record<string, string[]> {
  return Object.fromEntries(Object.entries(COMMANDS).map(([name, c]) => [name, Object.keys(c.options ?? {})]));
}

export async function main(
  argv: string[],
  io: Io = {
    out: (s) => process.stdout.write(s + "\n"),
    err: (s) => process.stderr.write(s + "\n"),
    env: process.env,
    exit: (code) => process.exit(code),
  },
): Promise<number> {
  // Everything printed goes through the run's scrubber: the parsers never echo a password, and this is the second
  // line of defence (passwords in the arguments, the environment and every endpoint the run connected with).
  const ctx = new RunContext();
  for (const p of passwordsInArgs(argv)) ctx.addSecret(p);
  ctx.addSecret(io.env.DMSCTL_SOURCE_PASSWORD);
  ctx.addSecret(io.env.DMSCTL_TARGET_PASSWORD);
  const safe: Io = { ...io, out: (s) => io.out(ctx.scrub(s)), err: (s) => io.err(ctx.scrub(s)) };
  return run(argv, safe, ctx);
}

async function run(argv: string[], io: Io, ctx: RunContext): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    io.out(mainHelp());
    return name ? EXIT_OK : EXIT_ERROR;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    io.err(`dmsctl: unknown command ${JSON.stringify(redactUrl(name, argv))}\n\n${mainHelp()}`);
    return EXIT_ERROR;
  }
  let values: Values;
  try {
    values = parseArgs({
      args: rest,
      options: { ...CONN_OPTIONS, ...cmd.options },
      allowPositionals: false,
      strict: true,
    }).values as Values;
  } catch (e) {
    io.err(`dmsctl ${name}: ${redactUrl((e as Error).message, argv)}\nusage: ${cmd.usage}`);
    return EXIT_ERROR;
  }
  if (values.help) {
    io.out(
      `${cmd.usage}\n\n${cmd.summary}\n\n${cmd.details ? `${cmd.details}\n\n` : ""}${CONNECTION_HELP}\n\n${EXIT_CODES_HELP}`,
    );
    return EXIT_OK;
  }
  const fail = (e: unknown): number => {
    if (e instanceof CliError) {
      io.err(`dmsctl ${name}: ${e.message}`);
      return EXIT_ERROR;
    }
    const code = (e as { code?: string }).code;
    if (isLostConnection(e)) {
      io.err(`dmsctl ${name}: lost a database connection${code ? ` (${code})` : ""}: the run did not finish`);
      return EXIT_ERROR;
    }
    if (code && /^ER_|^E[A-Z]+$/.test(code)) {
      io.err(`dmsctl ${name}: ${code}: ${(e as Error).message}`);
      return EXIT_ERROR;
    }
    io.err(`dmsctl ${name}: unexpected error: ${(e as Error).stack ?? e}`);
    return EXIT_ERROR;
  };

  // Options that every command shares are checked before any work (each command checks its own before it connects).
  try {
    format(values);
  } catch (e) {
    return fail(e);
  }

  // SIGINT / SIGTERM / SIGHUP: close every connection, put back what the run changed, say what, exit 130.
  let onSignal!: (sig: NodeJS.Signals) => void;
  const interrupted = new Promise<NodeJS.Signals>((resolve) => (onSignal = resolve));
  const handler = (sig: NodeJS.Signals) => {
    if (ctx.interrupted) {
      io.err(`dmsctl ${name}: ${sig} again: still putting back what the run changed, please wait`);
      return;
    }
    if (sig === "SIGINT" && ctx.softInterrupt?.()) return;
    ctx.interrupted = sig;
    onSignal(sig);
  };
  const signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
  for (const s of signals) process.on(s, handler);
  const work = withRunContext(ctx, () => cmd.run(values, io));
  try {
    const first = await Promise.race([
      work.then(
        (code) => ({ code }),
        (error: unknown) => ({ error }),
      ),
      interrupted.then((sig) => ({ sig })),
    ]);
    if ("sig" in first) {
      work.catch(() => undefined); // it fails now that its connections are gone; the interrupt is what is reported
      io.err(`dmsctl ${name}: interrupted by ${first.sig}${ctx.stage ? ` during ${ctx.stage}` : ""}`);
      ctx.destroyConnections();
      await ctx.restoreAll();
      if (ctx.restored.length === 0)
        io.err(`dmsctl ${name}: nothing to restore: the run had changed no server setting`);
      for (const r of ctx.restored) io.err(`dmsctl ${name}: ${r.message}`);
      return EXIT_INTERRUPTED;
    }
    // An error: put back what is still pending (a command restores its own changes; this catches the rest).
    if ("error" in first) await ctx.restoreAll();
    let code = "error" in first ? fail(first.error) : first.code;
    for (const r of ctx.restored) io.err(`dmsctl ${name}: ${r.message}`);
    if (ctx.restored.some((r) => !r.ok)) code = EXIT_ERROR;
    // A connection lost mid-run means the result is incomplete: an error, whatever the command concluded.
    const lostMessages = ctx.lost
      .map((l) => l.message)
      .filter((m) => !("error" in first && (first.error as Error)?.message === m));
    for (const m of lostMessages) io.err(`dmsctl ${name}: ${m}`);
    if (ctx.lost.length > 0) code = EXIT_ERROR;
    return code;
  } finally {
    for (const s of signals) process.removeListener(s, handler);
    ctx.destroyConnections(); // whatever a command left open (a failed connect on the other side, an early throw)
    if (ctx.interrupted) io.exit?.(EXIT_INTERRUPTED);
  }
}
