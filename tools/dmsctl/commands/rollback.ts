import { CliError, EXIT_FINDING, EXIT_OK, renderTable } from "../common";
import { Command, format, int, list, need, num, schemasOf } from "../args";

const seconds = (ms: number | undefined) =>
  ms === undefined ? "" : ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
const METHODS = ["auto", "read-only", "revoke"] as const;

export const rollback: Command = {
  summary:
    "the way back after cutover: freeze the target, drain the fallback to zero lag, validate, flip back to the source; --flip only flips",
  usage:
    "dmsctl rollback --source URL --target URL [--env ENV] [--schema S] [--freeze-method auto|read-only|revoke] [--app-users U[,U2]] [--max-latency-seconds 5] [--chunk-size 10000] [--parallel 4] [--retry-delay-seconds 5]\n       dmsctl rollback --flip --env ENV",
  details: `Steps (NO-GO, an error or Ctrl-C before the flip put back everything the run changed, and say so):
  1. freeze the target: no application write may land on it any more
  2. drain: a canary written on the target must reach the source through the fallback (zero lag)
  3. validate, the target as the reference (a difference is a NO-GO)
  4. flip back: the source's read_only as cutover found it (outputs/<env>.cutover.json), and with --env the
     stable name points at the source again (Route 53); from here the source takes the writes, the target stays
     frozen
  5. with --env: stop the fallback task
Then it reports what moved (rows per table since cutover, the target's binlog since the cutover position).
With --env the source and target URLs still name admin accounts (the DMS users may not freeze); --env adds the
outputs: the fallback task, the record, the state file.

Options:
  --schema S[,S2]          schemas to validate (default: the URL's schema, or the environment's migrated schemas)
  --freeze-method M        how the target is frozen: read-only (SET GLOBAL read_only, where the user may: the lab,
                           a self-managed server), revoke (the write privileges of --app-users are revoked and their
                           sessions ended: RDS, where no user may set read_only), auto (default: read-only when
                           the user may, else revoke)
  --app-users U[,U2]       the application's accounts on the target (user or user@host), for --freeze-method revoke
  --max-latency-seconds S  the fallback's canary must arrive within 4x this, at least 10 s (default 5)
  --chunk-size N           validate's rows per checksum chunk, 10-10,000,000 (default 10000)
  --parallel N             validate's tables compared at once, 1-64 (default 4)
  --retry-delay-seconds S  validate's wait before re-checking differing rows (default 5)
  --flip                   only point the stable database name back at the source (Route 53 UPSERT, then wait for
                           INSYNC): for an emergency; prints how to bring cutover.activeDatabase in line
  --flip-timeout-seconds N  how long Route 53 may take to report a change INSYNC, 1-3600 (default 120)
  --task-timeout-seconds N  how long the fallback task may take to stop, 1-3600 (default 600)`,
  options: {
    schema: { type: "string" },
    "freeze-method": { type: "string" },
    "app-users": { type: "string" },
    "max-latency-seconds": { type: "string" },
    "chunk-size": { type: "string" },
    parallel: { type: "string" },
    "retry-delay-seconds": { type: "string" },
    flip: { type: "boolean" },
    "flip-timeout-seconds": { type: "string" },
    "task-timeout-seconds": { type: "string" },
  },
  async run(v, io) {
    if (v.flip) {
      const { flipOnly } = await import("../route53");
      return flipOnly(v, io, "source", "rollback");
    }
    // Every option before any connection or AWS call.
    const method = (v["freeze-method"] as string | undefined) ?? "auto";
    if (!(METHODS as readonly string[]).includes(method))
      throw new CliError(`--freeze-method must be one of ${METHODS.join(", ")}, got ${JSON.stringify(method)}`);
    const appUsers = list(v, "app-users");
    const maxLatencySeconds = num(v, "max-latency-seconds", 5);
    const validateOptions = {
      chunkSize: int(v, "chunk-size", 10000, 10, 10_000_000),
      parallel: int(v, "parallel", 4, 1, 64),
      retryDelayMs: num(v, "retry-delay-seconds", 5) * 1000,
    };
    const flipTimeoutMs = int(v, "flip-timeout-seconds", 120, 1, 3600) * 1000;
    const taskTimeoutMs = int(v, "task-timeout-seconds", 600, 1, 3600) * 1000;
    let env;
    let envSchemas: string[] | undefined;
    if (v.env) {
      const { readOutputs, output, optionalOutput, cutoverStatePath, migratedSchemas } = await import("../env");
      const { OUTPUT_NAMES } = await import("../shared");
      const name = String(v.env);
      const outputsFile = v["outputs-file"] as string | undefined;
      const outputs = readOutputs(name, outputsFile);
      const arn = optionalOutput(outputs, OUTPUT_NAMES.fallbackTaskArn);
      env = {
        name,
        outputs,
        region: output(outputs, OUTPUT_NAMES.region),
        statePath: cutoverStatePath(name, outputsFile),
        fallback: arn
          ? { arn, label: `fallback task ${optionalOutput(outputs, OUTPUT_NAMES.fallbackTaskId) ?? arn}` }
          : undefined,
        flipTimeoutMs,
        taskTimeoutMs,
      };
      envSchemas = v.schema ? undefined : migratedSchemasOrUndefined(() => migratedSchemas(outputs));
    }
    const source = await need(v, "source", io);
    const target = await need(v, "target", io);
    const { rollback } = await import("../rollback");
    const json = format(v) === "json";
    const r = await rollback(source, target, {
      schemas: schemasOf(v, source, target) ?? envSchemas,
      maxLatencySeconds,
      validate: validateOptions,
      freezeMethod: method as (typeof METHODS)[number],
      appUsers,
      env,
      log: json ? undefined : (l) => io.err(l),
    });
    if (json)
      io.out(
        JSON.stringify(
          {
            go: r.go,
            targetFrozen: r.targetFrozen,
            freezeMethod: r.freezeMethod,
            steps: r.steps,
            moved: r.moved,
            notes: r.notes,
            instructions: r.instructions,
          },
          null,
          2,
        ),
      );
    else {
      io.out(
        renderTable(
          ["step", "result", "time", "detail"],
          r.steps.map((s) => [s.step, s.ok ? "OK" : "NO-GO", seconds(s.ms), s.detail]),
        ),
      );
      for (const n of r.notes) io.out(`NOTE: ${n}`);
      if (r.moved) {
        io.out("\nWhat moved back to the source since cutover:");
        io.out(
          renderTable(
            ["table", "rows at cutover", "rows now", "net"],
            r.moved.tables.map((t) => [
              t.table,
              t.rowsAtCutover ?? "?",
              t.rowsNow ?? "?",
              t.netRows === null ? "?" : t.netRows > 0 ? `+${t.netRows}` : t.netRows,
            ]),
          ),
        );
        if (r.moved.binlog)
          io.out(
            `target binlog ${r.moved.binlog.from} -> ${r.moved.binlog.to}: ${r.moved.binlog.bytes ?? "?"} bytes written on the target after cutover`,
          );
      }
      io.out(
        r.steps.some((s) => s.step === "flip back")
          ? `\nROLLED BACK${r.go ? "" : " (with a finding: see the failing step)"}. Next:\n${r.instructions.map((x, i) => `  ${i + 1}. ${x}`).join("\n")}`
          : "\nNO-GO: nothing was kept; the target takes the writes as before. Fix the failing step and run rollback again.",
      );
    }
    return r.go ? EXIT_OK : EXIT_FINDING;
  },
};

function migratedSchemasOrUndefined(f: () => string[]): string[] | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}
