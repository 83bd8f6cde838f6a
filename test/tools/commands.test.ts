import * as mysql from "mysql2/promise";
import { freePort, MariaDbServer, ReplicationPair, startMariaDb, startReplicationPair } from "../harness/mariadb";
import { renderSourceDmsUserSql, renderTargetDmsUserSql } from "../../model/source-sql";
import { dmsctl, FAST_CANARIES } from "./run";

interface Checks {
  ok: boolean;
  checks: { side: string; check: string; status: string; value: string; fix?: string }[];
}

describe("dmsctl against a replicated pair", () => {
  let pair: ReplicationPair;
  let s: mysql.Connection;
  const src = () => pair.source.url();
  const tgt = () => pair.target.url();
  /** cutover of one schema with fast canaries. */
  const cutover = (schema: string, extra: string[] = []) =>
    dmsctl(["cutover", ...FAST_CANARIES, "--source", src(), "--target", tgt(), "--schema", schema, ...extra]);

  beforeAll(async () => {
    pair = await startReplicationPair();
    s = await pair.source.connect();
  });
  afterAll(async () => {
    await s?.end();
    await pair?.stop();
  });

  test("seed creates the sample schema and data with multi-row INSERTs and with LOAD DATA, which replicate", async () => {
    const a = await dmsctl([
      "seed",
      "--source",
      src(),
      "--schema",
      "shop",
      "--products",
      "50",
      "--orders",
      "3000",
      "--method",
      "insert",
      "--format",
      "json",
    ]);
    expect(a.code).toBe(0);
    expect(a.json()).toMatchObject({ method: "insert", products: 50, orders: 3000 });
    const b = await dmsctl(
      ["seed", "--source", src(), "--schema", "shop2", "--products", "20", "--orders", "2000", "--method", "load-data"],
      {},
    );
    expect([b.code, b.out]).toEqual([
      0,
      expect.stringMatching(/seeded 20 products and 2000 orders in .* s \(\d+ rows\/s, load-data\)/),
    ]);
    await pair.sync();
    const t = await pair.target.connect();
    const [[c]] = (await t.query(
      "SELECT (SELECT COUNT(*) FROM shop.orders) AS a, (SELECT COUNT(*) FROM shop2.orders) AS b, (SELECT COUNT(*) FROM shop.orders WHERE note IS NULL) AS nulls, (SELECT COUNT(*) FROM shop.orders WHERE note = '') AS empties",
    )) as unknown as [Record<string, number>[]];
    expect([Number(c.a), Number(c.b)]).toEqual([3000, 2000]);
    expect(Number(c.nulls)).toBeGreaterThan(0);
    expect(Number(c.empties)).toBeGreaterThan(0);
    await t.end();
    // and the two servers agree row for row
    const v = await dmsctl(["validate", "--source", src(), "--target", tgt(), "--schema", "shop"]);
    expect(v.code).toBe(0);
  });

  test("seed refuses a sample schema that already has orders (nothing written)", async () => {
    const r = await dmsctl(["seed", "--source", src(), "--schema", "shop", "--products", "5", "--orders", "5"]);
    expect([r.code, r.err]).toEqual([2, expect.stringMatching(/shop\.orders already has 3000 rows/)]);
  });

  test("seed refuses products left by an earlier run with --orders 0, and an empty --schema, naming them", async () => {
    const seedProducts = () =>
      dmsctl(["seed", "--source", src(), "--schema", "shop_products", "--products", "5", "--orders", "0"]);
    expect((await seedProducts()).code).toBe(0);
    const again = await seedProducts();
    expect([again.code, again.err]).toEqual([
      2,
      "dmsctl seed: shop_products.products already has 5 rows: seed fills an empty sample schema (drop it or pick another --schema)",
    ]);
    const empty = await dmsctl(["seed", "--source", src(), "--schema", "", "--products", "5"]);
    expect([empty.code, empty.err]).toEqual([2, 'dmsctl seed: --schema must name a schema, got ""']);
  });

  test("preflight passes a well-configured source with the least-privilege DMS user, warns on keyless and MyISAM tables", async () => {
    await s.query("SET @dms_password = 'dms-source-password-1'");
    await s.query(renderSourceDmsUserSql(["shop"], "mariadb"));
    await s.query("CREATE TABLE shop.audit_log (at DATETIME, msg TEXT)");
    await s.query("CREATE TABLE shop.legacy (id INT PRIMARY KEY) ENGINE=MyISAM");
    // a unique key on a nullable column is no key (any number of NULL rows); on NOT NULL columns it is one
    await s.query("CREATE TABLE shop.nullable_unique (code VARCHAR(10) NULL, UNIQUE KEY (code))");
    await s.query("CREATE TABLE shop.unique_key (code VARCHAR(10) NOT NULL, UNIQUE KEY (code))");
    // what DMS does not migrate: a view, a procedure, a function, an event
    await s.query(`
      CREATE VIEW shop.v_codes AS SELECT code FROM shop.unique_key;
      CREATE PROCEDURE shop.p_touch() SELECT 1;
      CREATE FUNCTION shop.f_one() RETURNS INT DETERMINISTIC RETURN 1;
      CREATE EVENT shop.e_nightly ON SCHEDULE EVERY 1 DAY DISABLE DO SELECT 1;
    `);
    const r = await dmsctl(
      ["preflight", "--source", `mysql://dms_source@127.0.0.1:${pair.source.port}/shop`, "--format", "json"],
      { DMSCTL_SOURCE_PASSWORD: "dms-source-password-1" },
    );
    expect(r.code).toBe(0);
    const byName = Object.fromEntries(r.json<Checks>().checks.map((c) => [c.check, c]));
    for (const name of [
      "log_bin",
      "binlog_format",
      "binlog_row_image",
      "server_id",
      "binlog retention",
      "privilege REPLICATION CLIENT",
      "privilege REPLICATION SLAVE",
      "privilege SELECT on shop",
    ]) {
      expect([name, byName[name]?.status]).toEqual([name, "pass"]);
    }
    expect(byName["binlog retention"].value).toBe("72 h");
    expect(byName["tables without a primary key"]).toMatchObject({
      status: "warn",
      value: "shop.audit_log, shop.nullable_unique",
    });
    expect(byName["non-transactional engines"]).toMatchObject({ status: "warn", value: "shop.legacy (MyISAM)" });
    // the SELECT-only DMS user sees the view only (information_schema hides routines and events from it); an admin
    // sees all four
    expect(byName["objects DMS does not migrate"]).toMatchObject({
      status: "warn",
      value: "shop.v_codes (view)",
      fix: expect.stringMatching(/run preflight or dmsctl schema as an admin to see them all$/),
    });
    const admin = await dmsctl(["preflight", "--source", src(), "--schema", "shop", "--format", "json"]);
    expect(admin.json<Checks>().checks.find((c) => c.check === "objects DMS does not migrate")).toMatchObject({
      status: "warn",
      value: "shop.v_codes (view), shop.p_touch (procedure), shop.f_one (function), shop.e_nightly (event)",
    });
  });

  test("preflight fails a user without REPLICATION SLAVE, naming the grant to add (exit 1)", async () => {
    await s.query(
      "CREATE USER 'weak'@'127.0.0.1' IDENTIFIED BY 'weak-password-123'; GRANT SELECT ON shop.* TO 'weak'@'127.0.0.1'",
    );
    const r = await dmsctl([
      "preflight",
      "--source",
      `mysql://weak:weak-password-123@127.0.0.1:${pair.source.port}/shop`,
    ]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(
      /source\s+privilege REPLICATION SLAVE\s+FAIL\s+missing\s+GRANT REPLICATION SLAVE ON \*\.\* TO the DMS user/,
    );
    expect(r.out).toMatch(/preflight: 2 blocker\(s\)/);
  });

  test("preflight --dms-source-user checks that account's grants, not the admin's; a missing account fails", async () => {
    const named = await dmsctl([
      "preflight",
      "--source",
      src(),
      "--schema",
      "shop",
      "--dms-source-user",
      "dms_source",
      "--format",
      "json",
    ]);
    const c = Object.fromEntries(named.json<Checks>().checks.map((x) => [x.check, x.status]));
    expect(c).toMatchObject({
      "privilege REPLICATION SLAVE": "pass",
      "privilege SELECT on shop": "pass",
      "time zone": "pass",
    });
    const ghost = await dmsctl(["preflight", "--source", src(), "--schema", "shop", "--dms-source-user", "ghost"]);
    expect(ghost.code).toBe(1);
    expect(ghost.out).toMatch(/account ghost\s+FAIL\s+does not exist/);
    expect(ghost.out).toMatch(/privilege REPLICATION SLAVE\s+FAIL\s+missing/);
  });

  test("preflight checks the target's DMS user privileges and settings", async () => {
    const t = await pair.target.connect();
    await t.query("SET SESSION sql_log_bin = 0; SET @dms_password = 'dms-target-password-1'");
    await t.query(renderTargetDmsUserSql(["shop"]));
    await t.end();
    const r = await dmsctl([
      "preflight",
      "--source",
      src(),
      "--target",
      `mysql://dms_target:dms-target-password-1@127.0.0.1:${pair.target.port}`,
      "--schema",
      "shop",
      "--format",
      "json",
    ]);
    const target = r.json<Checks>().checks.filter((c) => c.side === "target");
    expect(Object.fromEntries(target.map((c) => [c.check, c.status]))).toMatchObject({
      "privileges on shop": "pass",
      "privileges on awsdms_control": "pass",
      local_infile: "pass",
      "schema shop": "pass",
      "foreign keys in shop": "warn",
    });
  });

  test("preflight fails a source without binary logging", async () => {
    const plain: MariaDbServer = await startMariaDb();
    try {
      const r = await dmsctl(["preflight", "--source", plain.url(), "--format", "json"]);
      expect(r.code).toBe(1);
      const c = r.json<Checks>().checks.find((x) => x.check === "log_bin")!;
      expect(c).toMatchObject({ status: "fail", value: "OFF", fix: expect.stringMatching(/log_bin/) });
    } finally {
      await plain.stop();
    }
  });

  test("verify times a canary through replication; --watch prints current/avg/max", async () => {
    const one = await dmsctl(["verify", "--source", src(), "--target", tgt(), "--format", "json"]);
    expect(one.code).toBe(0);
    const r = one.json<{ beats: { latencyMs: number }[]; maxMs: number }>();
    expect(r.beats).toHaveLength(1);
    expect(r.beats[0].latencyMs).toBeGreaterThan(0);
    const watch = await dmsctl([
      "verify",
      "--source",
      src(),
      "--target",
      tgt(),
      "--watch",
      "--count",
      "3",
      "--interval-ms",
      "100",
    ]);
    expect(watch.code).toBe(0);
    expect(watch.out.split("\n")).toEqual([
      expect.stringMatching(/^current \d+ ms {2}avg \d+ ms {2}max \d+ ms {2}\(1\)$/),
      expect.stringMatching(/\(2\)$/),
      expect.stringMatching(/\(3\)$/),
    ]);
  });

  test("verify reports a canary that never arrives (exit 1) and never writes business tables", async () => {
    const t = await pair.target.connect();
    await t.query("STOP SLAVE");
    try {
      const [[before]] = (await s.query("SELECT COUNT(*) AS n FROM shop.orders")) as unknown as [{ n: number }[]];
      const r = await dmsctl(["verify", "--source", src(), "--target", tgt(), "--timeout-seconds", "1"]);
      expect([r.code, r.out, r.err]).toEqual([
        1,
        "replication latency: timeout",
        expect.stringMatching(/1 canary\(ies\) did not reach the target within the timeout/),
      ]);
      const [[after]] = (await s.query("SELECT COUNT(*) AS n FROM shop.orders")) as unknown as [{ n: number }[]];
      expect(after.n).toBe(before.n);
    } finally {
      await t.query("START SLAVE");
      await t.end();
    }
  });

  test("cutover: GO with steps when everything is in sync; --freeze-source leaves the source read-only", async () => {
    await pair.sync();
    const go = await dmsctl(["cutover", "--source", src(), "--target", tgt(), "--schema", "shop2", "--format", "json"]);
    const r = go.json<{
      go: boolean;
      steps: { step: string; ok: boolean; detail: string }[];
      instructions: string[];
    }>();
    expect([go.code, r.go, r.steps.map((x) => x.step)]).toEqual([0, true, ["preflight", "latency", "validate"]]);
    expect(r.instructions.join("\n")).toMatch(/stop the DMS task/);
    const frozen = await cutover("shop2", ["--freeze-source", "--format", "json"]);
    const f = frozen.json<{ go: boolean; frozen: boolean; steps: { step: string; ok: boolean }[] }>();
    expect([frozen.code, f.go, f.frozen, f.steps.map((x) => x.step)]).toEqual([
      0,
      true,
      true,
      ["preflight", "latency", "validate", "freeze", "final validate"],
    ]);
    const [[ro]] = (await s.query("SELECT @@GLOBAL.read_only AS r")) as unknown as [{ r: number }[]];
    expect(Number(ro.r)).toBe(1);
    await s.query("SET GLOBAL read_only = OFF");
  });

  test("a row still being written under lag is in flight: validate counts it so; cutover --freeze-source lets it through its first check only", async () => {
    await s.query(`
      CREATE DATABASE hot; CREATE TABLE hot.t (id INT PRIMARY KEY, n INT);
      INSERT INTO hot.t SELECT seq, 0 FROM hot.seq_1_to_10;
      CREATE USER 'app'@'127.0.0.1' IDENTIFIED BY 'app-password-1';
      GRANT SELECT, INSERT, UPDATE, DELETE ON hot.* TO 'app'@'127.0.0.1';
    `);
    await pair.sync();
    const t = await pair.target.connect();
    await t.query("STOP SLAVE; CHANGE MASTER TO MASTER_DELAY = 1; START SLAVE");
    // the application: a counter row updated every 50 ms (refused once the source is read-only)
    const app = await mysql.createConnection({
      host: "127.0.0.1",
      port: pair.source.port,
      user: "app",
      password: "app-password-1",
    });
    let writing = true;
    const writer = (async () => {
      while (writing) {
        await app.query("UPDATE hot.t SET n = n + 1 WHERE id = 7").catch(() => undefined);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    try {
      await new Promise((r) => setTimeout(r, 1500));
      // and one real difference, on the target only
      await t.query("UPDATE hot.t SET n = -1 WHERE id = 8");
      const v = await dmsctl([
        "validate",
        "--source",
        src(),
        "--target",
        tgt(),
        "--schema",
        "hot",
        "--retries",
        "2",
        "--retry-delay-seconds",
        "1",
        "--format",
        "json",
      ]);
      expect([v.code, v.json<{ tables: Record<string, unknown>[] }>().tables[0]]).toEqual([
        1,
        expect.objectContaining({
          status: "mismatch",
          counts: { missing: 0, extra: 0, changed: 2 },
          inFlight: 1,
          note: "1 of them hold a version the source had at an earlier read: rows still being written, the target behind (in flight)",
        }),
      ]);
      await t.query("UPDATE hot.t SET n = 0 WHERE id = 8");
      const cut = (extra: string[]) => cutover("hot", ["--retry-delay-seconds", "1", "--format", "json", ...extra]);
      type Cut = { go: boolean; steps: { step: string; ok: boolean; detail: string }[] };
      // without the freeze the first check is the last: a moving row is a NO-GO
      const open = await cut([]);
      expect([open.code, open.json<Cut>().steps.find((x) => x.step === "validate")]).toEqual([
        1,
        expect.objectContaining({ ok: false, detail: "hot.t: mismatch (1 differences)" }),
      ]);
      const frozen = await cut(["--freeze-source"]);
      const f = frozen.json<Cut>();
      expect([frozen.code, f.go, f.steps.map((x) => [x.step, x.ok])]).toEqual([
        0,
        true,
        [
          ["preflight", true],
          ["latency", true],
          ["validate", true],
          ["freeze", true],
          ["final validate", true],
        ],
      ]);
      expect(f.steps.find((x) => x.step === "validate")?.detail).toBe(
        "0 table(s) match; in flight, checked again after the freeze: hot.t (1 row(s) still being written)",
      );
    } finally {
      writing = false;
      await writer;
      await app.end();
      await s.query("SET GLOBAL read_only = OFF");
      await t.query("STOP SLAVE; CHANGE MASTER TO MASTER_DELAY = 0; START SLAVE");
      await t.end();
    }
  }, 90_000);

  test("cutover: NO-GO on a difference, naming the table (exit 1)", async () => {
    await s.query(
      "SET SESSION sql_log_bin = 0; UPDATE shop2.products SET stock = stock + 1 WHERE id = 1; SET SESSION sql_log_bin = 1",
    );
    const r = await cutover("shop2", ["--retry-delay-seconds", "0.2"]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/validate\s+NO-GO\s+shop2\.products: mismatch \(1 differences\)/);
    expect(r.out).toMatch(/NO-GO: fix the failing step/);
  });

  test("usage and connection errors exit 2 with a clear message", async () => {
    const port = await freePort();
    const refused = await dmsctl([
      "verify",
      "--source",
      `mysql://admin:secret-pw@127.0.0.1:${port}`,
      "--target",
      tgt(),
    ]);
    expect([refused.code, refused.err]).toEqual([
      2,
      expect.stringMatching(/cannot connect to source admin@127\.0\.0\.1:\d+: connection refused/),
    ]);
    expect(refused.err).not.toMatch(/secret-pw/);
    const noSource = await dmsctl(["verify", "--target", tgt()]);
    expect([noSource.code, noSource.err]).toEqual([2, expect.stringMatching(/--source is required/)]);
    const badOpt = await dmsctl(["validate", "--source", src(), "--bogus"]);
    expect([badOpt.code, badOpt.err]).toEqual([2, expect.stringMatching(/Unknown option '--bogus'/)]);
    const badNum = await dmsctl(["validate", "--source", src(), "--target", tgt(), "--chunk-size", "zero"]);
    expect([badNum.code, badNum.err]).toEqual([
      2,
      expect.stringMatching(/--chunk-size must be an integer between 10 and 10000000, got "zero"/),
    ]);
    const badFormat = await dmsctl(["preflight", "--source", src(), "--format", "xml"]);
    expect([badFormat.code, badFormat.err]).toEqual([
      2,
      expect.stringMatching(/--format must be text or json, got "xml"/),
    ]);
    const unknown = await dmsctl(["explode"]);
    expect([unknown.code, unknown.err]).toEqual([2, expect.stringMatching(/unknown command "explode"/)]);
  });

  test("every command has --help", async () => {
    for (const c of ["preflight", "seed", "schema", "status", "verify", "validate", "cutover", "users"]) {
      const r = await dmsctl([c, "--help"]);
      expect([c, r.code, r.out]).toEqual([
        c,
        0,
        expect.stringMatching(new RegExp(`^dmsctl ${c} [\\s\\S]*Connections:`)),
      ]);
    }
  });
});
