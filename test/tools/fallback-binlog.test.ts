/**
 * The fallback's building blocks on real servers: the binlog position statement by server (MySQL 8.4 has only
 * SHOW BINARY LOG STATUS), DMS's CdcStartPosition format, the target's binlog retention (RDS's
 * mysql.rds_set_configuration, played by stand-in procedures on a real MariaDB; skipped with a note elsewhere), the
 * DMS source user's privilege to write through read_only, and the record value of the source for a flip back.
 */
import * as mysql from "mysql2/promise";
import { MariaDbServer, startMariaDb } from "../harness/mariadb";
import {
  binlogBytesBetween,
  binlogPosition,
  binlogStatusStatement,
  cdcStartPosition,
  checkFallbackCanWriteSource,
  ensureBinlogRetention,
} from "../../tools/dmsctl/fallback";
import { ec2PrivateDnsName, sourceRecordValue } from "../../tools/dmsctl/route53";

test("the binlog position statement by server: SHOW BINARY LOG STATUS from MySQL 8.2 (8.4 has no SHOW MASTER STATUS)", () => {
  const info = (flavor: "mysql" | "mariadb", a: number, b: number) => ({
    flavor,
    version: `${a}.${b}`,
    versionParts: [a, b] as const,
  });
  expect(binlogStatusStatement(info("mysql", 8, 4))).toBe("SHOW BINARY LOG STATUS");
  expect(binlogStatusStatement(info("mysql", 8, 2))).toBe("SHOW BINARY LOG STATUS");
  expect(binlogStatusStatement(info("mysql", 8, 0))).toBe("SHOW MASTER STATUS");
  expect(binlogStatusStatement(info("mysql", 5, 7))).toBe("SHOW MASTER STATUS");
  expect(binlogStatusStatement(info("mariadb", 10, 11))).toBe("SHOW MASTER STATUS");
  expect(binlogStatusStatement(info("mariadb", 11, 4))).toBe("SHOW MASTER STATUS");
});

test("CdcStartPosition is DMS's native MySQL start point <binlog file>:<position>", () => {
  expect(cdcStartPosition({ file: "mysql-bin-changelog.000024", position: 373 })).toBe(
    "mysql-bin-changelog.000024:373",
  );
});

test("the source's record value for a flip back, as the stack writes it", () => {
  const base = {
    region: "eu-west-1",
    source_host: "10.30.1.20",
    source_mode: "ec2",
    database_record_name: "mysql.dmsm-prod.internal",
  };
  expect(ec2PrivateDnsName("10.20.0.15", "us-east-1")).toBe("ip-10-20-0-15.ec2.internal");
  expect(sourceRecordValue(base).value).toBe("ip-10-30-1-20.eu-west-1.compute.internal");
  expect(sourceRecordValue({ ...base, source_mode: "existing" }).value).toBe("source.dmsm-prod.internal");
  expect(sourceRecordValue({ ...base, source_host: "db1.corp.example", source_mode: "existing" }).value).toBe(
    "db1.corp.example",
  );
  expect(
    sourceRecordValue(base, { version: 1, env: "prod", phase: "cutover", sourceRecordValue: "seen.before.flip" }),
  ).toEqual({ value: "seen.before.flip", from: "the record's value before the flip to the target (state file)" });
});

describe("on real servers", () => {
  let lab: MariaDbServer;
  let rds: MariaDbServer;
  let off: MariaDbServer;
  let c: mysql.Connection;
  let r: mysql.Connection;

  beforeAll(async () => {
    [lab, rds, off] = await Promise.all([
      startMariaDb({ config: "[mysqld]\nserver_id = 7\nlog_bin = mysql-bin\nbinlog_expire_logs_seconds = 3600\n" }),
      startMariaDb({ config: "[mysqld]\nserver_id = 8\nlog_bin = mysql-bin\n" }),
      startMariaDb(),
    ]);
    c = await lab.connect();
    r = await rds.connect();
    // RDS's configuration procedures, played on a real server (the lab has no RDS): same names, same arguments.
    await r.query(`CREATE DATABASE rds_lab;
      CREATE TABLE rds_lab.configuration (name VARCHAR(64) PRIMARY KEY, value VARCHAR(64) NULL, description VARCHAR(200));
      INSERT INTO rds_lab.configuration VALUES ('binlog retention hours', NULL, 'binlog retention hours specifies the duration in hours before binary logs are automatically deleted.');
      CREATE PROCEDURE mysql.rds_show_configuration() SELECT name, value, description FROM rds_lab.configuration;
      CREATE PROCEDURE mysql.rds_set_configuration(IN p_name VARCHAR(64), IN p_value INT) UPDATE rds_lab.configuration SET value = p_value WHERE name = p_name;`);
  }, 60_000);
  afterAll(async () => {
    await c?.end();
    await r?.end();
    await Promise.all([lab?.stop(), rds?.stop(), off?.stop()]);
  });

  test("the binlog position matches SHOW MASTER STATUS; bytes between positions span rotated files", async () => {
    const a = await binlogPosition(c);
    const [[m]] = (await c.query("SHOW MASTER STATUS")) as unknown as [{ File: string; Position: number }[]];
    expect(a).toMatchObject({ file: m.File, position: Number(m.Position), statement: "SHOW MASTER STATUS" });
    await c.query("CREATE DATABASE b; CREATE TABLE b.t (id INT PRIMARY KEY); INSERT INTO b.t VALUES (1), (2)");
    await c.query("FLUSH BINARY LOGS");
    await c.query("INSERT INTO b.t VALUES (3)");
    const z = await binlogPosition(c);
    expect(z.file).not.toBe(a.file);
    const [logs] = (await c.query("SHOW BINARY LOGS")) as unknown as [{ Log_name: string; File_size: number }[]];
    const first = logs.find((l) => l.Log_name === a.file)!;
    expect(await binlogBytesBetween(c, a, z)).toBe(Number(first.File_size) - a.position + z.position);
    expect(await binlogBytesBetween(c, a, { file: a.file, position: a.position + 10 })).toBe(10);
  });

  test("a target without a binary log is an error that says how RDS turns it on", async () => {
    const o = await off.connect();
    try {
      await expect(binlogPosition(o)).rejects.toThrow(
        "the target has no binary log (SHOW MASTER STATUS is empty: log_bin is OFF): the fallback reads the target's binlog; on RDS, automated backups turn it on (target.backupRetentionDays >= 1)",
      );
    } finally {
      await o.end();
    }
  });

  test("binlog retention on RDS: set when lower, never lowered, only described in a rehearsal", async () => {
    expect(await ensureBinlogRetention(r, 24, false)).toEqual({
      detail: "would CALL mysql.rds_set_configuration('binlog retention hours', 24) (now NULL)",
    });
    expect(await ensureBinlogRetention(r, 24, true)).toEqual({ detail: "RDS binlog retention hours NULL -> 24" });
    const [[row]] = (await r.query("SELECT value FROM rds_lab.configuration")) as unknown as [{ value: string }[]];
    expect(row.value).toBe("24");
    expect(await ensureBinlogRetention(r, 12, true)).toEqual({
      detail: "RDS binlog retention hours is 24 already (>= 12)",
    });
    expect(await ensureBinlogRetention(r, 48, true)).toEqual({ detail: "RDS binlog retention hours 24 -> 48" });
  });

  test("binlog retention elsewhere: skipped with a note, a warning when the server's own expiry is shorter", async () => {
    expect(await ensureBinlogRetention(c, 24, true)).toEqual({
      detail: "not RDS (no mysql.rds_set_configuration): skipped; the server's binlogs expire after 1 h",
      warning: "the target's binlogs expire after 1 h, less than the 24 h asked: raise binlog_expire_logs_seconds",
    });
  });

  test("the fallback's DMS user must write through read_only: READ_ONLY ADMIN on MariaDB (or SUPER, ALL)", async () => {
    await c.query(
      "CREATE USER 'dms_a'@'%' IDENTIFIED BY 'x-Password-1'; GRANT SELECT, READ_ONLY ADMIN ON *.* TO 'dms_a'@'%'; CREATE USER 'dms_b'@'%' IDENTIFIED BY 'x-Password-1'; GRANT ALL PRIVILEGES ON *.* TO 'dms_b'@'%'; CREATE USER 'dms_c'@'%' IDENTIFIED BY 'x-Password-1'; GRANT SELECT, INSERT ON *.* TO 'dms_c'@'%'",
    );
    expect(await checkFallbackCanWriteSource(c, "dms_a")).toBe("dms_a writes through read_only (READ_ONLY ADMIN)");
    expect(await checkFallbackCanWriteSource(c, "dms_b")).toBe("dms_b writes through read_only (READ_ONLY ADMIN)");
    await expect(checkFallbackCanWriteSource(c, "dms_c")).rejects.toThrow(
      "`GRANT READ_ONLY ADMIN ON *.* TO 'dms_c'@'%'`",
    );
    await expect(checkFallbackCanWriteSource(c, "nobody")).rejects.toThrow(
      "--fallback: the fallback task writes the source as nobody (--dms-source-user), which does not exist there; nothing was changed",
    );
    // And it does write through read_only: the privilege checked is the one that matters.
    await c.query("SET GLOBAL read_only = ON");
    const a = await mysql.createConnection({
      host: "127.0.0.1",
      port: lab.port,
      user: "dms_a",
      password: "x-Password-1",
    });
    const b = await mysql.createConnection({
      host: "127.0.0.1",
      port: lab.port,
      user: "dms_c",
      password: "x-Password-1",
    });
    try {
      await c.query("GRANT INSERT ON b.* TO 'dms_a'@'%'");
      await a.query("INSERT INTO b.t VALUES (10)");
      await expect(b.query("INSERT INTO b.t VALUES (11)")).rejects.toMatchObject({ errno: 1290 });
    } finally {
      await c.query("SET GLOBAL read_only = OFF");
      await a.end();
      await b.end();
    }
  });
});
