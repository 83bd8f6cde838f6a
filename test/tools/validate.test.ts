import * as mysql from "mysql2/promise";
import { ReplicationPair, startReplicationPair } from "../harness/mariadb";
import {
  Column,
  canonicalCollation,
  comparableType,
  generatedExtraSql,
  isGeneratedExtra,
} from "../../tools/dmsctl/table-meta";
import { hasCastAsFloat } from "../../tools/dmsctl/common";
import { renderValidateText } from "../../tools/dmsctl/validate-report";
import { dmsctl } from "./run";

interface Result {
  tables: {
    table: string;
    status: string;
    sourceRows: number | null;
    targetRows: number | null;
    method?: string;
    note?: string;
    error?: string;
    counts?: { missing: number; extra: number; changed: number };
    truncated?: boolean;
    typeDifferences?: { column: string; source: string; target: string }[];
    differences: { key: Record<string, string>; kind: string }[];
  }[];
}

describe("dmsctl validate against two real servers", () => {
  let pair: ReplicationPair;
  let s: mysql.Connection;
  let t: mysql.Connection;
  const urls = () => ["--source", pair.source.url(), "--target", pair.target.url()];
  const run = (extra: string[]) =>
    dmsctl(["validate", ...urls(), "--format", "json", "--retry-delay-seconds", "0.2", "--retries", "1", ...extra]);
  /** A change made on one side only (never replicated). */
  const localOnly = (c: mysql.Connection, sql: string) =>
    c.query(`SET SESSION sql_log_bin = 0; ${sql}; SET SESSION sql_log_bin = 1`);

  beforeAll(async () => {
    pair = await startReplicationPair();
    s = await pair.source.connect();
    t = await pair.target.connect();
    await s.query(`
      CREATE DATABASE v CHARACTER SET utf8mb4;
      CREATE TABLE v.items (id INT PRIMARY KEY, a VARCHAR(20) NULL, b VARCHAR(20) NULL, price DECIMAL(10,2), at DATETIME(6), data BLOB, txt TEXT);
      CREATE TABLE v.pairs (region CHAR(2) NOT NULL, code VARCHAR(10) NOT NULL, qty INT, PRIMARY KEY (region, code));
      CREATE TABLE v.nokey (x INT, y VARCHAR(10));
      CREATE TABLE v.big (id BIGINT PRIMARY KEY, v INT);
    `);
    const items = Array.from({ length: 300 }, (_, i) => [
      i + 1,
      i % 7 === 0 ? null : `a${i}`,
      i % 5 === 0 ? "" : `b${i}`,
      (i * 1.25).toFixed(2),
      `2026-01-01 00:00:${String(i % 60).padStart(2, "0")}.${String(i).padStart(6, "0")}`,
      Buffer.from([i % 256, 0, 255]),
      `text ${i} 😀 ünïcødé`,
    ]);
    await s.query("INSERT INTO v.items VALUES ?", [items]);
    await s.query("INSERT INTO v.pairs VALUES ?", [
      Array.from({ length: 120 }, (_, i) => [["eu", "us", "ap"][i % 3], `c${i}`, i]),
    ]);
    await s.query("INSERT INTO v.nokey VALUES (1, 'x'), (2, 'y'), (2, 'y')");
    await s.query("INSERT INTO v.big VALUES ?", [Array.from({ length: 5000 }, (_, i) => [i * 997 + 5, i])]);
    await pair.sync();
  });
  afterAll(async () => {
    await s?.end();
    await t?.end();
    await pair?.stop();
  });

  test("identical servers: every table matches, exit 0, counts from both sides", async () => {
    const r = await run(["--schema", "v", "--chunk-size", "50"]);
    expect(r.code).toBe(0);
    const res = r.json<Result>();
    expect(res.tables.map((x) => [x.table, x.status, x.sourceRows, x.targetRows])).toEqual([
      ["v.big", "match", 5000, 5000],
      ["v.items", "match", 300, 300],
      ["v.nokey", "match", 3, 3],
      ["v.pairs", "match", 120, 120],
    ]);
    expect(res.tables.find((x) => x.table === "v.nokey")).toMatchObject({
      method: "whole-table",
      note: expect.stringMatching(/compared as a whole/),
    });
  });

  test("reports missing, extra and changed keys, including the subtle ones", async () => {
    await localOnly(s, "INSERT INTO v.items (id, a) VALUES (1000, 'only on source')"); // missing in target
    await localOnly(t, "INSERT INTO v.items (id, a) VALUES (2000, 'only on target')"); // extra in target
    await localOnly(t, "DELETE FROM v.items WHERE id = 3"); // missing
    await localOnly(t, "UPDATE v.items SET b = NULL WHERE id = 10"); // '' vs NULL
    await localOnly(t, "UPDATE v.items SET a = 'a11 ' WHERE id = 12"); // trailing space
    await localOnly(t, "UPDATE v.items SET txt = 'text 13 😁 ünïcødé' WHERE id = 14"); // one emoji differs
    await localOnly(t, "UPDATE v.items SET price = price + 0.01 WHERE id = 15"); // DECIMAL
    await localOnly(t, "UPDATE v.items SET at = at + INTERVAL 1 MICROSECOND WHERE id = 16"); // fractional seconds
    await localOnly(t, "UPDATE v.items SET data = UNHEX('10FF00') WHERE id = 17"); // BLOB byte
    await localOnly(s, "UPDATE v.items SET a = NULL, b = 'x' WHERE id = 20");
    await localOnly(t, "UPDATE v.items SET a = 'x', b = NULL WHERE id = 20"); // NULLs in different columns
    await localOnly(t, "UPDATE v.pairs SET qty = 999 WHERE region = 'us' AND code = 'c4'"); // composite key
    await localOnly(t, "UPDATE v.nokey SET y = 'z' WHERE x = 1"); // keyless table
    await localOnly(t, "UPDATE v.big SET v = -1 WHERE id = 5"); // first row of the first chunk
    const r = await run(["--schema", "v", "--chunk-size", "50"]);
    expect(r.code).toBe(1);
    const res = r.json<Result>();
    const items = res.tables.find((x) => x.table === "v.items")!;
    expect(items.status).toBe("mismatch");
    const diffs = items.differences.map((d) => `${d.kind}:${d.key.id}`).sort();
    expect(diffs).toEqual(
      [
        "changed:10",
        "changed:12",
        "changed:14",
        "changed:15",
        "changed:16",
        "changed:17",
        "changed:20",
        "extra:2000",
        "missing:1000",
        "missing:3",
      ].sort(),
    );
    expect([items.sourceRows, items.targetRows]).toEqual([301, 300]);
    expect(res.tables.find((x) => x.table === "v.pairs")!.differences).toEqual([
      { key: { region: "us", code: "c4" }, kind: "changed" },
    ]);
    expect(res.tables.find((x) => x.table === "v.nokey")).toMatchObject({ status: "mismatch", differences: [] });
    expect(res.tables.find((x) => x.table === "v.big")!.differences).toEqual([{ key: { id: "5" }, kind: "changed" }]);
  });

  test("negative keys straddling zero and a column whose charset differs between the servers", async () => {
    // built on each side separately (outside replication): the target stores the same text as latin1
    const rows = [-120, -51, -50, -49, -1, 0, 1, 49, 50, 51, 120].map((id) => [id, `café ${id}`]);
    await localOnly(s, "CREATE TABLE v.signed (id INT PRIMARY KEY, name VARCHAR(20) CHARACTER SET utf8mb4)");
    await localOnly(t, "CREATE TABLE v.signed (id INT PRIMARY KEY, name VARCHAR(20) CHARACTER SET latin1)");
    await s.query("SET SESSION sql_log_bin = 0");
    await s.query("INSERT INTO v.signed VALUES ?", [rows]);
    await s.query("SET SESSION sql_log_bin = 1");
    await t.query("SET SESSION sql_log_bin = 0");
    await t.query("INSERT INTO v.signed VALUES ?", [rows]);
    await t.query("SET SESSION sql_log_bin = 1");
    const same = await dmsctl([
      "validate",
      ...urls(),
      "--schema",
      "v",
      "--tables",
      "signed",
      "--chunk-size",
      "50",
      "--format",
      "json",
    ]);
    expect(same.json<Result>().tables[0]).toMatchObject({ status: "match", sourceRows: 11, targetRows: 11 });
    await localOnly(t, "UPDATE v.signed SET name = 'cafe -50' WHERE id = -50");
    await localOnly(t, "DELETE FROM v.signed WHERE id = 0");
    await localOnly(t, "INSERT INTO v.signed VALUES (-99, 'x')");
    const diff = await dmsctl([
      "validate",
      ...urls(),
      "--schema",
      "v",
      "--tables",
      "signed",
      "--chunk-size",
      "50",
      "--format",
      "json",
      "--retries",
      "0",
    ]);
    expect(
      diff
        .json<Result>()
        .tables[0].differences.map((d) => `${d.kind}:${d.key.id}`)
        .sort(),
    ).toEqual(["changed:-50", "extra:-99", "missing:0"]);
  });

  test("binary keys are re-read with their bytes, and the same change on two rows of a chunk does not cancel out", async () => {
    await s.query("CREATE TABLE v.uuids (id BINARY(16) PRIMARY KEY, status VARCHAR(10) NOT NULL)");
    await s.query(
      "INSERT INTO v.uuids VALUES (UNHEX('00112233445566778899AABBCCDDEEFF'), 'pending'), (UNHEX('FFEEDDCCBBAA99887766554433221100'), 'pending'), (UNHEX('0000000000000000000000000000000A'), 'pending')",
    );
    await pair.sync();
    // two rows, one chunk, the same edit at the same offset: CRC32 alone would cancel these in BIT_XOR
    await localOnly(
      t,
      "UPDATE v.uuids SET status = 'shipped' WHERE id IN (UNHEX('00112233445566778899AABBCCDDEEFF'), UNHEX('FFEEDDCCBBAA99887766554433221100'))",
    );
    const r = await dmsctl([
      "validate",
      ...urls(),
      "--schema",
      "v",
      "--tables",
      "uuids",
      "--format",
      "json",
      "--retries",
      "1",
      "--retry-delay-seconds",
      "0.2",
    ]);
    const table = r.json<Result>().tables[0];
    expect(table.status).toBe("mismatch");
    expect(table.differences.map((d) => `${d.kind}:${d.key.id}`).sort()).toEqual([
      "changed:0x00112233445566778899aabbccddeeff",
      "changed:0xffeeddccbbaa99887766554433221100",
    ]);
  });

  test("--tables limits the comparison; text output names the differences", async () => {
    const r = await dmsctl(["validate", ...urls(), "--schema", "v", "--tables", "pairs", "--retries", "0"]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/v\.pairs\s+MISMATCH\s+120\s+120\s+0\s+0\s+1/);
    expect(r.out).toMatch(/changed\s+\{"region":"us","code":"c4"\}/);
    expect(r.out).not.toMatch(/v\.items/);
  });

  test("rows still in flight under replication are re-checked, not reported as lost", async () => {
    await t.query("STOP SLAVE SQL_THREAD");
    await s.query("CREATE TABLE v.flight (id INT PRIMARY KEY, v INT)");
    await t.query("START SLAVE SQL_THREAD");
    await pair.sync();
    await t.query("STOP SLAVE SQL_THREAD");
    await s.query("INSERT INTO v.flight VALUES (1, 1), (2, 2), (3, 3)");
    setTimeout(() => void t.query("START SLAVE SQL_THREAD"), 700);
    const r = await dmsctl([
      "validate",
      ...urls(),
      "--schema",
      "v",
      "--tables",
      "flight",
      "--format",
      "json",
      "--retry-delay-seconds",
      "1.5",
      "--retries",
      "3",
    ]);
    // counted while the target was behind (3 vs 0), matched on re-check: the note says why the counts differ
    expect(r.json<Result>().tables[0]).toMatchObject({
      table: "v.flight",
      status: "match",
      sourceRows: 3,
      targetRows: 0,
      note: "rows counted in the first pass, when the target was behind; every difference matched on re-check",
    });
    expect(r.code).toBe(0);
  });

  test("the text report: how many more than listed, and what a difference under live replication may be", () => {
    const diff = (id: number) => ({ key: { id: String(id) }, kind: "changed" as const });
    const table = (listed: number, total: number) => ({
      table: "v.t",
      status: "mismatch" as const,
      sourceRows: 100,
      targetRows: 100,
      differences: Array.from({ length: listed }, (_, i) => diff(i)),
      counts: { missing: 0, extra: 0, changed: total },
    });
    const text = (listed: number, total: number) => renderValidateText({ tables: [table(listed, total)] });
    expect(text(1, 10)).toMatch(/\n {2}\.\.\. 9 more \(--max-differences lists more\)/);
    expect(text(25, 30)).toMatch(
      /\n {2}\.\.\. 10 more \(--format json lists the first 25; --max-differences raises that\)/,
    );
    expect(text(30, 30)).toMatch(/\n {2}\.\.\. 10 more \(--format json lists them all\)/);
    expect(text(5, 5)).not.toMatch(/more/);
    expect(text(5, 5)).toMatch(
      /\nUnder live replication a difference may still be in flight .* one that stays after the source is frozen/,
    );
    expect(renderValidateText({ tables: [{ ...table(0, 0), status: "match" }] })).not.toMatch(/in flight/);
  });

  test("is read-only on both servers", async () => {
    const pos = async () => {
      const [[a]] = (await s.query("SELECT @@gtid_binlog_pos AS p")) as unknown as [{ p: string }[]];
      const [[b]] = (await t.query("SELECT @@gtid_binlog_pos AS p")) as unknown as [{ p: string }[]];
      return [a.p, b.p];
    };
    const before = await pos();
    await run(["--schema", "v"]);
    expect(await pos()).toEqual(before);
  });

  test("fails with exit 2 on a missing schema, an unknown table, a bad URL and a wrong password", async () => {
    const missing = await dmsctl(["validate", ...urls(), "--schema", "nope"]);
    expect([missing.code, missing.err]).toEqual([
      2,
      expect.stringMatching(/schema "nope" does not exist on the source/),
    ]);
    const unknown = await dmsctl(["validate", ...urls(), "--schema", "v", "--tables", "ghost"]);
    expect([unknown.code, unknown.err]).toEqual([
      2,
      expect.stringMatching(/--tables names tables that do not exist on the source: ghost/),
    ]);
    const badUrl = await dmsctl(["validate", "--source", "postgres://x@y", "--target", pair.target.url()]);
    expect([badUrl.code, badUrl.err]).toEqual([2, expect.stringMatching(/--source must be a URL like mysql:\/\//)]);
    const wrongPw = await dmsctl([
      "validate",
      "--source",
      `mysql://admin:wrong@127.0.0.1:${pair.source.port}/v`,
      "--target",
      pair.target.url(),
    ]);
    expect([wrongPw.code, wrongPw.err]).toEqual([
      2,
      expect.stringMatching(/cannot connect to source admin@127\.0\.0\.1:\d+\/v: access denied/),
    ]);
    expect(wrongPw.err).not.toMatch(/wrong/);
  });

  test("a table only the target has is reported too", async () => {
    await localOnly(t, "CREATE TABLE v.stray (id INT PRIMARY KEY)");
    const r = await dmsctl(["validate", ...urls(), "--schema", "v", "--format", "json", "--retries", "0"]);
    expect(r.json<Result>().tables.find((x) => x.table === "v.stray")).toMatchObject({
      status: "error",
      error: "table does not exist on the source",
    });
    expect(r.code).toBe(1);
    await localOnly(t, "DROP TABLE v.stray");
  });

  test("a table missing on the target is an error for that table, and a finding (exit 1)", async () => {
    await localOnly(s, "CREATE TABLE v.lonely (id INT PRIMARY KEY)");
    const r = await dmsctl(["validate", ...urls(), "--schema", "v", "--tables", "lonely", "--format", "json"]);
    expect(r.json<Result>().tables[0]).toMatchObject({ status: "error", error: "table does not exist on the target" });
    expect(r.code).toBe(1);
  });
  test("a table keyed by a unique index keeps both notes: the key used and the count of differences beyond the listing", async () => {
    await s.query("CREATE TABLE v.ukeys (code VARCHAR(10) NOT NULL, qty INT, UNIQUE KEY uq_code (code))");
    await s.query("INSERT INTO v.ukeys VALUES ?", [Array.from({ length: 40 }, (_, i) => [`k${i}`, i])]);
    await pair.sync();
    await localOnly(t, "UPDATE v.ukeys SET qty = -1 WHERE code IN ('k1', 'k2', 'k3')");
    const r = await run(["--schema", "v", "--tables", "ukeys", "--max-differences", "2", "--retries", "0"]);
    const table = r.json<Result>().tables[0];
    expect(table.status).toBe("mismatch");
    expect(table.differences).toHaveLength(2);
    expect(table.note).toMatch(/3 differences, first 2 listed/);
    expect(table.note).toMatch(/keyed by unique index \(code\)/);
    expect([table.counts, table.truncated]).toEqual([{ missing: 0, extra: 0, changed: 3 }, true]);
  });

  test("a keyless table with rows duplicated differently on each side does not match", async () => {
    await s.query("CREATE TABLE v.dups (x INT, y VARCHAR(10))");
    await s.query("INSERT INTO v.dups VALUES (2, 'b'), (4, 'd')");
    await pair.sync();
    // source: (1,a) x2, (2,b), (4,d); target: (2,b), (3,c) x2, (4,d): same count, and equal rows cancel in an XOR
    await localOnly(s, "INSERT INTO v.dups VALUES (1, 'a'), (1, 'a')");
    await localOnly(t, "INSERT INTO v.dups VALUES (3, 'c'), (3, 'c')");
    const r = await run(["--schema", "v", "--tables", "dups", "--retries", "0"]);
    expect(r.json<Result>().tables[0]).toMatchObject({
      status: "mismatch",
      sourceRows: 4,
      targetRows: 4,
      method: "whole-table",
    });
    expect(r.code).toBe(1);
    // the same row twice on one side and once plus another on the other: still a difference
    await localOnly(s, "DELETE FROM v.dups WHERE x = 1 LIMIT 1");
    await localOnly(s, "INSERT INTO v.dups VALUES (4, 'd')");
    await localOnly(t, "DELETE FROM v.dups WHERE x = 3");
    await localOnly(t, "INSERT INTO v.dups VALUES (1, 'a'), (2, 'b')");
    // source: (1,a), (2,b), (4,d) x2; target: (1,a), (2,b) x2, (4,d)
    const again = await run(["--schema", "v", "--tables", "dups", "--retries", "0"]);
    expect(again.json<Result>().tables[0]).toMatchObject({ status: "mismatch", sourceRows: 4, targetRows: 4 });
  });

  test("values longer than max_allowed_packet are compared, not dropped: a 1-byte change inside or next to one, NULL vs one", async () => {
    const big = 3 * 1024 * 1024;
    await s.query(
      "CREATE TABLE v.blobs (id INT PRIMARY KEY, flag CHAR(1), data LONGBLOB, doc LONGTEXT CHARACTER SET latin1)",
    );
    await s.query("CREATE TABLE v.blobs_nokey (flag CHAR(1), data LONGBLOB NOT NULL)");
    await s.query(
      "INSERT INTO v.blobs VALUES (1, 'x', REPEAT('a', ?), REPEAT('d', ?)), (2, 'x', 'small', REPEAT('d', ?)), (3, 'x', NULL, 'small'), (4, 'x', REPEAT('a', ?), NULL)",
      [big, big, big, big],
    );
    await s.query("INSERT INTO v.blobs_nokey VALUES ('x', REPEAT('a', ?))", [big]);
    await pair.sync();
    await localOnly(t, "UPDATE v.blobs SET flag = 'y' WHERE id = 1"); // next to two big values
    await localOnly(
      t,
      `UPDATE v.blobs SET doc = CONCAT(REPEAT('d', 1000), 'e', REPEAT('d', ${big - 1001})) WHERE id = 2`,
    ); // one byte inside
    await localOnly(t, `UPDATE v.blobs SET data = REPEAT('a', ${big}) WHERE id = 3`); // NULL vs a big value
    await localOnly(t, `UPDATE v.blobs_nokey SET data = CONCAT(REPEAT('a', ${big - 1}), 'b')`);
    // validate's own sessions get 1 MB: each of those values renders to more than that
    await s.query("SET GLOBAL max_allowed_packet = 1048576");
    await t.query("SET GLOBAL max_allowed_packet = 1048576");
    try {
      const r = await run(["--schema", "v", "--tables", "blobs,blobs_nokey", "--retries", "0"]);
      const res = r.json<Result>();
      expect(
        res.tables
          .find((x) => x.table === "v.blobs")!
          .differences.map((d) => `${d.kind}:${d.key.id}`)
          .sort(),
      ).toEqual(["changed:1", "changed:2", "changed:3"]);
      expect(res.tables.find((x) => x.table === "v.blobs_nokey")).toMatchObject({ status: "mismatch" });
      expect(r.code).toBe(1);
    } finally {
      await s.query("SET GLOBAL max_allowed_packet = 16777216");
      await t.query("SET GLOBAL max_allowed_packet = 16777216");
    }
  });

  test("column types that differ are named with both types, before the rows they make differ", async () => {
    const rows = [
      [1, "1.25", "2026-01-01 00:00:00.000000", "x"],
      [2, "2.50", "2026-01-01 00:00:01.000000", "y"],
    ];
    await localOnly(
      s,
      "CREATE TABLE v.typed (id INT PRIMARY KEY, price DECIMAL(10,2), at DATETIME(6), label VARCHAR(10))",
    );
    await localOnly(
      t,
      "CREATE TABLE v.typed (id INT PRIMARY KEY, price DECIMAL(10,3), at DATETIME, label VARCHAR(10))",
    );
    for (const c of [s, t]) {
      await c.query("SET SESSION sql_log_bin = 0");
      await c.query("INSERT INTO v.typed VALUES ?", [rows]);
      await c.query("SET SESSION sql_log_bin = 1");
    }
    const r = await run(["--schema", "v", "--tables", "typed", "--retries", "0"]);
    const table = r.json<Result>().tables[0];
    expect(table.typeDifferences).toEqual([
      { column: "at", source: "datetime(6)", target: "datetime" },
      { column: "price", source: "decimal(10,2)", target: "decimal(10,3)" },
    ]);
    const text = await dmsctl(["validate", ...urls(), "--schema", "v", "--tables", "typed", "--retries", "0"]);
    expect(text.out).toMatch(/v\.typed: column at is datetime\(6\) on the source, datetime on the target/);
    expect(text.out).toMatch(/v\.typed: column price is decimal\(10,2\) on the source, decimal\(10,3\) on the target/);
  });
  /** The same rows on both sides, outside replication, then `drift` on the target only. */
  const twoSides = async (ddl: string, insert: string) => {
    for (const c of [s, t]) await localOnly(c, `${ddl}; ${insert}`);
  };

  /**
   * Validates one table of v in chunks of 10, without re-checks and with two: each time exit 1, `rows` on both
   * sides and `changed` rows changed (nothing missing or extra). Returns the listed keys (column `key`) of each run.
   */
  const changedRows = async (table: string, rows: number, changed: number, key: string) => {
    const keys: (string | null)[][] = [];
    for (const retries of ["0", "2"]) {
      const r = await run(["--schema", "v", "--tables", table, "--chunk-size", "10", "--retries", retries]);
      const x = r.json<Result>().tables[0];
      expect([retries, r.code, x.sourceRows, x.targetRows, x.counts]).toEqual([
        retries,
        1,
        rows,
        rows,
        { missing: 0, extra: 0, changed },
      ]);
      keys.push(x.differences.map((d) => d.key[key]));
    }
    return keys;
  };

  test("FLOAT values are compared exactly, not as their 6-digit text; a FLOAT key is found again at re-check", async () => {
    // as text both print 0.123457 and 12345.7: as the doubles they widen to, they differ
    await twoSides(
      "CREATE TABLE v.floats (id INT PRIMARY KEY, f FLOAT)",
      "INSERT INTO v.floats VALUES (5, 0.1234567), (6, 12345.67), (7, 1.5)",
    );
    await localOnly(t, "UPDATE v.floats SET f = 0.1234568 WHERE id = 5; UPDATE v.floats SET f = 12345.68 WHERE id = 6");
    const r = await run(["--schema", "v", "--tables", "floats", "--retries", "0"]);
    expect(r.code).toBe(1);
    expect(r.json<Result>().tables[0].differences.map((d) => `${d.kind}:${d.key.id}`)).toEqual([
      "changed:5",
      "changed:6",
    ]);

    // keyed by a FLOAT: the driver reads 0.1 (6 digits), which no stored FLOAT equals; the exact double does
    await twoSides(
      "CREATE TABLE v.float_keys (id FLOAT PRIMARY KEY, v INT)",
      "INSERT INTO v.float_keys SELECT seq / 10, seq FROM v.seq_1_to_100",
    );
    await localOnly(t, "UPDATE v.float_keys SET v = -1 WHERE v IN (1, 50, 99)");
    // named by the double the FLOAT widens to, as the server prints it (MariaDB: 16 digits), which rounds back to it
    for (const keys of await changedRows("float_keys", 100, 3, "id"))
      expect(keys.map((k) => Math.fround(Number(k)))).toEqual([0.1, 5, 9.9].map(Math.fround));
  });

  test("a BIT key chunks, counts and re-checks like a number (MariaDB matches no BIT against X'..')", async () => {
    await twoSides(
      "CREATE TABLE v.bits (b BIT(16) PRIMARY KEY, v INT)",
      "INSERT INTO v.bits SELECT seq, seq FROM v.seq_1_to_100; INSERT INTO v.bits VALUES (b'1111111111111111', 0)",
    );
    const same = await run(["--schema", "v", "--tables", "bits", "--chunk-size", "10"]);
    expect(same.json<Result>().tables[0]).toMatchObject({ status: "match", sourceRows: 101, targetRows: 101 });
    await localOnly(t, "UPDATE v.bits SET v = -1 WHERE v IN (5, 50, 99, 0)");
    const keys = ["5", "50", "99", "65535"];
    expect(await changedRows("bits", 101, 4, "b")).toEqual([keys, keys]);
  });

  test("collation names: utf8_* (before MySQL 8.0.30 / MariaDB 10.6) and utf8mb3_* are the same collation", () => {
    expect(
      ["utf8_general_ci", "UTF8MB3_GENERAL_CI", "utf8mb4_0900_ai_ci", "utf8mb4_general_ci", "latin1_swedish_ci"].map(
        canonicalCollation,
      ),
    ).toEqual([
      "utf8mb3_general_ci",
      "utf8mb3_general_ci",
      "utf8mb4_0900_ai_ci",
      "utf8mb4_general_ci",
      "latin1_swedish_ci",
    ]);
  });

  test("CAST(... AS FLOAT), which FLOAT keys are matched with: MySQL 8.0.17+ and MariaDB 10.4.5+ (else compared whole)", () => {
    const versions = [
      "5.7.44-log",
      "8.0.16",
      "8.0.17",
      "8.0.40",
      "8.4.3",
      "10.3.39-MariaDB",
      "5.5.5-10.4.4-MariaDB",
      "10.4.5-MariaDB",
      "10.11.19-MariaDB-0+deb12u1",
    ];
    expect(versions.filter(hasCastAsFloat)).toEqual([
      "8.0.17",
      "8.0.40",
      "8.4.3",
      "10.4.5-MariaDB",
      "10.11.19-MariaDB-0+deb12u1",
    ]);
  });

  test("column types compare without an integer's display width, except a ZEROFILL column's (its text's width)", () => {
    const type = (columnType: string) => comparableType({ columnType } as Column);
    expect(["int(11)", "bigint(20) unsigned", "int(5) unsigned zerofill", "int(5) zerofill"].map(type)).toEqual([
      "int",
      "bigint unsigned",
      "int(5) unsigned zerofill",
      "int(5) zerofill",
    ]);
  });

  test("a key column whose collation differs between the servers is an error naming both collations, not a count", async () => {
    const insert =
      "INSERT INTO v.coll SELECT CONCAT(IF(seq % 2, 'a', 'B'), LPAD(seq, 3, '0')), seq FROM v.seq_1_to_200";
    await localOnly(s, `CREATE TABLE v.coll (k VARCHAR(20) COLLATE utf8mb4_general_ci PRIMARY KEY, v INT); ${insert}`);
    await localOnly(t, `CREATE TABLE v.coll (k VARCHAR(20) COLLATE utf8mb4_bin PRIMARY KEY, v INT); ${insert}`);
    for (const retries of ["0", "2"]) {
      const r = await run(["--schema", "v", "--tables", "coll", "--chunk-size", "10", "--retries", retries]);
      expect(r.code).toBe(1);
      expect(r.json<Result>().tables[0]).toMatchObject({
        status: "error",
        error: expect.stringMatching(
          /^key column k is utf8mb4_general_ci on the source, utf8mb4_bin on the target: the servers order and match its values differently/,
        ),
      });
    }
  });

  test("generated columns: MySQL 8's DEFAULT_GENERATED (an expression default) is not one, in JS and in SQL", async () => {
    const extras: [string, boolean][] = [
      ["VIRTUAL GENERATED", true],
      ["STORED GENERATED", true],
      ["PERSISTENT", true],
      ["DEFAULT_GENERATED", false],
      ["DEFAULT_GENERATED on update CURRENT_TIMESTAMP", false],
      ["on update current_timestamp()", false],
      ["auto_increment", false],
      ["INVISIBLE", false],
      ["", false],
    ];
    const [rows] = (await s.query(
      `SELECT x, ${generatedExtraSql("x")} AS g FROM (${extras.map(() => "SELECT ? AS x").join(" UNION ALL ")}) e`,
      extras.map(([x]) => x),
    )) as unknown as [{ x: string; g: number }[]];
    expect(rows.map((r) => [r.x, Number(r.g) === 1])).toEqual(extras);
    expect(extras.map(([x]) => [x, isGeneratedExtra(x)])).toEqual(extras);
    // and what MariaDB itself writes there for generated and plain columns
    await localOnly(
      s,
      "CREATE TABLE v.gen (id INT PRIMARY KEY, a INT, v INT AS (a + 1) VIRTUAL, st INT AS (a + 2) STORED, at TIMESTAMP DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP)",
    );
    const [cols] = (await s.query(
      "SELECT column_name AS c, extra AS x FROM information_schema.columns WHERE table_schema = 'v' AND table_name = 'gen' ORDER BY ordinal_position",
    )) as unknown as [{ c: string; x: string }[]];
    expect(cols.map((c) => [c.c, isGeneratedExtra(c.x)])).toEqual([
      ["id", false],
      ["a", false],
      ["v", true],
      ["st", true],
      ["at", false],
    ]);
  });
});
