/** How `dmsctl validate` shows itself to people: the text report and the progress line (rows inside tables). */
import { renderTable } from "./common";
import type { TableResult, ValidateProgress, ValidateResult } from "./validate";
import type { RepairResult } from "./repair";

/** Rows listed per table in the text report (--format json lists up to --max-differences). */
const TEXT_LISTED = 20;

const countsOf = (t: TableResult) =>
  t.counts ?? {
    missing: t.differences.filter((d) => d.kind === "missing").length,
    extra: t.differences.filter((d) => d.kind === "extra").length,
    changed: t.differences.filter((d) => d.kind === "changed").length,
  };

/** The text report: one line per table with the true counts, then type hints and the first differing keys. */
export function renderValidateText(r: ValidateResult): string {
  const out: string[] = [];
  out.push(
    renderTable(
      ["table", "status", "source rows", "target rows", "missing", "extra", "changed", "note"],
      r.tables.map((t) => {
        const c = countsOf(t);
        return [
          t.table,
          t.status.toUpperCase(),
          t.sourceRows ?? "-",
          t.targetRows ?? "-",
          c.missing,
          c.extra,
          c.changed,
          t.error ?? t.note ?? "",
        ];
      }),
    ),
  );
  const typed = r.tables.filter((t) => (t.typeDifferences ?? []).length > 0);
  if (typed.length > 0) {
    out.push("\ncolumn types differ (rows that differ only in such a column show as changed):");
    for (const t of typed)
      for (const d of t.typeDifferences!)
        out.push(`  ${t.table}: column ${d.column} is ${d.source} on the source, ${d.target} on the target`);
  }
  for (const t of r.tables.filter((x) => x.differences.length > 0)) {
    const c = countsOf(t);
    const total = c.missing + c.extra + c.changed;
    out.push(`\n${t.table}:`);
    const shown = t.differences.slice(0, TEXT_LISTED);
    for (const d of shown) out.push(`  ${d.kind.padEnd(8)} ${JSON.stringify(d.key)}`);
    if (total > shown.length) {
      out.push(
        t.differences.length > shown.length
          ? `  ... ${total - shown.length} more (--format json lists ${t.differences.length < total ? `the first ${t.differences.length}; --max-differences raises that` : "them all"})`
          : `  ... ${total - shown.length} more (--max-differences lists more)`,
      );
    }
  }
  if (r.tables.some((t) => t.status === "mismatch"))
    out.push(
      "\nUnder live replication a difference may still be in flight (a row the target has not caught up with): dmsctl verify measures the lag; one that stays after the source is frozen (dmsctl cutover --freeze-source) is real.",
    );
  return out.join("\n");
}

/** What `validate --repair --apply` did, a row per table, and the verdict. */
export function renderRepairText(r: RepairResult): string {
  const table = renderTable(
    ["table", "result", "chunks", "deleted", "written", "re-validated", "note"],
    r.tables.map((t) => [
      t.table,
      t.status.toUpperCase(),
      t.chunks,
      t.deleted,
      t.replaced,
      t.revalidated
        ? t.revalidated.differing === 0
          ? `${t.revalidated.chunks} chunk(s) match`
          : `${t.revalidated.differing} of ${t.revalidated.chunks} chunk(s) still differ`
        : "-",
      t.error ?? (t.status === "still-differs" ? "rows changed while it ran (replication?): run it again" : ""),
    ]),
  );
  const verdict = r.ok
    ? `repair: every repaired chunk matches the source now (${r.tables.length} table(s))`
    : `repair: ${r.tables.filter((t) => t.status !== "repaired").length} table(s) not fully repaired`;
  return `${table}\n\n${verdict}`;
}

/** A progress line on stderr, only on a terminal: tables done, and rows checksummed out of the estimate. */
export class ValidateProgressLine {
  private last = 0;
  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}
  update(p: ValidateProgress): void {
    if (!this.stream.isTTY) return;
    const now = Date.now();
    const finished = p.tablesDone >= p.tablesTotal;
    if (now - this.last < 100 && !finished) return;
    this.last = now;
    const pct =
      p.rowsEstimated > 0
        ? Math.min(1, p.rowsScanned / p.rowsEstimated)
        : p.tablesTotal > 0
          ? p.tablesDone / p.tablesTotal
          : 1;
    const width = 30;
    const bar = "#".repeat(Math.round(pct * width)).padEnd(width, ".");
    const n = (x: number) => x.toLocaleString("en-US");
    this.stream.write(
      `\rvalidate [${bar}] ${(pct * 100).toFixed(0).padStart(3)}% ${p.tablesDone}/${p.tablesTotal} tables, ${n(p.rowsScanned)}/${n(p.rowsEstimated)} rows`,
    );
    if (finished) this.stream.write("\n");
  }
}
