/**
 * What one dmsctl run holds on the servers, so nothing outlives it and nothing it changed is stranded:
 * - every connection it opened (common.connect registers them; all are closed when the run ends, whatever the path);
 * - every server setting it changed, with the value it found (restored exactly to that on an error or an interrupt,
 *   and reported);
 * - connections lost mid-run (an error, exit 2, naming the side: never a finding);
 * - the secrets it must never print (passwords it connected with).
 * The CLI's main() creates one per run (AsyncLocalStorage carries it through the command's async calls); code
 * called without one (tests calling a module directly) simply runs untracked.
 */
import { AsyncLocalStorage } from "async_hooks";

/** A change to server state that can be put back as it was found. */
export interface Restorer {
  /** The server and setting, for messages: "source admin@db:3306 read_only". */
  readonly what: string;
  /** Puts back what was found, once (later calls return the first result): a line for the operator. */
  restore(): Promise<RestoreOutcome>;
  /** The run keeps this change (cutover GO keeps the source read-only): nothing to restore any more. */
  keep(): void;
}

export interface RestoreOutcome {
  readonly ok: boolean;
  readonly message: string;
}

/** A connection the run opened: enough to close it, and to tell which side it was. */
export interface TrackedConnection {
  readonly side: string;
  /** user@host:port[/schema], never the password. */
  readonly description: string;
  /** Closes the socket at once (no round trip). */
  destroy(): void;
}

export interface LostConnection {
  readonly side: string;
  readonly description: string;
  readonly message: string;
}

export class RunContext {
  readonly connections = new Set<TrackedConnection>();
  readonly restorers = new Set<Restorer>();
  readonly lost: LostConnection[] = [];
  /** Lines of restorations that ran (any path), in order. */
  readonly restored: RestoreOutcome[] = [];
  readonly secrets = new Set<string>();
  /** Where the run is, for the interrupted message ("4/4 final validate"). */
  stage?: string;
  /** Set once a signal arrived: no new connection, no new change. */
  interrupted?: NodeJS.Signals;
  /**
   * A command that ends by itself on SIGINT (verify --watch) sets this; it returns true when it took the signal,
   * so the run is not interrupted (a second SIGINT still is).
   */
  softInterrupt?: () => boolean;

  addSecret(value: string | undefined): void {
    // Short values would blank out ordinary words; the parsers never echo a password anyway.
    if (value && value.length >= 4) this.secrets.add(value);
  }

  /** Text with every known secret replaced by ***. */
  scrub(text: string): string {
    let out = text;
    for (const s of [...this.secrets].sort((a, b) => b.length - a.length)) out = out.split(s).join("***");
    return out;
  }

  recordLost(l: LostConnection): void {
    if (!this.lost.some((x) => x.description === l.description && x.side === l.side)) this.lost.push(l);
  }

  /** Closes every connection still open (client side). */
  destroyConnections(): void {
    for (const c of [...this.connections]) {
      try {
        c.destroy();
      } catch {
        // already gone
      }
      this.connections.delete(c);
    }
  }

  /** Runs every pending restorer (each at most `timeoutMs`), newest first; returns their outcomes. */
  async restoreAll(timeoutMs = 30_000): Promise<RestoreOutcome[]> {
    const out: RestoreOutcome[] = [];
    for (const r of [...this.restorers].reverse()) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<RestoreOutcome>((resolve) => {
        timer = setTimeout(
          () => resolve({ ok: false, message: `could NOT restore ${r.what}: no answer within ${timeoutMs / 1000} s` }),
          timeoutMs,
        );
      });
      out.push(await Promise.race([r.restore(), late]));
      clearTimeout(timer);
    }
    return out;
  }
}

const storage = new AsyncLocalStorage<RunContext>();

/** Runs fn with ctx as the current run. */
export function withRunContext<T>(ctx: RunContext, fn: () => Promise<T>): Promise<T> {
  return storage.run(ctx, fn);
}

/** The current run, if any. */
export function currentRun(): RunContext | undefined {
  return storage.getStore();
}

/** Where the run is now (shown if it is interrupted). */
export function setStage(stage: string): void {
  const ctx = currentRun();
  if (ctx) ctx.stage = stage;
}

/**
 * Registers a restorer with the current run (if any) and returns it wrapped: restore() runs once and records its
 * outcome with the run; keep() and restore() both take it off the run's list.
 */
export function registerRestorer(what: string, run: () => Promise<RestoreOutcome>): Restorer {
  const ctx = currentRun();
  let once: Promise<RestoreOutcome> | undefined;
  const r: Restorer = {
    what,
    restore() {
      once ??= (async () => {
        let outcome: RestoreOutcome;
        try {
          outcome = await run();
        } catch (e) {
          outcome = { ok: false, message: `could NOT restore ${what}: ${(e as Error).message}` };
        }
        ctx?.restored.push(outcome);
        ctx?.restorers.delete(r);
        return outcome;
      })();
      return once;
    },
    keep() {
      ctx?.restorers.delete(r);
    },
  };
  ctx?.restorers.add(r);
  return r;
}
