import { CliError, EXIT_FINDING, EXIT_OK } from "../common";
import { Command, format, int, list, need, num, schemasOf } from "../args";

export const validate: Command = {
  summary: "compare every table row by row (counts, chunk checksums, differing keys), read-only on both sides",
  usage:
    "dmsctl validate --source URL --target URL [--schema S] [--tables a,b] [--chunk-size N] [--parallel N] [--retries 3] [--retry-delay-seconds 5] [--max-differences N]",
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
  },
  async run(v, io) {
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
      });
    } catch (e) {
      if (e instanceof ValidateInputError) throw new CliError(e.message);
      throw e;
    }
    io.out(format(v) === "json" ? JSON.stringify(r, null, 2) : renderValidateText(r));
    // A table that differs or could not be compared (missing on the target, columns differ) is a finding: exit 1.
    // Exit 2 is for what stops the comparison itself (usage, connections, a missing schema).
    return r.tables.every((t) => t.status === "match") ? EXIT_OK : EXIT_FINDING;
  },
};
