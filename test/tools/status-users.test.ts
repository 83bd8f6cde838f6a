import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as mysql from "mysql2/promise";
import { MariaDbServer, startMariaDb } from "../harness/mariadb";
import { endpointFromEnv, readOutputs } from "../../tools/dmsctl/env";
import { createUsers, generatePassword } from "../../tools/dmsctl/users";
import { dmsctl } from "./run";

// The AWS SDK v3 clients, mocked: each command class records its input; send() answers from a table.
const sent: { command: string; input: Record<string, unknown> }[] = [];
const answers: Record<string, unknown> = {};
function sdkModule(commands: string[]) {
  const mod: Record<string, unknown> = {};
  for (const c of commands) {
    mod[c] = class {
      constructor(readonly input: Record<string, unknown>) {}
      readonly name = c;
    };
  }
  const client = class {
    async send(cmd: { name: string; input: Record<string, unknown> }) {
      sent.push({ command: cmd.name, input: cmd.input });
      const a = answers[cmd.name];
      if (a instanceof Error) throw a;
      return typeof a === "function" ? (a as (i: unknown) => unknown)(cmd.input) : a;
    }
  };
  return { mod, client };
}
jest.mock("@aws-sdk/client-database-migration-service", () => {
  const { mod, client } = sdkModule(["DescribeReplicationTasksCommand", "DescribeTableStatisticsCommand"]);
  return { ...mod, DatabaseMigrationServiceClient: client };
});
jest.mock("@aws-sdk/client-cloudwatch", () => {
  const { mod, client } = sdkModule(["GetMetricDataCommand"]);
  return { ...mod, CloudWatchClient: client };
});
jest.mock("@aws-sdk/client-cloudwatch-logs", () => {
  const { mod, client } = sdkModule(["FilterLogEventsCommand"]);
  return { ...mod, CloudWatchLogsClient: client };
});

const ARN = "arn:aws:dms:us-east-1:123456789012:task:dmsm-dev-task";
function outputsFile(extra: Record<string, unknown> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "outputs-"));
  const file = path.join(dir, "dev.json");
  const values = {
    region: "us-east-1",
    dms_task_arn: ARN,
    dms_task_id: "dmsm-dev-task",
    dms_replication_instance_id: "dmsm-dev-dms",
    dms_task_log_group: "dms-tasks-dmsm-dev-dms",
    ...extra,
  };
  fs.writeFileSync(
    file,
    JSON.stringify(
      Object.fromEntries(Object.entries(values).map(([k, v]) => [k, { value: v, type: "string", sensitive: false }])),
    ),
  );
  return file;
}

describe("dmsctl status (AWS SDK mocked)", () => {
  beforeEach(() => {
    sent.length = 0;
    answers.DescribeReplicationTasksCommand = {
      ReplicationTasks: [
        {
          ReplicationTaskIdentifier: "dmsm-dev-task",
          Status: "running",
          MigrationType: "full-load-and-cdc",
          ReplicationTaskStats: {
            FullLoadProgressPercent: 100,
            TablesLoaded: 2,
            TablesLoading: 0,
            TablesQueued: 0,
            TablesErrored: 0,
          },
        },
      ],
    };
    answers.DescribeTableStatisticsCommand = {
      TableStatistics: [
        {
          SchemaName: "ecommerce",
          TableName: "orders",
          TableState: "Table completed",
          FullLoadRows: 100000,
          Inserts: 12,
          Updates: 3,
          Deletes: 1,
          ValidationState: "Validated",
        },
        {
          SchemaName: "ecommerce",
          TableName: "products",
          TableState: "Table completed",
          FullLoadRows: 1000,
          Inserts: 0,
          Updates: 0,
          Deletes: 0,
          ValidationState: "Validated",
        },
      ],
    };
    answers.GetMetricDataCommand = (input: {
      MetricDataQueries: { MetricStat: { Metric: { MetricName: string } } }[];
    }) => ({
      MetricDataResults: [
        { Values: [input.MetricDataQueries[0].MetricStat.Metric.MetricName === "CDCLatencySource" ? 1 : 2] },
      ],
    });
    answers.FilterLogEventsCommand = { events: [] };
  });

  test("shows state, per-table progress, latency; JSON shape as documented; asks AWS with the right names", async () => {
    const r = await dmsctl(["status", "--env", "dev", "--outputs-file", outputsFile(), "--format", "json"]);
    expect(r.code).toBe(0);
    expect(r.json()).toEqual({
      task: {
        id: "dmsm-dev-task",
        arn: ARN,
        status: "running",
        migrationType: "full-load-and-cdc",
        fullLoadProgressPercent: 100,
        tablesLoaded: 2,
        tablesLoading: 0,
        tablesQueued: 0,
        tablesErrored: 0,
      },
      tables: [
        {
          schema: "ecommerce",
          table: "orders",
          state: "Table completed",
          fullLoadRows: 100000,
          inserts: 12,
          updates: 3,
          deletes: 1,
          validationState: "Validated",
        },
        {
          schema: "ecommerce",
          table: "products",
          state: "Table completed",
          fullLoadRows: 1000,
          inserts: 0,
          updates: 0,
          deletes: 0,
          validationState: "Validated",
        },
      ],
      latency: { sourceSeconds: 1, targetSeconds: 2 },
      recentErrors: [],
    });
    expect(sent.find((x) => x.command === "DescribeReplicationTasksCommand")!.input).toMatchObject({
      Filters: [{ Name: "replication-task-arn", Values: [ARN] }],
    });
    const metric = sent.find((x) => x.command === "GetMetricDataCommand")!.input as {
      MetricDataQueries: { MetricStat: { Metric: { Namespace: string; Dimensions: unknown[] } } }[];
    };
    expect(metric.MetricDataQueries[0].MetricStat.Metric).toMatchObject({
      Namespace: "AWS/DMS",
      Dimensions: [
        { Name: "ReplicationInstanceIdentifier", Value: "dmsm-dev-dms" },
        { Name: "ReplicationTaskIdentifier", Value: "dmsm-dev-task" },
      ],
    });
    expect(sent.find((x) => x.command === "FilterLogEventsCommand")!.input).toMatchObject({
      logGroupName: "dms-tasks-dmsm-dev-dms",
      filterPattern: '"]E:"',
    });
  });

  test("a failed task with error lines is a finding (exit 1), shown in text", async () => {
    (
      answers.DescribeReplicationTasksCommand as { ReplicationTasks: Record<string, unknown>[] }
    ).ReplicationTasks[0].Status = "failed";
    (
      answers.DescribeReplicationTasksCommand as { ReplicationTasks: Record<string, unknown>[] }
    ).ReplicationTasks[0].LastFailureMessage = "Last Error Task error notification received";
    answers.FilterLogEventsCommand = {
      events: [
        {
          timestamp: Date.UTC(2026, 10, 24, 11, 5, 42),
          message: "00001234: 2026-11-24T11:05:42 [TARGET_APPLY    ]E:  Failed to execute statement",
        },
      ],
    };
    const r = await dmsctl(["status", "--env", "dev", "--outputs-file", outputsFile()]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^task dmsm-dev-task: failed, full load 100%/);
    expect(r.out).toMatch(/last failure: Last Error Task error notification received/);
    expect(r.out).toMatch(/recent errors:\n2026-11-24T11:05:42.000Z .*\]E: {2}Failed to execute statement/);
  });

  test("fails with exit 2 when the task cannot be described, the outputs are missing, or no --env is given", async () => {
    answers.DescribeReplicationTasksCommand = Object.assign(new Error("User is not authorized"), {
      name: "AccessDeniedException",
    });
    const denied = await dmsctl(["status", "--env", "dev", "--outputs-file", outputsFile()]);
    expect([denied.code, denied.err]).toEqual([
      2,
      expect.stringMatching(/cannot describe DMS task .*: AccessDeniedException: User is not authorized/),
    ]);
    const missing = await dmsctl(["status", "--env", "dev", "--outputs-file", "/nonexistent/outputs.json"]);
    expect([missing.code, missing.err]).toEqual([2, expect.stringMatching(/no outputs for environment "dev"/)]);
    const noEnv = await dmsctl(["status"]);
    expect([noEnv.code, noEnv.err]).toEqual([2, expect.stringMatching(/status needs --env/)]);
  });
});

describe("--env outputs and secrets", () => {
  test("reads terraform output -json and cdktf --outputs-file formats", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "outs-"));
    fs.writeFileSync(path.join(dir, "tf.json"), JSON.stringify({ region: { value: "eu-west-1" } }));
    fs.writeFileSync(path.join(dir, "cdktf.json"), JSON.stringify({ dev: { region: "eu-west-2" } }));
    expect(readOutputs("dev", path.join(dir, "tf.json")).region).toBe("eu-west-1");
    expect(readOutputs("dev", path.join(dir, "cdktf.json")).region).toBe("eu-west-2");
  });

  test("builds an endpoint from the DMS secret (TLS verify-full with the RDS CAs for the target)", async () => {
    const secrets = {
      getSecretString: jest.fn(async () =>
        JSON.stringify({
          username: "dms_target",
          password: "pw-1234567890123456",
          host: "t.rds.amazonaws.com",
          port: 3306,
        }),
      ),
    };
    const e = await endpointFromEnv(
      "target",
      {
        region: "us-east-1",
        target_dms_secret_arn: "arn:aws:secretsmanager:us-east-1:1:secret:t",
        migrated_schemas: ["ecommerce"],
      },
      secrets,
    );
    expect(e).toMatchObject({
      host: "t.rds.amazonaws.com",
      port: 3306,
      user: "dms_target",
      schema: "ecommerce",
      sslMode: "verify-full",
      sslCa: "rds",
    });
    expect(secrets.getSecretString).toHaveBeenCalledWith("arn:aws:secretsmanager:us-east-1:1:secret:t", "us-east-1");
  });

  test("throws on a secret without host", async () => {
    const secrets = { getSecretString: async () => JSON.stringify({ username: "u", password: "p" }) };
    await expect(
      endpointFromEnv("source", { region: "us-east-1", source_dms_secret_arn: "arn:x" }, secrets),
    ).rejects.toThrow(/secret arn:x lacks username, password or host/);
  });
});

describe("dmsctl users (real server, secrets writer faked)", () => {
  let server: MariaDbServer;
  beforeAll(async () => {
    server = await startMariaDb();
    const c = await server.connect();
    await c.query("CREATE DATABASE shop");
    await c.end();
  });
  afterAll(async () => server?.stop());

  test("creates the target DMS user with a generated password and writes the DMS-format secret; the password works", async () => {
    const written: { arn: string; value: string }[] = [];
    const ep = {
      side: "target" as const,
      host: "127.0.0.1",
      port: server.port,
      user: "admin",
      password: server.adminPassword,
      sslMode: "disabled" as const,
    };
    const r = await createUsers({
      schemas: ["shop"],
      region: "us-east-1",
      target: {
        endpoint: ep,
        secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:t-AbC",
        secretHost: "mydb.rds.amazonaws.com",
      },
      secrets: {
        getSecretString: async () => undefined,
        putSecretString: async (arn, value) => void written.push({ arn, value }),
      },
    });
    expect(r.users).toEqual([
      { side: "target", user: "dms_target", secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:t-AbC" },
    ]);
    const secret = JSON.parse(written[0].value);
    expect(secret).toMatchObject({
      username: "dms_target",
      host: "mydb.rds.amazonaws.com",
      port: server.port,
      engine: "mysql",
    });
    expect(secret.password).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const c = await mysql.createConnection({
      host: "127.0.0.1",
      port: server.port,
      user: "dms_target",
      password: secret.password,
    });
    await c.query("CREATE TABLE shop.probe (id INT PRIMARY KEY)");
    await c.end();
    expect(JSON.stringify(r)).not.toContain(secret.password);
  });

  test("a secret that cannot be written changes nothing: the user keeps the password its secret holds", async () => {
    const ep = {
      side: "target" as const,
      host: "127.0.0.1",
      port: server.port,
      user: "admin",
      password: server.adminPassword,
      sslMode: "disabled" as const,
    };
    const arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:t-AbC";
    let stored: string | undefined;
    await createUsers({
      schemas: ["shop"],
      region: "us-east-1",
      target: { endpoint: ep, secretArn: arn },
      secrets: { getSecretString: async () => stored, putSecretString: async (_a, v) => void (stored = v) },
    });
    const before = JSON.parse(stored!).password as string;
    await expect(
      createUsers({
        schemas: ["shop"],
        region: "us-east-1",
        target: { endpoint: ep, secretArn: arn },
        secrets: {
          getSecretString: async () => stored,
          putSecretString: async () =>
            Promise.reject(Object.assign(new Error("denied"), { name: "AccessDeniedException" })),
        },
      }),
    ).rejects.toThrow(
      /the secret arn:aws:secretsmanager:us-east-1:123456789012:secret:t-AbC could not be written \(AccessDeniedException: denied\)\. Nothing was changed: dms_target on the target keeps its password/,
    );
    const c = await mysql.createConnection({
      host: "127.0.0.1",
      port: server.port,
      user: "dms_target",
      password: before,
    });
    await c.end();
  });

  test("usage errors exit 2", async () => {
    const noRegion = await dmsctl([
      "users",
      "--target",
      server.url(),
      "--target-secret-arn",
      "arn:aws:secretsmanager:us-east-1:1:secret:x",
      "--schema",
      "shop",
    ]);
    expect([noRegion.code, noRegion.err]).toEqual([
      2,
      expect.stringMatching(/--region must be an AWS region such as us-east-1, got undefined/),
    ]);
    const noArn = await dmsctl(["users", "--target", server.url(), "--schema", "shop", "--region", "us-east-1"]);
    expect([noArn.code, noArn.err]).toEqual([
      2,
      expect.stringMatching(/--target-secret-arn is required with --target/),
    ]);
  });

  test("generated passwords satisfy validate_password and avoid the characters DMS refuses", () => {
    for (let i = 0; i < 50; i++) {
      const p = generatePassword();
      expect(p).toMatch(/[A-Z]/);
      expect(p).toMatch(/[a-z]/);
      expect(p).toMatch(/[0-9]/);
      expect(p).not.toMatch(/[;.:+]/);
    }
  });
});
