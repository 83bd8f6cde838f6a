import { CliError, EXIT_FINDING, EXIT_OK, renderTable } from "../common";
import { Command, format } from "../args";

export const status: Command = {
  summary: "the live DMS task: state, full-load progress per table, CDC latency and recent errors (AWS APIs)",
  usage: "dmsctl status --env ENV [--outputs-file FILE]",
  details: `Reads the environment's Terraform outputs (--outputs-file, default outputs/<env>.json from terraform output
-json) and asks AWS (your credentials, the usual chain) for the task's state, per-table full-load progress, the CDC
latency metrics and the last error lines of the task log. No database connection.`,
  options: {},
  async run(v, io) {
    if (!v.env) throw new CliError("status needs --env (the deployed environment whose task to show)");
    const { readOutputs, output } = await import("../env");
    const { taskStatus, awsStatusApi } = await import("../status");
    const { OUTPUT_NAMES } = await import("../shared");
    const outputs = readOutputs(String(v.env), v["outputs-file"] as string | undefined);
    const s = await taskStatus(outputs, awsStatusApi(output(outputs, OUTPUT_NAMES.region)));
    if (format(v) === "json") io.out(JSON.stringify(s, null, 2));
    else {
      const t = s.task;
      io.out(
        `task ${t.id}: ${t.status}${t.fullLoadProgressPercent !== undefined ? `, full load ${t.fullLoadProgressPercent}%` : ""}${t.stopReason ? ` (${t.stopReason})` : ""}`,
      );
      io.out(
        `tables: ${t.tablesLoaded ?? 0} loaded, ${t.tablesLoading ?? 0} loading, ${t.tablesQueued ?? 0} queued, ${t.tablesErrored ?? 0} errored`,
      );
      io.out(`CDC latency: source ${s.latency.sourceSeconds ?? "-"} s, target ${s.latency.targetSeconds ?? "-"} s`);
      if (t.lastFailureMessage) io.out(`last failure: ${t.lastFailureMessage}`);
      io.out("");
      io.out(
        renderTable(
          ["table", "state", "full load rows", "inserts", "updates", "deletes", "validation"],
          s.tables.map((x) => [
            `${x.schema}.${x.table}`,
            x.state,
            x.fullLoadRows,
            x.inserts,
            x.updates,
            x.deletes,
            x.validationState ?? "",
          ]),
        ),
      );
      if (s.recentErrors.length > 0)
        io.out(`\nrecent errors:\n${s.recentErrors.map((e) => `${e.time} ${e.message}`).join("\n")}`);
    }
    const healthy =
      !/fail|error/i.test(s.task.status) && (s.task.tablesErrored ?? 0) === 0 && s.recentErrors.length === 0;
    return healthy ? EXIT_OK : EXIT_FINDING;
  },
};
