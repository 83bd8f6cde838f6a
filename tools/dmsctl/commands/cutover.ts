import { CliError, EXIT_FINDING, EXIT_OK, renderTable } from "../common";
import { Command, Values, dmsUsersOf, format, int, need, num, schemasOf } from "../args";
import type { CutoverStep, FallbackPlan } from "../cutover";

const seconds = (ms: number | undefined) =>
  ms === undefined ? "" : ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;

export const cutover: Command = {
  summary:
    "go/no-go: preflight, latency under threshold, validate clean; --freeze-source sets the source read-only and re-validates; --fallback starts the way back; --flip, --rehearse",
  usage:
    "dmsctl cutover --source URL --target URL [--schema S] [--max-latency-seconds 5] [--canaries 5] [--canary-interval-ms 500] [--freeze-source [--fallback --env ENV]] [--rehearse] [--aws --env ENV] [--dms-source-user U] [--dms-target-user U] [--chunk-size 10000] [--parallel 4] [--retry-delay-seconds 5]\n       dmsctl cutover --flip --env ENV",
  details: `Options:
  --schema S[,S2]          schemas to check (default: the URL's schema)
  --max-latency-seconds S  the replication latency the go needs, measured with canaries (default 5)
  --canaries N             canaries the latency check sends, the slowest one counts, 1-100 (default 5)
  --canary-interval-ms MS  time between two canaries, 10-60000 (default 500)
  --aws                    with --env: AWS's own checks first (DMS TestConnection of every endpoint, the task's latest
                           premigration assessment run; dmsctl preflight --env E --aws starts one): any failure is NO-GO
  --freeze-source          after the first checks, set the source read-only, wait for a final canary and validate
                           again; on NO-GO, an error or Ctrl-C read_only is put back as it was found
  --fallback               with --freeze-source and --env, after the GO: stop the forward DMS task (and wait until
                           DMS reports it stopped), record the target's binlog position, keep the target's binlogs
                           (--binlog-retention-hours, RDS), start the fallback task from exactly that position
                           (CdcStartPosition <file>:<position>), and record it all in outputs/<env>.cutover.json for
                           rollback; the fallback's DMS user (--dms-source-user, default dms_source) must write
                           through read_only (CONNECTION_ADMIN / READ_ONLY ADMIN); undone on an error or Ctrl-C
  --binlog-retention-hours N  with --fallback: the target's binlog retention RDS must keep, 1-168 (default 24;
                           CALL mysql.rds_set_configuration; a server that is not RDS is left as it is)
  --task-timeout-seconds N  how long a DMS task may take to stop or start, 1-3600 (default 600)
  --flip                   only point the stable database name at the target (Route 53 UPSERT of the record in
                           --env's outputs, then wait for INSYNC): for an emergency; prints how to bring
                           cutover.activeDatabase in line (the reviewed way is that value, a pull request, an apply)
  --flip-timeout-seconds N  how long Route 53 may take to report the change INSYNC, 1-3600 (default 120)
  --rehearse               run every step against a staging or lab pair and time each (freeze, drain, final
                           validation, forward stop and fallback start: real when --env names a fallback task,
                           else simulated; the flip: a re-write of the record's current value when --env names it,
                           else simulated), print the predicted write downtime, then put everything back
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
    canaries: { type: "string" },
    "canary-interval-ms": { type: "string" },
    "freeze-source": { type: "boolean" },
    fallback: { type: "boolean" },
    "binlog-retention-hours": { type: "string" },
    "task-timeout-seconds": { type: "string" },
    flip: { type: "boolean" },
    "flip-timeout-seconds": { type: "string" },
    rehearse: { type: "boolean" },
    aws: { type: "boolean" },
    "chunk-size": { type: "string" },
    parallel: { type: "string" },
    "retry-delay-seconds": { type: "string" },
  },
  async run(v, io) {
    if (v.flip) {
      for (const x of ["freeze-source", "fallback", "rehearse"])
        if (v[x])
          throw new CliError(
            `--flip only points the stable name at the target; it does not combine with --${x} (run cutover first, then --flip)`,
          );
      const { flipOnly } = await import("../route53");
      return flipOnly(v, io, "target", "cutover");
    }
    const rehearse = v.rehearse === true;
    if (v.fallback && !v["freeze-source"] && !rehearse)
      throw new CliError(
        "--fallback needs --freeze-source: the fallback starts from the target's position once no write reaches the source",
      );
    if (v.fallback && !v.env)
      throw new CliError("--fallback needs --env (the environment's outputs name the forward and the fallback task)");
    // Every option before any connection or AWS call.
    const maxLatencySeconds = num(v, "max-latency-seconds", 5);
    const latencyCanaries = int(v, "canaries", 5, 1, 100);
    const latencyIntervalMs = int(v, "canary-interval-ms", 500, 10, 60_000);
    const validateOptions = {
      chunkSize: int(v, "chunk-size", 10000, 10, 10_000_000),
      parallel: int(v, "parallel", 4, 1, 64),
      retryDelayMs: num(v, "retry-delay-seconds", 5) * 1000,
    };
    const binlogRetentionHours = int(v, "binlog-retention-hours", 24, 1, 168);
    const taskTimeoutMs = int(v, "task-timeout-seconds", 600, 1, 3600) * 1000;
    const flipTimeoutMs = int(v, "flip-timeout-seconds", 120, 1, 3600) * 1000;
    const plan =
      v.fallback || (rehearse && v.env)
        ? await fallbackPlan(v, rehearse, binlogRetentionHours, taskTimeoutMs)
        : undefined;
    const source = await need(v, "source", io);
    const target = await need(v, "target", io);
    const { cutover } = await import("../cutover");
    const json = format(v) === "json";
    if (v.aws && !v.env)
      throw new CliError("--aws needs --env (the environment's outputs name the task and its endpoints)");
    const outputs = (rehearse || v.aws) && v.env ? await outputsOf(v) : undefined;
    const r = await cutover(source, target, {
      schemas: schemasOf(v, source, target),
      maxLatencySeconds,
      latencyCanaries,
      latencyIntervalMs,
      freezeSource: v["freeze-source"] === true,
      dmsUsers: dmsUsersOf(v),
      validate: validateOptions,
      fallback: plan,
      rehearse: rehearse ? { outputs, flipTimeoutMs, binlogRetentionHours } : undefined,
      aws: v.aws && outputs ? { outputs } : undefined,
      log: json ? undefined : (l) => io.err(l),
    });
    if (json)
      io.out(
        JSON.stringify(
          {
            go: r.go,
            frozen: r.frozen,
            steps: r.steps,
            instructions: r.instructions,
            ...(r.cdcStartPosition ? { cdcStartPosition: r.cdcStartPosition } : {}),
            ...(r.statePath ? { stateFile: r.statePath } : {}),
            ...(r.rehearsal ? { rehearsal: r.rehearsal } : {}),
          },
          null,
          2,
        ),
      );
    else {
      // The rehearsal is about time: its table has a time column (every run's JSON has each step's ms).
      io.out(
        r.rehearsal
          ? renderTable(
              ["step", "result", "time", "detail"],
              r.steps.map((s) => [s.step, s.ok ? "OK" : "NO-GO", seconds(s.ms), s.detail]),
            )
          : renderTable(
              ["step", "result", "detail"],
              r.steps.map((s) => [s.step, s.ok ? "OK" : "NO-GO", s.detail]),
            ),
      );
      if (r.rehearsal)
        io.out(`\n${rehearsalSummary(r.steps, r.rehearsal.predictedWriteDowntimeMs, r.rehearsal.ttlSeconds)}`);
      else
        io.out(
          r.go
            ? `\nGO${r.frozen ? " (source is read-only)" : ""}. Next:\n${r.instructions.map((x, i) => `  ${i + 1}. ${x}`).join("\n")}`
            : "\nNO-GO: fix the failing step and run cutover again.",
        );
    }
    return r.go && (!r.rehearsal || r.rehearsal.restored.every((x) => x.ok)) ? EXIT_OK : EXIT_FINDING;
  },
};

/** The rehearsal's verdict: the predicted write downtime and what it is made of. */
function rehearsalSummary(steps: CutoverStep[], downtimeMs: number, ttlSeconds: number | undefined): string {
  const parts = steps
    .filter((s) => s.downtime)
    .map((s) => `${s.step} ${seconds(s.ms)}${s.simulated ? " (simulated)" : ""}`)
    .join(" + ");
  return [
    `REHEARSAL${steps.every((s) => s.ok) ? "" : " (NO-GO: a step failed)"}: nothing was kept (the source and the tasks are as they were).`,
    `Predicted write downtime: ${seconds(downtimeMs)} = ${parts}`,
    ttlSeconds !== undefined
      ? `  plus up to the record's TTL (${ttlSeconds} s) while clients' DNS caches expire, and the flip's pull request and apply unless you flip with cutover --flip.`
      : "  plus the flip (the record's TTL, and its pull request and apply unless you flip with cutover --flip).",
  ].join("\n");
}

async function outputsOf(v: Values) {
  const { readOutputs } = await import("../env");
  return readOutputs(String(v.env), v["outputs-file"] as string | undefined);
}

/** The fallback plan from --env's outputs: both tasks (an error when the environment has no fallback task). */
async function fallbackPlan(
  v: Values,
  rehearse: boolean,
  binlogRetentionHours: number,
  taskTimeoutMs: number,
): Promise<FallbackPlan | undefined> {
  const { output, optionalOutput, cutoverStatePath } = await import("../env");
  const { OUTPUT_NAMES, DMS_SOURCE_USER } = await import("../shared");
  const outputs = await outputsOf(v);
  const env = String(v.env);
  const fallbackArn = optionalOutput(outputs, OUTPUT_NAMES.fallbackTaskArn);
  if (!fallbackArn) {
    if (rehearse && !v.fallback) return undefined; // the rehearsal simulates the fallback steps
    throw new CliError(
      `--fallback: the environment ${env} has no fallback task (output ${OUTPUT_NAMES.fallbackTaskArn} is missing or empty): set cutover.fallback true in environments/${env}.ts and apply, or cutover without --fallback`,
    );
  }
  const forwardArn = output(outputs, OUTPUT_NAMES.dmsTaskArn);
  return {
    env,
    region: output(outputs, OUTPUT_NAMES.region),
    forward: {
      arn: forwardArn,
      label: `forward task ${optionalOutput(outputs, OUTPUT_NAMES.dmsTaskId) ?? forwardArn}`,
    },
    fallback: {
      arn: fallbackArn,
      label: `fallback task ${optionalOutput(outputs, OUTPUT_NAMES.fallbackTaskId) ?? fallbackArn}`,
    },
    dmsSourceUser: (v["dms-source-user"] as string | undefined) ?? DMS_SOURCE_USER,
    binlogRetentionHours,
    taskTimeoutMs,
    statePath: rehearse ? undefined : cutoverStatePath(env, v["outputs-file"] as string | undefined),
  };
}
