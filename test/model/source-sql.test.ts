import * as mysql from "mysql2/promise";
import { startMariaDb, MariaDbServer } from "../harness/mariadb";
import { DMS_SOURCE_USER, DMS_TARGET_USER, HEARTBEAT_SCHEMA, SAMPLE_SCHEMA } from "../../model/names";
import {
  quoteIdent,
  quoteString,
  renderHeartbeatSql,
  renderMyCnf,
  renderSettingChecks,
  renderSampleDataSql,
  renderSampleSchemaSql,
  renderSourceDmsUserSql,
  renderTargetDmsUserSql,
  sourceServerSettings,
} from "../../model/source-sql";

// The settings the source renders, applied to a real server: the values DMS CDC needs must be in force.
describe("source my.cnf and SQL against a real MariaDB", () => {
  let server: MariaDbServer;
  let admin: mysql.Connection;
  const settings = sourceServerSettings({ serverId: 7, binlogRetentionHours: 48 });

  beforeAll(async () => {
    server = await startMariaDb({ config: renderMyCnf(settings, "mariadb") });
    admin = await server.connect();
  });
  afterAll(async () => {
    await admin?.end();
    await server?.stop();
  });

  test("every DMS CDC setting is in force after start-up", async () => {
    // GIVEN the rendered my.cnf (WHEN the server starts with it) THEN SHOW GLOBAL VARIABLES reports each value
    const [rows] = await admin.query<mysql.RowDataPacket[]>("SHOW GLOBAL VARIABLES");
    const vars = new Map(rows.map((r) => [String(r.Variable_name), String(r.Value)]));
    const checked = settings.filter((s) => !s.mysqlOnly && s.name !== "bind_address"); // the harness binds loopback
    expect(checked.map((s) => s.name)).toEqual(
      expect.arrayContaining([
        "server_id",
        "log_bin",
        "binlog_format",
        "binlog_row_image",
        "binlog_expire_logs_seconds",
      ]),
    );
    for (const s of checked) {
      expect([s.name, vars.get(s.variable ?? s.name)]).toEqual([s.name, s.expected ?? s.value]);
    }
    expect(vars.get("server_id")).toBe("7");
    expect(vars.get("binlog_expire_logs_seconds")).toBe(String(48 * 3600));
  });

  test("schema, heartbeat and sample data apply, and re-apply without duplicates", async () => {
    for (let i = 0; i < 2; i++) {
      await admin.query(renderSampleSchemaSql());
      await admin.query(renderHeartbeatSql());
      await admin.query(renderSampleDataSql());
    }
    const [[p]] = await admin.query<mysql.RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${SAMPLE_SCHEMA}.products`);
    const [[o]] = await admin.query<mysql.RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${SAMPLE_SCHEMA}.orders`);
    expect([Number(p.n), Number(o.n)]).toEqual([6, 5]);
    // Unicode survives: the sample data carries non-ASCII text end to end
    const [[u]] = await admin.query<mysql.RowDataPacket[]>(
      `SELECT name, description FROM ${SAMPLE_SCHEMA}.products WHERE sku = 'SKU-1005'`,
    );
    expect(u).toEqual({ name: "Café crème beans 1 kg", description: "Röstung: mittel — arabica" });
    // NULL and empty string stay distinct
    const [nulls] = await admin.query<mysql.RowDataPacket[]>(
      `SELECT sku, description FROM ${SAMPLE_SCHEMA}.products WHERE sku IN ('SKU-1003','SKU-1006') ORDER BY sku`,
    );
    expect(nulls).toEqual([
      { sku: "SKU-1003", description: null },
      { sku: "SKU-1006", description: "" },
    ]);
    const [[hb]] = await admin.query<mysql.RowDataPacket[]>(
      `SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = '${HEARTBEAT_SCHEMA}' AND table_name = 'heartbeat'`,
    );
    expect(Number(hb.n)).toBe(1);
  });

  test("the DMS source user can read and replicate but not write, and a re-run rotates its password", async () => {
    await admin.query(renderSampleSchemaSql());
    await admin.query(renderHeartbeatSql());
    const sql = renderSourceDmsUserSql([SAMPLE_SCHEMA], "mariadb");
    expect(sql).not.toMatch(/first-password/);
    await admin.query("SET @dms_password = ?", ["first-password-1234567"]);
    await admin.query(sql);

    const dms = await mysql.createConnection({
      host: "127.0.0.1",
      port: server.port,
      user: DMS_SOURCE_USER,
      password: "first-password-1234567",
    });
    const [grants] = await dms.query<mysql.RowDataPacket[]>("SHOW GRANTS");
    const text = grants.map((g) => Object.values(g)[0]).join("\n");
    expect(text).toMatch(
      /GRANT (REPLICATION SLAVE, REPLICATION CLIENT|REPLICATION CLIENT, REPLICATION SLAVE|BINLOG MONITOR, REPLICATION SLAVE|REPLICATION SLAVE, BINLOG MONITOR)/,
    );
    expect(text).toMatch(/GRANT SELECT, CREATE TEMPORARY TABLES ON `ecommerce`\.\*/);
    expect(text).toMatch(/ON `dms_migrate`\.\*/);
    await expect(dms.query(`SELECT COUNT(*) FROM ${SAMPLE_SCHEMA}.products`)).resolves.toBeDefined();
    await expect(dms.query("SHOW BINARY LOGS")).resolves.toBeDefined();
    await expect(
      dms.query(`INSERT INTO ${SAMPLE_SCHEMA}.products (sku, name, price) VALUES ('x', 'x', 1)`),
    ).rejects.toThrow(/INSERT command denied/);
    await expect(dms.query("SELECT * FROM mysql.user")).rejects.toThrow(/denied/);
    await dms.end();

    // WHEN the script runs again with a new password THEN only the new one works
    await admin.query("SET @dms_password = ?", ["second-password-7654321"]);
    await admin.query(sql);
    await expect(
      mysql.createConnection({
        host: "127.0.0.1",
        port: server.port,
        user: DMS_SOURCE_USER,
        password: "first-password-1234567",
      }),
    ).rejects.toThrow(/Access denied/);
    const again = await mysql.createConnection({
      host: "127.0.0.1",
      port: server.port,
      user: DMS_SOURCE_USER,
      password: "second-password-7654321",
    });
    await again.end();
  });

  test("fails without a password (or with a short one) and creates no user", async () => {
    const fresh = await server.connect(); // a new session: @dms_password unset
    await expect(fresh.query(renderSourceDmsUserSql([SAMPLE_SCHEMA], "mariadb", "dms_nopass"))).rejects.toThrow();
    await fresh.query("SET @dms_password = 'short'");
    await expect(fresh.query(renderSourceDmsUserSql([SAMPLE_SCHEMA], "mariadb", "dms_nopass"))).rejects.toThrow();
    const [rows] = await fresh.query<mysql.RowDataPacket[]>(
      "SELECT COUNT(*) AS n FROM mysql.user WHERE user = 'dms_nopass'",
    );
    expect(Number(rows[0].n)).toBe(0);
    await fresh.end();
  });

  test("the DMS target user can load the migrated schema and its control schema, nothing else", async () => {
    await admin.query(`CREATE DATABASE IF NOT EXISTS ${SAMPLE_SCHEMA}`);
    await admin.query("SET @dms_password = ?", ["target-password-1234567"]);
    await admin.query(renderTargetDmsUserSql([SAMPLE_SCHEMA]));
    const dms = await mysql.createConnection({
      host: "127.0.0.1",
      port: server.port,
      user: DMS_TARGET_USER,
      password: "target-password-1234567",
    });
    await dms.query(`CREATE TABLE ${SAMPLE_SCHEMA}.dms_probe (id INT PRIMARY KEY)`);
    await dms.query(`INSERT INTO ${SAMPLE_SCHEMA}.dms_probe VALUES (1)`);
    await dms.query(`DROP TABLE ${SAMPLE_SCHEMA}.dms_probe`);
    await dms.query("CREATE DATABASE IF NOT EXISTS awsdms_control");
    await dms.query("CREATE TABLE awsdms_control.awsdms_status (id INT)");
    await expect(dms.query("CREATE DATABASE other_schema")).rejects.toThrow(/denied/);
    await expect(dms.query("SELECT * FROM mysql.user")).rejects.toThrow(/denied/);
    await dms.end();
  });

  test("with the fallback, the DMS source user can also write the migrated schemas back and keep DMS's control tables", async () => {
    // GIVEN the source user rendered for a fallback replication (its own name, so the read-only user above stays)
    await admin.query(renderSampleSchemaSql());
    await admin.query(renderHeartbeatSql());
    await admin.query("SET @dms_password = ?", ["fallback-password-1234567"]);
    await admin.query(renderSourceDmsUserSql([SAMPLE_SCHEMA], "mariadb", "dms_source_fb", { fallback: true }));
    const dms = await mysql.createConnection({
      host: "127.0.0.1",
      port: server.port,
      user: "dms_source_fb",
      password: "fallback-password-1234567",
    });
    // THEN it still reads the binlog, and applies rows and DDL as a DMS target does
    await expect(dms.query("SHOW BINARY LOGS")).resolves.toBeDefined();
    await dms.query(`INSERT INTO ${SAMPLE_SCHEMA}.products (sku, name, price) VALUES ('FB-1', 'back', 1)`);
    await dms.query(`UPDATE ${SAMPLE_SCHEMA}.products SET price = 2 WHERE sku = 'FB-1'`);
    await dms.query(`DELETE FROM ${SAMPLE_SCHEMA}.products WHERE sku = 'FB-1'`);
    await dms.query(`CREATE TABLE ${SAMPLE_SCHEMA}.fb_probe (id INT PRIMARY KEY)`);
    await dms.query(`ALTER TABLE ${SAMPLE_SCHEMA}.fb_probe ADD COLUMN note VARCHAR(10)`);
    await dms.query(`DROP TABLE ${SAMPLE_SCHEMA}.fb_probe`);
    await dms.query(`INSERT INTO ${HEARTBEAT_SCHEMA}.heartbeat (token, source_written_at) VALUES (UUID(), NOW(6))`);
    await dms.query("CREATE DATABASE IF NOT EXISTS awsdms_control");
    await dms.query("CREATE TABLE awsdms_control.awsdms_apply_exceptions (id INT)");
    // and it keeps writing while the source is read-only after cutover (READ ONLY ADMIN on MariaDB; CONNECTION_ADMIN
    // in the MySQL rendering)
    await admin.query("SET GLOBAL read_only = ON");
    try {
      await dms.query(`INSERT INTO ${SAMPLE_SCHEMA}.products (sku, name, price) VALUES ('FB-2', 'frozen', 1)`);
      await dms.query(`DELETE FROM ${SAMPLE_SCHEMA}.products WHERE sku = 'FB-2'`);
    } finally {
      await admin.query("SET GLOBAL read_only = OFF");
    }
    expect(renderSourceDmsUserSql([SAMPLE_SCHEMA], "mysql", "dms_source_fb", { fallback: true })).toMatch(
      /^GRANT CONNECTION_ADMIN ON \*\.\* TO 'dms_source_fb'@'%';$/m,
    );
    // and nothing beyond: no other schema, no system tables
    await expect(dms.query("CREATE DATABASE other_schema")).rejects.toThrow(/denied/);
    await expect(dms.query("SELECT * FROM mysql.user")).rejects.toThrow(/denied/);
    await dms.end();
  });

  test("with the fallback, the DMS target user can also read the binlog; without it, it cannot", async () => {
    await admin.query(`CREATE DATABASE IF NOT EXISTS ${SAMPLE_SCHEMA}`);
    await admin.query("SET @dms_password = ?", ["target-password-1234567"]);
    await admin.query(renderTargetDmsUserSql([SAMPLE_SCHEMA], "dms_target_plain"));
    await admin.query(renderTargetDmsUserSql([SAMPLE_SCHEMA], "dms_target_fb", { fallback: true }));
    const connect = (user: string) =>
      mysql.createConnection({ host: "127.0.0.1", port: server.port, user, password: "target-password-1234567" });
    const plain = await connect("dms_target_plain");
    await expect(plain.query("SHOW BINARY LOGS")).rejects.toThrow(/denied/);
    await plain.end();
    const fb = await connect("dms_target_fb");
    await expect(fb.query("SHOW BINARY LOGS")).resolves.toBeDefined();
    const [grants] = await fb.query<mysql.RowDataPacket[]>("SHOW GRANTS");
    expect(grants.map((g) => Object.values(g)[0]).join("\n")).toMatch(
      /GRANT (REPLICATION SLAVE, BINLOG MONITOR|BINLOG MONITOR, REPLICATION SLAVE|REPLICATION SLAVE, REPLICATION CLIENT|REPLICATION CLIENT, REPLICATION SLAVE) ON \*\.\*/,
    );
    await fb.end();
  });

  test("without the fallback the renderings are the forward migration's, grant for grant", () => {
    expect(renderSourceDmsUserSql([SAMPLE_SCHEMA], "mysql", DMS_SOURCE_USER, { fallback: false })).toBe(
      renderSourceDmsUserSql([SAMPLE_SCHEMA]),
    );
    expect(renderTargetDmsUserSql([SAMPLE_SCHEMA], DMS_TARGET_USER, {})).toBe(renderTargetDmsUserSql([SAMPLE_SCHEMA]));
    expect(renderSourceDmsUserSql([SAMPLE_SCHEMA])).not.toMatch(/INSERT|awsdms_control/);
    expect(renderTargetDmsUserSql([SAMPLE_SCHEMA])).not.toMatch(/REPLICATION/);
  });

  test("quoteString and quoteIdent survive hostile values on a real server", async () => {
    const values = ["plain", "it's", "back\\slash", 'dou"ble', "new\nline", "uni ☃ 😀", "'; DROP TABLE x; --"];
    for (const v of values) {
      const [[row]] = await admin.query<mysql.RowDataPacket[]>(`SELECT ${quoteString(v)} AS v`);
      expect(row.v).toBe(v);
    }
    const odd = "we`ird name";
    await admin.query(`CREATE DATABASE IF NOT EXISTS ${quoteIdent(odd)}`);
    const [[db]] = await admin.query<mysql.RowDataPacket[]>(
      "SELECT schema_name AS s FROM information_schema.schemata WHERE schema_name = ?",
      [odd],
    );
    expect(db.s).toBe(odd);
  });
});

describe("sourceServerSettings validation", () => {
  test("throws when binlog retention is under 24 hours", () => {
    expect(() => sourceServerSettings({ binlogRetentionHours: 12 })).toThrow(
      /binlogRetentionHours must be an integer >= 24 .*got 12/,
    );
  });
  test("throws on a server id of 0", () => {
    expect(() => sourceServerSettings({ serverId: 0 })).toThrow(
      /serverId must be an integer between 1 and 4294967295, got 0/,
    );
  });
  test("MySQL 8.4 loads mysql_native_password; 8.0 (where the option does not exist) does not", () => {
    // loose-: a server without the option still starts; the bootstrap checks the plugin is ACTIVE instead
    expect(renderMyCnf(sourceServerSettings({ mysqlMajorVersion: "8.4" }))).toMatch(
      /^loose-mysql_native_password = ON$/m,
    );
    expect(renderSettingChecks(sourceServerSettings({ mysqlMajorVersion: "8.4" }))).toMatch(
      /^plugin mysql_native_password ACTIVE$/m,
    );
    expect(renderSettingChecks(sourceServerSettings({ mysqlMajorVersion: "8.0" }))).not.toMatch(
      /mysql_native_password/,
    );
    expect(renderSettingChecks(sourceServerSettings())).toMatch(/^variable log_bin ON\nvariable binlog_format ROW\n/m);
    expect(renderMyCnf(sourceServerSettings({ mysqlMajorVersion: "8.0" }))).not.toMatch(/mysql_native_password/);
    expect(renderMyCnf(sourceServerSettings(), "mariadb")).not.toMatch(/mysql_native_password/);
  });
  test("quoteIdent throws on an empty identifier", () => {
    expect(() => quoteIdent("")).toThrow(/invalid MySQL identifier ""/);
  });
});
