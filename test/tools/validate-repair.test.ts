/**
 * `dmsctl validate --repair [--apply]` on a real replicated MariaDB pair: random differences (missing, extra and
 * changed rows, NULLs, large BLOBs and texts, utf8mb4, every type validate handles) made on one side only, then
 * repaired three ways (the printed SQL through the mysql client, through mysql2 multipleStatements, --apply), each
 * followed by a validate that finds nothing and a stricter row-by-row comparison; the source never written.
 */
import { execFileSync } from "child_process";
import { createHash } from "crypto";
import * as mysql from "mysql2/promise";
import { ReplicationPair, startReplicationPair } from "../harness/mariadb";
import { binaryLiteral, literal, sqlComment, textLiteral } from "../../tools/dmsctl/repair";
import { dmsctl } from "./run";

interface Result {
  tables: { table: string; status: string; counts?: { missing: number; extra: number; changed: number } }[];
  repair?: {
    applied: boolean;
    ok: boolean;
    preamble: string[];
    tables: {
      table: string;
      status: string;
      chunks: number;
      deleted: number;
      replaced: number;
      revalidated?: { chunks: number; differing: number };
      sql?: string[];
    }[];
  };
}

/** A small seeded PRNG (mulberry32): the same differences every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TEXTS = [
  "",
  "plain",
  "it's",
  "back\\slash",
  "new\nline",
  "tab\tand\rreturn",
  "nul\0byte",
  "emoji 😀🎉 and 𝄞",
  "ünïcødé ÅÆØ",
  'quote"s',
  "  trailing  ",
  "N",
  "NULL",
  "%_",
  "-- not a comment",
  "'; DROP TABLE x; --",
  "0x41",
];
const LATIN1 = ["é", "plain", "ÿ€", "it's", ""];

const DDL = (db: string) => `
  CREATE DATABASE ${db} CHARACTER SET utf8mb4;
  CREATE TABLE ${db}.items (
    id INT PRIMARY KEY,
    a VARCHAR(100) NULL,
    price DECIMAL(14,4) NULL,
    at DATETIME(6) NULL,
    ts TIMESTAMP(6) NULL DEFAULT NULL,
    data LONGBLOB NULL,
    txt LONGTEXT NULL,
    doc JSON NULL,
    f FLOAT NULL,
    d DOUBLE NULL,
    b BIT(5) NULL,
    e ENUM('x','y','z') NULL,
    bin VARBINARY(16) NULL,
    l1 VARCHAR(20) CHARACTER SET latin1 NULL,
    g POINT NULL,
    twice DECIMAL(15,4) AS (price * 2) STORED
  );
  CREATE TABLE ${db}.pairs (region CHAR(2) NOT NULL, code VARCHAR(10) NOT NULL, qty INT, note VARCHAR(20), PRIMARY KEY (region, code));
  CREATE TABLE ${db}.ukey (uk VARBINARY(8) NOT NULL, v INT NULL, UNIQUE KEY u (uk));
`;

const ITEM_COLUMNS = "id, a, price, at, ts, data, txt, doc, f, d, b, e, bin, l1, g";

/** A random items row (values for ITEM_COLUMNS; g as WKT text for ST_GeomFromText). */
function itemRow(rnd: () => number, id: number): unknown[] {
  const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)];
  const maybe = <T>(v: T) => (rnd() < 0.15 ? null : v);
  // n seeded random bytes in one native call (SHAKE256 as a stream): a byte at a time from rnd took seconds per MB
  const bytes = (n: number) => createHash("shake256", { outputLength: n }).update(String(rnd())).digest();
  const big = id % 97 === 5; // a few rows with large values
  return [
    id,
    maybe(pick(TEXTS)),
    maybe(((rnd() - 0.5) * 1e6).toFixed(4)),
    maybe(
      `2026-0${1 + Math.floor(rnd() * 9)}-1${Math.floor(rnd() * 9)} 0${Math.floor(rnd() * 9)}:3${Math.floor(rnd() * 9)}:00.${String(Math.floor(rnd() * 1e6)).padStart(6, "0")}`,
    ),
    maybe(`2025-12-31 23:59:5${Math.floor(rnd() * 9)}.${String(Math.floor(rnd() * 1e6)).padStart(6, "0")}`),
    big ? bytes(1_500_000 + Math.floor(rnd() * 1_000_000)) : maybe(bytes(Math.floor(rnd() * 600))),
    big ? `${"long 😀 text ".repeat(25_000)}${pick(TEXTS)}` : maybe(`${pick(TEXTS)} ${id}`),
    maybe(JSON.stringify({ k: pick(TEXTS), n: [1, 2.5, null, rnd()], nested: { id } })),
    maybe(Math.fround((rnd() - 0.5) * 1000)),
    maybe((rnd() - 0.5) * 1e10),
    maybe(Math.floor(rnd() * 32)),
    maybe(pick(["x", "y", "z"])),
    maybe(bytes(Math.floor(rnd() * 16))),
    maybe(pick(LATIN1)),
    maybe(`POINT(${Math.floor(rnd() * 100)} ${Math.floor(rnd() * 100)})`),
  ];
}

const insertItems = (c: mysql.Connection, db: string, rows: unknown[][]) =>
  c.query(
    `INSERT INTO ${db}.items (${ITEM_COLUMNS}) VALUES ${rows
      .map(() => `(${Array.from({ length: 14 }, () => "?").join(", ")}, ST_GeomFromText(?))`)
      .join(", ")}`,
    rows.flat(),
  );

/** Random differences on one side only (sql_log_bin = 0: they never replicate). */
async function scramble(pair: ReplicationPair, db: string, seed: number): Promise<void> {
  const rnd = prng(seed);
  const t = await pair.target.connect();
  const s = await pair.source.connect();
  try {
    await t.query("SET SESSION sql_log_bin = 0");
    await s.query("SET SESSION sql_log_bin = 0");
    const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)];
    for (let id = 1; id <= 400; id++) {
      const r = rnd();
      if (r < 0.05)
        await t.query(`DELETE FROM ${db}.items WHERE id = ?`, [id]); // missing
      else if (r < 0.15) {
        // changed on the target: one or two columns, to another value or NULL
        const row = itemRow(rnd, id);
        const cols = ITEM_COLUMNS.split(", ");
        for (const k of [1 + Math.floor(rnd() * 13), 1 + Math.floor(rnd() * 13)]) {
          await t.query(`UPDATE ${db}.items SET ${cols[k]} = ? WHERE id = ?`, [rnd() < 0.3 ? null : row[k], id]);
        }
      } else if (r < 0.18) {
        await s.query(`UPDATE ${db}.items SET a = ?, price = price + 0.0001 WHERE id = ?`, [pick(TEXTS), id]);
      }
    }
    // one byte of a large BLOB, and one character of a large text
    await t.query(
      `UPDATE ${db}.items SET data = CONCAT(LEFT(data, 1000000), 'Z', SUBSTRING(data, 1000002)) WHERE id = 5`,
    );
    await t.query(`UPDATE ${db}.items SET txt = CONCAT(txt, '!') WHERE id = 102`);
    // extra rows on the target, inside and past the key range
    await insertItems(t, db, [itemRow(rnd, 1001), itemRow(rnd, 1002), itemRow(rnd, 5000)]);
    // composite key under a case-insensitive collation: a key whose case changed is one missing and one extra
    await t.query(`UPDATE ${db}.pairs SET code = UPPER(code) WHERE region = 'eu' AND code IN ('c3', 'c9')`);
    await t.query(`DELETE FROM ${db}.pairs WHERE region = 'us' AND code = 'c4'`);
    await t.query(`UPDATE ${db}.pairs SET qty = NULL, note = ? WHERE region = 'ap'`, ["emoji 😀"]);
    await t.query(`INSERT INTO ${db}.pairs VALUES ('zz', 'new', 1, 'x')`);
    // a unique NOT NULL key (no primary key), binary
    await t.query(`DELETE FROM ${db}.ukey WHERE uk = X'0003'`);
    await t.query(`UPDATE ${db}.ukey SET v = v + 1 WHERE uk IN (X'0007', X'0008')`);
    await t.query(`INSERT INTO ${db}.ukey VALUES (X'FF00', 9)`);
  } finally {
    await t.end();
    await s.end();
  }
}

async function fill(pair: ReplicationPair, db: string, seed: number): Promise<void> {
  const rnd = prng(seed);
  const s = await pair.source.connect();
  try {
    await s.query(DDL(db));
    for (let id = 1; id <= 400; id += 50)
      await insertItems(
        s,
        db,
        Array.from({ length: 50 }, (_, i) => itemRow(rnd, id + i)),
      );
    await s.query(`INSERT INTO ${db}.pairs VALUES ?`, [
      Array.from({ length: 60 }, (_, i) => [
        ["eu", "us", "ap"][i % 3],
        `c${i}`,
        i,
        TEXTS[i % TEXTS.length].slice(0, 20),
      ]),
    ]);
    await s.query(`INSERT INTO ${db}.ukey VALUES ?`, [Array.from({ length: 30 }, (_, i) => [Buffer.from([0, i]), i])]);
  } finally {
    await s.end();
  }
  await pair.sync();
  await scramble(pair, db, seed + 1);
}

/** Every column of every row, exactly (FLOAT as its double, binaries as hex, the point as WKB), by key. */
const EXACT: Record<string, string> = {
  items: `SELECT id, MD5(CONCAT_WS('|', id, IFNULL(HEX(a), 'N'), IFNULL(price, 'N'), IFNULL(at, 'N'), IFNULL(ts, 'N'), IFNULL(MD5(data), 'N'), IFNULL(MD5(txt), 'N'), IFNULL(HEX(doc), 'N'), IFNULL(f + 0e0, 'N'), IFNULL(d, 'N'), IFNULL(b + 0, 'N'), IFNULL(e, 'N'), IFNULL(HEX(bin), 'N'), IFNULL(HEX(l1), 'N'), IFNULL(HEX(ST_AsBinary(g)), 'N'), IFNULL(twice, 'N'))) AS h FROM DB.items ORDER BY id`,
  pairs: `SELECT HEX(region) AS r, HEX(code) AS c, MD5(CONCAT_WS('|', IFNULL(qty, 'N'), IFNULL(HEX(note), 'N'))) AS h FROM DB.pairs ORDER BY r, c`,
  ukey: `SELECT HEX(uk) AS k, IFNULL(v, 'N') AS v FROM DB.ukey ORDER BY k`,
};

async function exactRows(c: mysql.Connection, db: string): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const [t, sql] of Object.entries(EXACT)) out[t] = (await c.query(sql.replace("DB", db)))[0] as unknown[];
  return out;
}

describe("dmsctl validate --repair on a real replicated pair", () => {
  let pair: ReplicationPair;
  let s: mysql.Connection;
  let t: mysql.Connection;
  const urls = () => ["--source", pair.source.url(), "--target", pair.target.url()];
  const validate = (db: string, extra: string[] = []) =>
    dmsctl([
      "validate",
      ...urls(),
      "--schema",
      db,
      "--chunk-size",
      "50",
      "--retries",
      "0",
      "--retry-delay-seconds",
      "0.1",
      ...extra,
    ]);
  /** The source's binlog position and every table's checksum: what a write there would change. */
  const sourceState = async () => {
    const [[m]] = (await s.query("SHOW MASTER STATUS")) as unknown as [Record<string, unknown>[]];
    const [sums] = await s.query("CHECKSUM TABLE r1.items, r1.pairs, r1.ukey, r2.items, r3.items, r3.pairs, r3.ukey");
    return { file: m.File, position: m.Position, sums };
  };

  beforeAll(async () => {
    pair = await startReplicationPair();
    s = await pair.source.connect();
    t = await pair.target.connect();
    await fill(pair, "r1", 100);
    await fill(pair, "r2", 200);
    await fill(pair, "r3", 300);
  }, 180_000);
  afterAll(async () => {
    await s?.end();
    await t?.end();
    await pair?.stop();
  });

  test("the differences are there to repair (every kind, in several chunks)", async () => {
    const r = await validate("r1", ["--format", "json"]);
    expect(r.code).toBe(1);
    const res = r.json<Result>();
    for (const x of res.tables) expect([x.table, x.status]).toEqual([x.table, "mismatch"]);
    const items = res.tables.find((x) => x.table === "r1.items")!.counts!;
    expect(items.missing).toBeGreaterThan(5);
    expect(items.extra).toBe(3);
    expect(items.changed).toBeGreaterThan(20);
  });

  test("the printed SQL, run by the mysql client, makes the target equal; the source is never written", async () => {
    const before = await sourceState();
    const r = await validate("r1", ["--repair", "--max-differences", "3"]);
    expect(r.code).toBe(1);
    // a script: the report as comments, the session settings, one transaction per chunk
    const lines = r.out.split("\n");
    expect(lines[0]).toBe("-- dmsctl validate --repair: the SQL that makes the target's rows equal to the source's");
    expect(lines).toEqual(
      expect.arrayContaining([
        "SET NAMES utf8mb4;",
        "SET time_zone = '+00:00';",
        "SET foreign_key_checks = 0;",
        "START TRANSACTION;",
        "COMMIT;",
        "SET foreign_key_checks = 1;",
      ]),
    );
    expect(lines.filter((l) => l.startsWith("-- r1.items: chunk `id` >= 50 AND `id` < 100:"))).toHaveLength(1);
    expect(r.out).toMatch(/^DELETE FROM `r1`\.`items` WHERE \(`id`\) IN \(\(1001\), \(1002\)\);$/m);
    expect(r.out).toMatch(/^DELETE FROM `r1`\.`items` WHERE \(`id`\) IN \(\(5000\)\);$/m);
    expect(r.out).toMatch(
      /^REPLACE INTO `r1`\.`items` \(`id`, `a`, `price`, `at`, `ts`, `data`, `txt`, `doc`, `f`, `d`, `b`, `e`, `bin`, `l1`, `g`\) VALUES /m,
    );
    expect(r.out).not.toMatch(/`twice`\)/); // the generated column is the target's to compute
    expect(r.out).toMatch(/^SET @dmsctl_repair_\d+ = CONCAT\(@dmsctl_repair_\d+, X'[0-9a-f]+'\);$/m); // the large BLOB
    expect(r.out).toMatch(/^SET @dmsctl_repair_\d+ = CONCAT\(@dmsctl_repair_\d+, '[^']*long 😀 text /m); // the large text
    // no statement near max_allowed_packet, whatever the values
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThan(700_000);
    expect(r.out).toMatch(/^DELETE FROM `r1`\.`ukey` WHERE \(`uk`\) IN \(\(X'ff00'\)\);$/m);
    expect(r.err).toMatch(
      /^validate --repair: SQL for \d+ row\(s\) in \d+ chunk\(s\) of 3 table\(s\) printed; nothing was changed \(--apply runs it\)$/m,
    );
    expect(await sourceState()).toEqual(before);
    // nothing changed on the target yet
    expect((await validate("r1")).code).toBe(1);

    execFileSync(
      "mysql",
      ["--host=127.0.0.1", `--port=${pair.target.port}`, "--user=admin", `--password=${pair.target.adminPassword}`],
      { input: r.out, stdio: ["pipe", "pipe", "pipe"] },
    );
    const after = await validate("r1", ["--format", "json"]);
    expect(after.code).toBe(0);
    for (const x of after.json<Result>().tables) expect(x.counts).toEqual({ missing: 0, extra: 0, changed: 0 });
    expect(await exactRows(t, "r1")).toEqual(await exactRows(s, "r1"));
    expect(await sourceState()).toEqual(before);
  });

  test("the same SQL through mysql2 multipleStatements; in JSON, the statements per table", async () => {
    const r = await validate("r2", ["--repair", "--format", "json"]);
    expect(r.code).toBe(1);
    const res = r.json<Result>();
    expect(res.repair!.applied).toBe(false);
    expect(res.repair!.tables.map((x) => [x.table, x.status])).toEqual([
      ["r2.items", "planned"],
      ["r2.pairs", "planned"],
      ["r2.ukey", "planned"],
    ]);
    const script = [...res.repair!.preamble, ...res.repair!.tables.flatMap((x) => x.sql!)].join("\n");
    const text = await validate("r2", ["--repair"]);
    expect(text.out).toContain(script.split("\n").slice(3).join("\n"));
    const c = await pair.target.connect({ multipleStatements: true });
    try {
      await c.query(script);
    } finally {
      await c.end();
    }
    expect((await validate("r2")).code).toBe(0);
    expect(await exactRows(t, "r2")).toEqual(await exactRows(s, "r2"));
  });

  test("--apply repairs every differing row (not only the listed ones), chunk by chunk, and re-validates", async () => {
    const before = await sourceState();
    const r = await validate("r3", ["--repair", "--apply", "--max-differences", "2"]);
    expect([r.code, r.err]).toEqual([
      0,
      expect.stringMatching(/^validate --repair: r3\.items: \d+\/\d+ chunks applied/m),
    ]);
    expect(r.out).toMatch(/^r3\.items\s+REPAIRED\s+\d+\s+3\s+\d+\s+\d+ chunk\(s\) match/m);
    expect(r.out).toMatch(/^r3\.pairs\s+REPAIRED\s+\d+\s+3\s+\d+/m);
    expect(r.out).toMatch(/^repair: every repaired chunk matches the source now \(3 table\(s\)\)$/m);
    const after = await validate("r3", ["--format", "json"]);
    expect(after.code).toBe(0);
    for (const x of after.json<Result>().tables) expect(x.counts).toEqual({ missing: 0, extra: 0, changed: 0 });
    expect(await exactRows(t, "r3")).toEqual(await exactRows(s, "r3"));
    expect(await sourceState()).toEqual(before);

    // nothing left: a second run finds nothing and writes nothing
    const again = await validate("r3", ["--repair", "--apply", "--format", "json"]);
    expect(again.code).toBe(0);
    expect(again.json<Result>().repair).toEqual({ applied: true, preamble: expect.any(Array), tables: [], ok: true });
  });

  test("FLOAT and BIT keys: --apply deletes, replaces and inserts by them (the key as read finds its row)", async () => {
    await s.query(`
      CREATE DATABASE r6;
      CREATE TABLE r6.fk (id FLOAT PRIMARY KEY, v INT, f FLOAT);
      CREATE TABLE r6.bk (b BIT(16) PRIMARY KEY, v INT);
      INSERT INTO r6.fk SELECT seq / 10, seq, seq / 7 FROM r6.seq_1_to_120;
      INSERT INTO r6.bk SELECT seq, seq FROM r6.seq_1_to_120;
    `);
    await pair.sync();
    await t.query(`
      UPDATE r6.fk SET v = -1 WHERE v IN (1, 55, 99);
      UPDATE r6.fk SET f = f + 0.0001 WHERE v = 7;
      DELETE FROM r6.fk WHERE v IN (3, 110);
      INSERT INTO r6.fk VALUES (0.123, 0, 0), (12.345, 0, 0);
      UPDATE r6.bk SET v = -1 WHERE v IN (2, 60);
      DELETE FROM r6.bk WHERE v = 100;
      INSERT INTO r6.bk VALUES (b'1111111111111111', 0);
    `);
    const before = await validate("r6", ["--format", "json"]);
    expect(before.json<Result>().tables.map((x) => [x.table, x.counts])).toEqual([
      ["r6.bk", { missing: 1, extra: 1, changed: 2 }],
      ["r6.fk", { missing: 2, extra: 2, changed: 4 }],
    ]);
    const r = await validate("r6", ["--repair", "--apply"]);
    expect([r.code, r.out]).toEqual([
      0,
      expect.stringMatching(/^repair: every repaired chunk matches the source now/m),
    ]);
    const after = await validate("r6", ["--format", "json"]);
    expect(after.code).toBe(0);
    const exact = (c: mysql.Connection) =>
      c.query(
        "SELECT id + 0e0 AS id, v, f + 0e0 AS f FROM r6.fk ORDER BY id; SELECT b + 0 AS b, v FROM r6.bk ORDER BY b",
      );
    expect((await exact(t))[0]).toEqual((await exact(s))[0]);
  });

  test("servers in NO_BACKSLASH_ESCAPES: keys with a backslash or a quote are found again, listed and repaired", async () => {
    await s.query(`
      CREATE DATABASE r7;
      CREATE TABLE r7.k (k VARCHAR(20) PRIMARY KEY, v INT);
      INSERT INTO r7.k VALUES ('a\\\\b', 1), ('x''y', 2), ('plain', 3), ('c\\\\', 4);
    `);
    await pair.sync();
    await t.query("UPDATE r7.k SET v = 99 WHERE v IN (1, 2, 4)");
    const modes = await Promise.all(
      [s, t].map(
        async (c) => ((await c.query("SELECT @@GLOBAL.sql_mode AS m")) as unknown as [{ m: string }[]])[0][0].m,
      ),
    );
    try {
      for (const c of [s, t]) await c.query("SET GLOBAL sql_mode = CONCAT(@@GLOBAL.sql_mode, ',NO_BACKSLASH_ESCAPES')");
      // re-checked too (--retries 1): the keys are read back with the driver's escaping
      const r = await validate("r7", ["--format", "json", "--retries", "1"]);
      expect([r.code, r.json<Result>().tables[0]]).toEqual([
        1,
        expect.objectContaining({ status: "mismatch", counts: { missing: 0, extra: 0, changed: 3 } }),
      ]);
      const fixed = await validate("r7", ["--repair", "--apply", "--format", "json"]);
      expect([fixed.code, fixed.json<Result>().repair?.tables.map((x) => [x.status, x.replaced])]).toEqual([
        0,
        [["repaired", 3]],
      ]);
    } finally {
      await s.query("SET GLOBAL sql_mode = ?", [modes[0]]);
      await t.query("SET GLOBAL sql_mode = ?", [modes[1]]);
    }
    const rows = (c: mysql.Connection) => c.query("SELECT HEX(k) AS k, v FROM r7.k ORDER BY k");
    expect((await rows(t))[0]).toEqual((await rows(s))[0]);
  });

  test("onto a strict target: lax-mode dates are repaired; a value the target would change is refused, never truncated", async () => {
    await s.query(`
      CREATE DATABASE r8;
      CREATE TABLE r8.a_dates (id INT PRIMARY KEY, d DATE, n INT);
      CREATE TABLE r8.b_enum (id INT PRIMARY KEY, e ENUM('x', 'y'));
      CREATE TABLE r8.c_text (id INT PRIMARY KEY, v VARCHAR(10));
    `);
    await pair.sync();
    // written on the source under lax modes, outside replication; the target (strict, MariaDB's default) has others
    await s.query(`
      SET SESSION sql_log_bin = 0, sql_mode = 'ALLOW_INVALID_DATES';
      INSERT INTO r8.a_dates VALUES (1, '0000-00-00', 1), (2, '2026-00-01', 2), (3, '2026-02-30', 3);
      SET SESSION sql_mode = '';
      INSERT INTO r8.b_enum VALUES (1, 'bogus');
      INSERT INTO r8.c_text VALUES (1, 'abcdefghij');
      SET SESSION sql_log_bin = 1, sql_mode = DEFAULT;
    `);
    await t.query(`
      SET SESSION sql_log_bin = 0;
      INSERT INTO r8.a_dates VALUES (1, '2026-01-01', 1);
      INSERT INTO r8.b_enum VALUES (1, 'x');
      ALTER TABLE r8.c_text MODIFY v VARCHAR(5);
      SET SESSION sql_log_bin = 1;
    `);
    const [[mode]] = (await t.query("SELECT @@GLOBAL.sql_mode AS m")) as unknown as [{ m: string }[]];
    expect(mode.m).toMatch(/STRICT_TRANS_TABLES/);
    const fixed = await validate("r8", ["--repair", "--apply", "--format", "json"]);
    const repaired = fixed.json<Result & { repair: { tables: { error?: string }[] } }>().repair.tables;
    expect([fixed.code, repaired.map((x) => [x.table, x.status, x.replaced])]).toEqual([
      1,
      [
        ["r8.a_dates", "repaired", 3],
        ["r8.b_enum", "not-repaired", 0],
        ["r8.c_text", "not-repaired", 0],
      ],
    ]);
    expect(repaired[1].error).toMatch(
      /^a server refused a statement \(that chunk was rolled back\): Data truncated for column 'e'/,
    );
    expect(repaired[2].error).toMatch(
      /^a server refused a statement \(that chunk was rolled back\): Data too long for column 'v'/,
    );
    const rows = (c: mysql.Connection) => c.query("SELECT id, HEX(d) AS d, n FROM r8.a_dates ORDER BY id");
    expect((await rows(t))[0]).toEqual((await rows(s))[0]);
    // nothing of the refused tables was written
    const [[e]] = (await t.query("SELECT e FROM r8.b_enum")) as unknown as [{ e: string }[]];
    const [texts] = (await t.query("SELECT v FROM r8.c_text")) as unknown as [{ v: string }[]];
    expect([e.e, texts]).toEqual(["x", []]);
  });

  test("a differing table without a usable key is refused: exit 2 naming it, nothing printed or written", async () => {
    await s.query(`
      CREATE DATABASE r4;
      CREATE TABLE r4.nokey (x INT, y VARCHAR(10));
      CREATE TABLE r4.keyed (id INT PRIMARY KEY, v INT);
      CREATE TABLE r4.nullable_unique (u INT NULL, v INT, UNIQUE KEY (u));
      INSERT INTO r4.nokey VALUES (1, 'a'), (2, 'b');
      INSERT INTO r4.keyed VALUES (1, 1), (2, 2);
      INSERT INTO r4.nullable_unique VALUES (1, 1), (NULL, 2);
    `);
    await pair.sync();
    await t.query(
      "SET SESSION sql_log_bin = 0; UPDATE r4.nokey SET y = 'z'; UPDATE r4.keyed SET v = 9; SET SESSION sql_log_bin = 1",
    );
    const r = await validate("r4", ["--repair", "--apply"]);
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      "dmsctl validate: cannot repair: r4.nokey has no primary key or NOT NULL unique key: its differing rows cannot be named, so they cannot be repaired (add a key, or leave it out with --tables)",
    );
    expect(r.out).not.toMatch(/REPLACE|DELETE/);
    const [[k]] = (await t.query("SELECT v FROM r4.keyed WHERE id = 1")) as unknown as [{ v: number }[]];
    expect(k.v).toBe(9); // not even the repairable table was touched

    // a nullable unique key is no key either
    await t.query("SET SESSION sql_log_bin = 0; UPDATE r4.nullable_unique SET v = 7; SET SESSION sql_log_bin = 1");
    const nullable = await validate("r4", ["--repair", "--tables", "nullable_unique"]);
    expect([nullable.code, nullable.err]).toEqual([
      2,
      expect.stringMatching(
        /^dmsctl validate: cannot repair: r4\.nullable_unique has no primary key or NOT NULL unique key/,
      ),
    ]);

    // without the keyless tables, the rest is repaired
    const rest = await validate("r4", ["--repair", "--apply", "--tables", "keyed"]);
    expect(rest.code).toBe(0);

    // the target without the source's key: a REPLACE would add rows
    await t.query(
      "SET SESSION sql_log_bin = 0; ALTER TABLE r4.keyed DROP PRIMARY KEY; UPDATE r4.keyed SET v = 8; SET SESSION sql_log_bin = 1",
    );
    const nokeyTarget = await validate("r4", ["--repair", "--tables", "keyed"]);
    expect([nokeyTarget.code, nokeyTarget.err]).toEqual([
      2,
      "dmsctl validate: cannot repair: r4.keyed has no unique key on (id) on the target: a REPLACE would add rows instead of replacing them (create the key: dmsctl schema reports the difference)",
    ]);
  });

  test("a value larger than the target's max_allowed_packet: that table is not repaired, its chunk rolled back", async () => {
    await s.query(`
      CREATE DATABASE r5;
      CREATE TABLE r5.big (id INT PRIMARY KEY, data LONGBLOB);
      INSERT INTO r5.big VALUES (1, 'small'), (2, REPEAT('b', 2000000));
    `);
    await pair.sync();
    await t.query("SET SESSION sql_log_bin = 0; UPDATE r5.big SET data = 'changed'; SET SESSION sql_log_bin = 1");
    await t.query("SET GLOBAL max_allowed_packet = 1048576"); // new sessions only
    try {
      const message =
        "r5.big.data holds a value of 2000000 bytes, more than the target's max_allowed_packet (1048576): raise it to at least 2000000";
      const printed = await validate("r5", ["--repair"]);
      expect(printed.code).toBe(1);
      expect(printed.err).toContain(`validate --repair: r5.big not repaired: ${message}`);
      // the chunk begun in the script is rolled back there, never left to the next START TRANSACTION
      expect(printed.out).toMatch(/^START TRANSACTION;\nROLLBACK;$/m);

      const applied = await validate("r5", ["--repair", "--apply"]);
      expect(applied.code).toBe(1);
      expect(applied.out).toContain(message);
      expect(applied.out).toMatch(/^r5\.big\s+NOT-REPAIRED\s+1\s+0\s+0\s+-/m);
      expect(applied.out).toMatch(/^repair: 1 table\(s\) not fully repaired$/m);
      const [rows] = (await t.query("SELECT data FROM r5.big ORDER BY id")) as unknown as [{ data: Buffer }[]];
      expect(rows.map((r) => r.data.toString())).toEqual(["changed", "changed"]); // the chunk was rolled back
    } finally {
      await t.query("SET GLOBAL max_allowed_packet = 16777216");
    }
  });

  test("a statement the target refuses (a CHECK only it has): that table is not repaired, the others are (exit 1)", async () => {
    await s.query(`
      CREATE DATABASE r9;
      CREATE TABLE r9.a_checked (id INT PRIMARY KEY, n INT);
      CREATE TABLE r9.b_plain (id INT PRIMARY KEY, n INT);
      INSERT INTO r9.a_checked VALUES (1, 1); INSERT INTO r9.b_plain VALUES (1, 1);
    `);
    await pair.sync();
    await t.query("SET SESSION sql_log_bin = 0; ALTER TABLE r9.a_checked ADD CONSTRAINT positive CHECK (n >= 0)");
    await s.query("SET SESSION sql_log_bin = 0; UPDATE r9.a_checked SET n = -1; UPDATE r9.b_plain SET n = -1");
    const applied = await validate("r9", ["--repair", "--apply"]);
    expect([applied.code, applied.err]).toEqual([1, expect.not.stringMatching(/unexpected error|\n\s+at /)]);
    expect(applied.out).toMatch(
      /^r9\.a_checked\s+NOT-REPAIRED .*a server refused a statement \(that chunk was rolled back\): CONSTRAINT `positive` failed/m,
    );
    expect(applied.out).toMatch(/^r9\.b_plain\s+REPAIRED\s/m);
    const [[a]] = (await t.query("SELECT n FROM r9.a_checked")) as unknown as [{ n: number }[]];
    const [[b]] = (await t.query("SELECT n FROM r9.b_plain")) as unknown as [{ n: number }[]];
    expect([a.n, b.n]).toEqual([1, -1]);
  });

  test("--apply needs --repair, checked before any connection", async () => {
    const r = await dmsctl([
      "validate",
      "--source",
      "mysql://u@127.0.0.1:1/x",
      "--target",
      "mysql://u@127.0.0.1:1/x",
      "--apply",
    ]);
    expect([r.code, r.err]).toEqual([
      2,
      "dmsctl validate: --apply needs --repair (it applies the repair's SQL to the target)",
    ]);
  });
});

describe("repair's literals", () => {
  test("text: quoted when plain (quotes doubled), else utf8mb4 hex; no backslash escapes under any sql_mode", () => {
    expect(textLiteral("it's")).toBe("'it''s'");
    expect(textLiteral("emoji 😀")).toBe("'emoji 😀'");
    expect(textLiteral("")).toBe("''");
    expect(textLiteral("back\\slash")).toBe("_utf8mb4 X'6261636b5c736c617368'");
    expect(textLiteral("a\nb")).toBe("_utf8mb4 X'610a62'");
    expect(textLiteral("nul\0")).toBe("_utf8mb4 X'6e756c00'");
  });
  test("numbers exact, binaries hex, NULL, points from WKB", () => {
    expect(literal("number", "-12345678901234567890.1234")).toBe("-12345678901234567890.1234");
    expect(literal("number", 42)).toBe("42");
    expect(literal("float", "1.2345677614212036")).toBe("1.2345677614212036");
    expect(literal("float", "1e-7")).toBe("1e-7");
    expect(literal("temporal", "2026-01-01 00:00:00.000001")).toBe("'2026-01-01 00:00:00.000001'");
    expect(literal("binary", Buffer.from([0, 255]))).toBe("X'00ff'");
    expect(binaryLiteral(Buffer.alloc(0))).toBe("X''");
    expect(literal("text", null)).toBe("NULL");
    expect(literal("spatial", Buffer.from([1, 2]), "4326")).toBe("ST_GeomFromWKB(X'0102', 4326)");
    expect(sqlComment("a\nb\r\nc")).toBe("-- a b c");
  });
});
