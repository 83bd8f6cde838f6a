import { Construct } from "constructs";
import { Annotations, TerraformOutput, Token } from "cdktf";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DmsCertificate } from "@cdktf/provider-aws/lib/dms-certificate";
import { DmsEndpoint } from "@cdktf/provider-aws/lib/dms-endpoint";
import { DmsEventSubscription } from "@cdktf/provider-aws/lib/dms-event-subscription";
import { DmsReplicationConfig } from "@cdktf/provider-aws/lib/dms-replication-config";
import { DmsReplicationInstance } from "@cdktf/provider-aws/lib/dms-replication-instance";
import { DmsReplicationSubnetGroup } from "@cdktf/provider-aws/lib/dms-replication-subnet-group";
import { DmsReplicationTask } from "@cdktf/provider-aws/lib/dms-replication-task";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { OUTPUT_NAMES } from "../model/names";
import { TableSelection } from "../model/table-selection";
import { MYSQL_PORT } from "../model/catalog";
import { DmsAccountRoles } from "./dms-account-roles";
import { buildTableMappings, TableTransformation } from "../model/dms-table-mappings";
import { buildTaskSettings, TaskSettingsProps } from "../model/dms-task-settings";
import {
  DMS_INSTANCE_METRICS,
  DMS_NAMESPACE,
  DMS_SERVERLESS_METRICS,
  DMS_TASK_METRICS,
  DmsInstanceMetricName,
  DmsServerlessMetricName,
  DmsTaskMetricName,
  Metric,
  MetricOptions,
  metric,
} from "./metrics";
import { Network } from "./network";
import { rdsRegionCaBundle } from "./rds-ca";
import { ISourceMysql } from "./source-mysql";
import { TargetRds } from "./target-rds";

/** DMS replication instance classes (DMS guide, "Choosing the right AWS DMS replication instance class"). */
export const DMS_INSTANCE_CLASS_PATTERN =
  /^dms\.((t2|t3)\.(micro|small|medium|large)|(c4|c5|c6i|c7i|r4|r5|r6i|r7i)\.(large|xlarge|[1-9][0-9]?xlarge))$/;
/** Capacity units DMS Serverless accepts (1 DCU = 2 GB of memory). */
export const DMS_SERVERLESS_CAPACITY_UNITS = [1, 2, 4, 8, 16, 32, 64, 128, 192, 256, 384] as const;
/** Replication engine the instance runs: pinned, upgraded on purpose (MySQL 8.4 needs >= 3.5.4). */
export const DMS_DEFAULT_ENGINE_VERSION = "3.6.1";
/** Event categories (exact API strings, `aws dms describe-event-categories`). */
export const DMS_INSTANCE_EVENT_CATEGORIES = ["failure", "low storage", "failover", "maintenance", "configuration change", "deletion"] as const;
export const DMS_TASK_EVENT_CATEGORIES = ["failure", "state change", "configuration change", "deletion"] as const;
/** DMS supports none, verify-ca and verify-full for MySQL (no "require"). */
export type DmsMysqlSslMode = "none" | "verify-ca" | "verify-full";

export interface DmsServerlessProps {
  /** @default 1 */
  readonly minCapacityUnits?: number;
  /** @default 16 */
  readonly maxCapacityUnits?: number;
}

export interface DmsReplicationProps {
  readonly namePrefix: string;
  /** Region of the stack, as a literal: it picks the RDS CA bundle and the DMS service principal. */
  readonly region: string;
  readonly network: Network;
  readonly source: ISourceMysql;
  readonly target: TargetRds;
  readonly accountRoles: DmsAccountRoles;
  /** The tables to migrate: a parsed selection (`tableSelection(["shop.%", "!shop.tmp_%"])`, model/table-selection.ts). */
  readonly tables: TableSelection;
  readonly transformations?: readonly TableTransformation[];
  readonly taskSettings?: TaskSettingsProps;
  /**
   * Subnet tier of the replication instance. `public` (dev only) gives it a public IP for egress to Secrets Manager
   * with no inbound rule; `private` needs a Secrets Manager endpoint or a NAT gateway.
   * @default "private"
   */
  readonly subnet?: "public" | "private";
  /** @default "dms.t3.micro" (free tier) */
  readonly instanceClass?: string;
  /** @default 50 */
  readonly allocatedStorageGiB?: number;
  /** @default "3.6.1" */
  readonly engineVersion?: string;
  /** @default false */
  readonly multiAz?: boolean;
  /** Use DMS Serverless (`aws_dms_replication_config`) instead of an instance and a task. @default - an instance */
  readonly serverless?: DmsServerlessProps;
  /**
   * Start the replication on create. Only when both DMS secrets hold credentials before the apply and the target
   * schema exists (else DMS creates bare tables, fact 14). @default false: start it after `dmsctl users`,
   * `dmsctl schema` and `dmsctl preflight` (README, first apply)
   */
  readonly startTask?: boolean;
  /** TLS to the source. @default - "verify-full" when the source's CA is known (`caCertificatePem`), else "none" (with a warning for an existing source) */
  readonly sourceSslMode?: DmsMysqlSslMode;
  /** Parallel threads loading each table into the target (1-5). @default 2 */
  readonly targetParallelLoadThreads?: number;
  /** SNS topic for DMS event subscriptions. @default - no subscription */
  readonly alertTopicArn?: string;
  /** Retention of the task log group. @default 14 */
  readonly logRetentionDays?: number;
  /** Apply instance changes now rather than in the maintenance window. @default false */
  readonly applyImmediately?: boolean;
}

/**
 * AWS DMS full load + ongoing replication (CDC) from the source to the RDS target: replication instance (or DMS
 * Serverless), endpoints that read credentials from Secrets Manager through a least-privilege role, TLS to the
 * target (verify-full against the RDS regional CA), a task with generated table mappings and typed settings, the
 * task log group with retention, and event subscriptions to the alert topic.
 */
export class DmsReplication extends Construct {
  readonly serverless: boolean;
  readonly securityGroup: SecurityGroup;
  readonly subnetGroup: DmsReplicationSubnetGroup;
  readonly secretsAccessRole: IamRole;
  readonly sourceEndpoint: DmsEndpoint;
  readonly targetEndpoint: DmsEndpoint;
  readonly logGroup: CloudwatchLogGroup;
  readonly instance?: DmsReplicationInstance;
  readonly task?: DmsReplicationTask;
  readonly replicationConfig?: DmsReplicationConfig;
  /** Replication instance id (instance mode): the `ReplicationInstanceIdentifier` metric dimension. */
  readonly replicationInstanceId?: string;
  /** Task id and resource identifier (equal on purpose): the `ReplicationTaskIdentifier` metric dimension. */
  readonly taskId: string;
  /** ARN of the task (or the serverless replication config). */
  readonly taskArn: string;
  readonly tableMappingsJson: string;
  /** Storage of the replication instance (GiB; 0 for serverless). */
  readonly allocatedStorageGiB: number;
  readonly taskSettingsJson: string;
  private readonly accountId: string;

  constructor(scope: Construct, id: string, props: DmsReplicationProps) {
    super(scope, id);
    const p = props;
    this.serverless = p.serverless !== undefined;
    const name = `${p.namePrefix}-dms`;
    this.taskId = `${p.namePrefix}-task`;
    validate(p, this.taskId);
    const subnet = p.subnet ?? "private";
    const logRetention = p.logRetentionDays ?? 14;
    this.allocatedStorageGiB = this.serverless ? 0 : (p.allocatedStorageGiB ?? 50);

    this.tableMappingsJson = JSON.stringify(buildTableMappings({ tables: p.tables, transformations: p.transformations }));
    this.taskSettingsJson = JSON.stringify(buildTaskSettings(p.taskSettings));
    this.accountId = new DataAwsCallerIdentity(this, "account").accountId;
    // A private replication reads its secrets through the Secrets Manager endpoint: it must exist first.
    const secretsRoute = p.network.secretsManagerEndpointResource ? [p.network.secretsManagerEndpointResource] : [];

    // Network: the only group allowed to reach MySQL on the source and the target. No inbound rule at all.
    this.securityGroup = new SecurityGroup(this, "sg", {
      name,
      description: "AWS DMS replication: no inbound; MySQL to source and target, HTTPS to Secrets Manager",
      vpcId: p.network.vpcId,
      tags: { Name: name },
    });
    const egress = (rid: string, description: string, port: number, peer: { cidr?: string; sg?: string }) =>
      new VpcSecurityGroupEgressRule(this, rid, {
        securityGroupId: this.securityGroup.id,
        description,
        ipProtocol: "tcp",
        fromPort: port,
        toPort: port,
        cidrIpv4: peer.cidr,
        referencedSecurityGroupId: peer.sg,
      });
    egress("egress-target", "MySQL to the RDS target", MYSQL_PORT, { sg: p.target.securityGroup.id });
    if (p.source.securityGroup) {
      egress("egress-source", "MySQL to the source instance", p.source.port, { sg: p.source.securityGroup.id });
      p.source.allowMysqlFrom(this.securityGroup, "DMS replication reads the source: full load and binlog (CDC)");
    } else {
      egress("egress-source", "MySQL to the existing source (on premises or peered; address from its secret)", p.source.port, {
        cidr: "0.0.0.0/0",
      });
    }
    p.target.allowMysqlFrom(this.securityGroup, "DMS replication writes the target: full load and CDC apply");
    egress(
      "egress-https",
      p.network.endpointSecurityGroup ? "HTTPS to the Secrets Manager VPC endpoint" : "HTTPS to Secrets Manager (public endpoint)",
      443,
      p.network.endpointSecurityGroup ? { sg: p.network.endpointSecurityGroup.id } : { cidr: "0.0.0.0/0" },
    );

    this.subnetGroup = new DmsReplicationSubnetGroup(this, "subnet-group", {
      replicationSubnetGroupId: name,
      replicationSubnetGroupDescription: `DMS replication subnets (${subnet})`,
      subnetIds: p.network.subnetIds(subnet),
      dependsOn: p.accountRoles.dependables,
    });

    // Secrets: DMS reads both endpoint secrets through this role, and nothing else.
    // Confused-deputy guard: DMS may assume the role only on behalf of this account. aws:SourceAccount only: DMS
    // does not send aws:SourceArn on every call, and a SourceArn condition has broken DMS roles before
    // (terraform-aws-modules/terraform-aws-dms#84).
    const trust = new DataAwsIamPolicyDocument(this, "secrets-trust", {
      statement: [
        {
          actions: ["sts:AssumeRole"],
          principals: [{ type: "Service", identifiers: [`dms.${p.region}.amazonaws.com`, "dms.amazonaws.com"] }],
          condition: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [this.accountId] }],
        },
      ],
    });
    this.secretsAccessRole = new IamRole(this, "secrets-role", {
      name: `${name}-secrets`,
      description: "AWS DMS reads the source and target endpoint secrets",
      assumeRolePolicy: trust.json,
    });
    const secretArns = [p.source.dmsSecretArn, p.target.dmsSecret.arn];
    const secretsPolicy = new DataAwsIamPolicyDocument(this, "secrets-policy", {
      statement: [
        { sid: "ReadEndpointSecrets", actions: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], resources: secretArns },
        ...(p.source.dmsSecretKmsKeyArn
          ? [
              {
                sid: "DecryptSourceSecret",
                actions: ["kms:Decrypt", "kms:DescribeKey"],
                resources: [p.source.dmsSecretKmsKeyArn],
                condition: [{ test: "StringEquals", variable: "kms:ViaService", values: [`secretsmanager.${p.region}.amazonaws.com`] }],
              },
            ]
          : []),
      ],
    });
    const secretsPolicyResource = new IamRolePolicy(this, "secrets-role-policy", {
      name: "read-dms-endpoint-secrets",
      role: this.secretsAccessRole.id,
      policy: secretsPolicy.json,
    });

    // Endpoints: credentials only through Secrets Manager (never user/password/server/port on the endpoint).
    const targetCa = new DmsCertificate(this, "target-ca", {
      certificateId: `${name}-rds-ca-${p.region}`,
      certificatePem: rdsRegionCaBundle(p.region),
    });
    const sourceSsl = defaultSourceSsl(p);
    if (sourceSsl === "none" && p.source.mode === "existing") {
      Annotations.of(this).addWarning(
        "DMS reads the existing source without TLS: set its CA certificate (source.existing.caCertificatePem) for verify-full",
      );
    }
    const sourceCa =
      sourceSsl === "none"
        ? undefined
        : new DmsCertificate(this, "source-ca", { certificateId: `${name}-source-ca`, certificatePem: p.source.caCertificatePem });
    this.sourceEndpoint = new DmsEndpoint(this, "source-endpoint", {
      endpointId: `${name}-source`,
      endpointType: "source",
      engineName: "mysql",
      secretsManagerArn: p.source.dmsSecretArn,
      secretsManagerAccessRoleArn: this.secretsAccessRole.arn,
      sslMode: sourceSsl,
      certificateArn: sourceCa?.certificateArn,
      mysqlSettings: { eventsPollInterval: 5, ...(p.source.serverTimezone ? { serverTimezone: p.source.serverTimezone } : {}) },
      dependsOn: [secretsPolicyResource],
    });
    this.targetEndpoint = new DmsEndpoint(this, "target-endpoint", {
      endpointId: `${name}-target`,
      endpointType: "target",
      engineName: "mysql",
      secretsManagerArn: p.target.dmsSecret.arn,
      secretsManagerAccessRoleArn: this.secretsAccessRole.arn,
      sslMode: "verify-full",
      certificateArn: targetCa.certificateArn,
      mysqlSettings: {
        // Rows of a table arrive in parallel and out of dependency order during full load: no FK checks then.
        afterConnectScript: "SET FOREIGN_KEY_CHECKS=0",
        parallelLoadThreads: p.targetParallelLoadThreads ?? 2,
        targetDbType: "multiple-databases",
      },
      dependsOn: [secretsPolicyResource],
    });

    const startTask = p.startTask ?? false;
    if (!this.serverless) {
      this.replicationInstanceId = name;
      this.logGroup = new CloudwatchLogGroup(this, "task-log-group", {
        name: `dms-tasks-${name}`,
        retentionInDays: logRetention,
      });
      this.instance = new DmsReplicationInstance(this, "instance", {
        replicationInstanceId: name,
        replicationInstanceClass: p.instanceClass ?? "dms.t3.micro",
        allocatedStorage: this.allocatedStorageGiB,
        engineVersion: p.engineVersion ?? DMS_DEFAULT_ENGINE_VERSION,
        autoMinorVersionUpgrade: false,
        allowMajorVersionUpgrade: false,
        multiAz: p.multiAz ?? false,
        publiclyAccessible: subnet === "public",
        replicationSubnetGroupId: this.subnetGroup.replicationSubnetGroupId,
        vpcSecurityGroupIds: [this.securityGroup.id],
        preferredMaintenanceWindow: "sun:05:30-sun:06:30",
        applyImmediately: p.applyImmediately ?? false,
        tags: { Name: name },
        dependsOn: [...p.accountRoles.dependables, ...secretsRoute],
        // AWS upgrades the engine at its end of life even with auto minor upgrades off, and never downgrades
        // (fact 15): a pinned version would make every later plan try a downgrade. Upgrades are an operator step
        // (README, "DMS engine upgrades"); engineVersion applies on create.
        lifecycle: { ignoreChanges: ["engine_version"] },
      });
      this.task = new DmsReplicationTask(this, "task", {
        replicationTaskId: this.taskId,
        resourceIdentifier: this.taskId,
        migrationType: "full-load-and-cdc",
        replicationInstanceArn: this.instance.replicationInstanceArn,
        sourceEndpointArn: this.sourceEndpoint.endpointArn,
        targetEndpointArn: this.targetEndpoint.endpointArn,
        tableMappings: this.tableMappingsJson,
        replicationTaskSettings: this.taskSettingsJson,
        startReplicationTask: startTask,
        tags: { Name: this.taskId },
        // The log group must exist (with its retention) before DMS writes to it; an EC2 source's bootstrap must
        // have written the endpoint secrets before the task starts.
        dependsOn: [this.logGroup],
      });
      this.taskArn = this.task.replicationTaskArn;
      if (p.alertTopicArn) {
        new DmsEventSubscription(this, "instance-events", {
          name: `${name}-instance-events`,
          snsTopicArn: p.alertTopicArn,
          sourceType: "replication-instance",
          sourceIds: [this.instance.replicationInstanceId],
          eventCategories: [...DMS_INSTANCE_EVENT_CATEGORIES],
          enabled: true,
        });
        new DmsEventSubscription(this, "task-events", {
          name: `${name}-task-events`,
          snsTopicArn: p.alertTopicArn,
          sourceType: "replication-task",
          sourceIds: [this.task.replicationTaskId],
          eventCategories: [...DMS_TASK_EVENT_CATEGORIES],
          enabled: true,
        });
      }
    } else {
      const s = p.serverless!;
      this.logGroup = new CloudwatchLogGroup(this, "task-log-group", {
        name: `dms-serverless-replication-${this.taskId}`,
        retentionInDays: logRetention,
      });
      this.replicationConfig = new DmsReplicationConfig(this, "replication-config", {
        replicationConfigIdentifier: this.taskId,
        resourceIdentifier: this.taskId,
        replicationType: "full-load-and-cdc",
        sourceEndpointArn: this.sourceEndpoint.endpointArn,
        targetEndpointArn: this.targetEndpoint.endpointArn,
        tableMappings: this.tableMappingsJson,
        replicationSettings: this.taskSettingsJson,
        startReplication: startTask,
        computeConfig: {
          replicationSubnetGroupId: this.subnetGroup.replicationSubnetGroupId,
          vpcSecurityGroupIds: [this.securityGroup.id],
          minCapacityUnits: s.minCapacityUnits ?? 1,
          maxCapacityUnits: s.maxCapacityUnits ?? 16,
          multiAz: p.multiAz ?? false,
          preferredMaintenanceWindow: "sun:05:30-sun:06:30",
        },
        tags: { Name: this.taskId },
        dependsOn: [this.logGroup, ...p.accountRoles.dependables, ...secretsRoute],
      });
      this.taskArn = this.replicationConfig.arn;
    }
  }

  /** Dimensions of the task metrics: instance + task resource identifier, or the serverless replication. */
  private taskDimensions(): Record<string, string> {
    if (this.serverless) {
      // Serverless replications publish under ReplicationConfigId = "<account id>:<resource identifier>" (seen in
      // `aws cloudwatch list-metrics`; the guide does not spell it out). resource_identifier is set on purpose.
      return { ReplicationConfigId: `${this.accountId}:${this.taskId}` };
    }
    return { ReplicationInstanceIdentifier: this.replicationInstanceId!, ReplicationTaskIdentifier: this.taskId };
  }

  /** Any task metric by its official name. */
  metricTask(metricName: DmsTaskMetricName, options: MetricOptions = {}): Metric {
    return metric(DMS_NAMESPACE, metricName, this.taskDimensions(), DMS_TASK_METRICS[metricName], { statistic: "Average", periodSeconds: 60 }, options);
  }
  metricCDCLatencySource(options?: MetricOptions): Metric {
    return this.metricTask("CDCLatencySource", { statistic: "Maximum", ...options });
  }
  metricCDCLatencyTarget(options?: MetricOptions): Metric {
    return this.metricTask("CDCLatencyTarget", { statistic: "Maximum", ...options });
  }
  metricCDCIncomingChanges(options?: MetricOptions): Metric {
    return this.metricTask("CDCIncomingChanges", { statistic: "Maximum", ...options });
  }
  metricCDCThroughputRowsSource(options?: MetricOptions): Metric {
    return this.metricTask("CDCThroughputRowsSource", options);
  }
  metricCDCThroughputRowsTarget(options?: MetricOptions): Metric {
    return this.metricTask("CDCThroughputRowsTarget", options);
  }
  metricFullLoadThroughputRowsSource(options?: MetricOptions): Metric {
    return this.metricTask("FullLoadThroughputRowsSource", options);
  }
  metricFullLoadThroughputRowsTarget(options?: MetricOptions): Metric {
    return this.metricTask("FullLoadThroughputRowsTarget", options);
  }

  /** A DMS Serverless metric by its official name (serverless mode only). */
  metricServerless(metricName: DmsServerlessMetricName, options: MetricOptions = {}): Metric {
    if (!this.serverless) throw new Error(`${metricName} is a DMS Serverless metric; this replication uses an instance`);
    return metric(DMS_NAMESPACE, metricName, this.taskDimensions(), DMS_SERVERLESS_METRICS[metricName], { statistic: "Maximum", periodSeconds: 300 }, options);
  }
  metricCapacityUtilization(options?: MetricOptions): Metric {
    return this.metricServerless("CapacityUtilization", options);
  }

  /**
   * The full-load progress metric this replication publishes: FullLoadThroughputRowsSource for an instance task;
   * DMS Serverless publishes only FullLoadThroughputRowsTarget (fact 16).
   */
  metricFullLoadProgress(options?: MetricOptions): Metric {
    return this.serverless ? this.metricFullLoadThroughputRowsTarget(options) : this.metricFullLoadThroughputRowsSource(options);
  }

  /** Any replication instance metric by its official name (instance mode only). */
  metricInstance(metricName: DmsInstanceMetricName, options: MetricOptions = {}): Metric {
    if (this.serverless) throw new Error(`${metricName} is a replication instance metric; this replication is serverless`);
    return metric(
      DMS_NAMESPACE,
      metricName,
      { ReplicationInstanceIdentifier: this.replicationInstanceId! },
      DMS_INSTANCE_METRICS[metricName],
      { statistic: "Average", periodSeconds: 300 },
      options,
    );
  }
  metricCPUUtilization(options?: MetricOptions): Metric {
    return this.metricInstance("CPUUtilization", options);
  }
  metricFreeableMemory(options?: MetricOptions): Metric {
    return this.metricInstance("FreeableMemory", { statistic: "Minimum", ...options });
  }
  metricFreeStorageSpace(options?: MetricOptions): Metric {
    return this.metricInstance("FreeStorageSpace", { statistic: "Minimum", ...options });
  }
  metricSwapUsage(options?: MetricOptions): Metric {
    return this.metricInstance("SwapUsage", { statistic: "Maximum", ...options });
  }

  /** Terraform outputs of the replication (called by the stack). */
  addOutputs(scope: Construct): void {
    const out = (id: string, value: string, description: string) => new TerraformOutput(scope, id, { value, description });
    const o = OUTPUT_NAMES;
    out(o.dmsTaskArn, this.taskArn, this.serverless ? "ARN of the DMS Serverless replication config" : "ARN of the DMS replication task");
    out(o.dmsTaskId, this.taskId, "DMS task id (= resource identifier, the ReplicationTaskIdentifier metric dimension)");
    out(o.dmsReplicationInstanceId, this.replicationInstanceId ?? "", "DMS replication instance id (empty for serverless)");
    out(o.dmsSourceEndpointArn, this.sourceEndpoint.endpointArn, "ARN of the DMS source endpoint");
    out(o.dmsTargetEndpointArn, this.targetEndpoint.endpointArn, "ARN of the DMS target endpoint");
    out(o.dmsTaskLogGroup, this.logGroup.name, "CloudWatch log group of the DMS task");
  }
}

/** TLS to the source: verify-full when its CA is known; none for the EC2 stand-in (VPC-internal, no CA to pin). */
function defaultSourceSsl(p: DmsReplicationProps): DmsMysqlSslMode {
  return p.sourceSslMode ?? (p.source.caCertificatePem ? "verify-full" : "none");
}

function validate(p: DmsReplicationProps, taskId: string): void {
  const cls = p.instanceClass ?? "dms.t3.micro";
  if (!Token.isUnresolved(cls) && !DMS_INSTANCE_CLASS_PATTERN.test(cls)) {
    throw new Error(`instanceClass must be a DMS replication instance class such as dms.t3.micro, got ${JSON.stringify(cls)}`);
  }
  const storage = p.allocatedStorageGiB ?? 50;
  if (!Number.isInteger(storage) || storage < 5 || storage > 6144) {
    throw new Error(`allocatedStorageGiB must be an integer between 5 and 6144, got ${storage}`);
  }
  const engine = p.engineVersion ?? DMS_DEFAULT_ENGINE_VERSION;
  const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(engine);
  if (!m || Number(m[1]) < 3 || (Number(m[1]) === 3 && (Number(m[2]) < 5 || (Number(m[2]) === 5 && Number(m[3]) < 4)))) {
    throw new Error(`engineVersion must be a DMS engine version >= 3.5.4 (MySQL 8.4 support), got ${JSON.stringify(engine)}`);
  }
  if (p.serverless) {
    const min = p.serverless.minCapacityUnits ?? 1;
    const max = p.serverless.maxCapacityUnits ?? 16;
    const allowed = DMS_SERVERLESS_CAPACITY_UNITS as readonly number[];
    if (!allowed.includes(min)) throw new Error(`serverless.minCapacityUnits must be one of ${allowed.join(", ")}, got ${min}`);
    if (!allowed.includes(max)) throw new Error(`serverless.maxCapacityUnits must be one of ${allowed.join(", ")}, got ${max}`);
    if (min > max) throw new Error(`serverless.minCapacityUnits must not exceed maxCapacityUnits (${max}), got ${min}`);
  }
  const threads = p.targetParallelLoadThreads ?? 2;
  if (!Number.isInteger(threads) || threads < 1 || threads > 5) {
    throw new Error(`targetParallelLoadThreads must be an integer between 1 and 5, got ${threads}`);
  }
  if ((p.subnet ?? "private") === "private" && !p.network.secretsManagerEndpointResource && !p.network.natGatewayResource && !p.network.isExisting) {
    throw new Error(
      'subnet "private" needs a Secrets Manager VPC endpoint or a NAT gateway in the network (DMS reads its endpoint secrets over HTTPS), got neither',
    );
  }
  const sourceSsl = defaultSourceSsl(p);
  if (!["none", "verify-ca", "verify-full"].includes(sourceSsl)) {
    throw new Error(`sourceSslMode must be none, verify-ca or verify-full (DMS has no "require" for MySQL), got ${JSON.stringify(sourceSsl)}`);
  }
  if (sourceSsl !== "none" && !p.source.caCertificatePem?.includes("BEGIN CERTIFICATE")) {
    throw new Error(`the source's caCertificatePem must be the PEM of its CA when sourceSslMode is ${sourceSsl}, got none`);
  }
  if (!/^[a-zA-Z][a-zA-Z0-9-]{0,30}$/.test(taskId) || taskId.includes("--") || taskId.endsWith("-")) {
    throw new Error(`the task id (= resource identifier) must be <= 31 letters, digits or single hyphens starting with a letter, got ${JSON.stringify(taskId)}`);
  }
}
