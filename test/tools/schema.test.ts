import * as mysql from "mysql2/promise";
import { MariaDbServer, startMariaDb } from "../harness/mariadb";
import { renderSampleSchemaSql } from "../../model/source-sql";
import {
  describeDdlDifference,
  explicitCollations,
  normalizeDdl,
  splitForeignKeys,
  withoutDefiner,
  withoutRemovedModes,
} from "../../tools/dmsctl/schema";
import { dmsctl } from "./run";

interface SchemaOut {
  events: { table: string; action: string; detail?: string }[];
  drift: { table: string; detail: string }[];
}

describe("dmsctl schema (two independent servers)", () => {
  let source: MariaDbServer;
  let target: MariaDbServer;
  let s: mysql.Connection;
  let t: mysql.Connection;
  const run = (extra: string[] = [], schema = "ecommerce") =>
    dmsctl([
      "schema",
      "--source",
      source.url(),
      "--target",
      target.url(),
      "--schema",
      schema,
      "--format",
      "json",
      ...extra,
    ]);

  beforeAll(async () => {
    [source, target] = await Promise.all([startMariaDb(), startMariaDb()]);
    s = await source.connect();
    t = await target.connect();
    await s.query(renderSampleSchemaSql());
    await s.query("INSERT INTO ecommerce.products (sku, name, price) VALUES ('a', 'A', 1), ('b', 'B', 2)");
    await s.query(
      "CREATE TRIGGER ecommerce.orders_qty BEFORE INSERT ON ecommerce.orders FOR EACH ROW SET NEW.quantity = GREATEST(NEW.quantity, 1)",
    );
  });
  afterAll(async () => {
    await s?.end();
    await t?.end();
    await Promise.all([source?.stop(), target?.stop()]);
  });

  test("creates the tables with keys, indexes, charset and AUTO_INCREMENT, holding back foreign keys and triggers", async () => {
    const r = await run();
    expect(r.code).toBe(0);
    const out = r.json<SchemaOut>();
    expect(out.events.map((e) => [e.table, e.action])).toEqual([
      ["ecommerce.orders", "created"],
      ["ecommerce.products", "created"],
    ]);
    expect(out.events[0].detail).toBe("1 foreign key(s) held back until --finalize");
    const [[ddl]] = (await t.query("SHOW CREATE TABLE ecommerce.products")) as unknown as [Record<string, string>[]];
    expect(ddl["Create Table"]).toMatch(/UNIQUE KEY `uq_products_sku` \(`sku`\)/);
    expect(ddl["Create Table"]).toMatch(/AUTO_INCREMENT=3/);
    expect(ddl["Create Table"]).toMatch(/CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci/);
    const [[orders]] = (await t.query("SHOW CREATE TABLE ecommerce.orders")) as unknown as [Record<string, string>[]];
    expect(orders["Create Table"]).not.toMatch(/FOREIGN KEY/);
    expect(orders["Create Table"]).toMatch(/KEY `ix_orders_ordered_at`/);
    const [trig] = await t.query<mysql.RowDataPacket[]>(
      "SELECT 1 FROM information_schema.triggers WHERE trigger_schema = 'ecommerce'",
    );
    expect(trig).toHaveLength(0);
  });

  test("is idempotent", async () => {
    const r = await run();
    expect(r.json<SchemaOut>().events.map((e) => e.action)).toEqual(["unchanged", "unchanged"]);
    expect(r.code).toBe(0);
  });

  test("refuses to touch a non-empty target table whose definition differs, and reports the drift (exit 1)", async () => {
    await t.query(
      "ALTER TABLE ecommerce.products ADD COLUMN legacy INT; INSERT INTO ecommerce.products (sku, name, price) VALUES ('z', 'Z', 9)",
    );
    const r = await run();
    expect(r.code).toBe(1);
    const out = r.json<SchemaOut>();
    expect(out.events.find((e) => e.table === "ecommerce.products")).toMatchObject({
      action: "refused",
      detail: expect.stringMatching(/has rows \(use --force/),
    });
    expect(out.drift).toEqual([
      {
        table: "ecommerce.products",
        detail: "definition differs: column `legacy` only on the target (int(11) DEFAULT NULL)",
      },
    ]);
    const [[n]] = (await t.query("SELECT COUNT(*) AS n FROM ecommerce.products")) as unknown as [{ n: number }[]];
    expect(Number(n.n)).toBe(1);
    // text output names it too
    const text = await dmsctl(["schema", "--source", source.url(), "--target", target.url(), "--schema", "ecommerce"]);
    expect(text.out).toMatch(
      /drift:\n[\s\S]*ecommerce\.products\s+definition differs: column `legacy` only on the target/,
    );
  });

  test("--force recreates it; an empty differing table is recreated without --force", async () => {
    const forced = await run(["--force"]);
    expect(forced.json<SchemaOut>().events.find((e) => e.table === "ecommerce.products")?.action).toBe("recreated");
    await t.query("ALTER TABLE ecommerce.products ADD COLUMN again INT");
    const r = await run();
    expect(r.json<SchemaOut>().events.find((e) => e.table === "ecommerce.products")?.action).toBe("recreated");
    expect(r.code).toBe(0);
  });

  test("drift names the columns, indexes and table options that differ, and how", async () => {
    await t.query(
      "ALTER TABLE ecommerce.products MODIFY price DECIMAL(12,3) NOT NULL, DROP COLUMN stock, DROP INDEX uq_products_sku, ADD KEY ix_name (name), " +
        "MODIFY sku VARCHAR(32) CHARACTER SET latin1 NOT NULL; INSERT INTO ecommerce.products (sku, name, price) VALUES ('q', 'Q', 1)",
    );
    const r = await run(["--dry-run"]);
    const detail = r.json<SchemaOut>().drift.find((d) => d.table === "ecommerce.products")?.detail ?? "";
    expect(detail).toMatch(/^definition differs: /);
    expect(detail).toContain(
      "column `price`: decimal(10,2) NOT NULL on the source, decimal(12,3) NOT NULL on the target",
    );
    expect(detail).toContain("column `stock` missing on the target");
    expect(detail).toContain(
      "column `sku`: varchar(32) COLLATE utf8mb4_unicode_ci NOT NULL on the source, varchar(32) CHARACTER SET latin1 COLLATE latin1_swedish_ci NOT NULL on the target",
    );
    expect(detail).toContain("index `uq_products_sku` missing on the target (UNIQUE KEY `uq_products_sku` (`sku`))");
    expect(detail).toContain("index `ix_name` only on the target (KEY `ix_name` (`name`))");
    await t.query("ALTER TABLE ecommerce.products ENGINE=MyISAM");
    const engine =
      (await run(["--dry-run"])).json<SchemaOut>().drift.find((d) => d.table === "ecommerce.products")?.detail ?? "";
    expect(engine).toContain("table options: ENGINE=InnoDB on the source, ENGINE=MyISAM on the target");
    expect((await run(["--force"])).code).toBe(0); // back to the source's definition for the next tests
  });

  test("--dry-run says the target schema does not exist instead of reporting no drift", async () => {
    await s.query("CREATE DATABASE fresh; CREATE TABLE fresh.a (id INT PRIMARY KEY)");
    const r = await dmsctl([
      "schema",
      "--source",
      source.url(),
      "--target",
      target.url(),
      "--schema",
      "fresh",
      "--dry-run",
      "--format",
      "json",
    ]);
    const out = r.json<SchemaOut>();
    expect(out.drift).toEqual([
      { table: "fresh", detail: "schema does not exist on the target" },
      { table: "fresh.a", detail: "missing on the target" },
    ]);
    expect(out.events.map((e) => [e.table, e.action])).toEqual([
      ["fresh", "planned"],
      ["fresh.a", "planned"],
    ]);
    expect(r.code).toBe(1);
    const text = await dmsctl([
      "schema",
      "--source",
      source.url(),
      "--target",
      target.url(),
      "--schema",
      "fresh",
      "--dry-run",
    ]);
    expect(text.out).toMatch(/fresh\s+schema does not exist on the target/);
    expect(text.out).not.toMatch(/no drift/);
    const [exists] = await t.query<mysql.RowDataPacket[]>(
      "SELECT 1 FROM information_schema.schemata WHERE schema_name = 'fresh'",
    );
    expect(exists).toHaveLength(0); // a dry run changes nothing
  });

  test("--finalize adds the held-back foreign keys and triggers, once", async () => {
    const r = await run(["--finalize"]);
    expect(r.json<SchemaOut>().events.map((e) => [e.table, e.action])).toEqual([
      ["ecommerce.orders", "foreign-key-added"],
      ["ecommerce.orders", "trigger-created"],
    ]);
    const [[orders]] = (await t.query("SHOW CREATE TABLE ecommerce.orders")) as unknown as [Record<string, string>[]];
    expect(orders["Create Table"]).toMatch(
      /CONSTRAINT `fk_orders_product` FOREIGN KEY \(`product_id`\) REFERENCES `products` \(`id`\)/,
    );
    const again = await run(["--finalize"]);
    expect(again.json<SchemaOut>().events).toEqual([]);
  });

  test("several foreign keys (one before a CHECK) held back and added; triggers made under their own sql_mode", async () => {
    await s.query(`
      CREATE DATABASE graph;
      CREATE TABLE graph.parent (id INT PRIMARY KEY);
      CREATE TABLE graph.other (id INT PRIMARY KEY);
      CREATE TABLE graph.child (
        id INT PRIMARY KEY, p INT, q INT, x INT, a VARCHAR(10), b VARCHAR(10), joined VARCHAR(30),
        CONSTRAINT fk_child_p FOREIGN KEY (p) REFERENCES graph.parent (id),
        CONSTRAINT fk_child_q FOREIGN KEY (q) REFERENCES graph.other (id),
        CONSTRAINT chk_child_x CHECK (x >= 0));
      SET SESSION sql_mode = 'PIPES_AS_CONCAT';
      CREATE TRIGGER graph.child_joined BEFORE INSERT ON graph.child FOR EACH ROW SET NEW.joined = NEW.a || '-' || NEW.b;
      SET SESSION sql_mode = 'ANSI_QUOTES';
      CREATE TRIGGER graph.child_x BEFORE UPDATE ON graph.child FOR EACH ROW SET NEW."x" = GREATEST(NEW."x", 0);
      SET SESSION sql_mode = DEFAULT;
      CREATE VIEW graph.v_children AS SELECT id, p FROM graph.child;
      CREATE VIEW graph.a_over_view AS SELECT COUNT(*) AS n FROM graph.v_children;
      CREATE PROCEDURE graph.p_count() SELECT COUNT(*) FROM graph.child;
      SET SESSION sql_mode = 'PIPES_AS_CONCAT';
      CREATE FUNCTION graph.f_label(a VARCHAR(10), b VARCHAR(10)) RETURNS VARCHAR(21) DETERMINISTIC RETURN a || '/' || b;
      SET SESSION sql_mode = DEFAULT;
      CREATE EVENT graph.e_nightly ON SCHEDULE EVERY 1 DAY DISABLE DO DELETE FROM graph.child WHERE x < 0;
    `);
    const graph = (extra: string[] = []) => run(extra, "graph");
    const created = await graph();
    expect([created.code, created.err]).toEqual([0, ""]);
    expect(created.json<SchemaOut>().events).toContainEqual({
      table: "graph.child",
      action: "created",
      detail: "2 foreign key(s) held back until --finalize",
    });
    // views and routines held back until --finalize; the event listed, never copied; none of it drift
    const event = {
      table: "graph.e_nightly",
      action: "not-copied",
      detail:
        "event: neither DMS nor dmsctl schema copies it; create it on the target once the target is the primary (SHOW CREATE EVENT on the source)",
    };
    expect(created.json<SchemaOut>().events.filter((e) => ["held-back", "not-copied"].includes(e.action))).toEqual([
      {
        table: "graph.a_over_view",
        action: "held-back",
        detail: "view: created by --finalize (DMS does not migrate it)",
      },
      {
        table: "graph.v_children",
        action: "held-back",
        detail: "view: created by --finalize (DMS does not migrate it)",
      },
      {
        table: "graph.p_count",
        action: "held-back",
        detail: "procedure: created by --finalize (DMS does not migrate it)",
      },
      {
        table: "graph.f_label",
        action: "held-back",
        detail: "function: created by --finalize (DMS does not migrate it)",
      },
      event,
    ]);
    const ddl = async (c: mysql.Connection) =>
      ((await c.query("SHOW CREATE TABLE graph.child")) as unknown as [Record<string, string>[]])[0][0]["Create Table"];
    expect(await ddl(t)).toMatch(/CONSTRAINT `chk_child_x` CHECK/);
    expect(await ddl(t)).not.toMatch(/FOREIGN KEY/);

    const finalized = await graph(["--finalize"]);
    expect([finalized.code, finalized.err]).toEqual([0, ""]);
    expect(finalized.json<SchemaOut>().events.map((e) => [e.action, e.detail])).toEqual([
      ["foreign-key-added", expect.stringMatching(/^CONSTRAINT `fk_child_p`/)],
      ["foreign-key-added", expect.stringMatching(/^CONSTRAINT `fk_child_q`/)],
      ["trigger-created", "child_joined"],
      ["trigger-created", "child_x"],
      ["not-copied", event.detail],
      // routines first, then views: the view over a view waits for a second round
      ["routine-created", "procedure"],
      ["routine-created", "function"],
      ["view-created", "view"],
      ["view-created", "view"],
    ]);
    // the same definitions, the function under its own sql_mode (|| concatenates)
    const objects = async (c: mysql.Connection) =>
      (
        await c.query(
          "SELECT table_name AS n, view_definition AS d FROM information_schema.views WHERE table_schema = 'graph' UNION ALL SELECT routine_name, CONCAT(sql_mode, ' ', routine_definition) FROM information_schema.routines WHERE routine_schema = 'graph' ORDER BY 1",
        )
      )[0];
    expect(await objects(t)).toEqual(await objects(s));
    const [[label]] = (await t.query("SELECT graph.f_label('a', 'b') AS l")) as unknown as [{ l: string }[]];
    expect(label.l).toBe("a/b");
    expect(await ddl(t)).toBe(await ddl(s));
    const modes = async (c: mysql.Connection) =>
      (
        await c.query(
          "SELECT trigger_name AS n, sql_mode AS m FROM information_schema.triggers WHERE trigger_schema = 'graph' ORDER BY 1",
        )
      )[0];
    expect(await modes(t)).toEqual(await modes(s));
    // the triggers behave as on the source: || concatenates, "x" is the column
    await t.query("INSERT INTO graph.parent VALUES (1); INSERT INTO graph.other VALUES (1)");
    await t.query("INSERT INTO graph.child (id, p, q, x, a, b) VALUES (1, 1, 1, 5, 'foo', 'bar')");
    await t.query("UPDATE graph.child SET x = -3 WHERE id = 1");
    const [[row]] = (await t.query("SELECT joined, x FROM graph.child")) as unknown as [Record<string, unknown>[]];
    expect(row).toEqual({ joined: "foo-bar", x: 0 });
    const [[mode]] = (await t.query("SELECT @@SESSION.sql_mode AS m")) as unknown as [Record<string, string>[]];
    expect(mode.m).not.toMatch(/PIPES_AS_CONCAT|ANSI_QUOTES/);

    const again = await graph(["--finalize"]);
    expect([again.code, again.json<SchemaOut>().events, again.json<SchemaOut>().drift]).toEqual([0, [event], []]);
    // a trigger the target has under another sql_mode is drift, named with both modes
    await t.query(
      "DROP TRIGGER graph.child_joined; SET SESSION sql_mode = ''; CREATE TRIGGER graph.child_joined BEFORE INSERT ON graph.child FOR EACH ROW SET NEW.joined = NEW.a || '-' || NEW.b; SET SESSION sql_mode = DEFAULT",
    );
    const drifted = await graph(["--finalize"]);
    expect(drifted.json<SchemaOut>().drift).toEqual([
      {
        table: "graph.child",
        detail:
          "trigger child_joined: sql_mode 'PIPES_AS_CONCAT' on the source, '' on the target (drop it on the target and run --finalize again)",
      },
    ]);
    expect(drifted.code).toBe(1);
  });

  test("--finalize that cannot create a view (it reads a schema the target lacks) fails naming it, and undoes the run", async () => {
    await s.query(`
      CREATE DATABASE elsewhere; CREATE TABLE elsewhere.rates (id INT PRIMARY KEY);
      CREATE DATABASE views2; CREATE TABLE views2.t (id INT PRIMARY KEY);
      CREATE PROCEDURE views2.p_first() SELECT 1;
      CREATE VIEW views2.v_rates AS SELECT id FROM elsewhere.rates;
    `);
    expect((await run([], "views2")).code).toBe(0);
    const r = await run(["--finalize"], "views2");
    expect([r.code, r.err]).toEqual([
      2,
      expect.stringMatching(
        /^dmsctl schema: cannot CREATE VIEW `views2`\.`v_rates` on the target as .*Table 'elsewhere\.rates' doesn't exist.*The 1 change\(s\) this run had made on the target were undone \(CREATE PROCEDURE `views2`\.`p_first`\)/,
      ),
    ]);
    const [routines] = await t.query(
      "SELECT routine_name FROM information_schema.routines WHERE routine_schema = 'views2'",
    );
    expect(routines).toEqual([]);
  });

  test("withoutDefiner: backticks, quotes with spaces, a role, after ALGORITHM=; the rest untouched", () => {
    expect(
      [
        "CREATE ALGORITHM=UNDEFINED DEFINER=`admin`@`127.0.0.1` SQL SECURITY DEFINER VIEW `v` AS select 1",
        "CREATE DEFINER='app user'@'%' VIEW v AS SELECT 1",
        "CREATE DEFINER=`we``ird@`@`h` PROCEDURE `p`() SELECT 1",
        "CREATE DEFINER=`app_role` FUNCTION `f`() RETURNS int RETURN 1",
        "CREATE DEFINER=root@localhost TRIGGER t BEFORE INSERT ON x FOR EACH ROW SET NEW.a = 1",
        "CREATE VIEW `v` AS select 'DEFINER=x' AS d",
      ].map(withoutDefiner),
    ).toEqual([
      "CREATE ALGORITHM=UNDEFINED SQL SECURITY DEFINER VIEW `v` AS select 1",
      "CREATE VIEW v AS SELECT 1",
      "CREATE PROCEDURE `p`() SELECT 1",
      "CREATE FUNCTION `f`() RETURNS int RETURN 1",
      "CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW SET NEW.a = 1",
      "CREATE VIEW `v` AS select 'DEFINER=x' AS d",
    ]);
  });

  test("--finalize: a view calling a function, a view over another schema's view, each under its own collation", async () => {
    await s.query(`
      CREATE DATABASE xa; CREATE DATABASE xb;
      CREATE TABLE xb.t (id INT PRIMARY KEY); INSERT INTO xb.t VALUES (1), (2);
      CREATE VIEW xb.v AS SELECT id FROM xb.t;
      CREATE FUNCTION xa.f_double(x INT) RETURNS INT DETERMINISTIC RETURN x * 2;
      CREATE VIEW xa.v_doubled AS SELECT xa.f_double(id) AS d FROM xb.v;
      SET NAMES utf8mb4 COLLATE utf8mb4_bin;
      CREATE FUNCTION xa.f_same() RETURNS INT DETERMINISTIC RETURN 'a' = 'A';
      CREATE VIEW xa.v_same AS SELECT 'a' = 'A' AS same;
      SET NAMES utf8mb4;
    `);
    const both = (extra: string[]) => run(extra, "xa,xb");
    expect((await both([])).code).toBe(0);
    const r = await both(["--finalize"]);
    expect([r.code, r.err]).toEqual([0, ""]);
    // routines first, then views in rounds: xa.v_doubled waits for xb.v
    expect(r.json<SchemaOut>().events.map((e) => `${e.action} ${e.table}`)).toEqual([
      "routine-created xa.f_double",
      "routine-created xa.f_same",
      "view-created xa.v_same",
      "view-created xb.v",
      "view-created xa.v_doubled",
    ]);
    await t.query("INSERT INTO xb.t VALUES (1), (2)"); // schema copies no rows
    const [[row]] = (await t.query(
      "SELECT (SELECT SUM(d) FROM xa.v_doubled) AS doubled, xa.f_same() AS f, (SELECT same FROM xa.v_same) AS v",
    )) as unknown as [Record<string, unknown>[]];
    // 'a' = 'A' is 0 under utf8mb4_bin, as on the source (1 under the tool's utf8mb4_general_ci)
    expect(row).toEqual({ doubled: "6", f: 0, v: 0 });
  });

  test("--finalize refuses a source user that may not see every routine (no global SELECT or SHOW_ROUTINE), changing nothing", async () => {
    await s.query(`
      CREATE DATABASE rr; CREATE TABLE rr.t (id INT PRIMARY KEY); CREATE PROCEDURE rr.p_hidden() SELECT 1;
      CREATE USER 'reader'@'127.0.0.1' IDENTIFIED BY 'reader-password-1';
      GRANT SELECT, TRIGGER, SHOW VIEW ON rr.* TO 'reader'@'127.0.0.1';
    `);
    const reader = `mysql://reader:reader-password-1@127.0.0.1:${source.port}`;
    const as = (extra: string[]) =>
      dmsctl(["schema", "--source", reader, "--target", target.url(), "--schema", "rr", "--format", "json", ...extra]);
    expect((await as([])).code).toBe(0);
    const r = await as(["--finalize"]);
    expect([r.code, r.err]).toEqual([
      2,
      "dmsctl schema: --finalize copies the procedures and functions it finds on the source, but the source user reader may not see them all: " +
        "it has neither global SELECT nor SHOW_ROUTINE (information_schema lists a routine only to its definer or a user with a privilege on it). " +
        "Nothing was changed. Read the source as an account that has it, e.g. --source mysql://admin@<source_host> with the password in DMSCTL_SOURCE_PASSWORD " +
        "(--env still takes the target from the environment)",
    ]);
    const ok = await run(["--finalize"], "rr");
    expect(ok.json<SchemaOut>().events).toEqual([
      { table: "rr.p_hidden", action: "routine-created", detail: "procedure" },
    ]);

    // a routine or view the target has with another definition is drift, never replaced
    await s.query("CREATE VIEW rr.v AS SELECT id FROM rr.t");
    expect((await run(["--finalize"], "rr")).code).toBe(0);
    await t.query(
      "DROP PROCEDURE rr.p_hidden; CREATE PROCEDURE rr.p_hidden() SELECT 2; ALTER VIEW rr.v AS SELECT id + 1 AS id FROM rr.t",
    );
    const drifted = await run(["--finalize"], "rr");
    expect([drifted.code, drifted.json<SchemaOut>().drift]).toEqual([
      1,
      [
        {
          table: "rr.v",
          detail: "view defined differently on the target: drop it there and run --finalize again to copy the source's",
        },
        {
          table: "rr.p_hidden",
          detail:
            "procedure defined differently on the target (its body or sql_mode): drop it there and run --finalize again to copy the source's",
        },
      ],
    ]);
  });

  test("fails on a schema the source does not have (exit 2)", async () => {
    const r = await dmsctl(["schema", "--source", source.url(), "--target", target.url(), "--schema", "nowhere"]);
    expect([r.code, r.err]).toEqual([2, expect.stringMatching(/schema "nowhere" does not exist on the source/)]);
  });

  test("explicitCollations: a 5.7 definition gets the collations its server holds; one that has them is unchanged", () => {
    const ddl57 = [
      "CREATE TABLE `t` (",
      "  `id` int(11) NOT NULL,",
      "  `a` varchar(5) DEFAULT NULL COMMENT 'CHARACTER SET in a comment',",
      "  `b` varchar(5) CHARACTER SET latin1 DEFAULT NULL,",
      "  `c` enum('x)','y') CHARACTER SET latin1 NOT NULL,",
      "  `d` varchar(5) CHARACTER SET latin1 COLLATE latin1_bin DEFAULT NULL,",
      "  PRIMARY KEY (`id`)",
      ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
    ].join("\n");
    const collations = new Map([
      ["a", "utf8mb4_general_ci"],
      ["b", "latin1_swedish_ci"],
      ["c", "latin1_swedish_ci"],
      ["d", "latin1_bin"],
    ]);
    expect(explicitCollations(ddl57, "utf8mb4_general_ci", collations).split("\n")).toEqual([
      "CREATE TABLE `t` (",
      "  `id` int(11) NOT NULL,",
      "  `a` varchar(5) COLLATE utf8mb4_general_ci DEFAULT NULL COMMENT 'CHARACTER SET in a comment',",
      "  `b` varchar(5) CHARACTER SET latin1 COLLATE latin1_swedish_ci DEFAULT NULL,",
      "  `c` enum('x)','y') CHARACTER SET latin1 COLLATE latin1_swedish_ci NOT NULL,",
      "  `d` varchar(5) CHARACTER SET latin1 COLLATE latin1_bin DEFAULT NULL,",
      "  PRIMARY KEY (`id`)",
      ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci",
    ]);
    const explicit = explicitCollations(ddl57, "utf8mb4_general_ci", collations);
    expect(explicitCollations(explicit, "utf8mb4_general_ci", collations)).toBe(explicit);
    // ENUM values with '' (and commas, parentheses): matched without backtracking, whatever their number
    const values = Array.from({ length: 60 }, (_, i) => `'it''s (${i}), ok'`).join(",");
    const many = `CREATE TABLE \`e\` (\n  \`e\` enum(${values}) NOT NULL\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`;
    expect(explicitCollations(many, "utf8mb4_general_ci", new Map([["e", "utf8mb4_general_ci"]]))).toBe(
      many
        .replace("NOT NULL", "COLLATE utf8mb4_general_ci NOT NULL")
        .replace("CHARSET=utf8mb4", "CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci"),
    );
  });

  test("the target gets the source's collations, and a copied table compares unchanged", async () => {
    const [[src]] = (await s.query("SHOW CREATE TABLE ecommerce.products")) as unknown as [Record<string, string>[]];
    const [[tgt]] = (await t.query("SHOW CREATE TABLE ecommerce.products")) as unknown as [Record<string, string>[]];
    expect(tgt["Create Table"]).toMatch(/ COLLATE=utf8mb4_unicode_ci$/);
    expect(normalizeDdl(tgt["Create Table"])).toBe(normalizeDdl(src["Create Table"]));
  });

  test("withoutRemovedModes: a 5.7 trigger's mode without the names MySQL 8.0 refuses, the rest in order", () => {
    expect(
      withoutRemovedModes(
        "ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_AUTO_CREATE_USER,NO_ENGINE_SUBSTITUTION",
      ),
    ).toBe(
      "ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION",
    );
    // ORACLE as 5.7 lists it: its parts stay
    expect(
      withoutRemovedModes(
        "PIPES_AS_CONCAT,ANSI_QUOTES,IGNORE_SPACE,ORACLE,NO_KEY_OPTIONS,NO_TABLE_OPTIONS,NO_FIELD_OPTIONS,NO_AUTO_CREATE_USER",
      ),
    ).toBe("PIPES_AS_CONCAT,ANSI_QUOTES,IGNORE_SPACE");
    expect(withoutRemovedModes("")).toBe("");
  });

  test("describeDdlDifference: column order, options and partitioning", () => {
    const a =
      "CREATE TABLE `t` (\n  `id` int NOT NULL,\n  `a` int,\n  `b` int,\n  PRIMARY KEY (`id`)\n) ENGINE=InnoDB COMMENT='x y'\n PARTITION BY HASH (`id`)\nPARTITIONS 4";
    const b =
      "CREATE TABLE `t` (\n  `id` int NOT NULL,\n  `b` int,\n  `a` int,\n  PRIMARY KEY (`id`,`a`)\n) ENGINE=InnoDB COMMENT='x y'";
    expect(describeDdlDifference(a, b)).toEqual([
      "column order differs: `id`, `a`, `b` on the source, `id`, `b`, `a` on the target",
      "primary key: PRIMARY KEY (`id`) on the source, PRIMARY KEY (`id`,`a`) on the target",
      "table options: PARTITION BY HASH (`id`) PARTITIONS 4 on the source, none on the target",
    ]);
    expect(describeDdlDifference(a, a)).toEqual([]);
  });

  test("splitForeignKeys / normalizeDdl", () => {
    const ddl =
      "CREATE TABLE `o` (\n  `id` int NOT NULL,\n  `p` int,\n  PRIMARY KEY (`id`),\n  CONSTRAINT `fk_o_p` FOREIGN KEY (`p`) REFERENCES `p` (`id`)\n) ENGINE=InnoDB AUTO_INCREMENT=42";
    expect(splitForeignKeys(ddl).foreignKeys).toEqual(["CONSTRAINT `fk_o_p` FOREIGN KEY (`p`) REFERENCES `p` (`id`)"]);
    expect(normalizeDdl(ddl)).toBe(
      "CREATE TABLE `o` (\n  `id` int NOT NULL,\n  `p` int,\n  PRIMARY KEY (`id`)\n) ENGINE=InnoDB",
    );
    // several, and one before a CHECK: the commas between the lines that stay are kept, none is left dangling
    const several =
      "CREATE TABLE `c` (\n  `id` int NOT NULL,\n  `p` int,\n  `q` int,\n  PRIMARY KEY (`id`),\n  KEY `fk_p` (`p`),\n" +
      "  CONSTRAINT `fk_p` FOREIGN KEY (`p`) REFERENCES `p` (`id`) ON DELETE CASCADE,\n" +
      "  CONSTRAINT `fk_q` FOREIGN KEY (`q`) REFERENCES `q` (`id`),\n  CONSTRAINT `chk` CHECK (`q` >= 0)\n) ENGINE=InnoDB";
    expect(splitForeignKeys(several)).toEqual({
      table:
        "CREATE TABLE `c` (\n  `id` int NOT NULL,\n  `p` int,\n  `q` int,\n  PRIMARY KEY (`id`),\n  KEY `fk_p` (`p`),\n" +
        "  CONSTRAINT `chk` CHECK (`q` >= 0)\n) ENGINE=InnoDB",
      foreignKeys: [
        "CONSTRAINT `fk_p` FOREIGN KEY (`p`) REFERENCES `p` (`id`) ON DELETE CASCADE",
        "CONSTRAINT `fk_q` FOREIGN KEY (`q`) REFERENCES `q` (`id`)",
      ],
    });
    const noFk = "CREATE TABLE `n` (\n  `id` int NOT NULL,\n  PRIMARY KEY (`id`)\n) ENGINE=InnoDB";
    expect(splitForeignKeys(noFk)).toEqual({ table: noFk, foreignKeys: [] });
    // the same definition as MySQL 5.7 / 8.0.2x and as 8.0.30+ print it; a real difference still differs
    const old57 =
      "CREATE TABLE `t` (\n  `id` int(11) NOT NULL,\n  `n` bigint(20) unsigned DEFAULT NULL,\n  `s` varchar(9) CHARACTER SET utf8 COLLATE utf8_bin,\n  PRIMARY KEY (`id`)\n) ENGINE=InnoDB DEFAULT CHARSET=utf8";
    const new80 =
      "CREATE TABLE `t` (\n  `id` int NOT NULL,\n  `n` bigint unsigned DEFAULT NULL,\n  `s` varchar(9) CHARACTER SET utf8mb3 COLLATE utf8mb3_bin,\n  PRIMARY KEY (`id`)\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3";
    expect(normalizeDdl(old57)).toBe(normalizeDdl(new80));
    expect(normalizeDdl(old57)).not.toBe(normalizeDdl(new80.replace("CHARSET=utf8mb3", "CHARSET=utf8mb4")));
    expect(normalizeDdl(old57)).not.toBe(normalizeDdl(new80.replace("`n` bigint", "`n` int")));
    expect(describeDdlDifference(old57, new80)).toEqual([]);
    // a ZEROFILL width is kept (it is the width of the stored text); an introducer is spelled alike
    const zf = (w: number, intro: string) =>
      `CREATE TABLE \`z\` (\n  \`n\` int(${w}) unsigned zerofill DEFAULT NULL,\n  \`g\` varchar(9) AS (concat(${intro}'x',\`n\`)) VIRTUAL\n) ENGINE=InnoDB`;
    expect(normalizeDdl(zf(5, "_utf8"))).toBe(normalizeDdl(zf(5, "_utf8mb3")));
    expect(normalizeDdl(zf(5, "_utf8"))).not.toBe(normalizeDdl(zf(8, "_utf8")));
    // a column's collation alone (5.7) or with its charset (8.0): the same column; another collation is not
    const col = (spec: string) => `CREATE TABLE \`c\` (\n  \`s\` varchar(5) ${spec} DEFAULT NULL\n) ENGINE=InnoDB`;
    expect(normalizeDdl(col("COLLATE utf8mb4_bin"))).toBe(
      normalizeDdl(col("CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")),
    );
    expect(normalizeDdl(col("COLLATE utf8mb4_bin"))).not.toBe(normalizeDdl(col("COLLATE utf8mb4_general_ci")));
    // a real difference is shown as each server printed it
    expect(describeDdlDifference(old57, new80.replace("`n` bigint", "`n` int"))).toEqual([
      "column `n`: bigint(20) unsigned DEFAULT NULL on the source, int unsigned DEFAULT NULL on the target",
    ]);
  });
});
