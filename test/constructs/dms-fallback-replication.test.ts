import { Construct } from "constructs";
import { DmsAccountRoles } from "../../constructs/dms-account-roles";
import { DmsFallbackReplication, DmsFallbackReplicationProps } from "../../constructs/dms-fallback-replication";
import {
  DMS_FALLBACK_DEFAULTS,
  FALLBACK_NAME_PREFIX_MAX_LENGTH,
  fallbackTaskId,
  resolveDmsFallbackSettings,
  validateDmsFallbackSettings,
} from "../../constructs/dms-fallback-props";
import { DmsInstanceReplication } from "../../constructs/dms-instance-replication";
import { Network } from "../../constructs/network";
import { SourceMysql } from "../../constructs/source-mysql";
import { TargetRds } from "../../constructs/target-rds";
import { tableSelection } from "../../model/table-selection";
import { only, resources, synthJson, TerraformJson } from "../helpers";

const CA_PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

type Built = { fallback: DmsFallbackReplication; forward: DmsInstanceReplication };

/** The forward replication and, over it, the fallback; an EC2 source unless `existingCa` names an existing one's CA. */
function wire(scope: Construct, props: Partial<DmsFallbackReplicationProps> = {}, existingCa?: string): Built {
  const network = new Network(scope, "network", { namePrefix: "t", secretsManagerEndpoint: true });
  const target = new TargetRds(scope, "target", { namePrefix: "t", network, cdcSource: true });
  const source = existingCa
    ? SourceMysql.fromExisting(scope, "source", {
        host: "db.corp",
        secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:src-AbCdEf",
        caCertificatePem: existingCa,
      })
    : new SourceMysql(scope, "source", { namePrefix: "t", network, fallbackWriteGrants: true });
  const tables = tableSelection(["ecommerce.%", "!ecommerce.tmp_%"]);
  const forward = new DmsInstanceReplication(scope, "dms", {
    namePrefix: "t",
    region: "us-east-1",
    network,
    source,
    target,
    accountRoles: new DmsAccountRoles(scope, "dms-account-roles", {}),
    tables,
    taskSettings: { lobMaxSizeKb: 128 },
  });
  const fallback = new DmsFallbackReplication(scope, "dms-fallback", {
    namePrefix: "t",
    forward,
    source,
    target,
    tables,
    taskSettings: { lobMaxSizeKb: 128 },
    alertTopicArn: "arn:aws:sns:us-east-1:123456789012:alerts",
    ...props,
  });
  return { fallback, forward };
}

function build(props: Partial<DmsFallbackReplicationProps> = {}, existingCa?: string): TerraformJson {
  return synthJson((s) => wire(s, props, existingCa));
}

const byId = (json: TerraformJson, type: string, idPart: string) =>
  Object.entries(json.resource?.[type] ?? {}).find(([k]) => k.startsWith(idPart))![1];

describe("DmsFallbackReplication", () => {
  const json = build();
  const task = byId(json, "aws_dms_replication_task", "dms-fallback_task");
  const forwardTask = byId(json, "aws_dms_replication_task", "dms_task");
  const rdsSide = byId(json, "aws_dms_endpoint", "dms-fallback_source-endpoint");
  const sourceSide = byId(json, "aws_dms_endpoint", "dms-fallback_target-endpoint");

  test("a CDC-only task on the forward task's replication instance, created stopped, id = resource identifier", () => {
    expect(task).toMatchObject({
      replication_task_id: "t-fallback",
      resource_identifier: "t-fallback",
      migration_type: "cdc",
      start_replication_task: false,
      replication_instance_arn: forwardTask.replication_instance_arn,
    });
    expect(task).not.toHaveProperty("cdc_start_position"); // dmsctl cutover passes the recorded position
    expect(resources(json, "aws_dms_replication_instance")).toHaveLength(1);
    expect(task.depends_on).toEqual([expect.stringMatching(/^aws_cloudwatch_log_group\.dms_task-log-group_/)]);
  });

  test("RDS is read as the source with the target's DMS secret, TLS verify-full against the RDS CA of the region", () => {
    const forwardTarget = byId(json, "aws_dms_endpoint", "dms_target-endpoint");
    expect(rdsSide).toMatchObject({
      endpoint_id: "t-dms-fallback-source",
      endpoint_type: "source",
      engine_name: "mysql",
      ssl_mode: "verify-full",
      certificate_arn: forwardTarget.certificate_arn, // the RDS regional bundle the forward task verifies with
      secrets_manager_arn: forwardTarget.secrets_manager_arn,
      secrets_manager_access_role_arn: forwardTarget.secrets_manager_access_role_arn,
      mysql_settings: { events_poll_interval: 5 },
    });
    expect(rdsSide.depends_on).toEqual([expect.stringMatching(/^aws_iam_role_policy\.dms_secrets-role-policy_/)]);
    expect(JSON.stringify(resources(json, "aws_dms_endpoint"))).not.toMatch(/"(password|username|server_name)"/);
  });

  test("the source is written as the target with the source's DMS secret; no FOREIGN_KEY_CHECKS=0 (its own FKs cascade)", () => {
    const forwardSource = byId(json, "aws_dms_endpoint", "dms_source-endpoint");
    expect(sourceSide).toMatchObject({
      endpoint_id: "t-dms-fallback-target",
      endpoint_type: "target",
      secrets_manager_arn: forwardSource.secrets_manager_arn,
      ssl_mode: "none", // the EC2 stand-in: as the forward source link (the stack suppresses DMS3 with the reason)
      mysql_settings: { target_db_type: "multiple-databases" },
    });
    expect(sourceSide).not.toHaveProperty("certificate_arn");
  });

  test("an existing source with its CA: written with TLS verify-full against that CA", () => {
    const j = build({}, CA_PEM);
    const back = byId(j, "aws_dms_endpoint", "dms-fallback_target-endpoint");
    expect(back).toMatchObject({
      ssl_mode: "verify-full",
      certificate_arn: byId(j, "aws_dms_endpoint", "dms_source-endpoint").certificate_arn,
    });
  });

  test("the same tables back, by the same names (and the heartbeat); the forward settings with nothing to load", () => {
    const mappings = JSON.parse(String(task.table_mappings)) as { rules: { "object-locator": unknown }[] };
    expect(mappings).toEqual(JSON.parse(String(forwardTask.table_mappings)));
    expect(mappings.rules.map((r) => r["object-locator"])).toContainEqual({
      "schema-name": "dms_migrate",
      "table-name": "heartbeat",
    });
    const settings = JSON.parse(String(task.replication_task_settings));
    const forwardSettings = JSON.parse(String(forwardTask.replication_task_settings));
    expect(settings.FullLoadSettings.TargetTablePrepMode).toBe("DO_NOTHING");
    expect(forwardSettings.FullLoadSettings.TargetTablePrepMode).toBe("TRUNCATE_BEFORE_LOAD");
    expect({ ...settings, FullLoadSettings: undefined }).toEqual({ ...forwardSettings, FullLoadSettings: undefined });
    expect(settings.TargetMetadata.LobMaxSize).toBe(128);
    expect(settings.Logging.EnableLogging).toBe(true);
    expect(settings.ValidationSettings.EnableValidation).toBe(true);
  });

  test("its DMS events go to the alert topic", () => {
    const subs = resources(json, "aws_dms_event_subscription").filter((x) => String(x.name).includes("fallback"));
    expect(subs).toEqual([
      expect.objectContaining({
        name: "t-dms-fallback-task-events",
        source_type: "replication-task",
        source_ids: [
          expect.stringMatching(/^\$\{aws_dms_replication_task\.dms-fallback_task_[A-Z0-9]+\.replication_task_id\}$/),
        ],
        event_categories: ["failure", "state change", "configuration change", "deletion"],
      }),
    ]);
  });

  test("metrics: the task's CDC latency with the shared instance and its own resource identifier", () => {
    let built!: Built;
    synthJson((s) => {
      built = wire(s);
    });
    expect(built.fallback.metricCDCLatencyTarget()).toMatchObject({
      namespace: "AWS/DMS",
      metricName: "CDCLatencyTarget",
      dimensions: { ReplicationInstanceIdentifier: "t-dms", ReplicationTaskIdentifier: "t-fallback" },
      statistic: "Maximum",
      periodSeconds: 60,
    });
    expect(built.fallback.metricCDCLatencySource().metricName).toBe("CDCLatencySource");
  });

  test("the task id fits a DMS resource identifier up to the longest name prefix the configuration allows", () => {
    expect(fallbackTaskId("dmsm-prod")).toBe("dmsm-prod-fallback");
    expect(FALLBACK_NAME_PREFIX_MAX_LENGTH).toBe(22);
    expect(fallbackTaskId("x".repeat(FALLBACK_NAME_PREFIX_MAX_LENGTH))).toHaveLength(31);
  });

  test("settings: off by default, a boolean", () => {
    expect(resolveDmsFallbackSettings({})).toEqual(DMS_FALLBACK_DEFAULTS);
    expect(DMS_FALLBACK_DEFAULTS.fallback).toBe(false);
    expect(validateDmsFallbackSettings({ fallback: "yes" as unknown as boolean }, "cutover.")).toEqual([
      'cutover.fallback must be true or false, got "yes"',
    ]);
  });

  test("throws on transformations: they cannot be undone on the way back", () => {
    expect(() =>
      build({
        transformations: [{ target: "table", objectLocator: "ecommerce.orders", action: "rename", value: "o" }],
      }),
    ).toThrow(
      /transformations must be empty for a fallback replication \(they cannot be undone on the way back\), got/,
    );
  });

  test("throws when the name prefix leaves no room for the task id", () => {
    expect(() => build({ namePrefix: "a-name-prefix-of-23-chr" })).toThrow(
      /namePrefix must leave the fallback task id within 31 characters, got "a-name-prefix-of-23-chr-fallback"/,
    );
  });

  test("one replication instance and one task log group serve both tasks", () => {
    expect(resources(json, "aws_dms_replication_task")).toHaveLength(2);
    expect(resources(json, "aws_cloudwatch_log_group").filter((g) => String(g.name).startsWith("dms-"))).toHaveLength(
      1,
    );
    expect(only(json, "aws_dms_replication_instance").replication_instance_id).toBe("t-dms");
  });
});
