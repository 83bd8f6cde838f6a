/**
 * `dmsctl schema --finalize` against a target set up as RDS for MySQL runs it: binary logging on (RDS turns it on
 * whenever automated backups are) and the connecting user holding the RDS master user's privileges, which do not
 * include SUPER. CREATE TRIGGER then works only with `log_bin_trust_function_creators = 1`, which the target's
 * parameter group sets (constructs/target-rds.ts); with 0, the same finalize fails with ERROR 1419.
 */
import * as mysql from "mysql2/promise";
import { MariaDbServer, startMariaDb } from "../harness/mariadb";
import { renderSampleSchemaSql, renderTargetDmsUserSql } from "../../model/source-sql";
import { DMS_TARGET_USER, SAMPLE_SCHEMA } from "../../model/names";
import { Endpoint } from "../../tools/dmsctl/common";
import { copySchema } from "../../tools/dmsctl/schema";

/**
 * The RDS for MySQL master user's privileges (RDS User Guide, "Master user account privileges"), on *.* WITH GRANT
 * OPTION: no SUPER. From 8.0.36 RDS adds rds_superuser_role (CREATE/DROP ROLE, APPLICATION_PASSWORD_ADMIN, ROLE_ADMIN,
 * SET_USER_ID, XA_RECOVER_ADMIN); none of them is SUPER, the only privilege CREATE TRIGGER checks for with the binlog
 * on (MySQL and MariaDB alike), and MariaDB has no equivalent of most, so they are left out here.
 */
const RDS_MASTER_PRIVILEGES = [
  "SELECT",
  "INSERT",
  "UPDATE",
  "DELETE",
  "CREATE",
  "DROP",
  "RELOAD",
  "PROCESS",
  "REFERENCES",
  "INDEX",
  "ALTER",
  "SHOW DATABASES",
  "CREATE TEMPORARY TABLES",
  "LOCK TABLES",
  "EXECUTE",
  "REPLICATION SLAVE",
  "REPLICATION CLIENT",
  "CREATE VIEW",
  "SHOW VIEW",
  "CREATE ROUTINE",
  "ALTER ROUTINE",
  "CREATE USER",
  "EVENT",
  "TRIGGER",
];
const MASTER_USER = "dbadmin"; // TargetRds's master user name
const MASTER_PASSWORD = "master-password-1234567";
const DMS_PASSWORD = "target-password-1234567";

/** The target as RDS runs it (binlog on, ROW as on 8.4) with the parameter group's setting. */
const TARGET_CNF =
  "[mysqld]\nserver_id = 2\nlog_bin = mysql-bin\nbinlog_format = ROW\nlog_bin_trust_function_creators = 1\n";

const TRIGGERS = ["orders_qty", "products_stock"];

describe("dmsctl schema --finalize on a binlogged target as a user without SUPER (RDS master)", () => {
  let source: MariaDbServer;
  let target: MariaDbServer;
  let t: mysql.Connection;
  const sourceEp = (): Endpoint => ({
    side: "source",
    host: "127.0.0.1",
    port: source.port,
    user: "admin",
    password: source.adminPassword,
    sslMode: "disabled",
  });
  const targetEp = (user: string, password: string): Endpoint => ({
    side: "target",
    host: "127.0.0.1",
    port: target.port,
    user,
    password,
    sslMode: "disabled",
  });
  const finalize = (user = MASTER_USER, password = MASTER_PASSWORD) =>
    copySchema(sourceEp(), targetEp(user, password), {
      schemas: [SAMPLE_SCHEMA],
      finalize: true,
      force: false,
      dryRun: false,
    });
  const targetTriggers = async () => {
    const [rows] = await t.query<mysql.RowDataPacket[]>(
      "SELECT trigger_name AS n, definer AS d FROM information_schema.triggers WHERE trigger_schema = ? ORDER BY trigger_name",
      [SAMPLE_SCHEMA],
    );
    return rows.map((r) => [String(r.n), String(r.d)]);
  };
  const hasForeignKey = async () => {
    const [[orders]] = (await t.query(`SHOW CREATE TABLE ${SAMPLE_SCHEMA}.orders`)) as unknown as [
      Record<string, string>[],
    ];
    return /fk_orders_product/.test(orders["Create Table"]);
  };
  /** Back to the state before --finalize: tables only, no foreign key, no trigger. */
  const unfinalize = async () => {
    for (const n of TRIGGERS) await t.query(`DROP TRIGGER IF EXISTS ${SAMPLE_SCHEMA}.${n}`);
    if (await hasForeignKey()) await t.query(`ALTER TABLE ${SAMPLE_SCHEMA}.orders DROP FOREIGN KEY fk_orders_product`);
  };

  beforeAll(async () => {
    [source, target] = await Promise.all([startMariaDb(), startMariaDb({ config: TARGET_CNF })]);
    const s = await source.connect();
    try {
      await s.query(renderSampleSchemaSql());
      await s.query(
        `CREATE TRIGGER ${SAMPLE_SCHEMA}.orders_qty BEFORE INSERT ON ${SAMPLE_SCHEMA}.orders FOR EACH ROW SET NEW.quantity = GREATEST(NEW.quantity, 1)`,
      );
      await s.query(
        `CREATE TRIGGER ${SAMPLE_SCHEMA}.products_stock BEFORE UPDATE ON ${SAMPLE_SCHEMA}.products FOR EACH ROW
         BEGIN
           IF NEW.stock < 0 THEN SET NEW.stock = 0; END IF;
         END`,
      );
    } finally {
      await s.end();
    }
    t = await target.connect();
    await t.query(`CREATE USER '${MASTER_USER}'@'%' IDENTIFIED BY '${MASTER_PASSWORD}'`);
    await t.query(`GRANT ${RDS_MASTER_PRIVILEGES.join(", ")} ON *.* TO '${MASTER_USER}'@'%' WITH GRANT OPTION`);
    await t.query("SET @dms_password = ?", [DMS_PASSWORD]);
    await t.query(renderTargetDmsUserSql([SAMPLE_SCHEMA]));
    // Before the full load: the tables, as the master user too (docs/cutover.md).
    const pre = await copySchema(sourceEp(), targetEp(MASTER_USER, MASTER_PASSWORD), {
      schemas: [SAMPLE_SCHEMA],
      finalize: false,
      force: false,
      dryRun: false,
    });
    expect(pre.events.map((e) => e.action)).toEqual(["created", "created"]);
  });
  afterAll(async () => {
    await t?.end();
    await Promise.all([source?.stop(), target?.stop()]);
  });

  test("the target is binlogged, trusts function creators, and the master-like user has no SUPER", async () => {
    const [[v]] = (await t.query(
      "SELECT @@global.log_bin AS lb, @@global.log_bin_trust_function_creators AS tr",
    )) as unknown as [Record<string, unknown>[]];
    expect([Number(v.lb), Number(v.tr)]).toEqual([1, 1]);
    const [grants] = (await t.query(`SHOW GRANTS FOR '${MASTER_USER}'@'%'`)) as unknown as [Record<string, string>[]];
    const text = grants.map((g) => Object.values(g)[0]).join("\n");
    expect(text).toMatch(/\bTRIGGER\b/);
    expect(text).not.toMatch(/\bSUPER\b|ALL PRIVILEGES/);
  });

  test("with log_bin_trust_function_creators = 1 it adds the foreign key and creates the triggers, which fire", async () => {
    const r = await finalize();
    expect(r.events.map((e) => [e.table, e.action, e.action === "trigger-created" ? e.detail : ""])).toEqual([
      [`${SAMPLE_SCHEMA}.orders`, "foreign-key-added", ""],
      [`${SAMPLE_SCHEMA}.orders`, "trigger-created", "orders_qty"],
      [`${SAMPLE_SCHEMA}.products`, "trigger-created", "products_stock"],
    ]);
    expect(r.drift).toEqual([]);
    // Created by (and so running as) the connecting user, not the source's definer.
    expect(await targetTriggers()).toEqual([
      ["orders_qty", `${MASTER_USER}@%`],
      ["products_stock", `${MASTER_USER}@%`],
    ]);
    await t.query(`INSERT INTO ${SAMPLE_SCHEMA}.products (sku, name, price, stock) VALUES ('t-1', 'T', 1, 5)`);
    await t.query(`UPDATE ${SAMPLE_SCHEMA}.products SET stock = -3 WHERE sku = 't-1'`);
    await t.query(
      `INSERT INTO ${SAMPLE_SCHEMA}.orders (customer_email, product_id, quantity, unit_price) SELECT 'x@example.com', id, 0, 1 FROM ${SAMPLE_SCHEMA}.products WHERE sku = 't-1'`,
    );
    const [[row]] = (await t.query(
      `SELECT p.stock, o.quantity FROM ${SAMPLE_SCHEMA}.products p JOIN ${SAMPLE_SCHEMA}.orders o ON o.product_id = p.id WHERE p.sku = 't-1'`,
    )) as unknown as [Record<string, number>[]];
    expect([Number(row.stock), Number(row.quantity)]).toEqual([0, 1]);
    await t.query(`DELETE FROM ${SAMPLE_SCHEMA}.orders; DELETE FROM ${SAMPLE_SCHEMA}.products`);
    expect((await finalize()).events).toEqual([]); // idempotent
  });

  test("negative control: with log_bin_trust_function_creators = 0 the same finalize fails with ERROR 1419", async () => {
    await unfinalize();
    await t.query("SET GLOBAL log_bin_trust_function_creators = 0");
    try {
      await expect(finalize()).rejects.toMatchObject({
        code: "ER_BINLOG_CREATE_ROUTINE_NEED_SUPER",
        message: expect.stringMatching(
          /You do not have the SUPER privilege and binary logging is enabled[\s\S]*Set log_bin_trust_function_creators = 1/,
        ),
      });
      // All or nothing: the foreign key this run had added before the trigger failed was dropped again.
      expect(await targetTriggers()).toEqual([]);
      expect(await hasForeignKey()).toBe(false);
    } finally {
      await t.query("SET GLOBAL log_bin_trust_function_creators = 1");
    }
    // The parameter is the whole difference: with it back, the rerun does all of it.
    const r = await finalize();
    expect(r.events.map((e) => e.action)).toEqual(["foreign-key-added", "trigger-created", "trigger-created"]);
    expect((await targetTriggers()).map(([n]) => n)).toEqual(TRIGGERS);
  });

  test("the DMS target user cannot create the triggers (least privilege: DMS never does), so --finalize runs as the master user", async () => {
    await unfinalize();
    await expect(finalize(DMS_TARGET_USER, DMS_PASSWORD)).rejects.toMatchObject({
      code: "ER_TABLEACCESS_DENIED_ERROR",
      message: expect.stringMatching(
        /^the target user dms_target \(127\.0\.0\.1:\d+\) may not CREATE TRIGGER `ecommerce`\.`orders_qty`: it lacks the TRIGGER privilege \(ER_TABLEACCESS_DENIED_ERROR: TRIGGER command denied to user 'dms_target'/,
      ),
    });
    expect(await targetTriggers()).toEqual([]);
    expect(await hasForeignKey()).toBe(false);
  });
});
