/**
 * `dmsctl cutover`: the go/no-go sequence. Preflight OK, replication latency under the threshold, validation
 * clean; then the steps to switch writers. With `--freeze-source` it sets the source read-only, waits for a final
 * canary to reach the target, validates again, and on NO-GO, on an error or on SIGINT/SIGTERM puts read_only (and
 * super_read_only) back exactly as it found them (freeze.ts): a source that was read-only before stays read-only.
 *
 * With `--fallback` (and --freeze-source, --env), after the GO: the forward DMS task stops (DMS reports it stopped),
 * the target's binlog position is recorded, RDS keeps its binlogs long enough, and the fallback task starts from
 * exactly that position (fallback.ts), recorded in the state file rollback reads (fallback-state.ts). Each of these
 * is undone on an error or an interrupt (the fallback stopped, the forward task resumed, the source unfrozen).
 *
 * `--rehearse` runs every step, times each, predicts the write downtime and keeps nothing: the flip is simulated
 * (timed as a Route 53 re-write of the record's current value when --env names it) and everything the run changed
 * is put back at the end. It never writes to business tables (only the heartbeat table and the read_only flags).
 */
import { performance } from "perf_hooks";
import type * as mysql from "mysql2/promise";
import { CliError, Endpoint, connect, serverInfo } from "./common";
import { SourceFreeze, checkCanFreeze } from "./freeze";
import { PreflightResult, preflight } from "./preflight";
import type { AwsPreflightOptions } from "./preflight-aws";
import { RestoreOutcome, Restorer, registerRestorer, setStage } from "./run-context";
import { TableResult, ValidateOptions, ValidateResult, validate } from "./validate";
import { VerifyResult, beat, ensureHeartbeat, verify } from "./verify";
import type { Outputs } from "./env";
import {
  IDLE_STATUSES,
  TaskRef,
  binlogPosition,
  cdcStartPosition,
  checkFallbackCanWriteSource,
  describeTask,
  ensureBinlogRetention,
  startTask,
  stopTask,
} from "./fallback";
import { updateState } from "./fallback-state";

/** The fallback replication at cutover (`--fallback`, or a rehearsal with --env naming a fallback task). */
export interface FallbackPlan {
  readonly env: string;
  readonly region: string;
  readonly forward: TaskRef;
  readonly fallback: TaskRef;
  /** The DMS user the fallback task writes the source as. */
  readonly dmsSourceUser: string;
  readonly binlogRetentionHours: number;
  /** How long a DMS task may take to stop or start. */
  readonly taskTimeoutMs: number;
  /** Where cutover records what it did (unused by a rehearsal, which keeps nothing). */
  readonly statePath?: string;
}

export interface RehearsePlan {
  /** With --env: the flip is timed as a Route 53 re-write of the record's current value. */
  readonly outputs?: Outputs;
  readonly flipTimeoutMs: number;
  /** The binlog retention a real cutover would ensure (reported, not set). */
  readonly binlogRetentionHours: number;
}

export interface CutoverOptions {
  readonly schemas?: string[];
  /** Check these accounts' grants in preflight (the DMS users) instead of the connecting users'. */
  readonly dmsUsers?: { source?: string; target?: string };
  readonly maxLatencySeconds: number;
  /** Canaries the latency check sends (the slowest counts). @default 5 */
  readonly latencyCanaries?: number;
  /** Time between two canaries. @default 500 */
  readonly latencyIntervalMs?: number;
  readonly freezeSource: boolean;
  readonly validate: ValidateOptions;
  readonly fallback?: FallbackPlan;
  readonly rehearse?: RehearsePlan;
  /**
   * AWS's own checks first (`--aws`): DMS TestConnection of every endpoint and the task's latest premigration
   * assessment run (preflight-aws.ts); any failing one is a NO-GO before a database is touched.
   */
  readonly aws?: { readonly outputs: Outputs; readonly options?: AwsPreflightOptions };
  readonly log?: (line: string) => void;
}

export interface CutoverStep {
  readonly step: string;
  readonly ok: boolean;
  readonly detail: string;
  /** How long the step took. */
  readonly ms?: number;
  /** A rehearsal's step that was not run for real. */
  readonly simulated?: boolean;
  /** Inside the write downtime (from the freeze until writes can land on the target). */
  readonly downtime?: boolean;
}

export interface RehearsalReport {
  /** The steps inside the write downtime, added up. */
  readonly predictedWriteDowntimeMs: number;
  /** The record's TTL: clients may keep the old answer this long after the flip. */
  readonly ttlSeconds?: number;
  /** What was put back at the end. */
  readonly restored: RestoreOutcome[];
}

export interface CutoverResult {
  readonly go: boolean;
  readonly steps: CutoverStep[];
  readonly frozen: boolean;
  readonly instructions: string[];
  readonly preflight?: PreflightResult;
  readonly latency?: VerifyResult;
  readonly validation?: ValidateResult;
  /** The fallback's start position ("<file>:<position>") when it was started. */
  readonly cdcStartPosition?: string;
  readonly statePath?: string;
  readonly rehearsal?: RehearsalReport;
}

/**
 * A validation as a gate. `inFlightPasses`: a table whose every difference is a row in flight (the target holds a
 * version the source had earlier: TableResult.inFlight) passes; for the check before --freeze-source only, where
 * rows still being written cannot settle, and the check after the freeze decides.
 */
function summarize(v: ValidateResult, inFlightPasses = false): { ok: boolean; detail: string } {
  const moving = (t: TableResult) =>
    inFlightPasses && t.status === "mismatch" && (t.inFlight ?? 0) > 0 && t.inFlight === differenceCount(t);
  const bad = v.tables.filter((t) => t.status !== "match" && !moving(t));
  const inFlight = v.tables.filter(moving);
  const flightNote =
    inFlight.length > 0
      ? `; in flight, checked again after the freeze: ${inFlight.map((t) => `${t.table} (${t.inFlight} row(s) still being written)`).join(", ")}`
      : "";
  return {
    ok: bad.length === 0,
    detail:
      bad.length === 0
        ? `${v.tables.length - inFlight.length} table(s) match${flightNote}`
        : bad
            .map((t) => `${t.table}: ${t.status}${t.error ? ` (${t.error})` : ` (${differenceCount(t)} differences)`}`)
            .join("; "),
  };
}

/** Runs fn, returns its result and how long it took (ms). */
export async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const r = await fn();
  return [r, Math.round(performance.now() - t0)];
}

/**
 * Checks, before step 1, everything the fallback needs: both tasks and their states, the DMS user's privilege on
 * the source, the target's binary log.
 */
async function checkFallbackPreconditions(source: Endpoint, target: Endpoint, plan: FallbackPlan): Promise<void> {
  const fwd = await describeTask(plan.region, plan.forward);
  if (![...IDLE_STATUSES, "running"].includes(fwd.status)) {
    throw new CliError(
      `--fallback: the ${plan.forward.label} is ${fwd.status}: wait until it is running (or stopped), then run cutover again; nothing was changed`,
    );
  }
  const fb = await describeTask(plan.region, plan.fallback);
  if (!IDLE_STATUSES.includes(fb.status)) {
    throw new CliError(
      `--fallback: the ${plan.fallback.label} is ${fb.status}: it must be stopped until cutover starts it, after the forward task stopped (both running would loop changes); nothing was changed`,
    );
  }
  const conn = await connect(source);
  try {
    await checkFallbackCanWriteSource(conn, plan.dmsSourceUser);
  } finally {
    await conn.end().catch(() => undefined);
  }
  const tgt = await connect(target);
  try {
    await binlogPosition(tgt); // an error naming the target when it has no binary log (or the user may not read it)
  } finally {
    await tgt.end().catch(() => undefined);
  }
}

export async function cutover(source: Endpoint, target: Endpoint, o: CutoverOptions): Promise<CutoverResult> {
  const log = (line: string) => {
    setStage(line);
    o.log?.(line);
  };
  const rehearse = o.rehearse !== undefined;
  const freezeSource = o.freezeSource || rehearse;
  const steps: CutoverStep[] = [];
  const done = (r: Omit<CutoverResult, "steps" | "instructions"> & { instructions?: string[] }): CutoverResult => ({
    steps,
    instructions: [],
    ...r,
  });

  if (o.aws) {
    log("0/4 AWS preflight (DMS connection tests, latest premigration assessment)");
    const { awsPreflight, summarizeAwsPreflight } = await import("./preflight-aws");
    const [aws, awsMs] = await timed(() =>
      awsPreflight(o.aws!.outputs, { assessment: "latest", onProgress: log, ...o.aws!.options }),
    );
    const summary = summarizeAwsPreflight(aws);
    steps.push({ step: "AWS preflight", ok: summary.ok, detail: summary.detail, ms: awsMs });
    if (!summary.ok) return done({ go: false, frozen: false });
  }

  // Preconditions of the last steps, checked before the first: a run that cannot freeze (or start the fallback)
  // must not take 5 minutes to say so.
  if (freezeSource) await checkCanFreeze(source);
  if (o.fallback) await checkFallbackPreconditions(source, target, o.fallback);

  log("1/4 preflight");
  const [pre, preMs] = await timed(() => preflight(source, target, o.schemas, o.dmsUsers));
  const failed = pre.checks.filter((c) => c.status === "fail");
  steps.push({
    step: "preflight",
    ok: failed.length === 0,
    detail:
      failed.length === 0
        ? `${pre.checks.length} checks, none failed`
        : failed.map((c) => `${c.side} ${c.check}: ${c.value}`).join("; "),
    ms: preMs,
  });
  if (failed.length > 0) return done({ go: false, frozen: false, preflight: pre });

  log("2/4 replication latency");
  const [lat, latMs] = await timed(() =>
    verify(source, target, {
      timeoutSeconds: Math.max(10, o.maxLatencySeconds * 4),
      count: o.latencyCanaries ?? 5,
      intervalMs: o.latencyIntervalMs ?? 500,
    }),
  );
  const latOk = lat.timedOut === 0 && lat.maxMs !== null && lat.maxMs <= o.maxLatencySeconds * 1000;
  steps.push({
    step: "latency",
    ok: latOk,
    detail:
      lat.timedOut > 0
        ? `${lat.timedOut} canary(ies) never arrived`
        : `max ${lat.maxMs?.toFixed(0)} ms, avg ${lat.avgMs?.toFixed(0)} ms (limit ${o.maxLatencySeconds * 1000} ms)`,
    ms: latMs,
  });
  if (!latOk) return done({ go: false, frozen: false, preflight: pre, latency: lat });

  log("3/4 validate");
  const [val, valMs] = await timed(() =>
    validate(source, target, { ...o.validate, schemas: o.schemas ?? o.validate.schemas }),
  );
  const v = summarize(val, freezeSource);
  steps.push({ step: "validate", ok: v.ok, detail: v.detail, ms: valMs });
  if (!v.ok) return done({ go: false, frozen: false, preflight: pre, latency: lat, validation: val });

  let frozen = false;
  let finalValidation = val;
  let startPosition: string | undefined;
  let ttlSeconds: number | undefined;
  const restored: RestoreOutcome[] = [];
  if (freezeSource) {
    log("4/4 freeze source");
    const admin = await connect(source);
    let freeze: SourceFreeze | undefined;
    let tgt: mysql.Connection | undefined;
    // What the fallback steps changed, newest last: undone newest first, before the source's freeze.
    const undo: Restorer[] = [];
    const restoreAll = async (): Promise<RestoreOutcome[]> => {
      const out: RestoreOutcome[] = [];
      for (const r of [...undo].reverse()) out.push(await r.restore());
      if (freeze) out.push(await freeze.restore());
      return out;
    };
    try {
      freeze = await SourceFreeze.begin(source, admin);
      tgt = await connect(target);
      const [, freezeMs] = await timed(() => freeze!.freeze());
      frozen = true;
      log("4/4 final canary");
      await ensureHeartbeat(admin); // the admin session may still write the heartbeat table under read_only
      const [final, drainMs] = await timed(() => beat(admin, tgt!, Math.max(10, o.maxLatencySeconds * 4) * 1000));
      const finalOk = final.latencyMs !== null;
      // read_only lets accounts with SUPER / CONNECTION_ADMIN write; super_read_only stops them too (MySQL). Not with
      // the fallback, whose DMS user writes the source through read_only (fallback.checkFallbackCanWriteSource).
      if (finalOk && !o.fallback && !rehearse && (await serverInfo(admin)).flavor === "mysql")
        await freeze.freezeSuper();
      const freezeDetail = freeze.wasReadOnly ? "source was read-only already" : "source read-only";
      const drainDetail = finalOk
        ? `final canary arrived after ${final.latencyMs!.toFixed(0)} ms`
        : "final canary never arrived";
      if (rehearse) {
        steps.push({ step: "freeze", ok: true, detail: freezeDetail, ms: freezeMs, downtime: true });
        steps.push({ step: "drain", ok: finalOk, detail: drainDetail, ms: drainMs, downtime: true });
      } else {
        steps.push({
          step: "freeze",
          ok: finalOk,
          detail: `${freezeDetail}; ${drainDetail}`,
          ms: freezeMs + drainMs,
          downtime: true,
        });
      }
      if (finalOk) {
        log("4/4 final validate");
        const [fv, fvMs] = await timed(() =>
          validate(source, target, {
            ...o.validate,
            schemas: o.schemas ?? o.validate.schemas,
            retries: 1,
            retryDelayMs: 1000,
          }),
        );
        finalValidation = fv;
        const f = summarize(finalValidation);
        steps.push({ step: "final validate", ok: f.ok, detail: f.detail, ms: fvMs, downtime: true });
      }
      if (steps.every((s) => s.ok) && (o.fallback || rehearse)) {
        const r = await fallbackSteps({
          plan: o.fallback,
          rehearse: o.rehearse,
          freeze,
          target: tgt,
          steps,
          undo,
          log,
          tableRows: Object.fromEntries(
            finalValidation.tables.filter((t) => t.targetRows !== null).map((t) => [t.table, t.targetRows!]),
          ),
        });
        startPosition = r.cdcStartPosition;
        ttlSeconds = r.ttlSeconds;
      }
      if (rehearse) {
        log("rehearsal: putting everything back");
        restored.push(...(await restoreAll()));
        frozen = freeze.wasReadOnly || restored.some((r) => !r.ok);
      } else if (steps.every((s) => s.ok)) {
        for (const r of undo) r.keep();
        freeze.keep();
        if (o.fallback?.statePath)
          updateState(o.fallback.statePath, o.fallback.env, (s) => {
            s.phase = "cutover";
          });
      } else {
        const outcomes = await restoreAll();
        const ok = outcomes.every((r) => r.ok);
        frozen = freeze.wasReadOnly || !ok;
        steps.push({
          step: "unfreeze",
          ok,
          detail: `no-go after the freeze: ${outcomes.map((r) => r.message).join("; ")}`,
        });
      }
    } catch (e) {
      // An error (a lost connection, a refused statement, a task that would not stop): put back what was changed,
      // newest first, then report the error.
      await restoreAll();
      if (o.fallback?.statePath && !rehearse)
        updateState(o.fallback.statePath, o.fallback.env, (s) => {
          if (s.phase === "in-progress") s.phase = "aborted";
        });
      throw e;
    } finally {
      await admin.end().catch(() => undefined);
      await tgt?.end().catch(() => undefined);
    }
  }
  const go = steps.every((s) => s.ok);
  const statePath = o.fallback && !rehearse ? o.fallback.statePath : undefined;
  const instructions = go && !rehearse ? nextSteps(frozen, o.fallback, startPosition) : [];
  const downtimeMs = steps.filter((s) => s.downtime).reduce((a, s) => a + (s.ms ?? 0), 0);
  return {
    go,
    steps,
    frozen,
    instructions,
    preflight: pre,
    latency: lat,
    validation: finalValidation,
    ...(startPosition ? { cdcStartPosition: startPosition } : {}),
    ...(statePath ? { statePath } : {}),
    ...(rehearse ? { rehearsal: { predictedWriteDowntimeMs: downtimeMs, ttlSeconds, restored } } : {}),
  };
}

interface FallbackContext {
  readonly plan?: FallbackPlan;
  readonly rehearse?: RehearsePlan;
  readonly freeze: SourceFreeze;
  readonly target: mysql.Connection;
  readonly steps: CutoverStep[];
  readonly undo: Restorer[];
  readonly log: (line: string) => void;
  readonly tableRows: Record<string, number>;
}

/**
 * After the GO: stop the forward task, record the target's binlog position, keep its binlogs, start the fallback
 * from there (each real with a plan, simulated in a rehearsal without one); a rehearsal also times a flip.
 */
async function fallbackSteps(c: FallbackContext): Promise<{ cdcStartPosition?: string; ttlSeconds?: number }> {
  const { plan, steps, undo, log } = c;
  const rehearse = c.rehearse !== undefined;
  const record = plan?.statePath && !rehearse ? plan.statePath : undefined;
  const simulated = "simulated: no --env naming a fallback task (dms_fallback_task_arn)";
  if (record) {
    const found = c.freeze.foundState;
    updateState(record, plan!.env, (s) => {
      s.phase = "in-progress";
      s.cutover = {
        at: new Date().toISOString(),
        sourceFound: found,
        forwardTaskArn: plan!.forward.arn,
        fallbackTaskArn: plan!.fallback.arn,
        tableRows: c.tableRows,
      };
      delete s.rollback;
    });
  }

  log("fallback 1/4 stop the forward task");
  if (plan) {
    const forward = plan.forward;
    const [r, ms] = await timed(() =>
      // The resume is registered before the request (only when this run stops it): a stop that times out was asked.
      stopTask(plan.region, forward, plan.taskTimeoutMs, () =>
        undo.push(registerRestorer(`${forward.label} ${forward.arn} (stopped by this run)`, () => resumeForward(plan))),
      ),
    );
    steps.push({
      step: "stop forward task",
      ok: true,
      detail:
        r.was === "running" || r.was === "stopping"
          ? `${forward.label} stopped`
          : `${forward.label} was ${r.was} already`,
      ms,
      downtime: true,
    });
    if (record)
      updateState(record, plan.env, (s) => {
        s.cutover!.forwardStoppedAt = new Date().toISOString();
      });
  } else steps.push({ step: "stop forward task", ok: true, detail: simulated, ms: 0, simulated: true, downtime: true });

  log("fallback 2/4 target binlog position");
  const [pos, posMs] = await timed(() => binlogPosition(c.target));
  const start = cdcStartPosition(pos);
  steps.push({ step: "target position", ok: true, detail: `${start} (${pos.statement})`, ms: posMs, downtime: true });
  if (record)
    updateState(record, plan!.env, (s) => {
      s.cutover!.targetBinlog = pos;
    });

  log("fallback 3/4 binlog retention");
  const hours = plan?.binlogRetentionHours ?? c.rehearse!.binlogRetentionHours;
  const [ret, retMs] = await timed(() => ensureBinlogRetention(c.target, hours, !rehearse));
  steps.push({
    step: "binlog retention",
    ok: true,
    detail: ret.warning ? `${ret.detail}; WARNING: ${ret.warning}` : ret.detail,
    ms: retMs,
    downtime: true,
  });
  if (record)
    updateState(record, plan!.env, (s) => {
      s.cutover!.binlogRetention = ret.detail;
    });

  log("fallback 4/4 start the fallback task");
  if (plan) {
    const fallback = plan.fallback;
    const [, ms] = await timed(async () => {
      // Never both running: DMS must report the forward task idle right now.
      const fwd = await describeTask(plan.region, plan.forward);
      if (!IDLE_STATUSES.includes(fwd.status)) {
        throw new CliError(
          `the ${plan.forward.label} is ${fwd.status}: the ${fallback.label} is not started (both running would loop changes)`,
        );
      }
      undo.push(registerRestorer(`${fallback.label} ${fallback.arn} (started by this run)`, () => stopFallback(plan)));
      await startTask(
        plan.region,
        fallback,
        { type: "start-replication", cdcStartPosition: start },
        plan.taskTimeoutMs,
      );
    });
    steps.push({
      step: "start fallback",
      ok: true,
      detail: `${fallback.label} running from CdcStartPosition ${start}`,
      ms,
      downtime: true,
    });
    if (record)
      updateState(record, plan.env, (s) => {
        s.cutover!.cdcStartPosition = start;
        s.cutover!.fallbackStartedAt = new Date().toISOString();
      });
  } else steps.push({ step: "start fallback", ok: true, detail: simulated, ms: 0, simulated: true, downtime: true });

  let ttlSeconds: number | undefined;
  if (rehearse) {
    log("rehearsal: flip (simulated)");
    const outputs = c.rehearse!.outputs;
    const { OUTPUT_NAMES } = await import("./shared");
    if (outputs?.[OUTPUT_NAMES.databaseZoneId]) {
      const { rewriteRecord } = await import("./route53");
      const r = await rewriteRecord(outputs, { timeoutMs: c.rehearse!.flipTimeoutMs, by: "dmsctl cutover --rehearse" });
      ttlSeconds = r.ttl;
      steps.push({
        step: "flip",
        ok: true,
        detail: `simulated: ${r.recordName} re-written unchanged (${r.value}), INSYNC after ${r.ms} ms; clients follow within its TTL (${r.ttl} s)`,
        ms: r.ms,
        simulated: true,
        downtime: true,
      });
    } else {
      steps.push({
        step: "flip",
        ok: true,
        detail: "simulated: no --env naming the stable database name (database_zone_id)",
        ms: 0,
        simulated: true,
        downtime: true,
      });
    }
  }
  return { cdcStartPosition: start, ttlSeconds };
}

/** Restorer: the forward task resumes where it stopped (only if it did stop, and never while the fallback runs). */
async function resumeForward(plan: FallbackPlan): Promise<RestoreOutcome> {
  const t = await describeTask(plan.region, plan.forward);
  const manual = `aws dms start-replication-task --start-replication-task-type resume-processing --replication-task-arn ${plan.forward.arn}`;
  if (t.status === "running") return { ok: true, message: `${plan.forward.label}: still running (it never stopped)` };
  const fb = await describeTask(plan.region, plan.fallback);
  if (!IDLE_STATUSES.includes(fb.status))
    return {
      ok: false,
      message: `could NOT resume ${plan.forward.label}: the ${plan.fallback.label} is ${fb.status} (never both running); once it stopped, run: ${manual}`,
    };
  if (!IDLE_STATUSES.includes(t.status))
    return {
      ok: false,
      message: `could NOT resume ${plan.forward.label}: it is ${t.status}; once it stopped, run: ${manual}`,
    };
  const { m, client } = await dmsClient(plan.region);
  await client.send(
    new m.StartReplicationTaskCommand({
      ReplicationTaskArn: plan.forward.arn,
      StartReplicationTaskType: "resume-processing",
    }),
  );
  return { ok: true, message: `resumed ${plan.forward.label} (resume-processing from where it stopped)` };
}

/** Restorer: the fallback task stops again (if it started), and DMS reports it stopped before the forward resumes. */
async function stopFallback(plan: FallbackPlan): Promise<RestoreOutcome> {
  const t = await describeTask(plan.region, plan.fallback);
  if (IDLE_STATUSES.includes(t.status))
    return { ok: true, message: `${plan.fallback.label}: not running (${t.status})` };
  // Within the run's 30 s per restorer (run-context.ts): a slower stop is reported, and the forward stays stopped.
  await stopTask(plan.region, plan.fallback, Math.min(plan.taskTimeoutMs, 25_000));
  return { ok: true, message: `stopped ${plan.fallback.label} (it was ${t.status})` };
}

async function dmsClient(region: string) {
  const m = await import("@aws-sdk/client-database-migration-service");
  return { m, client: new m.DatabaseMigrationServiceClient({ region }) };
}

function nextSteps(frozen: boolean, plan: FallbackPlan | undefined, start: string | undefined): string[] {
  const env = plan?.env ?? "<env>";
  return [
    ...(frozen
      ? []
      : ["Stop application writes to the source (or rerun with --freeze-source to set it read-only and re-validate)."]),
    ...(plan
      ? [
          `The forward task is stopped; the fallback task carries every write on the target back to the source from ${start} (recorded in ${plan.statePath ?? "the state file"}: keep it, rollback reads it).`,
        ]
      : [
          "Wait for CDCLatencyTarget to reach 0 on the dashboard, then stop the DMS task: aws dms stop-replication-task --replication-task-arn <dms_task_arn>",
        ]),
    "Add the foreign keys and triggers held back on the target: dmsctl schema --env <env> --source mysql://admin@<source host> --finalize (an account that can see triggers)",
    `Point the application's writers at the target: set cutover.activeDatabase: "target" in environments/${env}.ts, pull request, merge, apply (the stable name then points at the RDS endpoint; emergency: dmsctl cutover --flip --env ${env}); TLS is required. Keep the source read-only as the fallback.`,
    ...(plan
      ? [
          `The way back, while the fallback runs: dmsctl rollback --env ${env} --source <admin URL> --target <master URL> (freezes the target, drains the fallback, validates, flips back).`,
        ]
      : []),
    "Check the application; delete the DMS tasks and instance when the fallback window closes.",
  ];
}

/** The true number of differing rows of a table (its listing may be capped). */
function differenceCount(t: {
  differences: readonly unknown[];
  counts?: { missing: number; extra: number; changed: number };
}): number {
  return t.counts ? t.counts.missing + t.counts.extra + t.counts.changed : t.differences.length;
}
