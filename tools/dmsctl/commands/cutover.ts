import { EXIT_FINDING, EXIT_OK, renderTable } from "../common";
import { Command, dmsUsersOf, format, int, need, num, schemasOf } from "../args";

export const cutover: Command = {
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
    const { cutover } = await import("../cutover");
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
};
