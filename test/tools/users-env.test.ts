/**
 * `dmsctl users --env E`: the operator creates the DMS target user as the RDS master user, with nothing but the
 * environment's outputs and AWS credentials. A real MariaDB stands in for RDS (its admin user for the RDS master);
 * only Secrets Manager is faked, as an in-memory store behind the AWS SDK's own commands.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as mysql from "mysql2/promise";
import { MariaDbServer, startMariaDb } from "../harness/mariadb";
import { renderTargetDmsUserSql } from "../../model/source-sql";
import { targetMasterEndpoint } from "../../tools/dmsctl/env";
import { Run, dmsctl } from "./run";

// Secrets Manager, in memory: arn -> current value (undefined: created without a value, as Terraform leaves it).
const mockStore = new Map<string, string | undefined>();
const mockPutFails = new Set<string>();
const mockCalls: { command: string; arn: string; region: string; value?: string }[] = [];
jest.mock("@aws-sdk/client-secrets-manager", () => {
  const notFound = (msg: string) => Object.assign(new Error(msg), { name: "ResourceNotFoundException" });
  return {
    SecretsManagerClient: class {
      constructor(readonly config: { region: string }) {}
      async send(cmd: { kind: string; input: { SecretId: string; SecretString?: string } }) {
        const arn = cmd.input.SecretId;
        mockCalls.push({ command: cmd.kind, arn, region: this.config.region, value: cmd.input.SecretString });
        if (!mockStore.has(arn)) throw notFound("Secrets Manager can't find the specified secret.");
        if (cmd.kind === "DescribeSecret") return { ARN: arn };
        if (cmd.kind === "GetSecretValue") {
          const v = mockStore.get(arn);
          if (v === undefined)
            throw notFound("Secrets Manager can't find the specified secret value for staging label: AWSCURRENT");
          return { ARN: arn, SecretString: v };
        }
        if (mockPutFails.has(arn))
          throw Object.assign(
            new Error(`User is not authorized to perform: secretsmanager:PutSecretValue on resource: ${arn}`),
            { name: "AccessDeniedException" },
          );
        mockStore.set(arn, cmd.input.SecretString);
        return { ARN: arn };
      }
    },
    GetSecretValueCommand: class {
      readonly kind = "GetSecretValue";
      constructor(readonly input: unknown) {}
    },
    PutSecretValueCommand: class {
      readonly kind = "PutSecretValue";
      constructor(readonly input: unknown) {}
    },
    DescribeSecretCommand: class {
      readonly kind = "DescribeSecret";
      constructor(readonly input: unknown) {}
    },
  };
});

const MASTER_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-0a1b2c3d-AbCdEf";
const DMS_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:dmsm-dev-target-dms-XyZ123";
const SOURCE_DMS_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:dmsm-dev-source-dms-QwE456";

let server: MariaDbServer;
const runs: Run[] = [];
const masterPasswords: string[] = [];

function outputsFile(values: Record<string, unknown>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "users-env-"));
  const file = path.join(dir, "dev.json");
  fs.writeFileSync(
    file,
    JSON.stringify(
      Object.fromEntries(Object.entries(values).map(([k, v]) => [k, { value: v, type: "string", sensitive: false }])),
    ),
  );
  return file;
}

function baseOutputs(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    region: "eu-west-1",
    target_endpoint_address: "127.0.0.1",
    target_port: server.port,
    target_master_secret_arn: MASTER_ARN,
    target_dms_secret_arn: DMS_ARN,
    source_dms_secret_arn: SOURCE_DMS_ARN,
    migrated_schemas: ["shop"],
    ...extra,
  };
}

/** `dmsctl users --env dev` against the local server (no TLS there: the test overrides verify-full explicitly). */
async function users(
  outputs: Record<string, unknown>,
  extra: string[] = [],
  env: NodeJS.ProcessEnv = {},
): Promise<Run> {
  const r = await dmsctl(
    ["users", "--env", "dev", "--outputs-file", outputsFile(outputs), "--target-ssl-mode", "disabled", ...extra],
    env,
  );
  runs.push(r);
  return r;
}

function stored(arn = DMS_ARN): { username: string; password: string; host: string; port: number; engine: string } {
  return JSON.parse(mockStore.get(arn)!);
}

async function login(user: string, password: string): Promise<true | string> {
  try {
    const c = await mysql.createConnection({ host: "127.0.0.1", port: server.port, user, password });
    await c.end();
    return true;
  } catch (e) {
    return (e as { code: string }).code;
  }
}

async function grantsOf(account: string): Promise<string[]> {
  const c = await server.connect();
  try {
    const [rows] = (await c.query(`SHOW GRANTS FOR ${account}`)) as unknown as [Record<string, string>[]];
    return rows.map((r) => Object.values(r)[0].replace(/ IDENTIFIED BY PASSWORD '[^']*'/, "")).sort();
  } finally {
    await c.end();
  }
}

async function admin(sql: string): Promise<void> {
  const c = await server.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/** Points the master secret at another account (an RDS master with fewer privileges than it needs). */
async function masterIs(user: string, password: string, grants: string[]): Promise<void> {
  const grant = (g: string) => {
    const [privileges, withGrantOption] = g.split(" WITH GRANT OPTION");
    return `GRANT ${privileges} TO '${user}'@'127.0.0.1'${withGrantOption !== undefined ? " WITH GRANT OPTION" : ""};`;
  };
  await admin(`CREATE USER '${user}'@'127.0.0.1' IDENTIFIED BY '${password}'; ${grants.map(grant).join(" ")}`);
  mockStore.set(MASTER_ARN, JSON.stringify({ username: user, password }));
  masterPasswords.push(password);
}

beforeAll(async () => {
  server = await startMariaDb();
  await admin("CREATE DATABASE shop");
  masterPasswords.push(server.adminPassword);
});
afterAll(async () => server?.stop());
beforeEach(() => {
  mockCalls.length = 0;
  mockPutFails.clear();
  mockStore.set(MASTER_ARN, JSON.stringify({ username: "admin", password: server.adminPassword }));
});

describe("dmsctl users --env (real MariaDB as the RDS target, Secrets Manager in memory)", () => {
  test("creates dms_target with renderTargetDmsUserSql's grants as the master user; the DMS secret logs in, host and port from the outputs", async () => {
    mockStore.set(DMS_ARN, undefined); // created by Terraform, no value yet
    const r = await users(baseOutputs());
    expect([r.code, r.err]).toEqual([0, ""]);
    expect(r.out).toBe(`target: dms_target ready, credentials in ${DMS_ARN}`);

    const s = stored();
    expect(s).toEqual({
      username: "dms_target",
      password: expect.stringMatching(/^[A-Za-z0-9_-]{32}$/),
      host: "127.0.0.1",
      port: server.port,
      engine: "mysql",
    });
    expect(await login("dms_target", s.password)).toBe(true);

    // The same grants the shipped SQL gives, run by hand for a reference user.
    const c = await server.connect();
    await c.query("SET @dms_password = 'reference-password-0123456789'");
    await c.query(renderTargetDmsUserSql(["shop"], "dms_reference"));
    await c.end();
    const reference = (await grantsOf("'dms_reference'@'%'")).map((g) => g.replace(/dms_reference/g, "dms_target"));
    expect(await grantsOf("'dms_target'@'%'")).toEqual(reference);
    expect(reference.some((g) => /GRANT .*CREATE TEMPORARY TABLES ON `shop`\.\*/.test(g))).toBe(true);

    // The master secret was read (region from the outputs), the DMS secret read first and checked (it has no value
    // yet: DescribeSecret), then written once.
    expect(mockCalls.map((x) => `${x.command} ${x.arn} ${x.region}`)).toEqual([
      `GetSecretValue ${MASTER_ARN} eu-west-1`,
      `GetSecretValue ${DMS_ARN} eu-west-1`,
      `DescribeSecret ${DMS_ARN} eu-west-1`,
      `PutSecretValue ${DMS_ARN} eu-west-1`,
    ]);
  });

  test("a re-run rotates: the new stored secret logs in, the old password no longer does", async () => {
    const old = stored().password;
    const r = await users(baseOutputs(), ["--format", "json"]);
    expect([r.code, r.err]).toEqual([0, ""]);
    expect(r.json()).toEqual({ users: [{ side: "target", user: "dms_target", secretArn: DMS_ARN }] });
    const now = stored().password;
    expect(now).not.toBe(old);
    expect(await login("dms_target", now)).toBe(true);
    expect(await login("dms_target", old)).toBe("ER_ACCESS_DENIED_ERROR");
  });

  test("the secret cannot be written: the database is not touched, the previous secret still logs in, the error names the ARN", async () => {
    const before = mockStore.get(DMS_ARN);
    mockPutFails.add(DMS_ARN);
    const r = await users(baseOutputs());
    expect(r.code).toBe(2);
    expect(r.err).toContain(
      `the secret ${DMS_ARN} could not be written (AccessDeniedException: User is not authorized to perform: secretsmanager:PutSecretValue`,
    );
    expect(r.err).toContain("Nothing was changed: dms_target on the target keeps its password");
    expect(mockStore.get(DMS_ARN)).toBe(before);
    expect(await login("dms_target", stored().password)).toBe(true);
  });

  test("the SQL fails before the password changes (master lacks CREATE USER): the previous secret value is restored", async () => {
    const before = mockStore.get(DMS_ARN)!;
    await masterIs("weak_master", "weak-master-password-1", ["SELECT ON *.*"]);
    const r = await users(baseOutputs());
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /cannot create or rotate dms_target on the target: ER_SPECIFIC_ACCESS_DENIED_ERROR: Access denied; you need .*CREATE USER/,
    );
    expect(r.err).toContain(`Its password did not change; the secret ${DMS_ARN} was restored to its previous value`);
    // The current value written again (the writability check), a new value, then the previous one put back.
    const puts = mockCalls.filter((x) => x.command === "PutSecretValue");
    expect(puts).toHaveLength(3);
    expect(puts[0].value).toBe(before);
    expect(puts[1].value).not.toBe(before);
    expect(puts[2].value).toBe(before);
    expect(mockStore.get(DMS_ARN)).toBe(before);
    expect(await login("dms_target", stored().password)).toBe(true);
    expect(await login("dms_target", JSON.parse(puts[1].value!).password)).toBe("ER_ACCESS_DENIED_ERROR");
  });

  test("the SQL fails after the password changed (a GRANT the master cannot give): the secret keeps the new, working value and says so", async () => {
    const before = stored().password;
    // May create and alter users and grant on the migrated and heartbeat schemas, not on awsdms_control.
    await masterIs("partial_master", "partial-master-password-1", [
      "CREATE USER ON *.*",
      "ALTER, CREATE, DROP, INDEX, INSERT, UPDATE, DELETE, SELECT, CREATE TEMPORARY TABLES ON `shop`.* WITH GRANT OPTION",
      "ALTER, CREATE, DROP, INDEX, INSERT, UPDATE, DELETE, SELECT, CREATE TEMPORARY TABLES ON `dms_migrate`.* WITH GRANT OPTION",
    ]);
    const r = await users(baseOutputs());
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /cannot create or rotate dms_target on the target: ER_DBACCESS_DENIED_ERROR: Access denied for user 'partial_master'@'127\.0\.0\.1' to database 'awsdms_control'/,
    );
    expect(r.err).toContain(
      `dms_target has the new password and the secret ${DMS_ARN} holds it, but its grants may be incomplete`,
    );
    // the writability check (the current value again), then the new value
    expect(
      mockCalls
        .filter((x) => x.command === "PutSecretValue")
        .map((x) => x.value === JSON.stringify(JSON.parse(x.value!)) && JSON.parse(x.value!).password === before),
    ).toEqual([true, false]);
    const now = stored().password;
    expect(now).not.toBe(before);
    expect(await login("dms_target", now)).toBe(true);
    expect(await login("dms_target", before)).toBe("ER_ACCESS_DENIED_ERROR");
  });

  test("the SQL fails and the secret had no value before: nothing to restore, and the message says so", async () => {
    const emptyArn = `${DMS_ARN}-empty`;
    mockStore.set(emptyArn, undefined);
    await masterIs("weak_master2", "weak-master-password-2", ["SELECT ON *.*"]);
    const r = await users(baseOutputs({ target_dms_secret_arn: emptyArn }));
    expect(r.code).toBe(2);
    expect(r.err).toContain(
      `Its password did not change; the secret ${emptyArn} had no value before, so there was nothing to restore`,
    );
    expect(mockCalls.filter((x) => x.command === "PutSecretValue").map((x) => x.arn)).toEqual([emptyArn]);
  });

  test("a missing output, a master secret without a password or with no JSON, bad port or schemas: errors name the output or field, nothing is written", async () => {
    const noMaster = await users(baseOutputs({ target_master_secret_arn: "" }));
    expect([noMaster.code, noMaster.err]).toEqual([
      2,
      "dmsctl users: output target_master_secret_arn is missing or empty in the environment's outputs",
    ]);

    const o = baseOutputs();
    delete o.target_dms_secret_arn;
    const noDms = await users(o);
    expect([noDms.code, noDms.err]).toEqual([
      2,
      "dmsctl users: output target_dms_secret_arn is missing or empty in the environment's outputs",
    ]);

    const noSchemas = await users(baseOutputs({ migrated_schemas: [] }));
    expect([noSchemas.code, noSchemas.err]).toEqual([
      2,
      expect.stringContaining(
        "output migrated_schemas is missing or empty in the environment's outputs (or pass --schema)",
      ),
    ]);

    const badPort = await users(baseOutputs({ target_port: "mysql" }));
    expect([badPort.code, badPort.err]).toEqual([
      2,
      'dmsctl users: output target_port must be a TCP port, got "mysql"',
    ]);

    const badRegion = await users(baseOutputs({ region: "Europe" }));
    expect([badRegion.code, badRegion.err]).toEqual([
      2,
      'dmsctl users: --region must be an AWS region such as us-east-1, got "Europe" (from output region)',
    ]);

    mockStore.set(MASTER_ARN, JSON.stringify({ username: "admin" }));
    const noPassword = await users(baseOutputs());
    expect([noPassword.code, noPassword.err]).toEqual([
      2,
      `dmsctl users: secret ${MASTER_ARN} lacks username or password (expected the RDS-managed master user secret)`,
    ]);

    mockStore.set(MASTER_ARN, "admin:secret");
    const notJson = await users(baseOutputs());
    expect([notJson.code, notJson.err]).toEqual([
      2,
      `dmsctl users: secret ${MASTER_ARN} is not JSON (expected the RDS-managed master user secret: username, password)`,
    ]);

    expect(mockCalls.filter((x) => x.command === "PutSecretValue")).toEqual([]);
  });

  test("without --target-ssl-mode the master connection is TLS verify-full against the RDS CAs: refused by a server without TLS, nothing written", async () => {
    const e = await targetMasterEndpoint(baseOutputs(), {
      getSecretString: async () => JSON.stringify({ username: "admin", password: "x".repeat(20) }),
    });
    expect(e).toMatchObject({
      side: "target",
      host: "127.0.0.1",
      port: server.port,
      user: "admin",
      sslMode: "verify-full",
      sslCa: "rds",
    });

    const r = await dmsctl(["users", "--env", "dev", "--outputs-file", outputsFile(baseOutputs())]);
    runs.push(r);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(new RegExp(`^dmsctl users: cannot connect to target admin@127\\.0\\.0\\.1:${server.port}: `));
    expect(mockCalls.map((x) => x.command)).toEqual(["GetSecretValue"]); // the master secret only
  });

  test("--env with --source URL does both: the source's secret ARN defaults to the source_dms_secret_arn output", async () => {
    mockStore.set(SOURCE_DMS_ARN, undefined);
    const r = await users(baseOutputs(), ["--source", `mysql://admin@127.0.0.1:${server.port}`], {
      DMSCTL_SOURCE_PASSWORD: server.adminPassword,
    });
    expect([r.code, r.err]).toEqual([0, ""]);
    expect(r.out).toBe(
      `source: dms_source ready, credentials in ${SOURCE_DMS_ARN}\ntarget: dms_target ready, credentials in ${DMS_ARN}`,
    );
    expect(stored(SOURCE_DMS_ARN)).toMatchObject({ username: "dms_source", host: "127.0.0.1", port: server.port });
    expect(await login("dms_source", stored(SOURCE_DMS_ARN).password)).toBe(true);
    expect(await login("dms_target", stored().password)).toBe(true);
    expect(await grantsOf("'dms_source'@'%'")).toEqual(
      expect.arrayContaining([expect.stringMatching(/GRANT .*REPLICATION.* ON \*\.\* TO `dms_source`@`%`/)]),
    );
  });

  test("two sides, the target's secret not writable: found before either password changes, so neither side changes", async () => {
    const asAdmin = ["--source", `mysql://admin@127.0.0.1:${server.port}`];
    const env = { DMSCTL_SOURCE_PASSWORD: server.adminPassword };
    const first = await users(baseOutputs(), asAdmin, env);
    expect([first.code, first.err]).toEqual([0, ""]);
    const sourceBefore = mockStore.get(SOURCE_DMS_ARN)!;
    const targetBefore = mockStore.get(DMS_ARN)!;
    mockCalls.length = 0;
    mockPutFails.add(DMS_ARN);
    const r = await users(baseOutputs(), asAdmin, env);
    expect(r.code).toBe(2);
    expect(r.err).toContain(
      `the secret ${DMS_ARN} could not be written (AccessDeniedException: User is not authorized to perform: secretsmanager:PutSecretValue`,
    );
    expect(r.err).toContain("Nothing was changed");
    expect(mockStore.get(SOURCE_DMS_ARN)).toBe(sourceBefore);
    expect(mockStore.get(DMS_ARN)).toBe(targetBefore);
    expect(await login("dms_source", JSON.parse(sourceBefore).password)).toBe(true);
    expect(await login("dms_target", JSON.parse(targetBefore).password)).toBe(true);
    // No new password was written anywhere: the only writes were the probes (each secret's current value again).
    for (const put of mockCalls.filter((x) => x.command === "PutSecretValue"))
      expect([sourceBefore, targetBefore]).toContain(put.value);
  });

  test("interrupted after the secret was written, before the password changed: the secret is put back, exit 130, and it says so", async () => {
    const before = mockStore.get(DMS_ARN)!;
    // The user's SQL waits on the grant tables, so the run is held between writing the secret and changing the user.
    const lock = await server.connect();
    await lock.query("LOCK TABLES mysql.global_priv WRITE");
    const watcher = await server.connect();
    try {
      const run = users(baseOutputs());
      const deadline = Date.now() + 20_000;
      for (;;) {
        const [rows] = (await watcher.query(
          "SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE STATE LIKE 'Waiting for table%lock'",
        )) as unknown as [{ n: number }[]];
        if (Number(rows[0].n) > 0) break;
        if (Date.now() > deadline) throw new Error("the users SQL never waited on the lock");
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(mockStore.get(DMS_ARN)).not.toBe(before); // the new value is in the secret, the user still has the old one
      // The signal as the process gets it, to main's own handler (not the test runner's).
      const handler = process.listeners("SIGINT").at(-1) as (s: NodeJS.Signals) => void;
      handler("SIGINT");
      const r = await run;
      expect(r.code).toBe(130);
      expect(r.err).toMatch(/^dmsctl users: interrupted by SIGINT/);
      expect(r.err).toContain(`Its password did not change; the secret ${DMS_ARN} was restored to its previous value`);
    } finally {
      await lock.query("UNLOCK TABLES");
      await lock.end();
      await watcher.end();
    }
    expect(mockStore.get(DMS_ARN)).toBe(before);
    expect(await login("dms_target", JSON.parse(before).password)).toBe(true);
  });

  test("no password ever appears in stdout or stderr", () => {
    const passwords = [
      ...masterPasswords,
      ...mockCalls.filter((x) => x.value).map((x) => JSON.parse(x.value!).password as string),
      ...[...mockStore.values()].filter((v): v is string => !!v).map((v) => JSON.parse(v).password as string),
    ].filter(Boolean);
    expect(passwords.length).toBeGreaterThanOrEqual(4);
    expect(runs.length).toBeGreaterThanOrEqual(10);
    for (const r of runs) for (const p of passwords) expect(`${r.out}\n${r.err}`).not.toContain(p);
  });
});

describe("dmsctl users --help", () => {
  test("shows --env as the normal way for the target; loads neither the AWS SDK nor mysql2", () => {
    const root = path.resolve(__dirname, "..", "..");
    const script = `
      const fs = require("fs"), ts = require("typescript");
      require.extensions[".ts"] = (m, f) => m._compile(ts.transpileModule(fs.readFileSync(f, "utf8"), { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true }, fileName: f }).outputText, f);
      const before = new Set(Object.keys(require.cache));
      const { main } = require(${JSON.stringify(path.join(root, "tools", "dmsctl", "cli.ts"))});
      const out = [];
      main(["users", "--help"], { out: (s) => out.push(s), err: (s) => out.push(s), env: {} }).then((code) => {
        const loaded = Object.keys(require.cache).filter((k) => !before.has(k) && /node_modules[\\\\/](mysql2|@aws-sdk)[\\\\/]/.test(k));
        process.stdout.write(JSON.stringify({ code, out: out.join("\\n"), loaded }));
      });`;
    const r = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", cwd: root });
    expect(r.stderr).toBe("");
    const { code, out, loaded } = JSON.parse(r.stdout) as { code: number; out: string; loaded: string[] };
    expect(code).toBe(0);
    expect(loaded).toEqual([]);
    expect(out.split("\n")[0]).toBe(
      "dmsctl users --env ENV [--outputs-file FILE] [--schema S[,S2]] [--region R] [--source URL [--source-secret-arn ARN]]",
    );
    expect(out).toContain("The normal way, after terraform apply: dmsctl users --env ENV.");
  });
});

describe("dmsctl users --env with the fallback replication (cutover.fallback)", () => {
  test("the dms_fallback_task_arn output set: dms_target also gets the binlog grants the fallback task reads RDS with", async () => {
    const r = await users(baseOutputs({ dms_fallback_task_arn: "arn:aws:dms:eu-west-1:123456789012:task:FALLBACK" }));
    expect([r.code, r.err]).toEqual([0, ""]);
    const c = await server.connect();
    await c.query("SET @dms_password = 'reference-password-0123456789'");
    await c.query(renderTargetDmsUserSql(["shop"], "dms_fallback_reference", { fallback: true }));
    await c.end();
    const reference = (await grantsOf("'dms_fallback_reference'@'%'")).map((g) =>
      g.replace(/dms_fallback_reference/g, "dms_target"),
    );
    expect(await grantsOf("'dms_target'@'%'")).toEqual(reference);
    expect(reference.join("\n")).toMatch(/REPLICATION (SLAVE|REPLICA)|BINLOG MONITOR|REPLICATION CLIENT/);
  });

  test("the output empty (fallback off): no binlog grants are added", async () => {
    await admin("DROP USER IF EXISTS 'dms_target'@'%'");
    const r = await users(baseOutputs({ dms_fallback_task_arn: "" }));
    expect([r.code, r.err]).toEqual([0, ""]);
    expect((await grantsOf("'dms_target'@'%'")).join("\n")).not.toMatch(/REPLICATION|BINLOG MONITOR/);
  });
});
