/**
 * `dmsctl preflight`: everything AWS DMS full load + CDC needs from the source (and the target), each check
 * pass / warn / fail with the value seen and the fix. Read-only. Works on MySQL 8.x and MariaDB 10.x.
 */
import * as mysql from "mysql2/promise";
import { DMS_CONTROL_SCHEMA, MIN_BINLOG_RETENTION_HOURS } from "./shared";
import { Endpoint, ServerInfo, atLeast, connect, qi, serverInfo } from "./common";
import { SPATIAL_TYPES, generatedExtraSql, isGeneratedExtra, objectsNotMigrated } from "./table-meta";

export type CheckStatus = "pass" | "warn" | "fail";
export interface Check {
  /** Which server the check is about, or "dms" for AWS DMS's own checks (preflight --aws, preflight-aws.ts). */
  readonly side: "source" | "target" | "dms";
  readonly check: string;
  readonly status: CheckStatus;
  readonly value: string;
  readonly fix?: string;
}
export interface PreflightResult {
  readonly checks: Check[];
  readonly ok: boolean;
  /** preflight --aws: the premigration assessment run whose results are among the checks. */
  readonly assessmentRun?: AssessmentRunInfo;
}

/** A premigration assessment run: which, how it ended, where its results are. */
export interface AssessmentRunInfo {
  readonly arn: string;
  readonly name: string;
  readonly status: string;
  readonly bucket?: string;
  readonly folder?: string;
}
export interface PreflightOptions {
  /**
   * The DMS task's LobMaxSize in KB (the environment's `lobMaxSizeKb`): LOB values larger than this are truncated in
   * limited LOB mode; 0 is full LOB mode (no limit). @default 64
   */
  readonly lobMaxSizeKb?: number;
}

/** The task's default limited-LOB size (constructs/dms-task-settings.ts, environments' lobMaxSizeKb). */
export const DEFAULT_LOB_MAX_SIZE_KB = 64;
/** Rows of a table read to find its largest LOB values, and the time one such read may take. */
const LOB_SCAN_ROWS = 100_000;
const LOB_SCAN_SECONDS = 10;
/** Columns DMS migrates as LOBs from MySQL (JSON is a LOB too; on MariaDB it is LONGTEXT). */
const LOB_TYPES = ["tinytext", "text", "mediumtext", "longtext", "tinyblob", "blob", "mediumblob", "longblob", "json"];

type Vars = Map<string, string>;

async function globals(conn: mysql.Connection): Promise<Vars> {
  const [rows] = await conn.query<mysql.RowDataPacket[]>("SHOW GLOBAL VARIABLES");
  return new Map(rows.map((r) => [String(r.Variable_name).toLowerCase(), String(r.Value)]));
}

/** Grants of the connecting user, or of `account` ("user" or "user@host"; host defaults to '%'). */
async function grants(conn: mysql.Connection, account?: string): Promise<string[]> {
  if (!account) {
    const [rows] = await conn.query<mysql.RowDataPacket[]>("SHOW GRANTS");
    return rows.map((r) => String(Object.values(r)[0]));
  }
  const [user, host = "%"] = account.split("@");
  try {
    const [rows] = await conn.query<mysql.RowDataPacket[]>("SHOW GRANTS FOR ?@?", [user, host]);
    return rows.map((r) => String(Object.values(r)[0]));
  } catch (e) {
    if ((e as { code?: string }).code === "ER_NONEXISTING_GRANT") return [];
    throw e;
  }
}

/** Does a grant list give `privilege` globally or on `schema`? */
export function hasPrivilege(list: string[], privilege: string, schema?: string): boolean {
  const aliases: Record<string, string[]> = {
    "REPLICATION CLIENT": ["REPLICATION CLIENT", "BINLOG MONITOR"], // MariaDB 10.5+ renamed it
    "REPLICATION SLAVE": ["REPLICATION SLAVE", "REPLICATION REPLICA"],
  };
  const names = aliases[privilege] ?? [privilege];
  return list.some((g) => {
    const m = /^GRANT (.+?) ON (\S+) TO /i.exec(g);
    if (!m) return false;
    const privs = m[1].toUpperCase();
    const on = m[2].replace(/`/g, "");
    const scopeOk = on === "*.*" || (schema !== undefined && (on === `${schema}.*` || on.startsWith(`${schema}.`)));
    if (!scopeOk) return false;
    if (/\bALL( PRIVILEGES)?\b/.test(privs)) return true;
    return names.some((n) => new RegExp(`(^|, )${n}(,|$)`).test(privs));
  });
}

function retentionHours(v: Vars): number | undefined {
  const seconds = Number(v.get("binlog_expire_logs_seconds") ?? 0);
  if (seconds > 0) return seconds / 3600;
  const days = Number(v.get("expire_logs_days") ?? 0);
  if (days > 0) return days * 24;
  return 0; // 0 = never purged automatically
}

const size = (bytes: number) =>
  bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${(bytes / 1024).toFixed(1)} KB`;

/**
 * LOB columns whose values exceed the task's limited-LOB size. Only columns whose type can hold more are read,
 * a table's LOB columns in one query over at most LOB_SCAN_ROWS rows and LOB_SCAN_SECONDS seconds.
 */
async function lobCheck(
  conn: mysql.Connection,
  info: ServerInfo,
  schemas: string[],
  lobKb: number,
): Promise<Omit<Check, "side">> {
  const check = `LOBs over the limited LOB size (${lobKb} KB)`;
  if (lobKb === 0) return { check: "LOBs over the limited LOB size", status: "pass", value: "full LOB mode: no limit" };
  const limit = lobKb * 1024;
  const [cols] = await conn.query<mysql.RowDataPacket[]>(
    `SELECT c.table_schema AS s, c.table_name AS n, c.column_name AS c FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
      WHERE c.table_schema IN (${schemas.map(() => "?").join(",")}) AND c.data_type IN (${LOB_TYPES.map(() => "?").join(",")})
        AND (c.character_octet_length IS NULL OR c.character_octet_length > ?) AND NOT ${generatedExtraSql("c.extra")}
      ORDER BY 1, 2, c.ordinal_position`,
    [...schemas, ...LOB_TYPES, limit],
  );
  const tables = new Map<string, { s: string; n: string; cols: string[] }>();
  for (const r of cols) {
    const id = `${r.s}.${r.n}`;
    if (!tables.has(id)) tables.set(id, { s: String(r.s), n: String(r.n), cols: [] });
    tables.get(id)!.cols.push(String(r.c));
  }
  const over: { column: string; bytes: number }[] = [];
  const partial: string[] = [];
  for (const [id, t] of tables) {
    const maxes = t.cols.map((c, i) => `MAX(LENGTH(${qi(c)})) AS m${i}`).join(", ");
    const inner = `SELECT ${t.cols.map(qi).join(", ")} FROM ${qi(t.s)}.${qi(t.n)} LIMIT ${LOB_SCAN_ROWS}`;
    const select = `SELECT COUNT(*) AS rows_read, ${maxes} FROM (${inner}) x`;
    const sql =
      info.flavor === "mariadb"
        ? `SET STATEMENT max_statement_time = ${LOB_SCAN_SECONDS} FOR ${select}`
        : select.replace(/^SELECT /, `SELECT /*+ MAX_EXECUTION_TIME(${LOB_SCAN_SECONDS * 1000}) */ `);
    try {
      const [[r]] = await conn.query<mysql.RowDataPacket[]>(sql);
      t.cols.forEach((c, i) => {
        const bytes = Number(r[`m${i}`] ?? 0);
        if (bytes > limit) over.push({ column: `${id}.${c}`, bytes });
      });
      if (Number(r.rows_read) >= LOB_SCAN_ROWS) partial.push(`${id} (first ${LOB_SCAN_ROWS} rows)`);
    } catch (e) {
      const err = e as { errno?: number; code?: string; message: string };
      const timedOut = err.errno === 1969 || err.errno === 3024; // statement time limit (MariaDB, MySQL)
      partial.push(`${id} (not read: ${timedOut ? `over ${LOB_SCAN_SECONDS} s` : (err.code ?? err.message)})`);
    }
  }
  const scanned = partial.length > 0 ? `; read in part: ${partial.join(", ")}` : "";
  if (over.length === 0) {
    if (partial.length === 0)
      return { check, status: "pass", value: tables.size === 0 ? "no LOB column can hold more" : "none found" };
    return {
      check,
      status: "warn",
      value: `none found${scanned}`,
      fix: `measure the largest LOBs of ${partial.join(", ")} by hand (SELECT MAX(LENGTH(col)))`,
    };
  }
  const largest = Math.max(...over.map((x) => x.bytes));
  return {
    check,
    status: "warn",
    value: `${over.map((x) => `${x.column} (largest ${size(x.bytes)})`).join(", ")}${scanned}`,
    fix:
      `in limited LOB mode DMS truncates LOBs larger than LobMaxSize (with a warning in the task log only): raise lobMaxSizeKb in the environment ` +
      `to at least ${Math.ceil(largest / 1024)} or set it to 0 (full LOB mode, slower), then tell preflight with --lob-max-size-kb`,
  };
}

async function sourceChecks(
  conn: mysql.Connection,
  info: ServerInfo,
  schemas: string[],
  out: Check[],
  account?: string,
  lobKb = DEFAULT_LOB_MAX_SIZE_KB,
): Promise<void> {
  const add = (check: string, status: CheckStatus, value: string, fix?: string) =>
    out.push({ side: "source", check, status, value, fix });
  const v = await globals(conn);
  add(
    "version",
    info.flavor === "mysql" && !atLeast(info, 5, 5) ? "fail" : "pass",
    info.version,
    "DMS supports MySQL 5.5+ and MariaDB 10.x as a source",
  );
  add(
    "log_bin",
    v.get("log_bin") === "ON" ? "pass" : "fail",
    v.get("log_bin") ?? "?",
    "set log_bin (log-bin=mysql-bin) in my.cnf and restart: CDC reads the binary log",
  );
  add(
    "binlog_format",
    v.get("binlog_format") === "ROW" ? "pass" : "fail",
    v.get("binlog_format") ?? "?",
    "set binlog_format=ROW: DMS only reads row events",
  );
  add(
    "binlog_row_image",
    (v.get("binlog_row_image") ?? "FULL") === "FULL" ? "pass" : "fail",
    v.get("binlog_row_image") ?? "?",
    "set binlog_row_image=FULL: DMS needs every column of changed rows",
  );
  const checksum = v.get("binlog_checksum") ?? "NONE";
  add(
    "binlog_checksum",
    checksum === "NONE" || checksum === "CRC32" ? "pass" : "warn",
    checksum,
    "NONE or CRC32 (CRC32 needs DMS engine 3.4.7+; this project pins 3.6.1)",
  );
  const serverId = Number(v.get("server_id") ?? 0);
  add("server_id", serverId > 0 ? "pass" : "fail", String(serverId), "set a non-zero server_id");
  const hours = retentionHours(v);
  add(
    "binlog retention",
    hours === 0 || (hours ?? 0) >= MIN_BINLOG_RETENTION_HOURS ? "pass" : "fail",
    hours === 0 ? "never purged" : `${hours} h`,
    `keep binlogs >= ${MIN_BINLOG_RETENTION_HOURS} h (binlog_expire_logs_seconds >= 86400; on RDS: CALL mysql.rds_set_configuration('binlog retention hours', 24))`,
  );
  if (v.has("binlog_transaction_compression")) {
    add(
      "binlog_transaction_compression",
      v.get("binlog_transaction_compression") === "OFF" ? "pass" : "fail",
      v.get("binlog_transaction_compression")!,
      "turn binlog_transaction_compression OFF: DMS cannot read compressed transaction payloads",
    );
  }
  if (v.has("binlog_encryption") || v.has("encrypt_binlog")) {
    const enc = v.get("binlog_encryption") ?? v.get("encrypt_binlog") ?? "OFF";
    add(
      "binlog encryption",
      enc === "OFF" ? "pass" : "fail",
      enc,
      "DMS CDC cannot read encrypted binlogs: turn binlog encryption off",
    );
  }
  const tz =
    v.get("time_zone") === "SYSTEM" ? `SYSTEM (${v.get("system_time_zone") ?? "?"})` : (v.get("time_zone") ?? "?");
  const utc = /^(\+00:00|UTC|SYSTEM \((UTC|GMT|Etc\/UTC)\))$/.test(tz);
  add(
    "time zone",
    utc ? "pass" : "warn",
    tz,
    "DMS reads TIMESTAMP values as UTC: set source.existing.serverTimezone (the endpoint's ServerTimezone) to this zone",
  );
  const g = await grants(conn, account);
  if (account && g.length === 0)
    add(`account ${account}`, "fail", "does not exist", `create it (dmsctl users) or pass the right --dms-user`);
  for (const p of ["REPLICATION CLIENT", "REPLICATION SLAVE"]) {
    add(
      `privilege ${p}`,
      hasPrivilege(g, p) ? "pass" : "fail",
      hasPrivilege(g, p) ? "granted" : "missing",
      `GRANT ${p} ON *.* TO the DMS user`,
    );
  }
  for (const schema of schemas) {
    const [exists] = await conn.query<mysql.RowDataPacket[]>(
      "SELECT 1 FROM information_schema.schemata WHERE schema_name = ?",
      [schema],
    );
    if (exists.length === 0) {
      add(`schema ${schema}`, "fail", "does not exist", `create it or fix --schema`);
      continue;
    }
    const sel = hasPrivilege(g, "SELECT", schema);
    add(
      `privilege SELECT on ${schema}`,
      sel ? "pass" : "fail",
      sel ? "granted" : "missing",
      `GRANT SELECT ON ${qi(schema)}.* TO the DMS user`,
    );
  }
  if (schemas.length === 0) return;
  const inList = schemas.map(() => "?").join(",");
  // information_schema.statistics, not table_constraints: a SELECT-only user (the DMS user) sees the former only.
  // A unique index with a nullable column is no key: it holds any number of rows with NULL there (the rule
  // validate and repair apply, table-meta.ts).
  const [noKey] = await conn.query<mysql.RowDataPacket[]>(
    `SELECT t.table_schema AS s, t.table_name AS n FROM information_schema.tables t
      WHERE t.table_type = 'BASE TABLE' AND t.table_schema IN (${inList})
        AND NOT EXISTS (SELECT 1 FROM information_schema.statistics i
                         WHERE i.table_schema = t.table_schema AND i.table_name = t.table_name AND i.non_unique = 0
                           AND NOT EXISTS (SELECT 1 FROM information_schema.statistics j
                                            WHERE j.table_schema = i.table_schema AND j.table_name = i.table_name
                                              AND j.index_name = i.index_name AND j.nullable = 'YES'))
      ORDER BY 1, 2`,
    schemas,
  );
  add(
    "tables without a primary key",
    noKey.length === 0 ? "pass" : "warn",
    noKey.length === 0 ? "none" : noKey.map((r) => `${r.s}.${r.n}`).join(", "),
    "add a primary key (a unique key on nullable columns does not count): DMS applies CDC updates/deletes by key (full-table scans otherwise), validation needs one, and dmsctl validate can only compare such tables as a whole",
  );
  const [engines] = await conn.query<mysql.RowDataPacket[]>(
    `SELECT table_schema AS s, table_name AS n, engine AS e FROM information_schema.tables
      WHERE table_type = 'BASE TABLE' AND table_schema IN (${inList}) AND engine NOT IN ('InnoDB') ORDER BY 1, 2`,
    schemas,
  );
  add(
    "non-transactional engines",
    engines.length === 0 ? "pass" : "warn",
    engines.length === 0 ? "none" : engines.map((r) => `${r.s}.${r.n} (${r.e})`).join(", "),
    "convert to InnoDB (ALTER TABLE ... ENGINE=InnoDB): a non-transactional table cannot be read consistently during the full load",
  );
  const [types] = await conn.query<mysql.RowDataPacket[]>(
    `SELECT table_schema AS s, table_name AS n, column_name AS c, data_type AS d, extra AS x FROM information_schema.columns
      WHERE table_schema IN (${inList}) AND (data_type IN (${SPATIAL_TYPES.map(() => "?").join(",")}) OR ${generatedExtraSql()} OR extra LIKE '%INVISIBLE%')
      ORDER BY 1, 2, 3`,
    [...schemas, ...SPATIAL_TYPES],
  );
  add(
    "data types DMS handles badly",
    types.length === 0 ? "pass" : "warn",
    types.length === 0
      ? "none"
      : types
          .map(
            (r) =>
              `${r.s}.${r.n}.${r.c} (${isGeneratedExtra(r.x) ? "generated" : /INVISIBLE/i.test(String(r.x)) ? "invisible" : r.d})`,
          )
          .join(", "),
    "spatial columns are not migrated by DMS to MySQL; generated columns' changes are not captured (recompute on the target); invisible columns are skipped",
  );
  const [cascades] = await conn.query<mysql.RowDataPacket[]>(
    `SELECT constraint_schema AS s, table_name AS n, constraint_name AS c FROM information_schema.referential_constraints
      WHERE constraint_schema IN (${inList}) AND (delete_rule = 'CASCADE' OR update_rule = 'CASCADE') ORDER BY 1, 2`,
    schemas,
  );
  add(
    "cascading foreign keys",
    cascades.length === 0 ? "pass" : "warn",
    cascades.length === 0 ? "none" : cascades.map((r) => `${r.s}.${r.n}.${r.c}`).join(", "),
    "changes made by ON DELETE/UPDATE CASCADE are not written to the binlog, so DMS does not replicate them: keep the foreign keys on the target after cutover (`dmsctl schema --finalize`) and validate",
  );
  const objects = await objectsNotMigrated(conn, schemas);
  add(
    "objects DMS does not migrate",
    objects.length === 0 ? "pass" : "warn",
    objects.length === 0 ? "none" : objects.map((x) => `${x.schema}.${x.name} (${x.kind})`).join(", "),
    "DMS migrates tables and their rows only: dmsctl schema --finalize creates the views, procedures and functions on the target at cutover; create an event there yourself once the target is the primary (SHOW CREATE EVENT on the source). information_schema lists a routine or event only to a user with a privilege on it (not the SELECT-only DMS user): run preflight or dmsctl schema as an admin to see them all",
  );
  const lob = await lobCheck(conn, info, schemas, lobKb);
  add(lob.check, lob.status, lob.value, lob.fix);
}

async function targetChecks(
  conn: mysql.Connection,
  info: ServerInfo,
  schemas: string[],
  out: Check[],
  account?: string,
): Promise<void> {
  const add = (check: string, status: CheckStatus, value: string, fix?: string) =>
    out.push({ side: "target", check, status, value, fix });
  const v = await globals(conn);
  const supported = info.flavor === "mysql" ? atLeast(info, 5, 7) : atLeast(info, 10, 2);
  add("version", supported ? "pass" : "fail", info.version, "DMS writes to MySQL 5.7/8.0/8.4 (RDS: use 8.4)");
  add(
    "local_infile",
    ["ON", "1"].includes(v.get("local_infile") ?? "") ? "pass" : "warn",
    v.get("local_infile") ?? "?",
    "set local_infile=1 in the parameter group: the DMS premigration assessment checks it",
  );
  add(
    "require_secure_transport",
    v.get("require_secure_transport") === "ON" ? "pass" : "warn",
    v.get("require_secure_transport") ?? "not supported",
    "set require_secure_transport=1 so every connection (DMS included) uses TLS",
  );
  const g = await grants(conn, account);
  if (account && g.length === 0)
    add(`account ${account}`, "fail", "does not exist", `create it (dmsctl users) or pass the right --dms-user`);
  for (const schema of schemas) {
    const [exists] = await conn.query<mysql.RowDataPacket[]>(
      "SELECT 1 FROM information_schema.schemata WHERE schema_name = ?",
      [schema],
    );
    add(
      `schema ${schema}`,
      exists.length > 0 ? "pass" : "warn",
      exists.length > 0 ? "exists" : "missing",
      "run `dmsctl schema` to create the tables before the full load (TRUNCATE_BEFORE_LOAD keeps their DDL)",
    );
    const needed = [
      "ALTER",
      "CREATE",
      "DROP",
      "INDEX",
      "INSERT",
      "UPDATE",
      "DELETE",
      "SELECT",
      "CREATE TEMPORARY TABLES",
    ];
    const missing = needed.filter((p) => !hasPrivilege(g, p, schema));
    add(
      `privileges on ${schema}`,
      missing.length === 0 ? "pass" : "fail",
      missing.length === 0 ? "granted" : `missing ${missing.join(", ")}`,
      `GRANT ${needed.join(", ")} ON ${qi(schema)}.* TO the DMS user`,
    );
    if (exists.length > 0) {
      const [fks] = await conn.query<mysql.RowDataPacket[]>(
        "SELECT COUNT(*) AS n FROM information_schema.referential_constraints WHERE constraint_schema = ?",
        [schema],
      );
      const n = Number(fks[0].n);
      add(
        `foreign keys in ${schema}`,
        n === 0 ? "pass" : "warn",
        String(n),
        "hold foreign keys back until cutover (`dmsctl schema --finalize`): DMS loads tables in parallel and out of order",
      );
    }
  }
  const control = hasPrivilege(g, "CREATE", DMS_CONTROL_SCHEMA);
  add(
    `privileges on ${DMS_CONTROL_SCHEMA}`,
    control ? "pass" : "fail",
    control ? "granted" : "missing",
    `GRANT ALL PRIVILEGES ON ${DMS_CONTROL_SCHEMA}.* TO the DMS user`,
  );
}

/** Runs the checks. Connection problems throw CliError (exit 2). */
export async function preflight(
  source: Endpoint,
  target: Endpoint | undefined,
  schemasArg: string[] | undefined,
  dmsUsers: { source?: string; target?: string } = {},
  options: PreflightOptions = {},
): Promise<PreflightResult> {
  const checks: Check[] = [];
  const schemas = schemasArg ?? (source.schema ? [source.schema] : []);
  const s = await connect(source);
  try {
    await sourceChecks(
      s,
      await serverInfo(s),
      schemas,
      checks,
      dmsUsers.source,
      options.lobMaxSizeKb ?? DEFAULT_LOB_MAX_SIZE_KB,
    );
  } finally {
    await s.end();
  }
  if (target) {
    const t = await connect(target);
    try {
      await targetChecks(t, await serverInfo(t), schemas, checks, dmsUsers.target);
    } finally {
      await t.end();
    }
  }
  return { checks, ok: !checks.some((c) => c.status === "fail") };
}
