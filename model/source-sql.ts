/**
 * The one TypeScript source of everything the MySQL source needs for AWS DMS full load + CDC: the my.cnf fragment,
 * the sample schema and data, the heartbeat table, and the least-privilege DMS users on both sides.
 *
 * The EC2 user data embeds these renderings; dmsctl runs the same SQL; the tests run them against a real server.
 * No cdktf imports here: dmsctl loads this module.
 */
import {
  DMS_CONTROL_SCHEMA,
  DMS_SOURCE_USER,
  DMS_TARGET_USER,
  HEARTBEAT_SCHEMA,
  HEARTBEAT_TABLE,
  SAMPLE_SCHEMA,
} from "./names";

/** Server flavour a rendering is for. MariaDB stands in for MySQL in tests; a few settings exist only in MySQL. */
export type ServerFlavor = "mysql" | "mariadb";

/** One `[mysqld]` setting with the reason DMS needs it. */
export interface ServerSetting {
  readonly name: string;
  readonly value: string;
  /** What `SHOW GLOBAL VARIABLES` reports once the setting is in force (when it differs from `value`). */
  readonly expected?: string;
  /** The variable `SHOW GLOBAL VARIABLES` reports it under, when it differs from the option name. */
  readonly variable?: string;
  readonly reason: string;
  /** Only MySQL understands it (or it needs a TLS key pair that MySQL generates on first start). */
  readonly mysqlOnly?: boolean;
  /**
   * The option switches on this server plugin: it is in force when `information_schema.PLUGINS` reports the plugin
   * ACTIVE (there is no variable to read). Written with the `loose-` prefix, so a server without the option
   * (MariaDB, which has the plugin built in) still starts; the bootstrap's check fails loudly if it is not active.
   */
  readonly plugin?: string;
}

export interface SourceServerSettingsProps {
  /** MySQL major version the settings are for (8.4 needs mysql_native_password loaded explicitly). @default "8.4" */
  readonly mysqlMajorVersion?: "8.0" | "8.4";
  /** MySQL `server_id`; must be unique among servers that replicate with each other. @default 1 */
  readonly serverId?: number;
  /** Hours binary logs are kept; DMS needs >= 24 so a paused task can resume. @default 72 */
  readonly binlogRetentionHours?: number;
}

/** Minimum binary log retention DMS CDC needs to survive a task stop of a day. */
export const MIN_BINLOG_RETENTION_HOURS = 24;

/**
 * The `[mysqld]` settings AWS DMS CDC requires from a self-managed MySQL source ("Using a self-managed
 * MySQL-compatible database as a source for AWS DMS"): binary log on, row-based, full row images, a server id,
 * and retention long enough that a stopped task can resume. The binlog checksum is left at its default (CRC32),
 * which DMS reads since engine 3.4.7 (earlier engines needed NONE).
 */
export function sourceServerSettings(props: SourceServerSettingsProps = {}): ServerSetting[] {
  const serverId = props.serverId ?? 1;
  const retentionHours = props.binlogRetentionHours ?? 72;
  if (!Number.isInteger(serverId) || serverId < 1 || serverId > 4294967295) {
    throw new Error(`serverId must be an integer between 1 and 4294967295, got ${serverId}`);
  }
  if (!Number.isInteger(retentionHours) || retentionHours < MIN_BINLOG_RETENTION_HOURS) {
    throw new Error(
      `binlogRetentionHours must be an integer >= ${MIN_BINLOG_RETENTION_HOURS} (DMS CDC resumes from the binlog), got ${retentionHours}`,
    );
  }
  return [
    {
      name: "server_id",
      value: String(serverId),
      reason: "DMS reads the binlog as a replica does; the source needs a non-zero server id",
    },
    {
      name: "log_bin",
      value: "mysql-bin",
      expected: "ON",
      reason: "CDC reads changes from the binary log",
    },
    {
      name: "binlog_format",
      value: "ROW",
      reason: "DMS CDC only understands row-based events",
    },
    {
      name: "binlog_row_image",
      value: "FULL",
      reason: "DMS needs every column of each changed row, not only the changed ones",
    },
    {
      name: "binlog_expire_logs_seconds",
      value: String(retentionHours * 3600),
      reason: `binlogs must outlive a stopped task (>= ${MIN_BINLOG_RETENTION_HOURS} h)`,
    },
    {
      name: "bind_address",
      value: "0.0.0.0",
      reason: "DMS connects over the VPC; the security group, not the bind address, limits who can",
    },
    {
      name: "character_set_server",
      value: "utf8mb4",
      reason: "full Unicode end to end; DMS maps utf8mb4 columns unchanged",
    },
    ...((props.mysqlMajorVersion ?? "8.4") === "8.4"
      ? [
          {
            name: "mysql_native_password",
            value: "ON",
            reason:
              "8.4 no longer loads mysql_native_password; the DMS user authenticates with it (DMS guide, MySQL 8.4)",
            mysqlOnly: true,
            plugin: "mysql_native_password",
          },
        ]
      : []),
  ];
}

/** Renders the `[mysqld]` fragment for `/etc/my.cnf.d/` (MySQL) or a `--defaults-extra-file` (tests). */
export function renderMyCnf(settings: readonly ServerSetting[], flavor: ServerFlavor = "mysql"): string {
  const lines = ["# Written by dms-migrate: what AWS DMS full load + CDC needs from this server.", "[mysqld]"];
  for (const s of settings) {
    if (s.mysqlOnly && flavor !== "mysql") continue;
    lines.push(`# ${s.reason}`, `${s.plugin ? "loose-" : ""}${s.name} = ${s.value}`);
  }
  return lines.join("\n") + "\n";
}

/**
 * What the running server must report once the settings are in force, one check per line:
 * `variable <name> <value>` (SHOW GLOBAL VARIABLES) or `plugin <name> ACTIVE` (information_schema.PLUGINS).
 * mysqld silently skips an option file it cannot read, so the bootstrap reads these back and fails on a mismatch.
 */
export function renderSettingChecks(settings: readonly ServerSetting[], flavor: ServerFlavor = "mysql"): string {
  return (
    settings
      .filter((s) => !s.mysqlOnly || flavor === "mysql")
      .map((s) =>
        s.plugin ? `plugin ${s.plugin} ACTIVE` : `variable ${s.variable ?? s.name} ${s.expected ?? s.value}`,
      )
      .join("\n") + "\n"
  );
}

/** Quotes a MySQL identifier. Identifiers with a NUL byte are refused. */
export function quoteIdent(name: string): string {
  if (name.length === 0 || name.includes("\u0000")) {
    throw new Error(`invalid MySQL identifier ${JSON.stringify(name)}`);
  }
  return "`" + name.replace(/`/g, "``") + "`";
}

/** Quotes a MySQL string literal (standard SQL escaping plus backslash, so it is safe in either sql_mode). */
export function quoteString(value: string): string {
  return "'" + value.replace(/\\/g, "\\\\").replace(/'/g, "''").split("\u0000").join("\\0") + "'";
}

/** The DDL of the sample schema: realistic types that exercise DMS (DECIMAL, DATETIME(6), utf8mb4, ENUM, FK). */
export function renderSampleSchemaSql(schema: string = SAMPLE_SCHEMA): string {
  const s = quoteIdent(schema);
  return `CREATE DATABASE IF NOT EXISTS ${s} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE TABLE IF NOT EXISTS ${s}.\`products\` (
  \`id\` INT UNSIGNED NOT NULL AUTO_INCREMENT,
  \`sku\` VARCHAR(32) NOT NULL,
  \`name\` VARCHAR(255) NOT NULL,
  \`description\` TEXT NULL,
  \`price\` DECIMAL(10,2) NOT NULL,
  \`stock\` INT NOT NULL DEFAULT 0,
  \`created_at\` DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  \`updated_at\` DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  PRIMARY KEY (\`id\`),
  UNIQUE KEY \`uq_products_sku\` (\`sku\`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE TABLE IF NOT EXISTS ${s}.\`orders\` (
  \`id\` BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  \`customer_email\` VARCHAR(255) NOT NULL,
  \`product_id\` INT UNSIGNED NOT NULL,
  \`quantity\` INT NOT NULL,
  \`unit_price\` DECIMAL(10,2) NOT NULL,
  \`status\` ENUM('pending','paid','shipped','cancelled') NOT NULL DEFAULT 'pending',
  \`note\` VARCHAR(255) NULL,
  \`ordered_at\` DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (\`id\`),
  KEY \`ix_orders_product_id\` (\`product_id\`),
  KEY \`ix_orders_ordered_at\` (\`ordered_at\`),
  CONSTRAINT \`fk_orders_product\` FOREIGN KEY (\`product_id\`) REFERENCES ${s}.\`products\` (\`id\`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
`;
}

/** The heartbeat table dmsctl writes canary rows to (created on the source; DMS carries it to the target). */
export function renderHeartbeatSql(): string {
  const s = quoteIdent(HEARTBEAT_SCHEMA);
  return `CREATE DATABASE IF NOT EXISTS ${s} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE TABLE IF NOT EXISTS ${s}.${quoteIdent(HEARTBEAT_TABLE)} (
  \`id\` BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  \`token\` CHAR(36) NOT NULL,
  \`source_written_at\` DATETIME(6) NOT NULL,
  PRIMARY KEY (\`id\`),
  UNIQUE KEY \`uq_heartbeat_token\` (\`token\`)
) ENGINE=InnoDB;
`;
}

const SAMPLE_PRODUCTS: ReadonlyArray<readonly [string, string, string, number]> = [
  ["SKU-1001", "Espresso machine", "15-bar pump, stainless steel", 249.99],
  ["SKU-1002", "Burr grinder", "Conical burrs, 40 settings", 129.5],
  ["SKU-1003", "Milk frother", null as unknown as string, 39.0],
  ["SKU-1004", "Pour-over kettle", "Gooseneck, 1.0 l", 59.95],
  ["SKU-1005", "Café crème beans 1 kg", "Röstung: mittel — arabica", 18.4],
  ["SKU-1006", "Descaler", "", 9.99],
];

/**
 * A small deterministic data set so a fresh EC2 source has rows to migrate. `INSERT IGNORE` on the unique SKU keeps
 * a re-run from duplicating products; orders are inserted only while the table is empty.
 */
export function renderSampleDataSql(schema: string = SAMPLE_SCHEMA): string {
  const s = quoteIdent(schema);
  const products = SAMPLE_PRODUCTS.map(
    ([sku, name, description, price]) =>
      `(${quoteString(sku)}, ${quoteString(name)}, ${description === null ? "NULL" : quoteString(description)}, ${price.toFixed(2)}, 100)`,
  ).join(",\n  ");
  const orders = [
    ["ana@example.com", "SKU-1001", 1, "paid"],
    ["bo@example.com", "SKU-1002", 2, "shipped"],
    ["chen@example.com", "SKU-1005", 3, "pending"],
    ["dana@example.com", "SKU-1004", 1, "cancelled"],
    ["eve@example.com", "SKU-1003", 5, "paid"],
  ] as const;
  const orderSelects = orders
    .map(
      ([email, sku, qty, status]) =>
        `SELECT ${quoteString(email)}, p.id, ${qty}, p.price, ${quoteString(status)} FROM ${s}.\`products\` p WHERE p.sku = ${quoteString(sku)}`,
    )
    .join("\n  UNION ALL ");
  return `INSERT IGNORE INTO ${s}.\`products\` (\`sku\`, \`name\`, \`description\`, \`price\`, \`stock\`) VALUES
  ${products};
INSERT INTO ${s}.\`orders\` (\`customer_email\`, \`product_id\`, \`quantity\`, \`unit_price\`, \`status\`)
SELECT * FROM (
  ${orderSelects}
) AS seed WHERE NOT EXISTS (SELECT 1 FROM ${s}.\`orders\`);
`;
}

/** Runs a dynamic statement built from a session variable, so a password never appears in the SQL text. */
function dynamic(sqlExpr: string): string {
  return `SET @dms_migrate_stmt = ${sqlExpr};
PREPARE dms_migrate_stmt FROM @dms_migrate_stmt;
EXECUTE dms_migrate_stmt;
DEALLOCATE PREPARE dms_migrate_stmt;`;
}

function createOrRotateUser(user: string, nativePassword: boolean): string {
  const account = `${quoteString(user)}@'%'`;
  const q = (s: string) => quoteString(s);
  // MySQL names the plugin (`IDENTIFIED WITH mysql_native_password BY`); MariaDB refuses that form and uses
  // mysql_native_password for `IDENTIFIED BY` anyway. Chosen by the server at run time, so one script serves both.
  const by = nativePassword
    ? `IF(VERSION() LIKE '%MariaDB%', ' IDENTIFIED BY ', ' IDENTIFIED WITH mysql_native_password BY ')`
    : q(" IDENTIFIED BY ");
  // A missing or short @dms_password makes the statement text NULL, and PREPARE of NULL fails: the script stops
  // before any user is created or changed.
  const password = "IF(CHAR_LENGTH(@dms_password) >= 16, QUOTE(@dms_password), NULL)";
  return [
    "-- The password arrives in the session variable @dms_password (set by the caller, never in this text).",
    dynamic(`CONCAT(${q(`CREATE USER IF NOT EXISTS ${account}`)}, ${by}, ${password})`),
    dynamic(`CONCAT(${q(`ALTER USER ${account}`)}, ${by}, ${password})`),
  ].join("\n");
}

/** What the DMS users are granted beyond the forward migration's needs. */
export interface DmsUserSqlOptions {
  /**
   * The fallback replication (cutover.fallback) runs a CDC task from the RDS target back to the source, so the two
   * users swap roles for it: the source user also writes (the same DML and DDL the target user has, plus its own
   * control schema) and the target user also reads the binary log (REPLICATION CLIENT, REPLICATION SLAVE).
   * Turning the fallback off later does not revoke these grants: a re-run only adds.
   * @default false
   */
  readonly fallback?: boolean;
}

/** The privileges DMS needs on a MySQL target's migrated schemas (DMS guide, "Using MySQL as a target"). */
const DMS_TARGET_SCHEMA_PRIVILEGES =
  "ALTER, CREATE, DROP, INDEX, INSERT, UPDATE, DELETE, SELECT, CREATE TEMPORARY TABLES";

/**
 * The least-privilege user DMS reads the source with: binlog access (`REPLICATION CLIENT`, `REPLICATION SLAVE`)
 * `SELECT` on the migrated schemas and the heartbeat schema, and `CREATE TEMPORARY TABLES` there for batch apply
 * (DMS guide, "Using a MySQL-compatible database as a source"). With `fallback`, also what DMS needs to write the
 * source back from the target: the target user's schema privileges and full control of the control schema.
 * Idempotent: a re-run rotates the password. Set `@dms_password` in the same session first.
 */
export function renderSourceDmsUserSql(
  schemas: readonly string[],
  flavor: ServerFlavor = "mysql",
  user: string = DMS_SOURCE_USER,
  options: DmsUserSqlOptions = {},
): string {
  const account = `${quoteString(user)}@'%'`;
  const privileges = options.fallback ? DMS_TARGET_SCHEMA_PRIVILEGES : "SELECT, CREATE TEMPORARY TABLES";
  const grants = [...new Set([...schemas, HEARTBEAT_SCHEMA])].map(
    (schema) => `GRANT ${privileges} ON ${quoteIdent(schema)}.* TO ${account};`,
  );
  // The source link runs without TLS inside the VPC (DMS has no "require" mode for MySQL), where MySQL 8's default
  // caching_sha2_password would need an RSA key exchange; DMS's guide asks for mysql_native_password. MariaDB
  // authenticates with mysql_native_password already.
  return [
    createOrRotateUser(user, flavor === "mysql"),
    `GRANT REPLICATION CLIENT, REPLICATION SLAVE ON *.* TO ${account};`,
    ...grants,
    ...(options.fallback
      ? [
          `GRANT ALL PRIVILEGES ON ${quoteIdent(DMS_CONTROL_SCHEMA)}.* TO ${account};`,
          // After cutover the source is read-only (dmsctl cutover --freeze-source), and the fallback task must still
          // write it: the privilege that exempts a user from read_only (not from super_read_only, which cutover
          // leaves off when a fallback runs).
          flavor === "mysql"
            ? `GRANT CONNECTION_ADMIN ON *.* TO ${account};`
            : `GRANT READ_ONLY ADMIN ON *.* TO ${account};`,
        ]
      : []),
    "",
  ].join("\n");
}

/**
 * The least-privilege user DMS writes the target with: DML and the DDL DMS issues during full load on each
 * migrated schema (and the heartbeat schema), and full control of its own control-table schema. With `fallback`,
 * also binlog access, so the fallback task can read the target's changes (CDC). Run as the RDS master user (it
 * holds both replication privileges with grant option); set `@dms_password` in the same session first.
 */
export function renderTargetDmsUserSql(
  schemas: readonly string[],
  user: string = DMS_TARGET_USER,
  options: DmsUserSqlOptions = {},
): string {
  const account = `${quoteString(user)}@'%'`;
  const grants = [...new Set([...schemas, HEARTBEAT_SCHEMA])].map(
    (schema) => `GRANT ${DMS_TARGET_SCHEMA_PRIVILEGES} ON ${quoteIdent(schema)}.* TO ${account};`,
  );
  // The target link is TLS (verify-full), so the server's default plugin (caching_sha2_password on MySQL 8) works.
  return [
    createOrRotateUser(user, false),
    ...grants,
    `GRANT ALL PRIVILEGES ON ${quoteIdent(DMS_CONTROL_SCHEMA)}.* TO ${account};`,
    ...(options.fallback ? [`GRANT REPLICATION CLIENT, REPLICATION SLAVE ON *.* TO ${account};`] : []),
    "",
  ].join("\n");
}
