/**
 * `dmsctl rollback`: the way back after cutover, while the fallback task carries the target's writes to the source.
 *
 *   1. freeze the target (read_only where the user may set it; on RDS the application's write privileges are
 *      revoked and its sessions ended: rollback-freeze.ts),
 *   2. drain: a canary written on the target must arrive on the source through the fallback (zero lag: everything
 *      written before it has arrived, changes apply in order),
 *   3. validate, with the target as the reference (the existing validate, the sides swapped),
 *   4. flip back: the source's read_only is put back as cutover found it, the stable name points at the source
 *      again (Route 53, with --env), and the state file says so,
 *   5. stop the fallback task (with --env).
 *
 * NO-GO, an error or SIGINT/SIGTERM before the flip put back everything the run changed (the target's writes, the
 * source's freeze, a Route 53 change in flight), exactly as found, and say so; the flip is the commit point, after
 * which the target stays frozen and the source takes the writes. Reports what moved: rows per table since cutover
 * (the validations' counts) and the target's binlog written since the cutover's position.
 */
import type * as mysql from "mysql2/promise";
import { CliError, Endpoint, connect } from "./common";
import { ReadOnlyState, SourceFreeze } from "./freeze";
import { RestoreOutcome, Restorer, registerRestorer, setStage } from "./run-context";
import { ValidateOptions, ValidateResult, validate } from "./validate";
import { beat, ensureHeartbeat } from "./verify";
import type { Outputs } from "./env";
import { IDLE_STATUSES, TaskRef, binlogBytesBetween, binlogPosition, describeTask, stopTask } from "./fallback";
import { BinlogCoordinate, CutoverState, readState, updateState } from "./fallback-state";
import { FreezeMethod, TargetFreeze, beginTargetFreeze, planTargetFreeze } from "./rollback-freeze";
import { CutoverStep, timed } from "./cutover";

export interface RollbackEnv {
  readonly name: string;
  readonly outputs: Outputs;
  readonly region: string;
  readonly statePath: string;
  /** The fallback task (undefined: the environment has none, which rollback refuses). */
  readonly fallback?: TaskRef;
  readonly flipTimeoutMs: number;
  readonly taskTimeoutMs: number;
}

export interface RollbackOptions {
  readonly schemas?: string[];
  readonly maxLatencySeconds: number;
  readonly validate: ValidateOptions;
  readonly freezeMethod: "auto" | FreezeMethod;
  /** The application's accounts (`user` or `user@host`), for the revoke freeze. */
  readonly appUsers?: string[];
  readonly env?: RollbackEnv;
  readonly log?: (line: string) => void;
}

/** What moved back: rows per table since cutover, and the target's binlog written since its cutover position. */
export interface Moved {
  readonly tables: { table: string; rowsAtCutover: number | null; rowsNow: number | null; netRows: number | null }[];
  readonly binlog?: { from: string; to: string; bytes: number | null };
}

export interface RollbackResult {
  readonly go: boolean;
  readonly steps: CutoverStep[];
  /** The target stays frozen (GO keeps the freeze). */
  readonly targetFrozen: boolean;
  readonly freezeMethod: FreezeMethod;
  readonly moved?: Moved;
  readonly notes: string[];
  readonly instructions: string[];
  readonly validation?: ValidateResult;
}

function summarize(v: ValidateResult): { ok: boolean; detail: string } {
  const bad = v.tables.filter((t) => t.status !== "match");
  const n = (t: (typeof v.tables)[number]) =>
    t.counts ? t.counts.missing + t.counts.extra + t.counts.changed : t.differences.length;
  return {
    ok: bad.length === 0,
    detail:
      bad.length === 0
        ? `${v.tables.length} table(s) match (the target as the reference)`
        : bad.map((t) => `${t.table}: ${t.status}${t.error ? ` (${t.error})` : ` (${n(t)} differences)`}`).join("; "),
  };
}

export async function rollback(source: Endpoint, target: Endpoint, o: RollbackOptions): Promise<RollbackResult> {
  const log = (line: string) => {
    setStage(line);
    o.log?.(line);
  };
  const env = o.env;
  const notes: string[] = [];
  let state: CutoverState | undefined;
  if (env) {
    if (!env.fallback) {
      throw new CliError(
        `the environment ${env.name} has no fallback task (output dms_fallback_task_arn is empty): nothing carried the target's writes back to the source, and a rollback would lose them; nothing was changed`,
      );
    }
    state = readState(env.statePath);
    if (!state?.cutover)
      notes.push(
        `no cutover recorded in ${env.statePath}: the source's read_only goes to OFF, and what moved is counted from now only`,
      );
    else if (state.phase !== "cutover")
      notes.push(`${env.statePath} says ${state.phase}, not cutover: rolling back anyway`);
  } else {
    notes.push(
      "no --env: the fallback is whatever replicates the target to the source (its lag is measured by canary), the flip back and the fallback's stop are yours",
    );
  }

  const tAdmin = await connect(target);
  let sAdmin: mysql.Connection | undefined;
  const undo: Restorer[] = [];
  let tFreeze: TargetFreeze | undefined;
  let srcUnfreeze: SourceFreeze | undefined;
  const steps: CutoverStep[] = [];
  const restoreAll = async (): Promise<RestoreOutcome[]> => {
    const out: RestoreOutcome[] = [];
    for (const r of [...undo].reverse()) out.push(await r.restore());
    if (srcUnfreeze) out.push(await srcUnfreeze.restore());
    if (tFreeze) out.push(await tFreeze.restore());
    return out;
  };
  try {
    sAdmin = await connect(source);
    // Before any change: how the target can be frozen (an error naming --app-users when it cannot), the fallback.
    const method = await planTargetFreeze(target, tAdmin, o.freezeMethod, o.appUsers);
    if (env) {
      const fb = await describeTask(env.region, env.fallback!);
      if (fb.status !== "running")
        notes.push(
          `the ${env.fallback!.label} is ${fb.status}, not running: the drain waits for changes it cannot carry`,
        );
    }
    const noGo = async (): Promise<RollbackResult> => {
      const outcomes = await restoreAll();
      steps.push({
        step: "unfreeze",
        ok: outcomes.every((r) => r.ok),
        detail: `no-go: ${outcomes.map((r) => r.message).join("; ")}`,
      });
      return { go: false, steps, targetFrozen: false, freezeMethod: method, notes, instructions: [] };
    };

    log("1/5 freeze target");
    tFreeze = await beginTargetFreeze(target, tAdmin, method, o.appUsers);
    const [freezeDetail, freezeMs] = await timed(() => tFreeze!.freeze());
    steps.push({ step: "freeze target", ok: true, detail: `${method}: ${freezeDetail}`, ms: freezeMs });
    let position: BinlogCoordinate | undefined;
    try {
      position = await binlogPosition(tAdmin);
    } catch (e) {
      notes.push(`the target's binlog position is unknown: ${(e as Error).message}`);
    }

    log("2/5 fallback drain");
    const timeoutMs = Math.max(10, o.maxLatencySeconds * 4) * 1000;
    const [canary, drainMs] = await timed(async () => {
      await ensureHeartbeat(tAdmin); // the tool's session writes the heartbeat through the freeze
      return beat(tAdmin, sAdmin!, timeoutMs);
    });
    const drained = canary.latencyMs !== null;
    steps.push({
      step: "drain",
      ok: drained,
      detail: drained
        ? `a canary written on the target after the freeze reached the source after ${canary.latencyMs!.toFixed(0)} ms: the fallback has no lag`
        : `a canary written on the target never reached the source within ${timeoutMs / 1000} s: is the fallback running?`,
      ms: drainMs,
    });
    if (!drained) return await noGo();

    log("3/5 validate");
    const [val, valMs] = await timed(() =>
      validate(target, source, { ...o.validate, schemas: o.schemas ?? o.validate.schemas }),
    );
    const v = summarize(val);
    steps.push({ step: "validate", ok: v.ok, detail: v.detail, ms: valMs });
    if (!v.ok) return { ...(await noGo()), validation: val };

    log("4/5 flip back");
    const [flipDetail, flipMs] = await timed(async () => {
      srcUnfreeze = await SourceFreeze.begin(source, sAdmin!);
      const wanted: ReadOnlyState = state?.cutover?.sourceFound ?? {
        read_only: "OFF",
        ...(srcUnfreeze.foundState.super_read_only !== undefined ? { super_read_only: "OFF" } : {}),
      };
      await srcUnfreeze.set(wanted);
      const parts = [`source read_only=${wanted.read_only} (as before cutover)`];
      if (env) {
        const { flip, currentRecord, restoreRecord } = await import("./route53");
        // Registered before the request: a flip in flight is put back on an interrupt.
        const before = await currentRecord(env.outputs);
        undo.push(
          registerRestorer(`record ${before.name} -> ${before.value}`, async () => {
            const r = await restoreRecord(env.outputs, before.value, {
              timeoutMs: env.flipTimeoutMs,
              by: "dmsctl rollback",
            });
            return {
              ok: true,
              message: r.changed
                ? `restored record ${r.recordName} -> ${before.value} (as before the run)`
                : `record ${r.recordName}: ${before.value} as before the run`,
            };
          }),
        );
        const r = await flip(env.outputs, "source", { timeoutMs: env.flipTimeoutMs, by: "dmsctl rollback", state });
        parts.push(
          r.changed
            ? `${r.recordName} -> ${r.value} (${r.valueFrom}), INSYNC after ${r.ms} ms`
            : `${r.recordName} already pointed at the source (${r.value})`,
        );
        updateState(env.statePath, env.name, (s) => {
          s.record = {
            pointsAt: "source",
            value: r.value,
            previousValue: r.previousValue,
            changeId: r.changeId,
            at: new Date().toISOString(),
          };
        });
      } else parts.push("no --env: point the applications at the source now");
      return parts.join("; ");
    });
    steps.push({ step: "flip back", ok: true, detail: flipDetail, ms: flipMs });
    // The commit point: the source takes the writes; the target stays frozen.
    for (const r of undo) r.keep();
    srcUnfreeze?.keep();
    tFreeze.keep();

    log("5/5 stop the fallback task");
    if (env) {
      const fallback = env.fallback!;
      try {
        const [r, ms] = await timed(() => stopTask(env.region, fallback, env.taskTimeoutMs));
        steps.push({
          step: "stop fallback",
          ok: true,
          detail: IDLE_STATUSES.includes(r.was)
            ? `${fallback.label} was ${r.was} already`
            : `${fallback.label} stopped`,
          ms,
        });
      } catch (e) {
        steps.push({
          step: "stop fallback",
          ok: false,
          detail: `${(e as Error).message}: stop it with aws dms stop-replication-task --replication-task-arn ${fallback.arn} (the target is frozen, so it carries nothing more)`,
        });
      }
    } else
      steps.push({ step: "stop fallback", ok: true, detail: "no --env: stop the reverse replication yourself", ms: 0 });

    const moved = await whatMoved(tAdmin, state, val, position);
    if (env)
      updateState(env.statePath, env.name, (s) => {
        s.phase = "rolled-back";
        s.rollback = {
          at: new Date().toISOString(),
          targetFreeze: { method, undo: tFreeze!.undo },
          targetBinlog: position,
          moved,
          ...(steps.at(-1)?.ok ? { fallbackStoppedAt: new Date().toISOString() } : {}),
        };
      });
    const envName = env?.name ?? "<env>";
    return {
      go: steps.every((s) => s.ok),
      steps,
      targetFrozen: true,
      freezeMethod: method,
      moved,
      notes,
      validation: val,
      instructions: [
        `The applications write to the source again. Bring the code in line: set cutover.activeDatabase: "source" in environments/${envName}.ts, pull request, merge, apply (until then an apply would point the stable name at the target).`,
        `The target stays frozen (${method}); undo only to migrate again: ${tFreeze.undo}`,
        "To migrate again later, the target must be reloaded (its rows are now behind the source): aws dms start-replication-task --start-replication-task-type reload-target --replication-task-arn <dms_task_arn>, after dmsctl schema.",
      ],
    };
  } catch (e) {
    await restoreAll();
    throw e;
  } finally {
    await tAdmin.end().catch(() => undefined);
    await sAdmin?.end().catch(() => undefined);
  }
}

/** Rows per table at cutover (state file) and now (the rollback's validation: the target as the reference). */
async function whatMoved(
  tAdmin: mysql.Connection,
  state: CutoverState | undefined,
  val: ValidateResult,
  position: BinlogCoordinate | undefined,
): Promise<Moved> {
  const before = state?.cutover?.tableRows ?? {};
  const tables = val.tables.map((t) => {
    const rowsAtCutover = before[t.table] ?? null;
    const rowsNow = t.sourceRows; // the reference side of this validation is the target
    return {
      table: t.table,
      rowsAtCutover,
      rowsNow,
      netRows: rowsAtCutover !== null && rowsNow !== null ? rowsNow - rowsAtCutover : null,
    };
  });
  const from = state?.cutover?.targetBinlog;
  if (!from || !position) return { tables };
  return {
    tables,
    binlog: {
      from: `${from.file}:${from.position}`,
      to: `${position.file}:${position.position}`,
      bytes: await binlogBytesBetween(tAdmin, from, position).catch(() => null),
    },
  };
}
