import * as os from "os";
import { DefaultTokenResolver, StringConcat, Testing, Tokenization } from "cdktf";
import { loadEnvironment } from "../../environments/load";
import {
  DMS_INSTANCE_METRICS,
  DMS_SERVERLESS_METRICS,
  DMS_TASK_METRICS,
  EC2_METRICS,
  RDS_METRICS,
} from "../../constructs/metrics";
import { MigrationStack } from "../../stacks/migration-stack";
import { Construct } from "constructs";
import { AlertTopic } from "../../constructs/alert-topic";
import { DmsAccountRoles } from "../../constructs/dms-account-roles";
import { DmsInstanceReplication } from "../../constructs/dms-instance-replication";
import { Monitoring, MonitoringProps } from "../../constructs/monitoring";
import { Network } from "../../constructs/network";
import { SourceMysql } from "../../constructs/source-mysql";
import { TargetRds } from "../../constructs/target-rds";
import { tableSelection } from "../../model/table-selection";
import { only, resources, synthJson, synthStack, TerraformJson, taskLogGroup } from "../helpers";

/** The metrics AWS publishes, per namespace (DMS guide "Monitoring AWS DMS tasks", RDS and EC2 metric lists). */
const PUBLISHED: Record<string, string[]> = {
  "AWS/DMS": [
    ...Object.keys(DMS_TASK_METRICS),
    ...Object.keys(DMS_INSTANCE_METRICS),
    ...Object.keys(DMS_SERVERLESS_METRICS),
  ],
  "AWS/RDS": Object.keys(RDS_METRICS),
  "AWS/EC2": Object.keys(EC2_METRICS),
};

function synthEnv(name: string, env: NodeJS.ProcessEnv = {}): TerraformJson {
  const config = loadEnvironment(name, { env, dir: os.tmpdir() });
  return synthStack(new MigrationStack(Testing.app(), name, config));
}

type Alarm = {
  alarm_name: string;
  namespace: string;
  metric_name: string;
  dimensions?: Record<string, string>;
  statistic: string;
  threshold: number;
  comparison_operator: string;
  evaluation_periods: number;
  period: number;
  alarm_actions: string[];
  ok_actions: string[];
  treat_missing_data: string;
};

describe("Monitoring (prod)", () => {
  const json = synthEnv("prod", { DMS_MIGRATE_PROD_ALERT_EMAILS: "dba@example.com" });
  const alarms = resources(json, "aws_cloudwatch_metric_alarm") as unknown as Alarm[];
  const byName = Object.fromEntries(alarms.map((a) => [a.alarm_name.replace(/^dmsm-prod-/, ""), a]));
  const instanceId = String(only(json, "aws_dms_replication_instance").replication_instance_id);
  const tasks = resources(json, "aws_dms_replication_task");
  const task = tasks.find((t) => t.migration_type === "full-load-and-cdc")!;
  const fallbackTask = tasks.find((t) => t.migration_type === "cdc")!;

  test("the expected alarms exist", () => {
    expect(Object.keys(byName).sort()).toEqual([
      "dms-cdc-latency-source",
      "dms-cdc-latency-target",
      "dms-fallback-cdc-latency",
      "dms-full-load-stalled",
      "dms-instance-cpu",
      "dms-instance-free-storage",
      "dms-instance-freeable-memory",
      "dms-instance-swap",
      "dms-task-errors",
      "rds-target-connections",
      "rds-target-cpu",
      "rds-target-free-storage",
      "rds-target-freeable-memory",
      "source-status-check-instance",
      "source-status-check-system",
    ]);
  });

  test("no alarm uses a metric AWS does not publish (ReplicationLag, ErrorCount, ...)", () => {
    for (const a of alarms) {
      if (a.namespace.startsWith("DmsMigrate/")) {
        expect(a.metric_name).toBe("TaskErrorLines"); // published by this stack's own metric filter
        continue;
      }
      expect([a.alarm_name, PUBLISHED[a.namespace]?.includes(a.metric_name)]).toEqual([a.alarm_name, true]);
    }
    expect(alarms.map((a) => a.metric_name)).not.toEqual(expect.arrayContaining(["ReplicationLag"]));
    expect(alarms.map((a) => a.metric_name)).not.toContain("ErrorCount");
  });

  test("every alarm sends ALARM and OK to the alert topic and chooses treat_missing_data", () => {
    for (const a of alarms) {
      expect(a.alarm_actions[0]).toMatch(/^\$\{aws_sns_topic\.alerts_topic_[A-Z0-9]+\.arn\}$/);
      expect(a.ok_actions).toEqual([a.alarm_actions[0]]);
      expect(["notBreaching", "missing"]).toContain(a.treat_missing_data);
    }
  });

  test("replication lag: CDCLatencySource/Target > 5 s, Maximum per minute, both DMS dimensions with the task's resource identifier", () => {
    for (const name of ["dms-cdc-latency-source", "dms-cdc-latency-target"]) {
      expect(byName[name]).toMatchObject({
        namespace: "AWS/DMS",
        metric_name: name.endsWith("source") ? "CDCLatencySource" : "CDCLatencyTarget",
        dimensions: { ReplicationInstanceIdentifier: instanceId, ReplicationTaskIdentifier: task.resource_identifier },
        statistic: "Maximum",
        period: 60,
        threshold: 5,
        comparison_operator: "GreaterThanThreshold",
        evaluation_periods: 3,
        treat_missing_data: "notBreaching",
      });
    }
    expect(task.resource_identifier).toBe(task.replication_task_id);
  });

  test("fallback lag (prod has the fallback): CDCLatencyTarget of the fallback task > 5 s for 3 min, on the shared instance", () => {
    expect(fallbackTask).toMatchObject({
      replication_task_id: "dmsm-prod-fallback",
      resource_identifier: "dmsm-prod-fallback",
    });
    expect(byName["dms-fallback-cdc-latency"]).toMatchObject({
      namespace: "AWS/DMS",
      metric_name: "CDCLatencyTarget",
      dimensions: { ReplicationInstanceIdentifier: instanceId, ReplicationTaskIdentifier: "dmsm-prod-fallback" },
      statistic: "Maximum",
      period: 60,
      threshold: 5,
      comparison_operator: "GreaterThanThreshold",
      evaluation_periods: 3,
      treat_missing_data: "notBreaching", // stopped until cutover: no data is no outage
    });
    // Its error lines land in the same log group (dms-tasks-<instance id>): the one filter and alarm count them.
    expect(resources(json, "aws_cloudwatch_log_metric_filter")).toHaveLength(1);
    expect(resources(json, "aws_cloudwatch_log_group").filter((g) => String(g.name).startsWith("dms-"))).toHaveLength(
      1,
    );
  });

  test("task errors: a metric filter on the task log group counts ]E: lines; alarm on Sum > 0", () => {
    const filter = only(json, "aws_cloudwatch_log_metric_filter");
    const logGroup = taskLogGroup(json);
    expect(logGroup.name).toBe(`dms-tasks-${instanceId}`);
    expect(filter).toMatchObject({
      pattern: '"]E:"',
      log_group_name: expect.stringMatching(/aws_cloudwatch_log_group\.dms_task-log-group.*\.name/),
      metric_transformation: {
        name: "TaskErrorLines",
        namespace: "DmsMigrate/dmsm-prod-task",
        value: "1",
        default_value: "0",
      },
    });
    expect(byName["dms-task-errors"]).toMatchObject({
      namespace: "DmsMigrate/dmsm-prod-task",
      metric_name: "TaskErrorLines",
      statistic: "Sum",
      threshold: 0,
      comparison_operator: "GreaterThanThreshold",
      evaluation_periods: 1,
    });
    expect(byName["dms-task-errors"]).not.toHaveProperty("dimensions");
  });

  test("full-load stall: FullLoadThroughputRowsSource <= 0 for 15 minutes", () => {
    expect(byName["dms-full-load-stalled"]).toMatchObject({
      metric_name: "FullLoadThroughputRowsSource",
      statistic: "Maximum",
      period: 300,
      evaluation_periods: 3,
      comparison_operator: "LessThanOrEqualToThreshold",
      threshold: 0,
    });
  });

  test("instance health: CPU, freeable memory, free storage (10% of 200 GiB), swap", () => {
    const dims = { ReplicationInstanceIdentifier: instanceId };
    expect(byName["dms-instance-cpu"]).toMatchObject({
      metric_name: "CPUUtilization",
      namespace: "AWS/DMS",
      dimensions: dims,
      threshold: 80,
      comparison_operator: "GreaterThanThreshold",
      statistic: "Average",
    });
    expect(byName["dms-instance-freeable-memory"]).toMatchObject({
      metric_name: "FreeableMemory",
      threshold: 100 * 1024 * 1024,
      comparison_operator: "LessThanThreshold",
      statistic: "Minimum",
    });
    expect(byName["dms-instance-free-storage"]).toMatchObject({
      metric_name: "FreeStorageSpace",
      threshold: Math.round(200 * 1024 ** 3 * 0.1),
      comparison_operator: "LessThanThreshold",
    });
    expect(byName["dms-instance-swap"]).toMatchObject({
      metric_name: "SwapUsage",
      threshold: 256 * 1024 * 1024,
      comparison_operator: "GreaterThanThreshold",
    });
  });

  test("RDS target health: CPU, free storage (10% of 100 GiB), freeable memory, connections", () => {
    const dims = { DBInstanceIdentifier: only(json, "aws_db_instance").identifier };
    expect(dims.DBInstanceIdentifier).toBe("dmsm-prod-target");
    expect(byName["rds-target-cpu"]).toMatchObject({
      namespace: "AWS/RDS",
      metric_name: "CPUUtilization",
      dimensions: dims,
      threshold: 80,
    });
    expect(byName["rds-target-free-storage"]).toMatchObject({
      metric_name: "FreeStorageSpace",
      dimensions: dims,
      threshold: Math.round(100 * 1024 ** 3 * 0.1),
      comparison_operator: "LessThanThreshold",
    });
    expect(byName["rds-target-freeable-memory"]).toMatchObject({
      metric_name: "FreeableMemory",
      dimensions: dims,
      comparison_operator: "LessThanThreshold",
    });
    expect(byName["rds-target-connections"]).toMatchObject({
      metric_name: "DatabaseConnections",
      dimensions: dims,
      threshold: 100,
      statistic: "Maximum",
    });
  });

  test("EC2 source: status check failed recovers (system) or reboots (instance) the instance", () => {
    const sys = byName["source-status-check-system"];
    expect(sys).toMatchObject({
      namespace: "AWS/EC2",
      metric_name: "StatusCheckFailed_System",
      threshold: 1,
      comparison_operator: "GreaterThanOrEqualToThreshold",
      treat_missing_data: "missing",
    });
    expect(sys.dimensions?.InstanceId).toMatch(/^\$\{aws_instance\.source_instance_[A-Z0-9]+\.id\}$/);
    expect(sys.alarm_actions).toContain("arn:aws:automate:us-east-1:ec2:recover");
    expect(byName["source-status-check-instance"].alarm_actions[1]).toMatch(
      /^arn:aws:swf:us-east-1:\$\{data\.aws_caller_identity\.[^}]+\.account_id\}:action\/actions\/AWS_EC2\.InstanceId\.Reboot\/1\.0$/,
    );
  });

  test("composite 'migration unhealthy' alarm over every alarm but the full-load stall", () => {
    const c = only(json, "aws_cloudwatch_composite_alarm");
    expect(c.alarm_name).toBe("dmsm-prod-migration-unhealthy");
    const names = String(c.alarm_rule)
      .match(/ALARM\("([^"]+)"\)/g)!
      .map((x) => x.slice(7, -2));
    expect(names.sort()).toEqual(
      alarms
        .map((a) => a.alarm_name)
        .filter((n) => !n.endsWith("full-load-stalled"))
        .sort(),
    );
    expect(c.alarm_actions).toEqual([expect.stringMatching(/aws_sns_topic/)]);
  });

  test("topic: customer-managed key whose policy lets CloudWatch and DMS use it; never alias/aws/sns", () => {
    const topic = only(json, "aws_sns_topic");
    expect(topic.name).toBe("DMSAlertTopic-prod");
    expect(topic.kms_master_key_id).toMatch(/^\$\{aws_kms_key\.alerts_key_[A-Z0-9]+\.arn\}$/);
    expect(JSON.stringify(json)).not.toMatch(/alias\/aws\/sns/);
    expect(only(json, "aws_kms_key")).toMatchObject({ enable_key_rotation: true });
    const keyPolicy = Object.entries(json.data!.aws_iam_policy_document).find(([k]) =>
      k.includes("alerts_key-policy"),
    )![1];
    const publish = (
      keyPolicy.statement as { sid: string; actions: string[]; principals: { identifiers: string[] }[] }[]
    ).find((s) => s.sid === "AlarmsAndDmsEventsPublish")!;
    expect(publish.actions).toEqual(["kms:Decrypt", "kms:GenerateDataKey*"]);
    expect(publish.principals[0].identifiers).toEqual(["cloudwatch.amazonaws.com", "dms.amazonaws.com"]);
  });

  test("topic policy: CloudWatch alarms and DMS events of this account may publish; plaintext publishing is denied", () => {
    const doc = Object.entries(json.data!.aws_iam_policy_document).find(([k]) =>
      k.includes("alerts_topic-policy-document"),
    )![1];
    const st = doc.statement as {
      sid: string;
      effect?: string;
      actions: string[];
      principals: { type: string; identifiers: string[] }[];
      condition: { variable: string; values: string[] }[];
    }[];
    const bySid = Object.fromEntries(st.map((s) => [s.sid, s]));
    expect(bySid.CloudWatchAlarmsPublish).toMatchObject({
      actions: ["sns:Publish"],
      principals: [{ type: "Service", identifiers: ["cloudwatch.amazonaws.com"] }],
    });
    expect(bySid.DmsEventsPublish).toMatchObject({
      actions: ["sns:Publish"],
      principals: [{ type: "Service", identifiers: ["dms.amazonaws.com"] }],
    });
    expect(bySid.CloudWatchAlarmsPublish.condition[0]).toMatchObject({ variable: "aws:SourceAccount" });
    expect(bySid.DenyInsecureTransport).toMatchObject({
      effect: "Deny",
      condition: [{ variable: "aws:SecureTransport", values: ["false"] }],
    });
    expect(only(json, "aws_sns_topic_policy").policy).toMatch(/alerts_topic-policy-document/);
  });

  test("e-mail subscriptions come from the config; DMS event subscriptions use the same topic", () => {
    const email = resources(json, "aws_sns_topic_subscription").find((x) => x.protocol === "email")!;
    expect(email).toMatchObject({ endpoint: "${each.value}", for_each: expect.stringMatching(/var\.alert_emails/) });
    expect(
      (json as unknown as { variable: Record<string, { default: string[] }> }).variable.alert_emails.default,
    ).toEqual(["dba@example.com"]);
    for (const sub of resources(json, "aws_dms_event_subscription")) {
      expect(sub.sns_topic_arn).toMatch(/aws_sns_topic\.alerts_topic/);
    }
  });

  test("the task log group keeps logs for the configured retention", () => {
    expect(taskLogGroup(json).retention_in_days).toBe(90);
  });
});

describe("Monitoring (dev)", () => {
  test("unencrypted topic (D3), no composite alarm, a warning when nobody is subscribed", () => {
    const config = loadEnvironment("dev", { env: {}, dir: os.tmpdir() });
    const stack = new MigrationStack(Testing.app(), "dev", config);
    const json = synthStack(stack);
    expect(only(json, "aws_sns_topic")).toMatchObject({ name: "DMSAlertTopic" });
    expect(only(json, "aws_sns_topic")).not.toHaveProperty("kms_master_key_id");
    expect(resources(json, "aws_cloudwatch_composite_alarm")).toHaveLength(0);
    const warnings = stack.node
      .findAll()
      .flatMap((n) => n.node.metadata)
      .filter((m) => m.type === "@cdktf/warn")
      .map((m) => String(m.data));
    expect(warnings.join("\n")).toMatch(/no one is subscribed to DMSAlertTopic/);
  });

  test("no fallback in dev: no fallback alarm, so dev keeps its 14 alarms; with cutover.fallback it has 15", () => {
    const alarmNames = (env: NodeJS.ProcessEnv) =>
      resources(synthEnv("dev", env), "aws_cloudwatch_metric_alarm").map((a) => String(a.alarm_name));
    const plain = alarmNames({});
    expect(plain).toHaveLength(14);
    expect(plain.some((n) => n.includes("fallback"))).toBe(false);
    const withFallback = alarmNames({ DMS_MIGRATE_DEV_CONFIG: JSON.stringify({ cutover: { fallback: true } }) });
    expect(withFallback.filter((n) => !plain.includes(n))).toEqual(["dmsm-dev-dms-fallback-cdc-latency"]);
  });

  test("serverless: task metrics with the serverless dimension, no instance alarms", () => {
    const json = synthEnv("staging", {
      DMS_MIGRATE_STAGING_CONFIG: JSON.stringify({ dms: { mode: "serverless" }, cutover: { fallback: false } }),
    });
    const alarms = resources(json, "aws_cloudwatch_metric_alarm") as unknown as Alarm[];
    expect(alarms.some((a) => a.alarm_name.includes("dms-instance"))).toBe(false);
    const lag = alarms.find((a) => a.metric_name === "CDCLatencySource")!;
    expect(Object.keys(lag.dimensions!)).toEqual(["ReplicationConfigId"]);
    expect(only(json, "aws_cloudwatch_log_metric_filter").log_group_name).toMatch(/task-log-group/);
  });

  test("serverless: the stall alarm watches a metric serverless publishes (FullLoadThroughputRowsTarget), and capacity has its own alarm", () => {
    const json = synthEnv("staging", {
      DMS_MIGRATE_STAGING_CONFIG: JSON.stringify({ dms: { mode: "serverless" }, cutover: { fallback: false } }),
    });
    const byName = Object.fromEntries(
      (resources(json, "aws_cloudwatch_metric_alarm") as unknown as Alarm[]).map((a) => [
        a.alarm_name.replace(/^dmsm-staging-/, ""),
        a,
      ]),
    );
    expect(byName["dms-full-load-stalled"]).toMatchObject({
      namespace: "AWS/DMS",
      metric_name: "FullLoadThroughputRowsTarget",
      comparison_operator: "LessThanOrEqualToThreshold",
    });
    expect(byName["dms-serverless-capacity"]).toMatchObject({
      namespace: "AWS/DMS",
      metric_name: "CapacityUtilization",
      threshold: 80,
      comparison_operator: "GreaterThanThreshold",
    });
    expect(Object.keys(byName["dms-serverless-capacity"].dimensions!)).toEqual(["ReplicationConfigId"]);
    const body = JSON.stringify(only(json, "aws_cloudwatch_dashboard").dashboard_body);
    expect(body).not.toMatch(/FullLoadThroughputRowsSource/);
    expect(body).toMatch(/CapacityUtilization/);
  });

  test("instance mode keeps the stall alarm on FullLoadThroughputRowsSource and has no capacity alarm", () => {
    const json = synthEnv("staging");
    const alarms = resources(json, "aws_cloudwatch_metric_alarm") as unknown as Alarm[];
    expect(alarms.find((a) => a.alarm_name.endsWith("dms-full-load-stalled"))!.metric_name).toBe(
      "FullLoadThroughputRowsSource",
    );
    expect(alarms.some((a) => a.metric_name === "CapacityUtilization")).toBe(false);
  });
});

describe("dashboard", () => {
  const stack = new MigrationStack(Testing.app(), "prod", loadEnvironment("prod", { env: {}, dir: os.tmpdir() }));
  const json = synthStack(stack);
  // dashboard_body is jsonencode(<this object>); resolving its tokens gives the same ${...} references
  const body = Tokenization.resolve(stack.monitoring.dashboardBody(), {
    scope: stack,
    resolver: new DefaultTokenResolver(new StringConcat()),
    preparing: false,
  }) as {
    widgets: {
      type: string;
      properties: { title: string; metrics?: unknown[][]; alarms?: string[]; annotations?: unknown };
    }[];
  };
  const instanceId = String(only(json, "aws_dms_replication_instance").replication_instance_id);
  const taskRid = String(
    resources(json, "aws_dms_replication_task").find((t) => t.migration_type === "full-load-and-cdc")!
      .resource_identifier,
  );
  const rdsId = String(only(json, "aws_db_instance").identifier);

  test("every widget metric is a published metric of a resource this stack creates", () => {
    const metricWidgets = body.widgets.filter((w) => w.type === "metric");
    expect(metricWidgets.length).toBeGreaterThanOrEqual(10);
    for (const w of metricWidgets) {
      for (const line of w.properties.metrics!) {
        const [namespace, name, ...rest] = line as [string, string, ...unknown[]];
        const dims: Record<string, string> = {};
        const pairs = rest.filter((x) => typeof x === "string") as string[];
        for (let i = 0; i < pairs.length; i += 2) dims[pairs[i]] = pairs[i + 1];
        if (namespace.startsWith("DmsMigrate/")) {
          expect([name, namespace]).toEqual(["TaskErrorLines", `DmsMigrate/${taskRid}`]);
          continue;
        }
        expect([w.properties.title, name, PUBLISHED[namespace]?.includes(name)]).toEqual([
          w.properties.title,
          name,
          true,
        ]);
        if (namespace === "AWS/DMS") {
          expect(dims.ReplicationInstanceIdentifier).toBe(instanceId);
          if (name in DMS_TASK_METRICS)
            expect(dims.ReplicationTaskIdentifier).toBe(
              w.properties.title.startsWith("Fallback") ? "dmsm-prod-fallback" : taskRid,
            );
        }
        if (namespace === "AWS/RDS") expect(dims).toEqual({ DBInstanceIdentifier: rdsId });
        if (namespace === "AWS/EC2")
          expect(dims.InstanceId).toMatch(/^\$\{aws_instance\.source_instance_[A-Z0-9]+\.id\}$/);
      }
    }
  });

  test("shows lag, full-load and CDC throughput, incoming changes, errors, instance and RDS health, and the alarms", () => {
    const titles = body.widgets.map((w) => w.properties.title);
    expect(titles).toEqual(
      expect.arrayContaining([
        "Replication lag (s)",
        "DMS task error lines",
        "Full load throughput (rows/s)",
        "CDC throughput (rows/s)",
        "CDC incoming changes",
        "DMS instance CPU (%)",
        "RDS target CPU (%)",
        "Alarms",
      ]),
    );
    const alarmWidget = body.widgets.find((w) => w.type === "alarm")!;
    expect(alarmWidget.properties.alarms).toHaveLength(resources(json, "aws_cloudwatch_metric_alarm").length);
    const lag = body.widgets.find((w) => w.properties.title === "Replication lag (s)")!;
    expect(lag.properties.annotations).toEqual({ horizontal: [{ label: "alarm", value: 5 }] });
    const fallback = body.widgets.find((w) => w.properties.title === "Fallback replication lag, RDS to source (s)")!;
    expect(fallback.properties.metrics!.map((m) => m[1])).toEqual(["CDCLatencySource", "CDCLatencyTarget"]);
    expect(fallback.properties.annotations).toEqual({ horizontal: [{ label: "alarm", value: 5 }] });
  });
});

describe("Monitoring validation", () => {
  function build(scope: Construct, props: Partial<MonitoringProps>): void {
    const network = new Network(scope, "network", { namePrefix: "t", secretsManagerEndpoint: true });
    const target = new TargetRds(scope, "target", { namePrefix: "t", network });
    const source = new SourceMysql(scope, "source", { namePrefix: "t", network });
    const accountRoles = new DmsAccountRoles(scope, "roles");
    const dms = new DmsInstanceReplication(scope, "dms", {
      namePrefix: "t",
      region: "us-east-1",
      network,
      source,
      target,
      accountRoles,
      tables: tableSelection(["a.%"]),
    });
    const alertTopic = new AlertTopic(scope, "alerts", { emails: ["a@example.com"] });
    new Monitoring(scope, "monitoring", {
      namePrefix: "t",
      region: "us-east-1",
      alertTopic,
      dms,
      target,
      source,
      ...props,
    });
  }
  test.each([
    [{ cdcLatencyThresholdSeconds: 0 }, /cdcLatencyThresholdSeconds must be a number > 0 and <= 86400, got 0/],
    [{ cdcLatencyEvaluationMinutes: 0 }, /cdcLatencyEvaluationMinutes must be an integer between 1 and 60, got 0/],
    [{ fullLoadStallMinutes: 7 }, /fullLoadStallMinutes must be a multiple of 5 \(0 turns the alarm off\), got 7/],
    [{ cpuThresholdPercent: 150 }, /cpuThresholdPercent must be an integer between 1 and 100, got 150/],
    [{ rdsConnectionsThreshold: 2.5 }, /rdsConnectionsThreshold must be an integer between 1 and 100000, got 2.5/],
  ])("throws for %j", (props, message) => {
    expect(() => synthJson((s) => build(s, props))).toThrow(message);
  });
  test("a stall window of 0 removes the full-load stall alarm", () => {
    const json = synthJson((s) => build(s, { fullLoadStallMinutes: 0 }));
    expect(resources(json, "aws_cloudwatch_metric_alarm").map((a) => a.alarm_name)).not.toContain(
      "t-dms-full-load-stalled",
    );
  });
});
