/**
 * `dmsctl cutover`: the go/no-go sequence. Preflight OK, replication latency under the threshold, validation
 * clean; then the steps to switch writers. With `--freeze-source` it sets the source read-only, waits for a final
 * canary to reach the target, validates again, and on NO-GO, on an error or on SIGINT/SIGTERM puts read_only (and
 * super_read_only) back exactly as it found them (freeze.ts): a source that was read-only before stays read-only.
 * It never writes to business tables (only the heartbeat table and the read_only flags).
 */
import { Endpoint, connect, serverInfo } from "./common";
import { SourceFreeze, checkCanFreeze } from "./freeze";
import { PreflightResult, preflight } from "./preflight";
import { setStage } from "./run-context";
import { ValidateOptions, ValidateResult, validate } from "./validate";
import { VerifyResult, beat, ensureHeartbeat, verify } from "./verify";

export interface CutoverOptions {
  readonly schemas?: string[];
  /** Check these accounts' grants in preflight (the DMS users) instead of the connecting users'. */
  readonly dmsUsers?: { source?: string; target?: string };
  readonly maxLatencySeconds: number;
  readonly freezeSource: boolean;
  readonly validate: ValidateOptions;
  readonly log?: (line: string) => void;
}

export interface CutoverStep {
  readonly step: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface CutoverResult {
  readonly go: boolean;
  readonly steps: CutoverStep[];
  readonly frozen: boolean;
  readonly instructions: string[];
  readonly preflight?: PreflightResult;
  readonly latency?: VerifyResult;
  readonly validation?: ValidateResult;
}

function summarize(v: ValidateResult): { ok: boolean; detail: string } {
  const bad = v.tables.filter((t) => t.status !== "match");
  return {
    ok: bad.length === 0,
    detail:
      bad.length === 0
        ? `${v.tables.length} table(s) match`
        : bad
            .map((t) => `${t.table}: ${t.status}${t.error ? ` (${t.error})` : ` (${differenceCount(t)} differences)`}`)
            .join("; "),
  };
}

export async function cutover(source: Endpoint, target: Endpoint, o: CutoverOptions): Promise<CutoverResult> {
  const log = (line: string) => {
    setStage(line);
    o.log?.(line);
  };
  const steps: CutoverStep[] = [];
  const done = (r: Omit<CutoverResult, "steps" | "instructions"> & { instructions?: string[] }): CutoverResult => ({
    steps,
    instructions: [],
    ...r,
  });

  // A precondition of the last step, checked before the first: a run that cannot freeze must not take 5 minutes to say so.
  if (o.freezeSource) await checkCanFreeze(source);

  log("1/4 preflight");
  const pre = await preflight(source, target, o.schemas, o.dmsUsers);
  const failed = pre.checks.filter((c) => c.status === "fail");
  steps.push({
    step: "preflight",
    ok: failed.length === 0,
    detail:
      failed.length === 0
        ? `${pre.checks.length} checks, none failed`
        : failed.map((c) => `${c.side} ${c.check}: ${c.value}`).join("; "),
  });
  if (failed.length > 0) return done({ go: false, frozen: false, preflight: pre });

  log("2/4 replication latency");
  const lat = await verify(source, target, {
    timeoutSeconds: Math.max(10, o.maxLatencySeconds * 4),
    count: 5,
    intervalMs: 500,
  });
  const latOk = lat.timedOut === 0 && lat.maxMs !== null && lat.maxMs <= o.maxLatencySeconds * 1000;
  steps.push({
    step: "latency",
    ok: latOk,
    detail:
      lat.timedOut > 0
        ? `${lat.timedOut} canary(ies) never arrived`
        : `max ${lat.maxMs?.toFixed(0)} ms, avg ${lat.avgMs?.toFixed(0)} ms (limit ${o.maxLatencySeconds * 1000} ms)`,
  });
  if (!latOk) return done({ go: false, frozen: false, preflight: pre, latency: lat });

  log("3/4 validate");
  const val = await validate(source, target, { ...o.validate, schemas: o.schemas ?? o.validate.schemas });
  const v = summarize(val);
  steps.push({ step: "validate", ok: v.ok, detail: v.detail });
  if (!v.ok) return done({ go: false, frozen: false, preflight: pre, latency: lat, validation: val });

  let frozen = false;
  let finalValidation = val;
  if (o.freezeSource) {
    log("4/4 freeze source");
    const admin = await connect(source);
    let freeze: SourceFreeze | undefined;
    let tgt: Awaited<ReturnType<typeof connect>> | undefined;
    try {
      freeze = await SourceFreeze.begin(source, admin);
      tgt = await connect(target);
      await freeze.freeze();
      frozen = true;
      log("4/4 final canary");
      await ensureHeartbeat(admin); // the admin session may still write the heartbeat table under read_only
      const final = await beat(admin, tgt, Math.max(10, o.maxLatencySeconds * 4) * 1000);
      const finalOk = final.latencyMs !== null;
      // read_only lets accounts with SUPER / CONNECTION_ADMIN write; super_read_only stops them too (MySQL).
      if (finalOk && (await serverInfo(admin)).flavor === "mysql") await freeze.freezeSuper();
      steps.push({
        step: "freeze",
        ok: finalOk,
        detail: `${freeze.wasReadOnly ? "source was read-only already" : "source read-only"}; ${finalOk ? `final canary arrived after ${final.latencyMs!.toFixed(0)} ms` : "final canary never arrived"}`,
      });
      if (finalOk) {
        log("4/4 final validate");
        finalValidation = await validate(source, target, {
          ...o.validate,
          schemas: o.schemas ?? o.validate.schemas,
          retries: 1,
          retryDelayMs: 1000,
        });
        const f = summarize(finalValidation);
        steps.push({ step: "final validate", ok: f.ok, detail: f.detail });
      }
      if (steps.every((s) => s.ok)) freeze.keep();
      else {
        const r = await freeze.restore();
        frozen = freeze.wasReadOnly || !r.ok;
        steps.push({ step: "unfreeze", ok: r.ok, detail: `no-go after the freeze: ${r.message}` });
      }
    } catch (e) {
      // An error (a lost connection, a refused statement): put back what was found, then report the error.
      await freeze?.restore();
      throw e;
    } finally {
      await admin.end().catch(() => undefined);
      await tgt?.end().catch(() => undefined);
    }
  }
  const go = steps.every((s) => s.ok);
  const instructions = go
    ? [
        ...(frozen
          ? []
          : [
              "Stop application writes to the source (or rerun with --freeze-source to set it read-only and re-validate).",
            ]),
        "Wait for CDCLatencyTarget to reach 0 on the dashboard, then stop the DMS task: aws dms stop-replication-task --replication-task-arn <dms_task_arn>",
        "Add the foreign keys and triggers held back on the target: dmsctl schema --env <env> --source mysql://admin@<source host> --finalize (an account that can see triggers)",
        "Point the application's writers at the target endpoint (target_endpoint_address) with TLS; keep the source read-only as the fallback.",
        "Check the application, then dmsctl verify is no longer needed: delete the DMS task and instance when the fallback window closes.",
      ]
    : [];
  return { go, steps, frozen, instructions, preflight: pre, latency: lat, validation: finalValidation };
}

/** The true number of differing rows of a table (its listing may be capped). */
function differenceCount(t: {
  differences: readonly unknown[];
  counts?: { missing: number; extra: number; changed: number };
}): number {
  return t.counts ? t.counts.missing + t.counts.extra + t.counts.changed : t.differences.length;
}
