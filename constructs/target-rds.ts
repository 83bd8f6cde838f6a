import { Construct } from "constructs";
import { Token } from "cdktf";
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
} from "./catalog";
import { Metric, MetricOptions, RDS_METRICS, RDS_NAMESPACE, RdsMetricName, metric } from "./metrics";
import { allowMysqlIngress } from "./mysql-ingress";
import { Network } from "./network";

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
