import * as os from "os";
import { Testing } from "cdktf";
import { EnvironmentConfig } from "../../environments/config";
import { loadEnvironment } from "../../environments/load";
import { OUTPUT_NAMES } from "../../model/names";
import { MigrationStack } from "../../stacks/migration-stack";
import { StateBackendStack } from "../../stacks/state-backend-stack";
import { AccountStack } from "../../stacks/account-stack";
import { dataSources, only, resources, synthStack, TerraformJson } from "../helpers";

const fixtures = os.tmpdir(); // no <env>.local.json there: the committed defaults only
const config = (name: string, env: NodeJS.ProcessEnv = {}) => loadEnvironment(name, { env, dir: fixtures });

function synthEnv(c: EnvironmentConfig): TerraformJson {
  const app = Testing.app();
  return synthStack(new MigrationStack(app, c.name, c));
}

/** Replaces what changes between cdktf releases, so the snapshot shows only this project's decisions. */
function masked(json: TerraformJson): TerraformJson {
  return JSON.parse(JSON.stringify(json).replace(/"cdktfVersion":"[^"]+"/g, '"cdktfVersion":"<masked>"'));
}

describe("MigrationStack", () => {
  test.each(["dev", "staging", "prod"])("%s matches its snapshot", (name) => {
    expect(masked(synthEnv(config(name)))).toMatchSnapshot();
  });

  test("no state bucket by default: the backend has no bucket, so terraform init refuses until one is given, and synth warns", () => {
    const app = Testing.app();
    const stack = new MigrationStack(app, "staging", config("staging"));
    const json = synthStack(stack);
    expect((json.terraform as { backend: { s3: Record<string, unknown> } }).backend.s3).not.toHaveProperty("bucket");
    const warnings = stack.node.metadata.filter((m) => m.type === "@cdktf/warn").map((m) => String(m.data));
    expect(warnings).toEqual([
      expect.stringMatching(
        /^state\.bucket is not set: terraform init for stack staging refuses until it is\. Apply the state-backend stack, then set DMS_MIGRATE_STATE_BUCKET/,
      ),
    ]);
  });

  test("state in S3, encrypted, with S3-native locking, one key per environment", () => {
    const json = synthEnv(config("staging", { DMS_MIGRATE_STATE_BUCKET: "acme-dms-tfstate" }));
    expect((json.terraform as { backend: unknown }).backend).toEqual({
      s3: {
        bucket: "acme-dms-tfstate",
        key: "dms-migrate/staging/terraform.tfstate",
        region: "us-east-1",
        encrypt: true,
        use_lockfile: true,
      },
    });
  });

  test("the AWS provider pins 6.x and tags every resource through default_tags", () => {
    const json = synthEnv(config("dev"));
    expect(
      (json.terraform as { required_providers: { aws: { version: string } } }).required_providers.aws.version,
    ).toMatch(/^6\./);
    expect((json.provider as Record<string, unknown>).aws).toEqual([
      {
        region: "us-east-1",
        default_tags: [{ tags: { Project: "dms-migrate", Environment: "dev", ManagedBy: "cdktf" } }],
      },
    ]);
  });

  test("the task is created stopped in every mode: no timed wait stands in for the target user and schema", () => {
    const ec2 = synthEnv(config("dev"));
    expect(Object.keys(ec2.resource?.time_sleep ?? {}).some((k) => k.startsWith("wait-for"))).toBe(false);
    expect(only(ec2, "aws_dms_replication_task").start_replication_task).toBe(false);
    const existing = synthEnv(
      config("dev", {
        DMS_MIGRATE_DEV_CONFIG: JSON.stringify({
          source: {
            mode: "existing",
            existing: {
              host: "db.corp",
              port: 3306,
              secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:s-AbCdEf",
              serverTimezone: "Europe/Berlin",
            },
          },
        }),
      }),
    );
    expect(only(existing, "aws_dms_replication_task").start_replication_task).toBe(false);
    const src = resources(existing, "aws_dms_endpoint").find((e) => e.endpoint_type === "source")!;
    expect(src.mysql_settings).toEqual({ events_poll_interval: 5, server_timezone: "Europe/Berlin" });
  });

  test("no environment owns the account-wide DMS roles: each looks them up (the account stack owns them)", () => {
    for (const env of ["dev", "staging", "prod"] as const) {
      const json = synthEnv(config(env));
      expect(resources(json, "aws_iam_role").map((r) => r.name)).not.toContain("dms-vpc-role");
      expect(
        dataSources(json, "aws_iam_roles")
          .map((r) => r.name_regex)
          .sort(),
      ).toEqual(["^dms-cloudwatch-logs-role$", "^dms-vpc-role$"]);
    }
  });

  test("serverless mode from config", () => {
    const json = synthEnv(
      config("staging", {
        DMS_MIGRATE_STAGING_CONFIG: JSON.stringify({ dms: { mode: "serverless" }, cutover: { fallback: false } }),
      }),
    );
    expect(resources(json, "aws_dms_replication_config")).toHaveLength(1);
    expect(resources(json, "aws_dms_replication_instance")).toHaveLength(0);
  });

  test("every output dmsctl needs exists, described, snake_case", () => {
    const json = synthEnv(config("dev"));
    const outputs = json.output ?? {};
    for (const name of Object.values(OUTPUT_NAMES)) {
      expect(outputs[name]?.description?.length ?? 0).toBeGreaterThan(10);
      expect(name).toMatch(/^[a-z][a-z0-9_]*$/);
    }
    expect(outputs.migrated_schemas.value).toEqual(["ecommerce"]);
  });

  test("prod: multi-AZ target, 3 AZs, Secrets Manager endpoint, detailed monitoring on the source", () => {
    const json = synthEnv(config("prod"));
    expect(only(json, "aws_db_instance")).toMatchObject({
      multi_az: true,
      deletion_protection: true,
      skip_final_snapshot: false,
    });
    expect(resources(json, "aws_subnet")).toHaveLength(6);
    expect(only(json, "aws_vpc_endpoint").service_name).toMatch(/secretsmanager$/);
    expect(only(json, "aws_instance").monitoring).toBe(true);
  });

  test("existing source: no EC2 instance, outputs carry the given host and secret", () => {
    const json = synthEnv(
      config("dev", {
        DMS_MIGRATE_DEV_CONFIG: JSON.stringify({
          source: {
            mode: "existing",
            existing: {
              host: "mysql.corp.example",
              port: 3306,
              secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:onprem-AbCdEf",
            },
          },
        }),
      }),
    );
    expect(resources(json, "aws_instance")).toHaveLength(0);
    expect(json.output?.source_host.value).toBe("mysql.corp.example");
    expect(json.output?.source_dms_secret_arn.value).toBe(
      "arn:aws:secretsmanager:us-east-1:123456789012:secret:onprem-AbCdEf",
    );
  });

  test("cutover outputs: the stable name as a literal, the active side, the assessment storage; no fallback in dev", () => {
    const dev = synthEnv(config("dev")).output!;
    expect(dev.database_record_name.value).toBe("mysql.dmsm-dev.internal");
    expect(dev.active_database.value).toBe("source");
    expect(dev.database_zone_id.value).toMatch(/^\$\{aws_route53_zone\.database-name_zone_[A-Z0-9]+\.zone_id\}$/);
    expect([dev.dms_fallback_task_arn.value, dev.dms_fallback_task_id.value]).toEqual(["", ""]);
    expect(dev.dms_assessment_bucket.value).toMatch(/^\$\{aws_s3_bucket\.dms-assessment_bucket_[A-Z0-9]+\.bucket\}$/);
    expect(dev.dms_assessment_role_arn.value).toMatch(/^\$\{aws_iam_role\.dms-assessment_role_[A-Z0-9]+\.arn\}$/);
    const prod = synthEnv(config("prod")).output!;
    expect(prod.dms_fallback_task_id.value).toBe("dmsm-prod-fallback");
    expect(prod.dms_fallback_task_arn.value).toMatch(
      /^\$\{aws_dms_replication_task\.dms-fallback_task_[A-Z0-9]+\.replication_task_arn\}$/,
    );
  });

  test("the flip is one reviewed value: activeDatabase target moves the CNAME to the RDS address and the output says so", () => {
    const json = synthEnv(
      config("staging", { DMS_MIGRATE_STAGING_CONFIG: JSON.stringify({ cutover: { activeDatabase: "target" } }) }),
    );
    expect(only(json, "aws_route53_record")).toMatchObject({
      name: "mysql.dmsm-staging.internal",
      type: "CNAME",
      ttl: 30,
      records: [expect.stringMatching(/^\$\{aws_db_instance\.target_instance_[A-Z0-9]+\.address\}$/)],
    });
    expect(json.output?.active_database.value).toBe("target");
  });

  test("the fallback (staging, prod): target binlog in ROW format, source DMS user with write grants, DMS3 suppressed on the EC2 stand-in with its reason", () => {
    const app = Testing.app();
    const stack = new MigrationStack(app, "staging", config("staging"));
    const json = synthStack(stack);
    const params = (only(json, "aws_db_parameter_group").parameter as { name: string; value: string }[]).filter(
      (p) => p.name === "binlog_format",
    );
    expect(params).toEqual([{ name: "binlog_format", value: "ROW", apply_method: "immediate" }]);
    expect(String(only(json, "aws_instance").user_data)).toMatch(
      /GRANT ALL PRIVILEGES ON `awsdms_control`\.\* TO 'dms_source'@'%';/,
    );
    const infos = stack
      .fallback!.targetEndpoint.node.metadata.filter((m) => m.type === "@cdktf/info")
      .map((m) => String(m.data));
    expect(infos).toEqual([
      expect.stringMatching(/^\[DMS3\] suppressed: the EC2 source stand-in has no CA known at synth/),
    ]);
    // dev has no fallback: its parameter group and its source user stay as they were
    const dev = synthEnv(config("dev"));
    expect((only(dev, "aws_db_parameter_group").parameter as { name: string }[]).map((p) => p.name)).not.toContain(
      "binlog_format",
    );
    expect(resources(dev, "aws_dms_replication_task")).toHaveLength(1);
  });

  test("an existing source with its CA needs no suppression: the fallback writes it over TLS verify-full", () => {
    const app = Testing.app();
    const stack = new MigrationStack(
      app,
      "staging",
      config("staging", {
        DMS_MIGRATE_STAGING_CONFIG: JSON.stringify({
          source: {
            mode: "existing",
            existing: {
              host: "10.60.1.25",
              secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:s-AbCdEf",
              caCertificatePem: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
            },
          },
        }),
      }),
    );
    app.synth();
    expect(stack.fallback!.targetEndpoint.node.metadata.filter((m) => m.type === "@cdktf/info")).toEqual([]);
    const json = synthStack(stack);
    expect(
      resources(json, "aws_route53_record")
        .map((r) => [r.type, r.name, r.records])
        .sort(),
    ).toEqual([
      ["A", "source.dmsm-staging.internal", ["10.60.1.25"]],
      ["CNAME", "mysql.dmsm-staging.internal", ["source.dmsm-staging.internal"]],
    ]);
  });

  test("throws on a fallback with DMS Serverless built by hand (the configuration check refuses it first)", () => {
    const staging = config("staging", {
      DMS_MIGRATE_STAGING_CONFIG: JSON.stringify({ dms: { mode: "serverless" }, cutover: { fallback: false } }),
    });
    const handMade = { ...staging, cutover: { ...staging.cutover, fallback: true } };
    expect(() => new MigrationStack(Testing.app(), "staging", handMade)).toThrow(
      /cutover\.fallback needs dms\.mode "instance" \(the fallback task shares the replication instance\)/,
    );
  });

  test("no secret value or password attribute anywhere in any environment", () => {
    for (const name of ["dev", "staging", "prod"]) {
      const text = JSON.stringify(synthEnv(config(name)));
      expect(text).not.toMatch(/"password":/);
      expect(text).not.toMatch(/"password_wo":/);
      expect(text).not.toMatch(/"secret_string(_wo)?":/);
    }
  });
});

describe("StateBackendStack", () => {
  test("keeps its own state locally and outputs the bucket", () => {
    const json = synthStack(
      new StateBackendStack(Testing.app(), "state-backend", { bucketName: "b-1", region: "us-east-1", tags: {} }),
    );
    expect((json.terraform as { backend: unknown }).backend).toEqual({
      local: { path: "../../../terraform.state-backend.tfstate" },
    });
    expect(json.output?.state_bucket.value).toMatch(/aws_s3_bucket\..*\.bucket/);
    expect(resources(json, "aws_s3_bucket")[0].bucket).toBe("b-1");
  });

  test("with no name chosen, names the bucket after the account and region (S3 names are global)", () => {
    const json = synthStack(
      new StateBackendStack(Testing.app(), "state-backend", { bucketName: "", region: "eu-west-1", tags: {} }),
    );
    expect(resources(json, "aws_s3_bucket")[0].bucket).toMatch(
      /^dms-migrate-tfstate-\$\{data\.aws_caller_identity\.[\w-]+\.account_id\}-eu-west-1$/,
    );
  });
});

describe("AccountStack", () => {
  test("owns the DMS account roles (manage mode) in its own state key, and outputs their ARNs", () => {
    const json = synthStack(
      new AccountStack(Testing.app(), "account", {
        region: "us-east-1",
        state: { bucket: "acme-dms-tfstate", region: "us-east-1" },
        tags: {},
      }),
    );
    expect((json.terraform as { backend: { s3: { key: string } } }).backend.s3.key).toBe(
      "dms-migrate/account/terraform.tfstate",
    );
    expect(
      resources(json, "aws_iam_role")
        .map((r) => r.name)
        .sort(),
    ).toEqual(["dms-cloudwatch-logs-role", "dms-vpc-role"]);
    expect(Object.keys(json.output ?? {}).sort()).toEqual(["dms_cloudwatch_logs_role_arn", "dms_vpc_role_arn"]);
  });
});
