import { EXIT_FINDING, EXIT_OK, renderTable } from "../common";
import { Command, dmsUsersOf, format, int, need, schemasOf, endpoint } from "../args";

export const preflight: Command = {
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
    const { preflight } = await import("../preflight");
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
};
