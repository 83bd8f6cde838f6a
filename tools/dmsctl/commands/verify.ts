import { CliError, EXIT_FINDING, EXIT_OK } from "../common";
import { Command, format, int, need, num } from "../args";
import { currentRun } from "../run-context";

export const verify: Command = {
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
    const { verify } = await import("../verify");
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
};
