import { CliError, EXIT_FINDING, EXIT_OK, renderTable } from "../common";
import { Command, dmsUsersOf, format, int, need, schemasOf, endpoint } from "../args";

export const preflight: Command = {
  summary: "check the source (and target) can be replicated by DMS: binlog, privileges, keys, engines, types",
  usage:
    "dmsctl preflight --source URL [--target URL] [--schema S[,S2]] [--dms-source-user dms_source] [--dms-target-user dms_target] [--lob-max-size-kb 64] [--env E --aws [--aws-timeout-minutes 30]]",
  details: `Options:
  --schema S[,S2]           schemas DMS migrates (default: the schema of the --source or --target URL); without
                            one only the server-wide checks run
  --dms-source-user U       check this source account's grants (user or user@host) instead of the connecting
                            user's (default: the connecting user)
  --dms-target-user U       the same for the target account
  --lob-max-size-kb N       the DMS task's LobMaxSize, the environment's lobMaxSizeKb (default 64, the task's
                            default; 0 = full LOB mode, no limit; 0 to 102400): LOB columns whose values are larger
                            are reported (a table's first 100000 rows read, 10 s at most)
  --aws                     also AWS DMS's own checks of the deployed environment (needs --env): TestConnection
                            of every endpoint (the task's and the fallback task's) from the replication instance,
                            and a premigration assessment run of the task, its results read back from the
                            assessment bucket (s3://<bucket>/dmsctl-preflight/<run>/<assessment>.json); each is a
                            row with side "dms": a failed connection or a failed/error assessment is FAIL, a
                            warning WARN. DMS Serverless: both are WARN "skipped" (no instance to test from; its
                            assessments run only when the replication starts), with its latest assessment if any.
                            Waits with progress on stderr
  --aws-timeout-minutes N   the longest wait for the connection tests, and for the assessment run (default 30;
                            1 to 1440); a run still going then is FAIL and keeps running in AWS
Each check is PASS, WARN or FAIL with the value seen and the fix. Exit 0 with no FAIL, 1 with one, 2 on a usage or
connection error.`,
  options: {
    schema: { type: "string" },
    "dms-source-user": { type: "string" },
    "dms-target-user": { type: "string" },
    "lob-max-size-kb": { type: "string" },
    aws: { type: "boolean" },
    "aws-timeout-minutes": { type: "string" },
  },
  async run(v, io) {
    const lobMaxSizeKb = int(v, "lob-max-size-kb", 64, 0, 102400);
    const aws = v.aws === true;
    const awsTimeoutMs = int(v, "aws-timeout-minutes", 30, 1, 1440) * 60_000;
    if (!aws && v["aws-timeout-minutes"] !== undefined) throw new CliError("--aws-timeout-minutes needs --aws");
    if (aws && !v.env)
      throw new CliError("--aws needs --env (the deployed environment whose DMS endpoints and task to check)");
    const outputs = aws
      ? (await import("../env")).readOutputs(String(v.env), v["outputs-file"] as string | undefined)
      : undefined;
    const source = await need(v, "source", io);
    const target = await endpoint(v, "target", io, false);
    const { preflight } = await import("../preflight");
    let r = await preflight(source, target, schemasOf(v, source, target), dmsUsersOf(v), { lobMaxSizeKb });
    if (outputs) {
      const { awsPreflight } = await import("../preflight-aws");
      const a = await awsPreflight(outputs, {
        connectionTimeoutMs: awsTimeoutMs,
        assessmentTimeoutMs: awsTimeoutMs,
        onProgress: (line) => io.err(`preflight --aws: ${line}`),
      });
      r = {
        checks: [...r.checks, ...a.checks],
        ok: r.ok && a.ok,
        ...(a.assessmentRun ? { assessmentRun: a.assessmentRun } : {}),
      };
    }
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
