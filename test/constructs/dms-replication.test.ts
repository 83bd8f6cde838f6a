import { TerraformStack, Testing } from "cdktf";
import { Construct } from "constructs";
import { DmsAccountRoles } from "../../constructs/dms-account-roles";
import { DmsReplicationWiring } from "../../constructs/dms-replication";
import { DmsInstanceReplication, DmsInstanceReplicationProps } from "../../constructs/dms-instance-replication";
import { DmsServerlessReplication, DmsServerlessReplicationProps } from "../../constructs/dms-serverless-replication";
import { DMS_TASK_METRICS } from "../../constructs/metrics";
import { Network } from "../../constructs/network";
import { SourceMysql } from "../../constructs/source-mysql";
import { TargetRds } from "../../constructs/target-rds";
import { tableSelection } from "../../model/table-selection";
import { dataSources, only, resources, synthJson, TerraformJson, taskLogGroup } from "../helpers";

const CA_PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

type WireOptions = { existingSource?: boolean; sourceCa?: string; endpoint?: boolean };

function wire(scope: Construct, opts: WireOptions): DmsReplicationWiring {
  const network = new Network(scope, "network", { namePrefix: "t", secretsManagerEndpoint: opts.endpoint ?? true });
  const target = new TargetRds(scope, "target", { namePrefix: "t", network });
  const source = opts.existingSource
    ? SourceMysql.fromExisting(scope, "source", {
        host: "db.corp",
        secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:src-AbCdEf",
        caCertificatePem: opts.sourceCa,
      })
    : new SourceMysql(scope, "source", { namePrefix: "t", network });
  const accountRoles = new DmsAccountRoles(scope, "dms-account-roles", {});
  return {
    namePrefix: "t",
    region: "us-east-1",
    network,
    source,
    target,
    accountRoles,
    tables: tableSelection(["ecommerce.%"]),
  };
}

function build(
  scope: Construct,
  props: Partial<DmsInstanceReplicationProps> = {},
  opts: WireOptions = {},
): DmsInstanceReplication {
  return new DmsInstanceReplication(scope, "dms", { ...wire(scope, opts), ...props });
}

function buildServerless(
  scope: Construct,
  props: Partial<DmsServerlessReplicationProps> = {},
): DmsServerlessReplication {
  return new DmsServerlessReplication(scope, "dms", { ...wire(scope, {}), ...props });
}

function policyDoc(json: TerraformJson, idPart: string) {
  const entry = Object.entries(json.data?.aws_iam_policy_document ?? {}).find(([k]) => k.includes(idPart));
  if (!entry) throw new Error(`no policy document ${idPart}`);
  return entry[1].statement as {
    sid?: string;
    actions: string[];
    resources?: string[];
    principals?: { type: string; identifiers: string[] }[];
  }[];
}

describe("DmsAccountRoles", () => {
  test("manage: creates dms-vpc-role and dms-cloudwatch-logs-role with their managed policies, kept from destroy, then waits 10 s", () => {
    const json = synthJson((s) => new DmsAccountRoles(s, "roles", { mode: "manage" }));
    const roles = resources(json, "aws_iam_role");
    expect(roles.map((r) => r.name).sort()).toEqual(["dms-cloudwatch-logs-role", "dms-vpc-role"]);
    expect(roles.every((r) => (r.lifecycle as { prevent_destroy?: boolean }).prevent_destroy === true)).toBe(true);
    expect(policyDoc(json, "trust")[0].principals).toEqual([{ type: "Service", identifiers: ["dms.amazonaws.com"] }]);
    expect(
      resources(json, "aws_iam_role_policy_attachment")
        .map((a) => String(a.policy_arn).replace(/^.*:policy\//, ""))
        .sort(),
    ).toEqual(["service-role/AmazonDMSCloudWatchLogsRole", "service-role/AmazonDMSVPCManagementRole"]);
    const sleep = only(json, "time_sleep");
    expect(sleep.create_duration).toBe("10s");
    expect(sleep.depends_on).toHaveLength(2);
  });

  test("manage: DMS may assume the roles only on behalf of this account (aws:SourceAccount)", () => {
    const json = synthJson((s) => new DmsAccountRoles(s, "roles", { mode: "manage" }));
    const condition = (
      policyDoc(json, "trust")[0] as unknown as { condition: { test: string; variable: string; values: string[] }[] }
    ).condition;
    expect(condition).toEqual([
      {
        test: "StringEquals",
        variable: "aws:SourceAccount",
        values: [expect.stringMatching(/^\$\{data\.aws_caller_identity\.[\w-]+\.account_id\}$/)],
      },
    ]);
  });

  test("manage: adopts a role that already exists (the DMS console makes dms-vpc-role) through import blocks over the lookups", () => {
    const json = synthJson((s) => new DmsAccountRoles(s, "roles", { mode: "manage" }));
    const lookups = Object.entries(json.data?.aws_iam_roles ?? {}) as [string, { name_regex: string }][];
    expect(lookups.map(([, l]) => l.name_regex).sort()).toEqual(["^dms-cloudwatch-logs-role$", "^dms-vpc-role$"]);
    const imports = (json as unknown as { import: { for_each: string; to: string; id: string }[] }).import;
    expect(imports).toHaveLength(2);
    for (const [name, lookup] of lookups) {
      const block = imports.find((i) => i.for_each.includes(`data.aws_iam_roles.${name}.names`))!;
      const roleName = lookup.name_regex.slice(1, -1);
      const [type, id] = block.to.split(".");
      expect(type).toBe("aws_iam_role");
      expect((json.resource?.aws_iam_role as Record<string, { name: string }>)[id].name).toBe(roleName);
      expect(block.id).toBe("${each.value}");
    }
  });

  test("lookup (the default, every environment): no role resources; the plan stops with a clear message when the account stack is missing", () => {
    const json = synthJson((s) => new DmsAccountRoles(s, "roles"));
    expect(resources(json, "aws_iam_role")).toHaveLength(0);
    expect((json as unknown as { import?: unknown }).import).toBeUndefined();
    const lookups = dataSources(json, "aws_iam_roles") as {
      name_regex: string;
      lifecycle: { postcondition: { condition: string; error_message: string }[] };
    }[];
    expect(lookups.map((l) => l.name_regex).sort()).toEqual(["^dms-cloudwatch-logs-role$", "^dms-vpc-role$"]);
    for (const l of lookups) {
      expect(l.lifecycle.postcondition).toEqual([
        {
          condition: "${length(self.names) == 1}",
          error_message: expect.stringMatching(/does not exist in this account\. Apply the account stack first/),
        },
      ]);
    }
  });

  test("throws on a wait over 5 minutes and on an unknown mode", () => {
    expect(() =>
      synthJson((s) => new DmsAccountRoles(s, "roles", { mode: "manage", propagationWaitSeconds: 301 })),
    ).toThrow(/propagationWaitSeconds must be an integer between 0 and 300, got 301/);
    expect(() => synthJson((s) => new DmsAccountRoles(s, "roles", { mode: "create" as never }))).toThrow(
      /mode must be one of "manage", "lookup", got "create"/,
    );
  });
});

describe("DmsReplication (instance)", () => {
  const json = synthJson((s) => build(s, { alertTopicArn: "arn:aws:sns:us-east-1:123456789012:DMSAlertTopic" }));
  const instance = only(json, "aws_dms_replication_instance");
  const task = only(json, "aws_dms_replication_task");

  test("free-tier instance, private, pinned engine (later upgrades by AWS ignored), after the account roles and the Secrets Manager endpoint", () => {
    expect(instance).toMatchObject({
      replication_instance_class: "dms.t3.micro",
      allocated_storage: 50,
      engine_version: "3.6.1",
      auto_minor_version_upgrade: false,
      publicly_accessible: false,
      multi_az: false,
    });
    expect(instance.lifecycle).toEqual({ ignore_changes: ["engine_version"] });
    expect(instance.depends_on).toEqual([
      expect.stringMatching(/^data\.aws_iam_roles\.[\w-]+vpc-role-lookup/),
      expect.stringMatching(/^data\.aws_iam_roles\.[\w-]+cloudwatch-logs-role-lookup/),
      expect.stringMatching(/^aws_vpc_endpoint\.network_secretsmanager-endpoint/),
    ]);
    const sg = only(json, "aws_dms_replication_subnet_group");
    expect(JSON.stringify(sg.subnet_ids)).toMatch(/private-0.*private-1/);
    expect(sg.depends_on).toHaveLength(2);
  });

  test("its security group is the only one allowed to reach MySQL on the source and the target", () => {
    const ingress = resources(json, "aws_vpc_security_group_ingress_rule").filter((r) => r.from_port === 3306);
    const fromDms = ingress.filter((r) => String(r.referenced_security_group_id).includes("dms_sg"));
    expect(fromDms.map((r) => String(r.security_group_id).match(/aws_security_group\.(\w+?)_sg/)?.[1]).sort()).toEqual([
      "source",
      "target",
    ]);
    expect(ingress.every((r) => r.referenced_security_group_id && !r.cidr_ipv4)).toBe(true);
    const dmsIngress = resources(json, "aws_vpc_security_group_ingress_rule").filter((r) =>
      String(r.security_group_id).includes("dms_sg"),
    );
    expect(dmsIngress).toHaveLength(0);
    const egress = resources(json, "aws_vpc_security_group_egress_rule").filter((r) =>
      String(r.security_group_id).includes("dms_sg"),
    );
    expect(
      egress
        .map(
          (e) =>
            `${e.from_port}:${e.cidr_ipv4 ?? String(e.referenced_security_group_id).match(/aws_security_group\.(\w+?)_/)?.[1]}`,
        )
        .sort(),
    ).toEqual(["3306:source", "3306:target", "443:network"]);
  });

  test("endpoints read credentials from Secrets Manager only; TLS verify-full to the target with the RDS regional CA", () => {
    const endpoints = resources(json, "aws_dms_endpoint");
    expect(endpoints).toHaveLength(2);
    for (const e of endpoints) {
      expect(e).toMatchObject({
        engine_name: "mysql",
        secrets_manager_access_role_arn: expect.stringMatching(/aws_iam_role\.dms_secrets-role/),
      });
      expect(e.secrets_manager_arn).toMatch(/aws_secretsmanager_secret\./);
      for (const forbidden of ["password", "username", "server_name", "port"]) expect(e).not.toHaveProperty(forbidden);
    }
    const target = endpoints.find((e) => e.endpoint_type === "target")!;
    expect(target).toMatchObject({
      ssl_mode: "verify-full",
      mysql_settings: {
        after_connect_script: "SET FOREIGN_KEY_CHECKS=0",
        parallel_load_threads: 2,
        target_db_type: "multiple-databases",
      },
    });
    const certs = resources(json, "aws_dms_certificate");
    expect(certs).toHaveLength(1);
    expect(target.certificate_arn).toMatch(/aws_dms_certificate\.dms_target-ca/);
    expect(String(certs[0].certificate_pem).match(/BEGIN CERTIFICATE/g)).toHaveLength(3);
    const source = endpoints.find((e) => e.endpoint_type === "source")!;
    expect(source.ssl_mode).toBe("none"); // the EC2 stand-in: VPC-internal, no CA to pin
  });

  test("the secrets access role trusts DMS (regional and global principal) and reads only the two endpoint secrets", () => {
    expect(policyDoc(json, "dms_secrets-trust")[0].principals).toEqual([
      { type: "Service", identifiers: ["dms.us-east-1.amazonaws.com", "dms.amazonaws.com"] },
    ]);
    const st = policyDoc(json, "dms_secrets-policy");
    expect(st).toEqual([
      {
        sid: "ReadEndpointSecrets",
        actions: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
        resources: [expect.stringMatching(/source_dms-secret/), expect.stringMatching(/target_dms-secret/)],
      },
    ]);
  });

  test("task: full load + CDC, resource identifier = task id, created stopped, after its log group exists", () => {
    expect(task).toMatchObject({
      migration_type: "full-load-and-cdc",
      replication_task_id: "t-task",
      resource_identifier: "t-task",
      start_replication_task: false,
    });
    expect(task.depends_on).toEqual([expect.stringMatching(/^aws_cloudwatch_log_group\.dms_task-log-group/)]);
    expect(taskLogGroup(json)).toMatchObject({ name: "dms-tasks-t-dms", retention_in_days: 14 });
  });

  test("table mappings select the schema and the heartbeat table", () => {
    const mappings = JSON.parse(String(task.table_mappings));
    expect(
      mappings.rules.map((r: { "object-locator": object; "rule-action": string }) => [
        r["object-locator"],
        r["rule-action"],
      ]),
    ).toEqual([
      [{ "schema-name": "ecommerce", "table-name": "%" }, "include"],
      [{ "schema-name": "dms_migrate", "table-name": "heartbeat" }, "include"],
    ]);
  });

  test("task settings: logging on, validation on, control schema, prep mode, LOBs, recovery, no read-only log keys", () => {
    const st = JSON.parse(String(task.replication_task_settings));
    expect(st.Logging.EnableLogging).toBe(true);
    expect(st.Logging).not.toHaveProperty("CloudWatchLogGroup");
    expect(st.Logging).not.toHaveProperty("CloudWatchLogStream");
    expect(st.Logging.LogComponents.map((c: { Id: string }) => c.Id)).toEqual(
      expect.arrayContaining(["SOURCE_UNLOAD", "SOURCE_CAPTURE", "TARGET_LOAD", "TARGET_APPLY", "TASK_MANAGER"]),
    );
    expect(st.ValidationSettings).toMatchObject({ EnableValidation: true, ValidationMode: "ROW_LEVEL" });
    expect(st.ControlTablesSettings.ControlSchema).toBe("awsdms_control");
    expect(st.FullLoadSettings).toMatchObject({ TargetTablePrepMode: "TRUNCATE_BEFORE_LOAD", MaxFullLoadSubTasks: 8 });
    expect(st.TargetMetadata).toMatchObject({
      SupportLobs: true,
      LimitedSizeLobMode: true,
      LobMaxSize: 64,
      BatchApplyEnabled: false,
    });
    expect(st.ErrorBehavior).toMatchObject({
      RecoverableErrorCount: -1,
      RecoverableErrorThrottling: true,
      TableErrorPolicy: "SUSPEND_TABLE",
    });
  });

  test("event subscriptions for the instance and the task go to the alert topic", () => {
    const subs = resources(json, "aws_dms_event_subscription");
    const byType = Object.fromEntries(subs.map((s) => [s.source_type, s]));
    expect(byType["replication-task"]).toMatchObject({
      sns_topic_arn: "arn:aws:sns:us-east-1:123456789012:DMSAlertTopic",
      event_categories: expect.arrayContaining(["failure", "state change"]),
    });
    expect(byType["replication-instance"].event_categories).toEqual(
      expect.arrayContaining(["failure", "low storage", "failover"]),
    );
    expect(String(byType["replication-task"].source_ids)).toMatch(/replication_task_id/);
  });

  test("metric helpers carry the official names, namespace and both dimensions", () => {
    let dms!: DmsInstanceReplication;
    synthJson((s) => (dms = build(s)));
    const lag = dms.metricCDCLatencySource();
    expect(lag).toMatchObject({
      namespace: "AWS/DMS",
      metricName: "CDCLatencySource",
      dimensions: { ReplicationInstanceIdentifier: "t-dms", ReplicationTaskIdentifier: "t-task" },
      statistic: "Maximum",
      periodSeconds: 60,
    });
    expect(dms.metricCDCLatencyTarget().metricName).toBe("CDCLatencyTarget");
    expect(dms.metricFullLoadThroughputRowsSource().metricName).toBe("FullLoadThroughputRowsSource");
    expect(dms.metricFreeStorageSpace()).toMatchObject({
      metricName: "FreeStorageSpace",
      dimensions: { ReplicationInstanceIdentifier: "t-dms" },
    });
    expect(Object.keys(DMS_TASK_METRICS)).not.toContain("ReplicationLag");
  });

  test("dev variant: public subnet, public IP for egress only, HTTPS to the public Secrets Manager endpoint", () => {
    const dev = synthJson((s) => build(s, { subnet: "public" }, { endpoint: false }));
    const inst = only(dev, "aws_dms_replication_instance");
    expect(inst.publicly_accessible).toBe(true);
    expect(JSON.stringify(only(dev, "aws_dms_replication_subnet_group").subnet_ids)).toMatch(/public-0/);
    const https = resources(dev, "aws_vpc_security_group_egress_rule").find(
      (e) => String(e.security_group_id).includes("dms_sg") && e.from_port === 443,
    );
    expect(https?.cidr_ipv4).toBe("0.0.0.0/0");
  });

  test("an existing source with its CA: verify-full to the source too", () => {
    const j = synthJson((s) => build(s, {}, { existingSource: true, sourceCa: CA_PEM }));
    const source = resources(j, "aws_dms_endpoint").find((e) => e.endpoint_type === "source")!;
    expect(source.ssl_mode).toBe("verify-full");
    expect(source.certificate_arn).toMatch(/aws_dms_certificate\.dms_source-ca/);
  });

  test("an existing source without a CA synthesizes with a warning about plaintext", () => {
    const stack = new TerraformStack(Testing.app(), "s");
    build(stack, {}, { existingSource: true });
    Testing.synth(stack);
    const warnings = stack.node
      .findAll()
      .flatMap((n) => n.node.metadata)
      .filter((m) => m.type === "@cdktf/warn")
      .map((m) => String(m.data));
    expect(warnings.join("\n")).toMatch(/DMS reads the existing source without TLS/);
  });

  test("the task is created stopped unless startTask says otherwise (the target user and schema come first)", () => {
    expect(
      only(
        synthJson((s) => build(s)),
        "aws_dms_replication_task",
      ).start_replication_task,
    ).toBe(false);
    expect(
      only(
        synthJson((s) => build(s, { startTask: true })),
        "aws_dms_replication_task",
      ).start_replication_task,
    ).toBe(true);
  });
});

describe("DmsReplication (serverless)", () => {
  let dms!: DmsServerlessReplication;
  const json = synthJson(
    (s) => (dms = buildServerless(s, { minCapacityUnits: 2, maxCapacityUnits: 32, multiAz: true })),
  );

  test("a replication config replaces the instance and the task", () => {
    expect(resources(json, "aws_dms_replication_instance")).toHaveLength(0);
    expect(resources(json, "aws_dms_replication_task")).toHaveLength(0);
    const rc = only(json, "aws_dms_replication_config");
    expect(rc).toMatchObject({
      replication_config_identifier: "t-task",
      resource_identifier: "t-task",
      replication_type: "full-load-and-cdc",
      start_replication: false,
      compute_config: { min_capacity_units: 2, max_capacity_units: 32, multi_az: true },
    });
    expect(JSON.parse(String(rc.replication_settings)).ValidationSettings.EnableValidation).toBe(true);
    expect(taskLogGroup(json).name).toBe("dms-serverless-replication-t-task");
  });

  test("task metrics use the serverless dimension; it has CapacityUtilization and no instance metrics", () => {
    expect(Object.keys(dms.metricCDCLatencyTarget().dimensions)).toEqual(["ReplicationConfigId"]);
    expect(dms.metricCapacityUtilization()).toMatchObject({
      namespace: "AWS/DMS",
      metricName: "CapacityUtilization",
      statistic: "Maximum",
    });
    expect(dms.metricFullLoadProgress().metricName).toBe("FullLoadThroughputRowsTarget");
    expect("metricCPUUtilization" in dms).toBe(false);
  });

  test("is private only: a public subnet is refused with why", () => {
    expect(() => synthJson((s) => buildServerless(s, { subnet: "public" }))).toThrow(
      /^subnet must be "private" for DMS Serverless \(it has no public IP: it reads its secrets through a Secrets Manager VPC endpoint\), got "public"$/,
    );
  });
});

describe("DmsReplication validation", () => {
  test.each([
    [
      { instanceClass: "dms.m9.tiny" },
      /instanceClass must be a DMS replication instance class such as dms.t3.micro, got "dms.m9.tiny"/,
    ],
    [{ instanceClass: "db.t3.micro" }, /instanceClass must be a DMS replication instance class .*got "db.t3.micro"/],
    [{ engineVersion: "3.4.7" }, /engineVersion is not usable: DMS engine "3\.4\.7" is not in the engine table/],
    [{ allocatedStorageGiB: 2 }, /allocatedStorageGiB must be an integer between 5 and 6144, got 2/],
    [{ targetParallelLoadThreads: 9 }, /targetParallelLoadThreads must be an integer between 1 and 5, got 9/],
    [
      { sourceSslMode: "verify-full" as const },
      /the source's caCertificatePem must be the PEM of its CA when sourceSslMode is verify-full, got none/,
    ],
    [
      { sourceSslMode: "require" as never },
      /sourceSslMode must be none, verify-ca or verify-full \(DMS has no "require" for MySQL\), got "require"/,
    ],
  ])("throws for %j", (props, message) => {
    expect(() => synthJson((s) => build(s, props))).toThrow(message);
  });

  test.each([
    [{ maxCapacityUnits: 3 }, /^maxCapacityUnits must be one of 1, 2, 4, 8, 16, 32, 64, 128, 192, 256, 384, got 3$/],
    [{ minCapacityUnits: 0 }, /^minCapacityUnits must be one of .*got 0$/],
    [
      { minCapacityUnits: 64, maxCapacityUnits: 8 },
      /^minCapacityUnits must not exceed maxCapacityUnits \(8\), got 64$/,
    ],
  ])("serverless throws for %j", (props, message) => {
    expect(() => synthJson((s) => buildServerless(s, props))).toThrow(message);
  });

  test("throws for a private instance with neither a Secrets Manager endpoint nor a NAT gateway", () => {
    expect(() => synthJson((s) => build(s, { subnet: "private" }, { endpoint: false }))).toThrow(
      /subnet "private" needs a Secrets Manager VPC endpoint or a NAT gateway/,
    );
  });
});
