import { Construct } from "constructs";
import { Token } from "cdktf";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { DbParameterGroup, DbParameterGroupParameter } from "@cdktf/provider-aws/lib/db-parameter-group";
import { DbSubnetGroup } from "@cdktf/provider-aws/lib/db-subnet-group";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import {
  MYSQL_PORT,
  RDS_ENGINE_MYSQL,
  RDS_INSTANCE_CLASS_PATTERN,
  RDS_LIFECYCLE_EXTENDED_SUPPORT,
  RDS_LIFECYCLE_EXTENDED_SUPPORT_DISABLED,
  RDS_MYSQL_DEFAULT_ENGINE_VERSION,
  RDS_MYSQL_PARAMETER_GROUP_FAMILY,
  RdsEngineLifecycleSupport,
  RdsMysqlLogExport,
  RdsStorageType,
} from "../model/catalog";
import { Metric, MetricOptions, RDS_METRICS, RDS_NAMESPACE, RdsMetricName, metric } from "./metrics";
import { allowMysqlIngress } from "./mysql-ingress";
import { Network } from "./network";

/**
 * Retention values CloudWatch Logs accepts (days). The same list as environments/config.ts validates
 * `monitoring.logRetentionDays` against; copied because constructs never import environments/ (a test keeps the
 * two equal).
 */
export const CLOUDWATCH_LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** The log group RDS writes an exported log to: `/aws/rds/instance/<DB instance identifier>/<log>`. */
export function rdsLogGroupName(instanceIdentifier: string, log: RdsMysqlLogExport): string {
  return `/aws/rds/instance/${instanceIdentifier}/${log}`;
}

export interface TargetRdsProps {
  readonly namePrefix: string;
  readonly network: Network;
  /** @default "db.t3.micro" (free tier) */
  readonly instanceClass?: string;
  /** A major (`8.4`: RDS picks and upgrades the minor) or a full version. @default "8.4" */
  readonly engineVersion?: string;
  /** @default "open-source-rds-extended-support-disabled" */
  readonly engineLifecycleSupport?: RdsEngineLifecycleSupport;
  /** @default 20 (free tier) */
  readonly allocatedStorageGiB?: number;
  /** Storage autoscaling ceiling; 0 or undefined turns it off. @default 0 */
  readonly maxAllocatedStorageGiB?: number;
  /** @default "gp2" (what the free tier's 20 GB covers) */
  readonly storageType?: RdsStorageType;
  /** @default false */
  readonly multiAz?: boolean;
  /** @default true */
  readonly deletionProtection?: boolean;
  /** @default 7 */
  readonly backupRetentionDays?: number;
  /** Take a final snapshot on destroy. @default true */
  readonly finalSnapshot?: boolean;
  /** @default false */
  readonly performanceInsights?: boolean;
  /** Reachable from the internet. The policy pack (RDS2) fails synth on true. @default false */
  readonly publiclyAccessible?: boolean;
  /** @default ["error", "slowquery"] */
  readonly logExports?: readonly RdsMysqlLogExport[];
  /**
   * Days CloudWatch Logs keeps each exported log (one of the values CloudWatch accepts: 1, 3, 5, 7, 14, 30, ...).
   * The construct creates `/aws/rds/instance/<identifier>/<log>` for every export before the DB instance, with this
   * retention: a group RDS creates itself never expires.
   * @default 14
   */
  readonly logRetentionDays?: number;
  /**
   * Sets `lifecycle.prevent_destroy` on the DB instance, so any plan that would destroy or replace it fails: the
   * target holds the migrated data, and after cutover a replacement is data loss. Independent of
   * `deletionProtection` (an AWS-side flag): this one stops Terraform before it asks AWS.
   *
   * To destroy an environment on purpose (dev): synthesize it with `preventDestroy: false`, then run
   * `terraform destroy` (or `cdktf destroy <stack>`) on that synth; Terraform reads the setting from the
   * configuration, so nothing has to be applied first. Where `deletionProtection` is true, apply it as false before
   * the destroy (that flag lives in AWS). With the synthesized HCL alone: set the instance's
   * `prevent_destroy = false` in cdk.tf, then destroy.
   * @default true
   */
  readonly preventDestroy?: boolean;
  /** Apply changes now instead of in the maintenance window. @default false */
  readonly applyImmediately?: boolean;
  /** Days a deleted DMS secret can be restored. @default 7 */
  readonly secretRecoveryWindowDays?: number;
}

/**
 * The RDS for MySQL target: encrypted, private, TLS-only (`require_secure_transport`), a parameter group tuned for
 * a DMS target, the master password managed by RDS in Secrets Manager, and an empty secret that receives the
 * credentials of the least-privilege DMS target user (written by the source bootstrap or `dmsctl`).
 */
export class TargetRds extends Construct {
  readonly instance: DbInstance;
  readonly securityGroup: SecurityGroup;
  readonly parameterGroup: DbParameterGroup;
  readonly subnetGroup: DbSubnetGroup;
  /** Secret DMS reads the target with (username, password, host, port of the DMS target user). */
  readonly dmsSecret: SecretsmanagerSecret;
  readonly instanceIdentifier: string;
  readonly instanceEndpointAddress: string;
  readonly instancePort: number;
  /** ARN of the RDS-managed master user secret (username and password only: DMS cannot use it). */
  readonly masterUserSecretArn: string;
  /** One log group per exported log, by export name, created before the DB instance with the retention. */
  readonly logGroups: Readonly<Partial<Record<RdsMysqlLogExport, CloudwatchLogGroup>>>;
  private readonly allocated: number;

  constructor(scope: Construct, id: string, props: TargetRdsProps) {
    super(scope, id);
    const instanceClass = props.instanceClass ?? "db.t3.micro";
    const engineVersion = props.engineVersion ?? RDS_MYSQL_DEFAULT_ENGINE_VERSION;
    const lifecycle = props.engineLifecycleSupport ?? RDS_LIFECYCLE_EXTENDED_SUPPORT_DISABLED;
    const allocated = props.allocatedStorageGiB ?? 20;
    const maxAllocated = props.maxAllocatedStorageGiB ?? 0;
    const backupDays = props.backupRetentionDays ?? 7;
    const logExports = props.logExports ?? ["error", "slowquery"];
    const logRetentionDays = props.logRetentionDays ?? 14;

    if (!Token.isUnresolved(instanceClass) && !RDS_INSTANCE_CLASS_PATTERN.test(instanceClass)) {
      throw new Error(`instanceClass must be an RDS instance class such as db.t3.micro, got ${JSON.stringify(instanceClass)}`);
    }
    const major = /^(\d+\.\d+)(\.\d+)?$/.exec(engineVersion)?.[1];
    const family = major ? RDS_MYSQL_PARAMETER_GROUP_FAMILY[major] : undefined;
    if (!family) {
      throw new Error(`engineVersion must be an RDS for MySQL 8.0 or 8.4 version, got ${JSON.stringify(engineVersion)}`);
    }
    if (major === "8.0" && lifecycle !== RDS_LIFECYCLE_EXTENDED_SUPPORT) {
      throw new Error(
        `engineVersion 8.0 is past standard support and needs engineLifecycleSupport "${RDS_LIFECYCLE_EXTENDED_SUPPORT}", got ${JSON.stringify(lifecycle)}`,
      );
    }
    if (!Number.isInteger(allocated) || allocated < 20 || allocated > 65536) {
      throw new Error(`allocatedStorageGiB must be an integer between 20 and 65536, got ${allocated}`);
    }
    if (maxAllocated !== 0 && !(maxAllocated > allocated)) {
      throw new Error(`maxAllocatedStorageGiB must be 0 (off) or greater than allocatedStorageGiB (${allocated}), got ${maxAllocated}`);
    }
    if (!Number.isInteger(backupDays) || backupDays < 1 || backupDays > 35) {
      throw new Error(`backupRetentionDays must be between 1 and 35, got ${backupDays}`);
    }
    if (!Token.isUnresolved(logRetentionDays) && !(CLOUDWATCH_LOG_RETENTION_DAYS as readonly number[]).includes(logRetentionDays)) {
      throw new Error(`logRetentionDays must be one of ${CLOUDWATCH_LOG_RETENTION_DAYS.join(", ")}, got ${logRetentionDays}`);
    }
    const name = `${props.namePrefix}-target`;
    this.allocated = allocated;

    this.securityGroup = new SecurityGroup(this, "sg", {
      name: `${name}-mysql`,
      description: "RDS MySQL target: MySQL only from the security groups allowed by name; no egress",
      vpcId: props.network.vpcId,
      tags: { Name: `${name}-mysql` },
    });

    this.subnetGroup = new DbSubnetGroup(this, "subnet-group", {
      name: `${name}-private`,
      description: "Private subnets of the RDS MySQL target",
      subnetIds: props.network.privateSubnetIds,
    });

    this.parameterGroup = new DbParameterGroup(this, "parameter-group", {
      namePrefix: `${name}-`,
      family,
      description: "RDS MySQL as an AWS DMS target: TLS only, DMS load and timeout settings",
      parameter: targetParameters(logExports),
      lifecycle: { createBeforeDestroy: true },
    });

    // RDS creates the group of an exported log on first write, without retention, unless it already exists.
    const logGroups: Partial<Record<RdsMysqlLogExport, CloudwatchLogGroup>> = {};
    const logGroupList: CloudwatchLogGroup[] = [];
    for (const log of new Set(logExports)) {
      const group = new CloudwatchLogGroup(this, `log-group-${log}`, {
        name: rdsLogGroupName(name, log),
        retentionInDays: logRetentionDays,
      });
      logGroups[log] = group;
      logGroupList.push(group);
    }
    this.logGroups = logGroups;

    this.instance = new DbInstance(this, "instance", {
      identifier: name,
      engine: RDS_ENGINE_MYSQL,
      engineVersion,
      engineLifecycleSupport: lifecycle,
      instanceClass,
      allocatedStorage: allocated,
      maxAllocatedStorage: maxAllocated === 0 ? undefined : maxAllocated,
      storageType: props.storageType ?? "gp2",
      storageEncrypted: true,
      port: MYSQL_PORT,
      username: "dbadmin",
      manageMasterUserPassword: true,
      dbSubnetGroupName: this.subnetGroup.name,
      vpcSecurityGroupIds: [this.securityGroup.id],
      publiclyAccessible: props.publiclyAccessible ?? false,
      parameterGroupName: this.parameterGroup.name,
      multiAz: props.multiAz ?? false,
      backupRetentionPeriod: backupDays,
      backupWindow: "03:00-04:00",
      maintenanceWindow: "sun:04:30-sun:05:30",
      deletionProtection: props.deletionProtection ?? true,
      skipFinalSnapshot: !(props.finalSnapshot ?? true),
      finalSnapshotIdentifier: (props.finalSnapshot ?? true) ? `${name}-final` : undefined,
      copyTagsToSnapshot: true,
      autoMinorVersionUpgrade: true,
      allowMajorVersionUpgrade: false,
      caCertIdentifier: "rds-ca-rsa2048-g1",
      enabledCloudwatchLogsExports: [...logExports],
      performanceInsightsEnabled: props.performanceInsights ?? false,
      applyImmediately: props.applyImmediately ?? false,
      tags: { Name: name },
      dependsOn: logGroupList.length > 0 ? logGroupList : undefined,
      lifecycle: { preventDestroy: props.preventDestroy ?? true },
    });

    this.dmsSecret = new SecretsmanagerSecret(this, "dms-secret", {
      namePrefix: `${props.namePrefix}/dms/target-`,
      description: `DMS target credentials (username, password, host, port) of ${name}; written by the bootstrap, not Terraform`,
      recoveryWindowInDays: props.secretRecoveryWindowDays ?? 7,
    });

    this.instanceIdentifier = name; // literal: the DBInstanceIdentifier metric dimension is known at synth
    this.instanceEndpointAddress = this.instance.address;
    this.instancePort = MYSQL_PORT;
    this.masterUserSecretArn = this.instance.masterUserSecret.get(0).secretArn;
  }

  /** An RDS metric of this instance by its official name (namespace AWS/RDS, dimension DBInstanceIdentifier). */
  metric(metricName: RdsMetricName, options: MetricOptions = {}): Metric {
    const defaults = { statistic: metricName === "CPUUtilization" || metricName === "DatabaseConnections" ? "Average" : "Minimum", periodSeconds: 300 } as const;
    return metric(RDS_NAMESPACE, metricName, { DBInstanceIdentifier: this.instanceIdentifier }, RDS_METRICS[metricName], defaults, options);
  }
  metricCPUUtilization(options?: MetricOptions): Metric {
    return this.metric("CPUUtilization", options);
  }
  metricFreeStorageSpace(options?: MetricOptions): Metric {
    return this.metric("FreeStorageSpace", options);
  }
  metricFreeableMemory(options?: MetricOptions): Metric {
    return this.metric("FreeableMemory", options);
  }
  metricDatabaseConnections(options?: MetricOptions): Metric {
    return this.metric("DatabaseConnections", { statistic: "Maximum", ...options });
  }

  /** Allocated storage in GiB (for storage alarms as a share of it). */
  get allocatedStorageGiB(): number {
    return this.allocated;
  }

  /** Opens MySQL on the target to a security group (and nothing else), with a description on the rule. */
  allowMysqlFrom(peer: SecurityGroup, description: string): VpcSecurityGroupIngressRule {
    return allowMysqlIngress(this, this.securityGroup.id, peer, description);
  }

}

/**
 * Parameters for RDS MySQL as a DMS target. `require_secure_transport` makes TLS mandatory; `local_infile` is what
 * the DMS premigration assessment checks; the timeouts follow AWS's "at least 5 minutes" advice so a long full-load
 * batch is not cut off; full row images keep the target ready to be a CDC source for a fallback replication
 * (binlog_format is ROW by default on 8.4, where the variable is deprecated).
 *
 * `log_bin_trust_function_creators`: RDS turns binary logging on whenever automated backups are (always, here), and
 * the RDS master user has no SUPER privilege, so without it every `CREATE TRIGGER` (and `CREATE FUNCTION`) fails with
 * ERROR 1419 "You do not have the SUPER privilege and binary logging is enabled". `dmsctl schema --finalize` creates
 * the source's triggers on the target at cutover as the master user: it needs this set (dynamic, so "immediate").
 */
function targetParameters(logExports: readonly RdsMysqlLogExport[]): DbParameterGroupParameter[] {
  const p = (name: string, value: string): DbParameterGroupParameter => ({ name, value, applyMethod: "immediate" });
  return [
    p("require_secure_transport", "1"),
    p("local_infile", "1"),
    p("max_allowed_packet", "67108864"),
    p("net_read_timeout", "300"),
    p("net_write_timeout", "300"),
    p("wait_timeout", "28800"),
    p("innodb_lock_wait_timeout", "300"),
    p("character_set_server", "utf8mb4"),
    p("binlog_row_image", "FULL"),
    p("log_output", "FILE"),
    p("slow_query_log", logExports.includes("slowquery") ? "1" : "0"),
    p("long_query_time", "2"),
    p("general_log", logExports.includes("general") ? "1" : "0"),
    p("log_bin_trust_function_creators", "1"),
  ].sort((a, b) => a.name.localeCompare(b.name));
}
