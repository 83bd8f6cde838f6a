/**
 * `dmsctl schema --env E`: the target reached as the RDS master user through the RDS-managed master secret, the way
 * `dmsctl users --env` does, the source read as before. Two real MariaDB servers: the target binlogged as RDS runs
 * it, with log_bin_trust_function_creators = 1 (the stack's parameter group) and a master user holding the RDS
 * master user's privileges (no SUPER); dms_target and dms_source created by the shipped SQL. Only Secrets Manager is
 * faked, as an in-memory store behind the AWS SDK's own commands (as in users-env.test.ts).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as mysql from "mysql2/promise";
import { MariaDbServer, startMariaDb } from "../harness/mariadb";
import { renderSampleSchemaSql, renderSourceDmsUserSql, renderTargetDmsUserSql } from "../../model/source-sql";
import { DMS_SOURCE_USER, DMS_TARGET_USER, SAMPLE_SCHEMA } from "../../model/names";
import { Run, dmsctl } from "./run";

// Secrets Manager, in memory: arn -> current value.
const mockStore = new Map<string, string>();
const mockCalls: { command: string; arn: string; region: string }[] = [];
jest.mock("@aws-sdk/client-secrets-manager", () => ({
  SecretsManagerClient: class {
    constructor(readonly config: { region: string }) {}
    async send(cmd: { kind: string; input: { SecretId: string } }) {
      const arn = cmd.input.SecretId;
      mockCalls.push({ command: cmd.kind, arn, region: this.config.region });
      const v = mockStore.get(arn);
      if (cmd.kind !== "GetSecretValue" || v === undefined) {
        throw Object.assign(new Error("Secrets Manager can't find the specified secret."), {
          name: "ResourceNotFoundException",
        });
      }
      return { ARN: arn, SecretString: v };
    }
  },
  GetSecretValueCommand: class {
    readonly kind = "GetSecretValue";
    constructor(readonly input: unknown) {}
  },
}));

const MASTER_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-0a1b2c3d-AbCdEf";
const TARGET_DMS_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:dmsm-dev-target-dms-XyZ123";
const SOURCE_DMS_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:dmsm-dev-source-dms-QwE456";

/** The RDS for MySQL master user's privileges, no SUPER (as in schema-binlog.test.ts). */
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
const MASTER_USER = "dbadmin";
const MASTER_PASSWORD = "master-password-1234567";
const TARGET_DMS_PASSWORD = "target-dms-password-1234567";
const SOURCE_DMS_PASSWORD = "source-dms-password-1234567";
const TARGET_CNF =
  "[mysqld]\nserver_id = 2\nlog_bin = mysql-bin\nbinlog_format = ROW\nlog_bin_trust_function_creators = 1\n";
/** A second migrated schema, so --env's schema list (the migrated_schemas output) has more than one. */
const CRM = "crm";
const SCHEMAS = [SAMPLE_SCHEMA, CRM];
const TRIGGERS = ["orders_qty", "products_stock"];

let source: MariaDbServer;
let target: MariaDbServer;
let t: mysql.Connection;
const runs: Run[] = [];
const passwords = [MASTER_PASSWORD, TARGET_DMS_PASSWORD, SOURCE_DMS_PASSWORD];

function outputsFile(): string {
  const values: Record<string, unknown> = {
    region: "eu-west-1",
    target_endpoint_address: "127.0.0.1",
    target_port: target.port,
    target_master_secret_arn: MASTER_ARN,
    target_dms_secret_arn: TARGET_DMS_ARN,
    source_dms_secret_arn: SOURCE_DMS_ARN,
    migrated_schemas: SCHEMAS,
  };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "schema-env-"));
  const file = path.join(dir, "dev.json");
  fs.writeFileSync(
    file,
    JSON.stringify(
      Object.fromEntries(Object.entries(values).map(([k, v]) => [k, { value: v, type: "string", sensitive: false }])),
    ),
  );
  return file;
}

const adminSource = () => `mysql://admin@127.0.0.1:${source.port}`;
const sourceEnv = () => ({ DMSCTL_SOURCE_PASSWORD: source.adminPassword });

/** `dmsctl schema --env dev` against the local target (no TLS there: the test turns verify-full off explicitly). */
async function schemaEnv(
  extra: string[] = [],
  env: NodeJS.ProcessEnv = {},
  tls = ["--target-ssl-mode", "disabled"],
): Promise<Run> {
  const r = await dmsctl(
    ["schema", "--env", "dev", "--outputs-file", outputsFile(), ...tls, "--format", "json", ...extra],
    env,
  );
  runs.push(r);
  return r;
}

/** `dmsctl schema` with an explicit --target URL as `user` (password in DMSCTL_TARGET_PASSWORD). */
async function schemaAs(user: string, password: string, extra: string[] = []): Promise<Run> {
  const r = await dmsctl(
    [
      "schema",
      "--source",
      adminSource(),
      "--target",
      `mysql://${user}@127.0.0.1:${target.port}`,
      "--target-ssl-mode",
      "disabled",
      "--schema",
      SCHEMAS.join(","),
      "--format",
      "json",
      ...extra,
    ],
    { ...sourceEnv(), DMSCTL_TARGET_PASSWORD: password },
  );
  runs.push(r);
  return r;
}

interface SchemaOut {
  events: { table: string; action: string; detail?: string }[];
  drift: { table: string; detail: string }[];
}

async function targetTriggers(): Promise<string[][]> {
  const [rows] = await t.query<mysql.RowDataPacket[]>(
    "SELECT trigger_name AS n, definer AS d FROM information_schema.triggers WHERE trigger_schema = ? ORDER BY trigger_name",
    [SAMPLE_SCHEMA],
  );
  return rows.map((r) => [String(r.n), String(r.d)]);
}

async function hasForeignKey(): Promise<boolean> {
  const [[orders]] = (await t.query(`SHOW CREATE TABLE ${SAMPLE_SCHEMA}.orders`)) as unknown as [
    Record<string, string>[],
  ];
  return /fk_orders_product/.test(orders["Create Table"]);
}

async function targetSchemas(): Promise<string[]> {
  const [rows] = await t.query<mysql.RowDataPacket[]>(
    "SELECT schema_name AS s FROM information_schema.schemata WHERE schema_name IN (?, ?) ORDER BY schema_name",
    SCHEMAS,
  );
  return rows.map((r) => String(r.s));
}

/** Back to the state before --finalize: tables only. */
async function unfinalize(): Promise<void> {
  for (const n of TRIGGERS) await t.query(`DROP TRIGGER IF EXISTS ${SAMPLE_SCHEMA}.${n}`);
  if (await hasForeignKey()) await t.query(`ALTER TABLE ${SAMPLE_SCHEMA}.orders DROP FOREIGN KEY fk_orders_product`);
}

beforeAll(async () => {
  [source, target] = await Promise.all([startMariaDb(), startMariaDb({ config: TARGET_CNF })]);
  const s = await source.connect({ multipleStatements: true });
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
    await s.query(`CREATE DATABASE ${CRM}; CREATE TABLE ${CRM}.notes (id INT PRIMARY KEY, body TEXT)`);
    // The DMS source user as the EC2 bootstrap creates it: SELECT on the migrated schemas, no TRIGGER.
    await s.query("SET @dms_password = ?", [SOURCE_DMS_PASSWORD]);
    await s.query(renderSourceDmsUserSql(SCHEMAS, "mariadb"));
  } finally {
    await s.end();
  }
  t = await target.connect({ multipleStatements: true });
  await t.query(`CREATE USER '${MASTER_USER}'@'%' IDENTIFIED BY '${MASTER_PASSWORD}'`);
  await t.query(`GRANT ${RDS_MASTER_PRIVILEGES.join(", ")} ON *.* TO '${MASTER_USER}'@'%' WITH GRANT OPTION`);
  await t.query("SET @dms_password = ?", [TARGET_DMS_PASSWORD]);
  await t.query(renderTargetDmsUserSql(SCHEMAS));
  mockStore.set(MASTER_ARN, JSON.stringify({ username: MASTER_USER, password: MASTER_PASSWORD }));
  mockStore.set(
    TARGET_DMS_ARN,
    JSON.stringify({
      username: DMS_TARGET_USER,
      password: TARGET_DMS_PASSWORD,
      host: "127.0.0.1",
      port: target.port,
      engine: "mysql",
    }),
  );
  mockStore.set(
    SOURCE_DMS_ARN,
    JSON.stringify({
      username: DMS_SOURCE_USER,
      password: SOURCE_DMS_PASSWORD,
      host: "127.0.0.1",
      port: source.port,
      engine: "mysql",
    }),
  );
});
afterAll(async () => {
  await t?.end();
  await Promise.all([source?.stop(), target?.stop()]);
});
beforeEach(() => {
  mockCalls.length = 0;
});

describe("dmsctl schema --env (real MariaDB source and RDS-like target, Secrets Manager in memory)", () => {
  test("a user that may create the first schema but not the second: exit 2 naming user, statement and privilege; the tables and database it created are dropped again", async () => {
    await t.query(
      `CREATE USER 'shop_only'@'%' IDENTIFIED BY 'shop-only-password-1'; GRANT ALL PRIVILEGES ON ${SAMPLE_SCHEMA}.* TO 'shop_only'@'%'`,
    );
    passwords.push("shop-only-password-1");
    const r = await schemaAs("shop_only", "shop-only-password-1");
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err).toMatch(
      new RegExp(
        `^dmsctl schema: the target user shop_only \\(127\\.0\\.0\\.1:${target.port}\\) may not CREATE DATABASE \`crm\`: it lacks the CREATE privilege ` +
          "\\(ER_DBACCESS_DENIED_ERROR: Access denied for user 'shop_only'@'%' to database 'crm'\\)\\. " +
          "The 3 change\\(s\\) this run had made on the target were undone \\(CREATE TABLE `ecommerce`\\.`products`; CREATE TABLE `ecommerce`\\.`orders`; CREATE DATABASE `ecommerce`\\): it is as before the run\\. " +
          "Run it as the RDS master user: dmsctl schema --env <env> connects with the RDS-managed master secret",
      ),
    );
    expect(await targetSchemas()).toEqual([]);
  });

  test("before the full load: creates every migrated schema's tables as the master user, reads the source as dms_source from its DMS secret, never reads the DMS target secret", async () => {
    const r = await schemaEnv();
    expect([r.code, r.err]).toEqual([0, ""]);
    expect(r.json<SchemaOut>()).toEqual({
      events: [
        { table: "ecommerce.orders", action: "created", detail: "1 foreign key(s) held back until --finalize" },
        { table: "ecommerce.products", action: "created" },
        { table: "crm.notes", action: "created" },
      ],
      drift: [],
    });
    expect(await targetSchemas()).toEqual([CRM, SAMPLE_SCHEMA]);
    expect(mockCalls.map((x) => `${x.command} ${x.arn} ${x.region}`)).toEqual([
      `GetSecretValue ${SOURCE_DMS_ARN} eu-west-1`,
      `GetSecretValue ${MASTER_ARN} eu-west-1`,
    ]);
    // dms_source cannot see triggers, so the same source refuses --finalize before anything changes.
    const f = await schemaEnv(["--finalize"]);
    expect(f.code).toBe(2);
    expect(f.err).toBe(
      "dmsctl schema: --finalize copies the triggers it finds on the source, but the source user dms_source cannot see them: it has no TRIGGER privilege on " +
        "`ecommerce`.`orders`, `ecommerce`.`products` (without it information_schema and SHOW CREATE TRIGGER hide a table's triggers). Nothing was changed. " +
        "Read the source as an account that has it, e.g. --source mysql://admin@<source_host> with the password in DMSCTL_SOURCE_PASSWORD (--env still takes the target from the environment)",
    );
    expect([await hasForeignKey(), await targetTriggers()]).toEqual([false, []]);
  });

  test("without --target-ssl-mode the master connection is TLS verify-full against the RDS CAs: refused by a server without TLS, exit 2, nothing changed", async () => {
    const r = await schemaEnv(["--finalize", "--source", adminSource()], sourceEnv(), []);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      new RegExp(`^dmsctl schema: cannot connect to target ${MASTER_USER}@127\\.0\\.0\\.1:${target.port}: `),
    );
    expect([await hasForeignKey(), await targetTriggers()]).toEqual([false, []]);
  });

  test("--finalize --env with --source as an account that sees the triggers: the foreign key and the triggers are created by the master user, and fire", async () => {
    const r = await schemaEnv(["--finalize", "--source", adminSource()], sourceEnv());
    expect([r.code, r.err]).toEqual([0, ""]);
    expect(
      r.json<SchemaOut>().events.map((e) => [e.table, e.action, e.action === "trigger-created" ? e.detail : ""]),
    ).toEqual([
      ["ecommerce.orders", "foreign-key-added", ""],
      ["ecommerce.orders", "trigger-created", "orders_qty"],
      ["ecommerce.products", "trigger-created", "products_stock"],
    ]);
    expect(await targetTriggers()).toEqual([
      ["orders_qty", `${MASTER_USER}@%`],
      ["products_stock", `${MASTER_USER}@%`],
    ]);
    expect(await hasForeignKey()).toBe(true);
    // The master secret only: an explicit --source wins over the source DMS secret, and dms_target is never used.
    expect(mockCalls.map((x) => `${x.command} ${x.arn}`)).toEqual([`GetSecretValue ${MASTER_ARN}`]);
    await t.query(`INSERT INTO ${SAMPLE_SCHEMA}.products (sku, name, price, stock) VALUES ('t-1', 'T', 1, 5)`);
    await t.query(`UPDATE ${SAMPLE_SCHEMA}.products SET stock = -3 WHERE sku = 't-1'`);
    const [[p]] = (await t.query(`SELECT stock FROM ${SAMPLE_SCHEMA}.products WHERE sku = 't-1'`)) as unknown as [
      Record<string, number>[],
    ];
    expect(Number(p.stock)).toBe(0);
    await t.query(`DELETE FROM ${SAMPLE_SCHEMA}.products`);
    const again = await schemaEnv(["--finalize", "--source", adminSource()], sourceEnv());
    expect([again.code, again.json<SchemaOut>().events]).toEqual([0, []]);
  });

  test("--finalize as dms_target (what --env used to connect as): exit 2, the message names dms_target, CREATE TRIGGER, TRIGGER and --env; the foreign key it had added is dropped again", async () => {
    await unfinalize();
    const r = await schemaAs(DMS_TARGET_USER, TARGET_DMS_PASSWORD, ["--finalize"]);
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err).toMatch(
      new RegExp(
        `^dmsctl schema: the target user dms_target \\(127\\.0\\.0\\.1:${target.port}\\) may not CREATE TRIGGER \`ecommerce\`\\.\`orders_qty\`: it lacks the TRIGGER privilege ` +
          "\\(ER_TABLEACCESS_DENIED_ERROR: TRIGGER command denied to user 'dms_target'@'127\\.0\\.0\\.1' for table `ecommerce`\\.`orders`\\)\\. " +
          "The 1 change\\(s\\) this run had made on the target were undone \\(ALTER TABLE `ecommerce`\\.`orders` ADD CONSTRAINT `fk_orders_product` FOREIGN KEY\\): it is as before the run\\. " +
          "Run it as the RDS master user: dmsctl schema --env <env> --finalize connects with the RDS-managed master secret \\(output target_master_secret_arn\\) " +
          "instead of dms_target, or pass --target with an account that has TRIGGER$",
      ),
    );
    expect([await hasForeignKey(), await targetTriggers()]).toEqual([false, []]);
  });

  test("a user that may create the first trigger but not the second: the trigger and the foreign key this run created are dropped again (all or nothing)", async () => {
    await t.query(
      `CREATE USER 'half_admin'@'%' IDENTIFIED BY 'half-admin-password-1';
       GRANT SELECT, ALTER, INDEX ON ${SAMPLE_SCHEMA}.* TO 'half_admin'@'%'; GRANT SELECT ON ${CRM}.* TO 'half_admin'@'%';
       GRANT TRIGGER ON ${SAMPLE_SCHEMA}.orders TO 'half_admin'@'%'`,
    );
    passwords.push("half-admin-password-1");
    const r = await schemaAs("half_admin", "half-admin-password-1", ["--finalize"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("half_admin (127.0.0.1:");
    expect(r.err).toContain(
      ") may not CREATE TRIGGER `ecommerce`.`products_stock`: it lacks the TRIGGER privilege (ER_TABLEACCESS_DENIED_ERROR: TRIGGER command denied to user 'half_admin'",
    );
    expect(r.err).toContain(
      "The 2 change(s) this run had made on the target were undone (CREATE TRIGGER `ecommerce`.`orders_qty`; ALTER TABLE `ecommerce`.`orders` ADD CONSTRAINT `fk_orders_product` FOREIGN KEY): it is as before the run.",
    );
    expect([await hasForeignKey(), await targetTriggers()]).toEqual([false, []]);
  });

  test("the master user without log_bin_trust_function_creators: ERROR 1419 explained (set it in the parameter group), exit 2, nothing left; with it back the rerun does it all", async () => {
    await t.query("SET GLOBAL log_bin_trust_function_creators = 0");
    try {
      const r = await schemaEnv(["--finalize", "--source", adminSource()], sourceEnv());
      expect(r.code).toBe(2);
      expect(r.err).toMatch(
        new RegExp(
          `^dmsctl schema: the target user ${MASTER_USER} \\(127\\.0\\.0\\.1:${target.port}\\) may not CREATE TRIGGER \`ecommerce\`\\.\`orders_qty\` ` +
            "\\(ER_BINLOG_CREATE_ROUTINE_NEED_SUPER: You do not have the SUPER privilege and binary logging is enabled.*?\\): binary logging is on and dbadmin has no SUPER privilege",
        ),
      );
      expect(r.err).toContain("The 1 change(s) this run had made on the target were undone");
      expect(r.err).toMatch(
        /Set log_bin_trust_function_creators = 1 in the target's DB parameter group .* and run dmsctl schema --env <env> --finalize again$/,
      );
      expect([await hasForeignKey(), await targetTriggers()]).toEqual([false, []]);
    } finally {
      await t.query("SET GLOBAL log_bin_trust_function_creators = 1");
    }
    const ok = await schemaEnv(["--finalize", "--source", adminSource()], sourceEnv());
    expect([ok.code, ok.json<SchemaOut>().events.map((e) => e.action)]).toEqual([
      0,
      ["foreign-key-added", "trigger-created", "trigger-created"],
    ]);
    expect((await targetTriggers()).map(([n]) => n)).toEqual(TRIGGERS);
  });

  test("no password ever appears in stdout or stderr", () => {
    passwords.push(source.adminPassword, target.adminPassword);
    expect(runs.length).toBeGreaterThanOrEqual(8);
    for (const r of runs) for (const p of passwords) expect(`${r.out}\n${r.err}`).not.toContain(p);
  });
});

describe("dmsctl schema --help", () => {
  test("shows --env first and says the target is the RDS master user from its secret", async () => {
    const r = await dmsctl(["schema", "--help"]);
    expect(r.code).toBe(0);
    expect(r.out.split("\n")[0]).toBe(
      "dmsctl schema --env ENV [--outputs-file FILE] [--source URL] [--schema S[,S2]] [--finalize] [--force] [--dry-run]",
    );
    expect(r.out).toContain(
      "With --env ENV the target is reached as the RDS master user, exactly as dmsctl users --env does",
    );
  });
});
