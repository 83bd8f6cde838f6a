/**
 * scripts/plan-guard.js, the replacement guard the pull-request and apply workflows run on
 * `terraform show -json tfplan`. The fixtures follow that format (format_version 1.2, as Terraform 1.11 writes it:
 * resource_changes[] with address, mode, type, name, provider_name, change.{actions, before, after, after_unknown,
 * before_sensitive, after_sensitive, replace_paths}, action_reason), and the last tests run the guard on plans
 * Terraform itself writes (terraform_data: no provider, offline).
 */
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Readable } from "stream";
import { EXIT, GUARDED, NOT_GUARDED, findHits, main, parsePlan, renderMarkdown } from "../scripts/plan-guard";

const root = path.resolve(__dirname, "..");
const script = path.join(root, "scripts", "plan-guard.js");

/** Planted in every fixture where a plan carries values: it must never reach the guard's output. */
const SECRET = "Xq7-pw-DO-NOT-PRINT-9f3e1c";

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The guard as the workflows run it: `... | node scripts/plan-guard.js [args]`. */
function guard(input: string, args: string[] = [], env: Record<string, string> = {}): Run {
  const base = { ...process.env };
  delete base.PLAN_GUARD_ALLOW;
  const r = spawnSync(process.execPath, [script, ...args], { input, encoding: "utf8", env: { ...base, ...env } });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// ---------------------------------------------------------------------------------------------------------------
// Fixtures in the `terraform show -json <planfile>` format
// ---------------------------------------------------------------------------------------------------------------

const AWS = "registry.terraform.io/hashicorp/aws";
const ACCOUNT = "123456789012";

interface ChangeSpec {
  type: string;
  name: string;
  actions: string[];
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
  afterUnknown?: Record<string, unknown>;
  beforeSensitive?: Record<string, unknown> | boolean;
  afterSensitive?: Record<string, unknown> | boolean;
  replacePaths?: (string | number)[][];
  actionReason?: string;
  module?: string;
  index?: number | string;
  deposed?: string;
}

function resourceChange(s: ChangeSpec): Record<string, unknown> {
  const key =
    s.index === undefined ? "" : typeof s.index === "number" ? `[${s.index}]` : `[${JSON.stringify(s.index)}]`;
  const address = `${s.module ? `${s.module}.` : ""}${s.type}.${s.name}${key}`;
  const deleting = s.actions.includes("delete");
  const creating = s.actions.includes("create");
  return {
    address,
    ...(s.module ? { module_address: s.module } : {}),
    mode: "managed",
    type: s.type,
    name: s.name,
    ...(s.index === undefined ? {} : { index: s.index }),
    ...(s.deposed ? { deposed: s.deposed } : {}),
    provider_name: AWS,
    change: {
      actions: s.actions,
      before: s.before ?? null,
      after: creating || !deleting ? (s.after ?? s.before ?? null) : null,
      after_unknown: s.afterUnknown ?? {},
      before_sensitive: s.before ? (s.beforeSensitive ?? {}) : false,
      after_sensitive: creating || !deleting ? (s.afterSensitive ?? {}) : false,
      ...(s.replacePaths ? { replace_paths: s.replacePaths } : {}),
    },
    ...(s.actionReason ? { action_reason: s.actionReason } : {}),
  };
}

/** A whole plan document around the given resource changes (omitted, as Terraform does, when there are none). */
function planJson(changes: Record<string, unknown>[]): string {
  return JSON.stringify({
    format_version: "1.2",
    terraform_version: "1.11.4",
    // a sensitive input variable: `terraform show -json` prints its value in clear text
    variables: { source_password: { value: SECRET } },
    planned_values: { root_module: { resources: [] } },
    ...(changes.length > 0 ? { resource_changes: changes } : {}),
    prior_state: { format_version: "1.0", terraform_version: "1.11.4", values: { root_module: {} } },
    configuration: {
      provider_config: { aws: { name: "aws", full_name: AWS, version_constraint: "6.25.0" } },
      root_module: {},
    },
    timestamp: "2025-06-02T09:14:03Z",
    applyable: true,
    complete: true,
    errored: false,
  });
}

const arn = (service: string, resource: string): string => `arn:aws:${service}:us-east-1:${ACCOUNT}:${resource}`;

/** The DMS task replaced because its replication instance is replaced (publicly_accessible is ForceNew there). */
const instanceReplaced = resourceChange({
  type: "aws_dms_replication_instance",
  name: "dms_instance_6F3A2B1C",
  actions: ["delete", "create"],
  before: {
    replication_instance_id: "dms-migrate-prod",
    replication_instance_class: "dms.t3.micro",
    replication_instance_arn: arn("dms", "rep:ABCDEF1234567890"),
    publicly_accessible: true,
    allocated_storage: 50,
  },
  after: {
    replication_instance_id: "dms-migrate-prod",
    replication_instance_class: "dms.t3.micro",
    publicly_accessible: false,
    allocated_storage: 50,
  },
  afterUnknown: { replication_instance_arn: true, replication_instance_private_ips: true },
  replacePaths: [["publicly_accessible"]],
  actionReason: "replace_because_cannot_update",
});
const taskReplaced = resourceChange({
  type: "aws_dms_replication_task",
  name: "dms_task_4D2E9A7F",
  actions: ["delete", "create"],
  before: {
    replication_task_id: "dms-migrate-prod-full-load-and-cdc",
    migration_type: "full-load-and-cdc",
    replication_instance_arn: arn("dms", "rep:ABCDEF1234567890"),
    source_endpoint_arn: arn("dms", "endpoint:SRC123"),
    target_endpoint_arn: arn("dms", "endpoint:TGT456"),
    replication_task_settings: '{"FullLoadSettings":{"TargetTablePrepMode":"TRUNCATE_BEFORE_LOAD"}}',
    start_replication_task: true,
  },
  after: {
    replication_task_id: "dms-migrate-prod-full-load-and-cdc",
    migration_type: "full-load-and-cdc",
    source_endpoint_arn: arn("dms", "endpoint:SRC123"),
    target_endpoint_arn: arn("dms", "endpoint:TGT456"),
    start_replication_task: true,
  },
  afterUnknown: { replication_instance_arn: true, replication_task_arn: true, status: true },
  replacePaths: [["replication_instance_arn"]],
  actionReason: "replace_because_cannot_update",
});
/** The target endpoint, updated in place: password is sensitive in the provider schema. */
const endpointUpdated = resourceChange({
  type: "aws_dms_endpoint",
  name: "dms_target-endpoint_0B1C2D3E",
  actions: ["update"],
  before: { endpoint_id: "dms-migrate-prod-target", ssl_mode: "verify-full", password: SECRET },
  after: { endpoint_id: "dms-migrate-prod-target", ssl_mode: "verify-full", password: `${SECRET}-rotated` },
  beforeSensitive: { password: true },
  afterSensitive: { password: true },
});
const dbDestroyed = resourceChange({
  type: "aws_db_instance",
  name: "target_instance_5A6B7C8D",
  module: "module.target",
  actions: ["delete"],
  before: {
    identifier: "dms-migrate-prod-target",
    engine: "mysql",
    instance_class: "db.t4g.micro",
    password: SECRET,
    deletion_protection: true,
  },
  beforeSensitive: { password: true },
  actionReason: "delete_because_no_resource_config",
});
const alarmReplaced = resourceChange({
  type: "aws_cloudwatch_metric_alarm",
  name: "cdc-latency-target_alarm_11AA22BB",
  actions: ["delete", "create"],
  before: { alarm_name: "dms-migrate-prod-cdc-latency-target", threshold: 300 },
  after: { alarm_name: "dms-migrate-prod-cdc-latency", threshold: 300 },
  replacePaths: [["alarm_name"]],
  actionReason: "replace_because_cannot_update",
});
const secretCreated = resourceChange({
  type: "aws_secretsmanager_secret",
  name: "source_dms-secret_9E8D7C6B",
  actions: ["create"],
  after: { name_prefix: "dms-migrate-prod/dms/source-", recovery_window_in_days: 7 },
  afterUnknown: { arn: true, id: true, name: true },
});
const parameterGroupReplaced = resourceChange({
  type: "aws_db_parameter_group",
  name: "target_parameter-group_3C4D5E6F",
  actions: ["create", "delete"],
  before: { name_prefix: "dms-migrate-prod-target-", family: "mysql8.0" },
  after: { name_prefix: "dms-migrate-prod-target-", family: "mysql8.4" },
  replacePaths: [["family"]],
  actionReason: "replace_because_cannot_update",
});

// ---------------------------------------------------------------------------------------------------------------

describe("plan-guard: what it reports", () => {
  test("a DMS task replaced: exit 3, the address, replace, the reason and the attribute that forces it", () => {
    const r = guard(planJson([endpointUpdated, instanceReplaced, taskReplaced]));
    expect(r.stderr).toBe("");
    expect(r.status).toBe(EXIT.HIT);
    expect(r.stdout).toMatch(/^#### :warning: Replacement guard: 2 stateful resources are replaced or destroyed$/m);
    expect(r.stdout).toContain("**replace** (destroy, then create) `aws_dms_replication_task.dms_task_4D2E9A7F`");
    expect(r.stdout).toContain(
      "**replace** (destroy, then create) `aws_dms_replication_instance.dms_instance_6F3A2B1C`",
    );
    expect(r.stdout).toContain("Why: `replace_because_cannot_update`");
    expect(r.stdout).toContain("Forced by: `replication_instance_arn`");
    expect(r.stdout).toContain("Forced by: `publicly_accessible`");
    expect(r.stdout).toMatch(/re-runs the full load with the target table prep mode/);
    expect(r.stdout).toMatch(/after cutover this wipes rows written on the target/);
    // the endpoint is only updated
    expect(r.stdout).not.toContain("aws_dms_endpoint.dms_target-endpoint_0B1C2D3E");
    expect(r.stdout).toContain("Checked 3 resource changes.");
  });

  test("the RDS target destroyed: exit 3, destroy, why, what it costs", () => {
    const r = guard(planJson([dbDestroyed, secretCreated]));
    expect(r.status).toBe(EXIT.HIT);
    expect(r.stdout).toContain("**destroy** `module.target.aws_db_instance.target_instance_5A6B7C8D`");
    expect(r.stdout).toContain(
      "`delete_because_no_resource_config` (its resource block was removed from the configuration)",
    );
    expect(r.stdout).toMatch(/deleted and created empty: every row migrated or written since is gone/);
    expect(r.stdout).toMatch(/^#### :warning: Replacement guard: 1 stateful resource is replaced or destroyed$/m);
  });

  test("only creates and in-place updates: exit 0, and it says so", () => {
    const r = guard(planJson([endpointUpdated, secretCreated]));
    expect(r.status).toBe(EXIT.OK);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^#### Replacement guard: no stateful resource is replaced or destroyed$/m);
    expect(r.stdout).toContain("Checked 2 resource changes.");
  });

  test("a replaced resource of an unguarded type (alarm, create_before_destroy parameter group): exit 0", () => {
    const r = guard(planJson([alarmReplaced, parameterGroupReplaced, secretCreated]));
    expect(r.status).toBe(EXIT.OK);
    expect(r.stdout).not.toContain("aws_cloudwatch_metric_alarm.");
    expect(r.stdout).toMatch(/no stateful resource is replaced or destroyed/);
  });

  test("a plan without changes (Terraform then omits resource_changes): exit 0", () => {
    const r = guard(planJson([]));
    expect(r.status).toBe(EXIT.OK);
    expect(r.stdout).toContain("Checked 0 resource changes.");
  });

  test("--allow and PLAN_GUARD_ALLOW=1: exit 0, still reported", () => {
    const input = planJson([taskReplaced]);
    for (const r of [guard(input, ["--allow"]), guard(input, [], { PLAN_GUARD_ALLOW: "1" })]) {
      expect(r.status).toBe(EXIT.OK);
      expect(r.stdout).toContain("**replace** (destroy, then create) `aws_dms_replication_task.dms_task_4D2E9A7F`");
      expect(r.stdout).toContain("_Reported only: --allow or PLAN_GUARD_ALLOW=1 is set, so the guard passes._");
    }
    expect(guard(input, [], { PLAN_GUARD_ALLOW: "0" }).status).toBe(EXIT.HIT);
    const odd = guard(input, [], { PLAN_GUARD_ALLOW: "maybe" });
    expect(odd.status).toBe(EXIT.BAD_INPUT);
    expect(odd.stderr).toMatch(/PLAN_GUARD_ALLOW must be 1 or 0/);
  });

  test("reads a file argument as well as stdin", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-guard-"));
    try {
      const file = path.join(dir, "plan.json");
      fs.writeFileSync(file, planJson([dbDestroyed]));
      const r = guard("", [file]);
      expect(r.status).toBe(EXIT.HIT);
      expect(r.stdout).toContain("`module.target.aws_db_instance.target_instance_5A6B7C8D`");
      const missing = guard("", [path.join(dir, "nope.json")]);
      expect(missing.status).toBe(EXIT.BAD_INPUT);
      expect(missing.stderr).toMatch(/cannot read .*nope\.json: ENOENT/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("create_before_destroy replacements, deposed objects, count/for_each instances", () => {
    const hits = findHits(
      parsePlan(
        planJson([
          resourceChange({
            type: "aws_kms_key",
            name: "alerts_key",
            actions: ["create", "delete"],
            before: { description: "k" },
            after: { description: "k" },
            replacePaths: [["customer_master_key_spec"]],
            actionReason: "replace_because_cannot_update",
          }),
          resourceChange({
            type: "aws_dms_endpoint",
            name: "source",
            actions: ["delete"],
            before: { endpoint_id: "x" },
            deposed: "a1b2c3d4",
          }),
          resourceChange({
            type: "aws_s3_bucket",
            name: "state",
            index: "prod",
            actions: ["delete", "create"],
            before: { bucket: "b" },
            after: { bucket: "c" },
            replacePaths: [["bucket"]],
            actionReason: "replace_by_request",
          }),
          resourceChange({
            type: "aws_dms_replication_config",
            name: "serverless",
            index: 0,
            actions: ["delete"],
            before: { replication_config_identifier: "r" },
            actionReason: "delete_because_count_index",
          }),
        ]),
      ),
    ).hits;
    expect(hits.map((h) => [h.address, h.action, h.order])).toEqual([
      ["aws_kms_key.alerts_key", "replace", "create, then destroy"],
      ["aws_dms_endpoint.source", "destroy", undefined],
      ['aws_s3_bucket.state["prod"]', "replace", "destroy, then create"],
      ["aws_dms_replication_config.serverless[0]", "destroy", undefined],
    ]);
    expect(hits[1].deposed).toBe("a1b2c3d4");
    // destroyed without a replacement: the task is not re-run, replication stops
    expect(hits[3].consequence).toMatch(/replication stops for good/);
    const md = renderMarkdown({ hits, changes: 4 });
    expect(md).toContain("(deposed object `a1b2c3d4`)");
    expect(md).toContain("`replace_by_request` (requested with -replace)");
  });

  test("aws_iam_role: only the two account-wide DMS roles, matched by name", () => {
    const role = (name: string, roleName: string) =>
      resourceChange({
        type: "aws_iam_role",
        name,
        actions: ["delete", "create"],
        before: { name: roleName },
        after: { name: roleName },
        replacePaths: [["name"]],
        actionReason: "replace_because_cannot_update",
      });
    const hits = findHits(
      parsePlan(
        planJson([
          role("dms_vpc-role_1", "dms-vpc-role"),
          role("logs", "dms-cloudwatch-logs-role"),
          role("source_role", "dms-migrate-prod-source"),
        ]),
      ),
    ).hits;
    expect(hits.map((h) => h.address)).toEqual(["aws_iam_role.dms_vpc-role_1", "aws_iam_role.logs"]);
    const destroyed = resourceChange({
      type: "aws_iam_role",
      name: "gone",
      actions: ["delete"],
      before: { name: "dms-vpc-role" },
    });
    expect(findHits(parsePlan(planJson([destroyed]))).hits.map((h) => h.action)).toEqual(["destroy"]);
  });

  test("replacing the stable database name's zone is a hit; updating its record (a flip) is not", () => {
    const zone = {
      address: "aws_route53_zone.db_zone",
      mode: "managed",
      type: "aws_route53_zone",
      name: "db_zone",
      change: { actions: ["delete", "create"], before: {}, after: {} },
    };
    const flip = {
      address: "aws_route53_record.db_record",
      mode: "managed",
      type: "aws_route53_record",
      name: "db_record",
      change: { actions: ["update"], before: {}, after: {} },
    };
    expect(findHits(parsePlan(planJson([zone, flip]))).hits.map((h) => [h.address, h.action])).toEqual([
      ["aws_route53_zone.db_zone", "replace"],
    ]);
  });

  test("every rule type has a consequence; guarded and deliberately unguarded types do not overlap", () => {
    for (const [type, rule] of Object.entries(GUARDED)) {
      expect([type, rule.what.length > 0, rule.consequence.length > 20]).toEqual([type, true, true]);
    }
    expect(Object.keys(GUARDED)).toEqual(
      expect.arrayContaining([
        "aws_dms_replication_task",
        "aws_dms_replication_config",
        "aws_dms_replication_instance",
        "aws_dms_endpoint",
        "aws_db_instance",
        "aws_secretsmanager_secret",
        "aws_s3_bucket",
        "aws_kms_key",
        "aws_iam_role",
        "aws_route53_zone",
        "aws_route53_record",
      ]),
    );
    expect(Object.keys(NOT_GUARDED).filter((t) => t in GUARDED)).toEqual([]);
    expect(Object.keys(NOT_GUARDED)).toEqual(
      expect.arrayContaining(["aws_db_parameter_group", "aws_cloudwatch_metric_alarm"]),
    );
  });
});

describe("plan-guard: sensitive values", () => {
  test("no value of the plan reaches the output, for a hit, a pass, or bad input", () => {
    const outputs = [
      guard(planJson([endpointUpdated, dbDestroyed, taskReplaced])),
      guard(planJson([endpointUpdated])),
      guard(planJson([dbDestroyed]), ["--allow"]),
      // broken JSON right after the secret: the parser's own message would quote it
      guard(`{"variables": {"p": {"value": "${SECRET}" oops}}}`),
      guard(`${SECRET} is not a plan`),
      guard(
        JSON.stringify({
          format_version: "1.0",
          terraform_version: "1.11.4",
          values: { outputs: { p: { value: SECRET } } },
        }),
      ),
    ];
    expect(outputs.map((r) => r.status)).toEqual([3, 0, 0, 1, 1, 1]);
    for (const r of outputs) {
      expect(r.stdout).not.toContain(SECRET);
      expect(r.stderr).not.toContain(SECRET);
      // nor any other value of the fixtures (ARNs, identifiers)
      expect(r.stdout).not.toContain(ACCOUNT);
      expect(r.stdout).not.toContain("dms-migrate-prod-target");
    }
  });

  test("a replace path that enters a sensitive attribute stops there", () => {
    const change = resourceChange({
      type: "aws_db_instance",
      name: "target",
      actions: ["delete", "create"],
      before: { identifier: "t", engine_settings: { secrets: { admin: SECRET } } },
      after: { identifier: "t", engine_settings: { secrets: { admin: `${SECRET}2` } } },
      beforeSensitive: { engine_settings: { secrets: true } },
      afterSensitive: { engine_settings: { secrets: true } },
      replacePaths: [
        ["engine_settings", "secrets", "admin-key"],
        ["storage_encrypted"],
        ["tags", "cost center"],
        ["block", 0, "size"],
      ],
      actionReason: "replace_because_cannot_update",
    });
    const [hit] = findHits(parsePlan(planJson([change]))).hits;
    expect(hit.replacePaths).toEqual([
      "engine_settings.secrets (sensitive)",
      "storage_encrypted",
      'tags["cost center"]',
      "block[0].size",
    ]);
    expect(renderMarkdown({ hits: [hit], changes: 1 })).not.toContain("admin-key");
  });
});

describe("plan-guard: bad input", () => {
  test.each([
    ["empty input", "", /no input/],
    ["not JSON", "Terraform will perform the following actions:", /the input is not JSON: .*does not start with `\{`/],
    ["truncated JSON", planJson([taskReplaced]).slice(0, 200), /the input is not JSON: it ends early/],
    ["a JSON array", "[]", /JSON but not an object, so not a Terraform plan/],
    ["JSON without format_version", '{"resource_changes": []}', /without a format_version: not a Terraform plan/],
    [
      "a state, not a plan",
      '{"format_version": "1.0", "values": {}}',
      /no resource_changes: a state \(terraform show -json without a plan file\)/,
    ],
    [
      "another format",
      '{"format_version": "2.0", "resource_changes": []}',
      /format_version is "2\.0": this guard reads format 1\.x/,
    ],
    [
      "resource_changes not a list",
      '{"format_version": "1.2", "resource_changes": {}}',
      /resource_changes is not an array/,
    ],
    [
      "a change without actions",
      '{"format_version": "1.2", "resource_changes": [{"address": "a.b", "type": "a", "change": {}}]}',
      /resource_changes\[0\] \(a\.b\) has no change\.actions array/,
    ],
  ])("%s: exit 1 with a message naming the problem", (_name, input, message) => {
    const r = guard(input);
    expect(r.status).toBe(EXIT.BAD_INPUT);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^plan-guard: /);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/terraform show -json|format 1\.x|not an array|change\.actions/);
  });

  test("an unknown option or two files: exit 1 with the usage", () => {
    for (const args of [["--force"], ["a.json", "b.json"]]) {
      const r = guard(planJson([]), args);
      expect(r.status).toBe(EXIT.BAD_INPUT);
      expect(r.stderr).toMatch(/usage: terraform show -json <planfile> \| node scripts\/plan-guard\.js/);
    }
  });

  test("main() resolves to the exit code (the API the CLI uses)", async () => {
    let out = "";
    let err = "";
    const io = (text: string) => ({
      stdin: Object.assign(Readable.from([text]), { isTTY: false }),
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: (s: string) => (err += s) },
      env: {},
    });
    await expect(main([], io(planJson([taskReplaced])))).resolves.toBe(3);
    expect(out).toContain("aws_dms_replication_task.dms_task_4D2E9A7F");
    await expect(main(["--allow"], io(planJson([taskReplaced])))).resolves.toBe(0);
    await expect(main([], io("nope"))).resolves.toBe(1);
    expect(err).toMatch(/plan-guard: the input is not JSON/);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Plans Terraform itself writes (terraform_data is built in: no provider, no network)
// ---------------------------------------------------------------------------------------------------------------

interface TfRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

function tf(bin: string, cwd: string, args: string[]): Promise<TfRun> {
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TMPDIR: process.env.TMPDIR,
    TF_CLI_CONFIG_FILE: "/dev/null",
    TF_IN_AUTOMATION: "1",
    TF_INPUT: "0",
    CHECKPOINT_DISABLE: "1",
  };
  return new Promise((resolve, reject) => {
    const child = spawn(bin, [...args, "-no-color"], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

describe("plan-guard on plans from terraform itself", () => {
  const CONFIG = `
variable "instance_class" {
  type    = string
  default = "dms.t3.micro"
}
variable "password" {
  type      = string
  default   = "${SECRET}"
  sensitive = true
}
resource "terraform_data" "task" {
  triggers_replace = { replication_instance_class = var.instance_class }
  input            = var.password
}
resource "terraform_data" "parameter_group" {
  triggers_replace = [var.instance_class]
  lifecycle {
    create_before_destroy = true
  }
}
resource "terraform_data" "updated" {
  input = var.instance_class
}
`;
  let dir = "";
  const bin = "terraform";
  const plans: Record<string, string> = {};

  beforeAll(async () => {
    const version = spawnSync(bin, ["version"], { encoding: "utf8" });
    if (version.error || version.status !== 0) {
      // as in test/terraform: no Terraform is a failure, never a skip
      throw new Error(
        "terraform not found on PATH: these tests need Terraform >= 1.10 (https://developer.hashicorp.com/terraform/install)",
      );
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-guard-tf-"));
    fs.writeFileSync(path.join(dir, "main.tf"), CONFIG);
    const must = async (args: string[]): Promise<string> => {
      const r = await tf(bin, dir, args);
      if (r.status !== 0) throw new Error(`terraform ${args.join(" ")} exited ${r.status}\n${r.stdout}\n${r.stderr}`);
      return r.stdout;
    };
    await must(["init", "-input=false"]);
    await must(["apply", "-auto-approve", "-input=false"]);
    await must(["plan", "-input=false", "-out=same.tfplan"]);
    plans.same = await must(["show", "-json", "same.tfplan"]);
    await must(["plan", "-input=false", "-var", "instance_class=dms.t3.large", "-out=changed.tfplan"]);
    plans.changed = await must(["show", "-json", "changed.tfplan"]);
    await must(["plan", "-input=false", "-replace=terraform_data.updated", "-out=replace.tfplan"]);
    plans.replace = await must(["show", "-json", "replace.tfplan"]);
    await must(["plan", "-input=false", "-destroy", "-out=destroy.tfplan"]);
    plans.destroy = await must(["show", "-json", "destroy.tfplan"]);
    plans.state = await must(["show", "-json"]);
    fs.writeFileSync(path.join(dir, "main.tf"), 'output "x" {\n  value = 1\n}\n');
    fs.rmSync(path.join(dir, "terraform.tfstate"));
    await must(["plan", "-input=false", "-out=empty.tfplan"]);
    plans.empty = await must(["show", "-json", "empty.tfplan"]);
  }, 120_000);

  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** The same plan with terraform_data.<name> recast as a guarded AWS type (what the guard reads is the same). */
  const recast = (json: string, name: string, type: string): string => {
    const plan = JSON.parse(json);
    for (const rc of plan.resource_changes ?? []) {
      if (rc.name === name) {
        rc.type = type;
        rc.address = rc.address.replace(/^terraform_data\./, `${type}.`);
      }
    }
    return JSON.stringify(plan);
  };

  test("the real format: what the fixtures above assume", () => {
    const plan = JSON.parse(plans.changed);
    expect(plan.format_version).toMatch(/^1\./);
    const task = plan.resource_changes.find((rc: { address: string }) => rc.address === "terraform_data.task");
    expect(task).toMatchObject({
      mode: "managed",
      type: "terraform_data",
      name: "task",
      change: {
        actions: ["delete", "create"],
        replace_paths: [["triggers_replace"]],
        before_sensitive: { input: true },
      },
      action_reason: "replace_because_cannot_update",
    });
    const cbd = plan.resource_changes.find(
      (rc: { address: string }) => rc.address === "terraform_data.parameter_group",
    );
    expect(cbd.change.actions).toEqual(["create", "delete"]);
    // the sensitive value is in the JSON in clear text: why the guard never prints a value
    expect(plans.changed).toContain(SECRET);
    // no resource: no resource_changes at all
    expect(JSON.parse(plans.empty).resource_changes).toBeUndefined();
  });

  test("unguarded types replaced, a plan without changes, an empty plan: exit 0", () => {
    for (const which of ["changed", "same", "empty"]) {
      const r = guard(plans[which]);
      expect([which, r.status, r.stderr]).toEqual([which, 0, ""]);
      expect(r.stdout).toMatch(/no stateful resource is replaced or destroyed/);
    }
  });

  test("the same plans with the replaced resource as a DMS task: exit 3, replace paths and reasons from Terraform", () => {
    const changed = guard(recast(plans.changed, "task", "aws_dms_replication_task"));
    expect(changed.status).toBe(3);
    expect(changed.stdout).toContain("**replace** (destroy, then create) `aws_dms_replication_task.task`");
    expect(changed.stdout).toContain("Forced by: `triggers_replace`");
    const cbd = guard(recast(plans.changed, "parameter_group", "aws_db_instance"));
    expect(cbd.stdout).toContain("**replace** (create, then destroy) `aws_db_instance.parameter_group`");
    const replace = guard(recast(plans.replace, "updated", "aws_dms_endpoint"));
    expect(replace.status).toBe(3);
    expect(replace.stdout).toContain("`replace_by_request` (requested with -replace)");
    const destroy = guard(recast(plans.destroy, "task", "aws_dms_replication_task"));
    expect(destroy.status).toBe(3);
    expect(destroy.stdout).toContain("**destroy** `aws_dms_replication_task.task`");
    for (const r of [changed, cbd, replace, destroy]) expect(r.stdout).not.toContain(SECRET);
  });

  test("the state (terraform show -json without a plan) is refused", () => {
    const r = guard(plans.state);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/a state \(terraform show -json without a plan file\)/);
    expect(r.stderr).not.toContain(SECRET);
  });
});
