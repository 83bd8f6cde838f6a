import { Construct } from "constructs";
import { Aspects, TerraformOutput } from "cdktf";
import { AppStack } from "./app-stack";
import { PolicyPack, suppressRule } from "../aspects/pack";
import { TaggingAspect } from "../aspects/tagging";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DmsAccountRoles } from "../constructs/dms-account-roles";
import { DmsReplication } from "../constructs/dms-replication";
import { DmsInstanceReplication } from "../constructs/dms-instance-replication";
import { DmsServerlessReplication } from "../constructs/dms-serverless-replication";
import { AlertTopic } from "../constructs/alert-topic";
import { DatabaseName } from "../constructs/database-name";
import { DmsAssessment } from "../constructs/dms-assessment";
import { DmsFallbackReplication } from "../constructs/dms-fallback-replication";
import { Monitoring } from "../constructs/monitoring";
import { Network } from "../constructs/network";
import { ISourceMysql, SourceMysql } from "../constructs/source-mysql";
import { TargetRds } from "../constructs/target-rds";
import { EnvironmentConfig, instanceSettingsOf, taskSettingsOf } from "../environments/config";
import { OUTPUT_NAMES } from "../model/names";
import { tableSelection } from "../model/table-selection";
import { stateBackend } from "./state";

/**
 * One environment: network, MySQL source, RDS target (and, from the DMS and monitoring constructs, replication
 * and alerting), with its state in the S3 bucket of the state-backend stack.
 */
export class MigrationStack extends AppStack {
  readonly network: Network;
  readonly source: ISourceMysql;
  readonly target: TargetRds;
  readonly dmsAccountRoles: DmsAccountRoles;
  readonly dms: DmsReplication;
  readonly alertTopic: AlertTopic;
  readonly monitoring: Monitoring;
  readonly databaseName: DatabaseName;
  /** The way back after cutover (`cutover.fallback`). */
  readonly fallback?: DmsFallbackReplication;
  readonly assessment: DmsAssessment;

  constructor(
    scope: Construct,
    id: string,
    readonly config: EnvironmentConfig,
  ) {
    super(scope, id);
    stateBackend(this, config.name, config.state);

    new AwsProvider(this, "aws", { region: config.region });

    // Checked with the rest of the configuration: parsed once here, read by the source, the task and the outputs.
    const selection = tableSelection(config.migration.tables, "migration.tables");
    const schemas = [...selection.schemas];

    const { mode: networkMode, existing, ...networkSettings } = config.network;
    this.network = new Network(this, "network", {
      ...networkSettings,
      namePrefix: config.namePrefix,
      existing: networkMode === "existing" ? existing : undefined,
    });

    const { assessment, fallback, ...databaseName } = config.cutover;
    // TargetConfig's fields are TargetRds's props, name for name. The fallback reads the target's binlog.
    this.target = new TargetRds(this, "target", {
      ...config.target,
      namePrefix: config.namePrefix,
      network: this.network,
      logRetentionDays: config.monitoring.logRetentionDays,
      cdcSource: fallback,
    });

    this.source =
      config.source.mode === "existing" && config.source.existing
        ? SourceMysql.fromExisting(this, "source", config.source.existing)
        : new SourceMysql(this, "source", {
            ...config.source.ec2,
            namePrefix: config.namePrefix,
            network: this.network,
            migratedSchemas: schemas,
            fallbackWriteGrants: fallback,
          });

    const alerts = config.monitoring;
    this.alertTopic = new AlertTopic(this, "alerts", {
      topicName: alerts.alertTopicName,
      encryption: alerts.alertTopicEncryption,
      emails: alerts.alertEmails,
      httpsEndpoints: alerts.alertHttpsEndpoints,
    });

    const replication = config.dms;
    // The account stack owns the roles; an environment only checks they exist.
    this.dmsAccountRoles = new DmsAccountRoles(this, "dms-account-roles", { mode: "lookup" });
    const wiring = {
      namePrefix: config.namePrefix,
      region: config.region,
      network: this.network,
      source: this.source,
      target: this.target,
      accountRoles: this.dmsAccountRoles,
      tables: selection,
      transformations: config.migration.transformations,
      alertTopicArn: this.alertTopic.topicArn,
    };
    const shared = {
      subnet: replication.subnet,
      startTask: replication.startTask,
      targetParallelLoadThreads: replication.targetParallelLoadThreads,
      taskSettings: taskSettingsOf(replication),
      logRetentionDays: alerts.logRetentionDays,
    };
    this.dms =
      replication.mode === "serverless"
        ? new DmsServerlessReplication(this, "dms", {
            ...wiring,
            ...shared,
            ...replication.serverless,
            multiAz: replication.multiAz,
          })
        : new DmsInstanceReplication(this, "dms", { ...wiring, ...shared, ...instanceSettingsOf(replication) });

    if (fallback) {
      // Checked with the configuration (cutover.fallback needs dms.mode "instance"); a config built by hand is not.
      if (!(this.dms instanceof DmsInstanceReplication)) {
        throw new Error(
          'cutover.fallback needs dms.mode "instance" (the fallback task shares the replication instance)',
        );
      }
      this.fallback = new DmsFallbackReplication(this, "dms-fallback", {
        namePrefix: config.namePrefix,
        forward: this.dms,
        source: this.source,
        target: this.target,
        tables: selection,
        transformations: config.migration.transformations,
        taskSettings: taskSettingsOf(replication),
        alertTopicArn: this.alertTopic.topicArn,
      });
      if (this.source.mode === "ec2") {
        // The EC2 stand-in's MySQL makes its own self-signed certificate on first boot: no CA exists at synth to
        // pin. The forward link reads it inside the VPC without TLS for the same reason (README, DMS replication).
        suppressRule(
          this.fallback.targetEndpoint,
          "DMS3",
          "the EC2 source stand-in has no CA known at synth (its certificate is made on first boot): the fallback writes it inside the VPC without TLS, as the forward task reads it",
        );
      }
    }

    this.databaseName = new DatabaseName(this, "database-name", {
      ...databaseName,
      namePrefix: config.namePrefix,
      network: this.network,
      source: this.source,
      target: this.target,
    });
    this.assessment = new DmsAssessment(this, "dms-assessment", { ...assessment, namePrefix: config.namePrefix });

    this.monitoring = new Monitoring(this, "monitoring", {
      namePrefix: config.namePrefix,
      region: config.region,
      alertTopic: this.alertTopic,
      dms: this.dms,
      target: this.target,
      source: this.source,
      cdcLatencyThresholdSeconds: alerts.cdcLatencyThresholdSeconds,
      cdcLatencyEvaluationMinutes: alerts.cdcLatencyEvaluationMinutes,
      fullLoadStallMinutes: alerts.fullLoadStallMinutes,
      cpuThresholdPercent: alerts.cpuThresholdPercent,
      freeStorageThresholdPercent: alerts.freeStorageThresholdPercent,
      freeableMemoryThresholdMiB: alerts.freeableMemoryThresholdMiB,
      swapThresholdMiB: alerts.swapThresholdMiB,
      rdsConnectionsThreshold: alerts.rdsConnectionsThreshold,
      compositeAlarm: alerts.compositeAlarm,
      fallback: this.fallback,
    });

    this.applyPolicy();
    this.addOutputs(schemas);
    this.dms.addOutputs(this);
    new TerraformOutput(this, OUTPUT_NAMES.alertTopicArn, {
      value: this.alertTopic.topicArn,
      description: "SNS topic alarms and DMS events publish to",
    });
    new TerraformOutput(this, OUTPUT_NAMES.dashboardName, {
      value: this.monitoring.dashboard.dashboardName,
      description: "CloudWatch dashboard of the migration",
    });
    this.addCutoverOutputs();
  }

  /** Tags every resource and checks every resource against the policy pack; config suppressions by path. */
  private applyPolicy(): void {
    const config = this.config;
    Aspects.of(this).add(new TaggingAspect(config.tags));
    Aspects.of(this).add(
      new PolicyPack({
        environment: config.name,
        production: config.policy.production,
        freeTierGuard: config.policy.freeTierGuard,
      }),
    );
    for (const s of config.policy.suppressions) {
      const target = this.node.findAll().find((n) => n.node.path === `${this.node.path}/${s.path}`);
      if (!target) {
        throw new Error(
          `policy.suppressions: no construct at path ${JSON.stringify(s.path)} in stack ${this.node.id} (rule ${s.ruleId})`,
        );
      }
      suppressRule(target, s.ruleId, s.reason);
    }
  }

  private addOutputs(schemas: string[]): void {
    const out = (name: string, value: unknown, description: string) =>
      new TerraformOutput(this, name, { value, description });
    const o = OUTPUT_NAMES;
    out(o.region, this.config.region, "AWS region of this environment");
    out(o.vpcId, this.network.vpcId, "VPC the migration runs in");
    out(o.sourceMode, this.source.mode, "How the source exists: ec2 (created here) or existing");
    out(o.sourceHost, this.source.host, "Host DMS connects to on the source (private IP in ec2 mode)");
    out(o.sourcePort, this.source.port, "MySQL port of the source");
    out(
      o.sourceInstanceId,
      this.source instanceof SourceMysql ? this.source.instanceId : "",
      "EC2 instance id of the source (ec2 mode; connect with SSM Session Manager)",
    );
    out(o.sourceDmsSecretArn, this.source.dmsSecretArn, "Secrets Manager secret DMS reads the source with");
    out(o.targetEndpointAddress, this.target.instanceEndpointAddress, "RDS target endpoint address");
    out(o.targetPort, this.target.instancePort, "MySQL port of the RDS target");
    out(o.targetInstanceId, this.target.instanceIdentifier, "RDS DB instance identifier of the target");
    out(o.targetMasterSecretArn, this.target.masterUserSecretArn, "RDS-managed master user secret of the target");
    out(o.targetDmsSecretArn, this.target.dmsSecret.arn, "Secrets Manager secret DMS reads the target with");
    out(o.migratedSchemas, schemas, "Schemas the DMS task migrates");
  }

  /** The stable name, the fallback replication ("" when off) and the assessment storage: what dmsctl cutover reads. */
  private addCutoverOutputs(): void {
    const out = (name: string, value: unknown, description: string) =>
      new TerraformOutput(this, name, { value, description });
    const o = OUTPUT_NAMES;
    out(o.databaseZoneId, this.databaseName.zoneId, "Route 53 private hosted zone of the stable database name");
    out(
      o.databaseRecordName,
      this.databaseName.recordName,
      "The stable database name the applications connect to (CNAME to the active database)",
    );
    out(
      o.activeDatabase,
      this.databaseName.activeDatabase,
      "Database the stable name points at: source (before cutover) or target (after)",
    );
    out(
      o.fallbackTaskArn,
      this.fallback?.taskArn ?? "",
      "ARN of the stopped CDC task from the RDS target back to the source (empty without cutover.fallback)",
    );
    out(
      o.fallbackTaskId,
      this.fallback?.taskId ?? "",
      "Fallback task id (= resource identifier, its ReplicationTaskIdentifier metric dimension; empty without cutover.fallback)",
    );
    out(o.assessmentBucket, this.assessment.bucketName, "S3 bucket DMS writes premigration assessment results to");
    out(
      o.assessmentRoleArn,
      this.assessment.roleArn,
      "IAM role DMS assumes to write premigration assessment results (ServiceAccessRoleArn)",
    );
  }
}
