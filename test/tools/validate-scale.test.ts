/**
 * validate on large differences: an empty target, and one difference in a chunk as wide as the table. Both must
 * finish with true counts in bounded memory: the real CLI (bin/dmsctl.js, built) runs as a child process and its
 * peak resident set size is measured (/usr/bin/time -v, or /proc/<pid>/status VmHWM). No timing is asserted.
 * The child runs dist/: `npm run build` first, as for every test of the bin.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as mysql from "mysql2/promise";
import { MariaDbServer, startMariaDb } from "../harness/mariadb";
import { parseMysqlUrl } from "../../tools/dmsctl/common";
import { ValidateProgress, validate } from "../../tools/dmsctl/validate";
import { dmsctl } from "./run";

const ROWS = 300_000;
/** Generous: a Node process running dmsctl starts around 60 MB; listing or buffering 300k rows costs far more (~270 MB). */
const MAX_RSS_MB = 150;
const BIN = path.join(__dirname, "..", "..", "bin", "dmsctl.js");

interface Table {
  table: string;
  status: string;
  sourceRows: number;
  targetRows: number;
  counts?: { missing: number; extra: number; changed: number };
  truncated?: boolean;
  note?: string;
  differences: { key: Record<string, string>; kind: string }[];
}

/** Runs bin/dmsctl.js in a child process; returns its output, exit code and peak RSS in MB. */
async function runChild(args: string[]): Promise<{ code: number; out: string; err: string; peakMb: number }> {
  const timeBin = fs.existsSync("/usr/bin/time") ? "/usr/bin/time" : undefined;
  const [cmd, argv] = timeBin ? [timeBin, ["-v", process.execPath, BIN, ...args]] : [process.execPath, [BIN, ...args]];
  const child = spawn(cmd, argv, { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (err += d));
  let polledKb = 0;
  const poll = timeBin
    ? undefined
    : setInterval(() => {
        try {
          const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, "utf8"));
          if (m) polledKb = Math.max(polledKb, Number(m[1]));
        } catch {
          // exited
        }
      }, 20);
  const code = await new Promise<number>((resolve) => child.on("close", (c) => resolve(c ?? -1)));
  if (poll) clearInterval(poll);
  const timed = /Maximum resident set size \(kbytes\): (\d+)/.exec(err);
  // what the program itself wrote to stderr, without /usr/bin/time's report
  const own = err
    .replace(/^Command exited with non-zero status \d+\n/m, "")
    .replace(/\s*Command being timed:[\s\S]*$/, "");
  return { code, out, err: own, peakMb: (timed ? Number(timed[1]) : polledKb) / 1024 };
}

describe("validate on large differences (two real servers)", () => {
  let source: MariaDbServer;
  let target: MariaDbServer;
  let s: mysql.Connection;
  let t: mysql.Connection;
  const urls = () => ["--source", source.url("big"), "--target", target.url("big")];

  beforeAll(async () => {
    [source, target] = await Promise.all([startMariaDb(), startMariaDb()]);
    [s, t] = await Promise.all([source.connect(), target.connect()]);
    const ddl =
      "CREATE DATABASE big; CREATE TABLE big.orders (id INT PRIMARY KEY, email VARCHAR(64) NOT NULL, qty INT, note VARCHAR(40) NULL)";
    await Promise.all([s.query(ddl), t.query(ddl)]);
    // server-side, in one statement: the sequence engine's seq_1_to_N table
    await s.query(
      `INSERT INTO big.orders SELECT seq, CONCAT('user', seq, '@example.com'), seq % 97, IF(seq % 5 = 0, NULL, REPEAT('n', seq % 13)) FROM big.seq_1_to_${ROWS}`,
    );
    await s.query("ANALYZE TABLE big.orders");
  });
  afterAll(async () => {
    await s?.end();
    await t?.end();
    await Promise.all([source?.stop(), target?.stop()]);
  });

  test("an empty target: true counts, the listing capped and saying so, in bounded memory", async () => {
    const r = await runChild([
      "validate",
      ...urls(),
      "--format",
      "json",
      "--retries",
      "1",
      "--retry-delay-seconds",
      "0.1",
    ]);
    expect([r.code, r.err]).toEqual([1, ""]);
    const table = (JSON.parse(r.out) as { tables: Table[] }).tables[0];
    expect(table).toMatchObject({
      table: "big.orders",
      status: "mismatch",
      sourceRows: ROWS,
      targetRows: 0,
      counts: { missing: ROWS, extra: 0, changed: 0 },
      truncated: true,
    });
    expect(table.differences).toHaveLength(1000);
    expect(table.differences[0]).toEqual({ key: { id: "1" }, kind: "missing" });
    expect(table.note).toBe(`${ROWS} differences, first 1000 listed`);
    expect(r.peakMb).toBeLessThan(MAX_RSS_MB);
    // the text table shows the true count, not the listing's length
    const text = await dmsctl(["validate", ...urls(), "--retries", "0"]);
    expect(text.out).toMatch(new RegExp(`big\\.orders\\s+MISMATCH\\s+${ROWS}\\s+0\\s+${ROWS}\\s+0\\s+0`));
  });

  test("one difference in a chunk as wide as the table: found in bounded memory", async () => {
    await t.query(
      `INSERT INTO big.orders SELECT * FROM (SELECT seq, CONCAT('user', seq, '@example.com'), seq % 97, IF(seq % 5 = 0, NULL, REPEAT('n', seq % 13)) FROM big.seq_1_to_${ROWS}) x`,
    );
    await t.query("UPDATE big.orders SET note = 'changed' WHERE id = 123457");
    await t.query("DELETE FROM big.orders WHERE id = 7");
    const r = await runChild([
      "validate",
      ...urls(),
      "--format",
      "json",
      "--chunk-size",
      "10000000",
      "--retries",
      "1",
      "--retry-delay-seconds",
      "0.1",
    ]);
    expect(r.code).toBe(1);
    const table = (JSON.parse(r.out) as { tables: Table[] }).tables[0];
    expect(table).toMatchObject({
      status: "mismatch",
      sourceRows: ROWS,
      targetRows: ROWS - 1,
      counts: { missing: 1, extra: 0, changed: 1 },
      truncated: false,
    });
    expect(table.differences.map((d) => `${d.kind}:${d.key.id}`).sort()).toEqual(["changed:123457", "missing:7"]);
    expect(r.peakMb).toBeLessThan(MAX_RSS_MB);
  });

  test("progress moves inside a long table: rows scanned out of the estimate", async () => {
    const events: ValidateProgress[] = [];
    const src = parseMysqlUrl(source.url("big"), "source", {}, { mode: "disabled" });
    const tgt = parseMysqlUrl(target.url("big"), "target", {}, { mode: "disabled" });
    await validate(src, tgt, { retries: 0, onProgress: (p) => events.push({ ...p }) });
    const inside = events.filter((e) => e.tablesDone === 0 && e.rowsScanned > 0 && e.rowsScanned < ROWS);
    expect(inside.length).toBeGreaterThanOrEqual(3);
    expect(inside.every((e, i) => i === 0 || e.rowsScanned >= inside[i - 1].rowsScanned)).toBe(true);
    expect(inside[0].rowsEstimated).toBeGreaterThan(ROWS / 2);
    expect(events[events.length - 1]).toMatchObject({ tablesDone: 1, tablesTotal: 1, rowsScanned: ROWS });
  });
});
