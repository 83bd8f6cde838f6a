import { CliError, EXIT_FINDING, EXIT_OK, Endpoint } from "../common";
import { Command, Io, format, int, list, need, num, schemasOf } from "../args";
import type { ValidateResult } from "../validate";

export const validate: Command = {
  summary: "compare every table row by row (counts, chunk checksums, differing keys), read-only on both sides",
  usage:
    "dmsctl validate --source URL --target URL [--schema S] [--tables a,b] [--chunk-size N] [--parallel N] [--retries 3] [--retry-delay-seconds 5] [--max-differences N] [--repair [--apply]]",
  details: `Options:
  --schema S[,S2]           schemas to compare (default: the schema of the --source URL, else every user schema)
  --tables a,b              only these tables (name or schema.name; default every base table of the schemas)
  --chunk-size N            rows per checksummed chunk, the key range width for integer keys (default 10000;
                            10 to 10000000); a wider chunk costs no more memory, only a longer re-read when it differs
  --parallel N              tables compared at once, one connection per server each (default 4; 1 to 64)
  --retries N               re-checks of what differs before it is reported, so rows in flight under CDC are not
                            (default 3; 0 to 100)
  --retry-delay-seconds S   wait before each re-check: the replication lag to allow for (default 5)
  --max-differences N       differing keys listed per table (default 1000); the counts are always the true counts,
                            and a table with more says "N differences, first M listed" ("truncated": true in JSON)
  --repair                  print the SQL that makes the target's rows equal to the source's where they differ:
                            every differing chunk read again by key range (all its rows, not only those listed),
                            DELETE of the rows only the target has, REPLACE of the source's rows, one transaction
                            per chunk, literals exact for every type (NULL, BLOBs as hex, DECIMAL, DATETIME(6),
                            JSON, utf8mb4); a script for the mysql client on stdout, the report as its comments.
                            Writes nothing. A differing table without a primary key or NOT NULL unique key (or
                            whose target lacks that key) is refused: exit 2, nothing printed or written
  --apply                   with --repair: run that SQL on the target, one transaction per chunk (an interrupt
                            leaves each chunk applied or not), then validate each repaired chunk again and report
                            it; the source is only read. Exit 0 when every repaired chunk matches
Column types that differ between the servers are named first (with both types): rows that differ only there show
as changed. Values longer than 256 characters (1024 bytes) are compared by their MD5, so no row is too long for
max_allowed_packet. A table without a primary key or NOT NULL unique key is compared as a whole, duplicates
counted; its differing rows cannot be named. The progress line (on a terminal) shows rows checksummed so far out
of the servers' estimate. Exit 0 when every table matches, 1 when one differs or cannot be compared, 2 on a usage
or connection error.`,
  options: {
    schema: { type: "string" },
    tables: { type: "string" },
    "chunk-size": { type: "string" },
    parallel: { type: "string" },
    retries: { type: "string" },
    "retry-delay-seconds": { type: "string" },
    "max-differences": { type: "string" },
    repair: { type: "boolean" },
    apply: { type: "boolean" },
  },
  async run(v, io) {
    const repairing = v.repair === true;
    const apply = v.apply === true;
    if (apply && !repairing) throw new CliError("--apply needs --repair (it applies the repair's SQL to the target)");
    const json = format(v) === "json";
    const source = await need(v, "source", io);
    const target = await need(v, "target", io);
    const { validate, ValidateInputError } = await import("../validate");
    const { renderValidateText, ValidateProgressLine } = await import("../validate-report");
    const bar = new ValidateProgressLine();
    let r;
    try {
      r = await validate(source, target, {
        schemas: schemasOf(v, source),
        tables: list(v, "tables"),
        chunkSize: int(v, "chunk-size", 10000, 10, 10_000_000),
        parallel: int(v, "parallel", 4, 1, 64),
        retries: int(v, "retries", 3, 0, 100),
        retryDelayMs: num(v, "retry-delay-seconds", 5) * 1000,
        maxDifferences: int(v, "max-differences", 1000, 1),
        onProgress: (p) => bar.update(p),
        keepChunks: repairing,
      });
    } catch (e) {
      if (e instanceof ValidateInputError) throw new CliError(e.message);
      throw e;
    }
    if (repairing) return repairCommand(source, target, r, apply, json, io);
    io.out(json ? JSON.stringify(r, null, 2) : renderValidateText(r));
    // A table that differs or could not be compared (missing on the target, columns differ) is a finding: exit 1.
    // Exit 2 is for what stops the comparison itself (usage, connections, a missing schema).
    return r.tables.every((t) => t.status === "match") ? EXIT_OK : EXIT_FINDING;
  },
};

/**
 * `--repair [--apply]` after the comparison: refused (exit 2) before anything is printed or written when a differing
 * table cannot be repaired; else the SQL on stdout (the report as its comments), or, with --apply, the report and
 * what each table's repair did.
 */
async function repairCommand(
  source: Endpoint,
  target: Endpoint,
  r: ValidateResult,
  apply: boolean,
  json: boolean,
  io: Io,
): Promise<number> {
  const { repair, repairRefusals, sqlComment } = await import("../repair");
  const { renderValidateText, renderRepairText } = await import("../validate-report");
  const refusals = repairRefusals(r);
  if (refusals.length > 0) {
    io.out(json ? JSON.stringify(r, null, 2) : renderValidateText(r));
    throw new CliError(`cannot repair: ${refusals.join("; ")}`);
  }
  const printing = !apply && !json;
  if (printing) {
    io.out(sqlComment("dmsctl validate --repair: the SQL that makes the target's rows equal to the source's"));
    io.out(sqlComment("nothing was changed; apply it with --apply, or with the mysql client on the target"));
    for (const line of renderValidateText(r).split("\n")) io.out(sqlComment(line));
  } else if (!json) io.out(renderValidateText(r));
  const result = await repair(source, target, r, {
    apply,
    keepSql: json && !apply,
    onSql: printing ? (line) => io.out(line) : undefined,
    onProgress: (line) => io.err(`validate --repair: ${line}`),
  });
  if (json) io.out(JSON.stringify({ ...r, repair: result }, null, 2));
  else if (apply) io.out(`\n${renderRepairText(result)}`);
  else {
    const rows = result.tables.reduce((a, t) => a + t.deleted + t.replaced, 0);
    const chunks = result.tables.reduce((a, t) => a + t.chunks, 0);
    io.err(
      `validate --repair: SQL for ${rows} row(s) in ${chunks} chunk(s) of ${result.tables.length} table(s) printed; nothing was changed (--apply runs it)`,
    );
    for (const t of result.tables.filter((x) => x.status === "not-repaired"))
      io.err(`validate --repair: ${t.table} not repaired: ${t.error}`);
  }
  if (apply) return result.ok ? EXIT_OK : EXIT_FINDING;
  // printing: the target still differs (exit 1) unless nothing differed
  return r.tables.every((t) => t.status === "match") ? EXIT_OK : EXIT_FINDING;
}
