import { Construct } from "constructs";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { DbParameterGroup, DbParameterGroupParameter } from "@cdktf/provider-aws/lib/db-parameter-group";
import { DbSubnetGroup } from "@cdktf/provider-aws/lib/db-subnet-group";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { assertValid } from "../model/checks";
import { MYSQL_PORT, RDS_ENGINE_MYSQL, RdsMysqlLogExport } from "../model/catalog";
import {
  rdsParameterGroupFamily,
  resolveTargetRdsSettings,
  TargetRdsSettings,
  validateTargetRdsSettings,
} from "./target-rds-props";
import { Metric, MetricOptions, RDS_METRICS, RDS_NAMESPACE, RdsMetricName, metric } from "./metrics";
import { allowMysqlIngress } from "./mysql-ingress";
import { Network } from "./network";

/** The log group RDS writes an exported log to: `/aws/rds/instance/<DB instance identifier>/<log>`. */
export function rdsLogGroupName(instanceIdentifier: string, log: RdsMysqlLogExport): string {
  return `/aws/rds/instance/${instanceIdentifier}/${log}`;
}

/** The target's settings (target-rds-props.ts) and what it is wired to. */
export interface TargetRdsProps extends TargetRdsSettings {
  readonly namePrefix: string;
  readonly network: Network;
  /**
   * A DMS task reads this instance's binary log (the fallback replication): `binlog_format` is set to ROW in the
   * parameter group rather than left to the family's default (MIXED in RDS's default 8.0 group; DMS CDC reads only
   * row events). @default false
   */
  readonly cdcSource?: boolean;
}

/**
 * The RDS for MySQL target: encrypted, private, TLS-only (`require_secure_transport`), a parameter group tuned for
 * a DMS target, the master password managed by RDS in Secrets Manager, and an empty secret that receives the
 * credentials of the least-privilege DMS target user (written by the source bootstrap or `dmsctl`). With `cdcSource`
 * the parameter group also pins what a DMS CDC source needs (the fallback replication reads the binary log, which
 * RDS keeps on because automated backups are always on here).
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
    const settings = resolveTargetRdsSettings(props);
    assertValid(validateTargetRdsSettings(settings));
    const { instanceClass, engineVersion, logExports, logRetentionDays } = settings;
    const family = rdsParameterGroupFamily(engineVersion)!;
    const name = `${props.namePrefix}-target`;
    this.allocated = settings.allocatedStorageGiB;

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
      parameter: targetParameters(logExports, props.cdcSource ?? false),
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
      engineLifecycleSupport: settings.engineLifecycleSupport,
      instanceClass,
      allocatedStorage: settings.allocatedStorageGiB,
      maxAllocatedStorage: settings.maxAllocatedStorageGiB === 0 ? undefined : settings.maxAllocatedStorageGiB,
      storageType: settings.storageType,
      storageEncrypted: true,
      port: MYSQL_PORT,
      username: "dbadmin",
      manageMasterUserPassword: true,
      dbSubnetGroupName: this.subnetGroup.name,
      vpcSecurityGroupIds: [this.securityGroup.id],
      publiclyAccessible: settings.publiclyAccessible,
      parameterGroupName: this.parameterGroup.name,
      multiAz: settings.multiAz,
      backupRetentionPeriod: settings.backupRetentionDays,
      backupWindow: "03:00-04:00",
      maintenanceWindow: "sun:04:30-sun:05:30",
      deletionProtection: settings.deletionProtection,
      skipFinalSnapshot: !settings.finalSnapshot,
      finalSnapshotIdentifier: settings.finalSnapshot ? `${name}-final` : undefined,
      copyTagsToSnapshot: true,
      autoMinorVersionUpgrade: true,
      allowMajorVersionUpgrade: false,
      caCertIdentifier: "rds-ca-rsa2048-g1",
      enabledCloudwatchLogsExports: [...logExports],
      performanceInsightsEnabled: settings.performanceInsights,
      applyImmediately: settings.applyImmediately,
      tags: { Name: name },
      dependsOn: logGroupList.length > 0 ? logGroupList : undefined,
      lifecycle: { preventDestroy: settings.preventDestroy },
    });

    this.dmsSecret = new SecretsmanagerSecret(this, "dms-secret", {
      namePrefix: `${props.namePrefix}/dms/target-`,
      description: `DMS target credentials (username, password, host, port) of ${name}; written by the bootstrap, not Terraform`,
      recoveryWindowInDays: settings.secretRecoveryWindowDays,
    });

    this.instanceIdentifier = name; // literal: the DBInstanceIdentifier metric dimension is known at synth
    this.instanceEndpointAddress = this.instance.address;
    this.instancePort = MYSQL_PORT;
    this.masterUserSecretArn = this.instance.masterUserSecret.get(0).secretArn;
  }

  /** An RDS metric of this instance by its official name (namespace AWS/RDS, dimension DBInstanceIdentifier). */
  metric(metricName: RdsMetricName, options: MetricOptions = {}): Metric {
    const defaults = {
      statistic: metricName === "CPUUtilization" || metricName === "DatabaseConnections" ? "Average" : "Minimum",
      periodSeconds: 300,
    } as const;
    return metric(
      RDS_NAMESPACE,
      metricName,
      { DBInstanceIdentifier: this.instanceIdentifier },
      RDS_METRICS[metricName],
      defaults,
      options,
    );
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
 * (binlog_format is ROW by default on 8.4, where the variable is deprecated; a CDC source pins it, see `cdcSource`).
 *
 * `log_bin_trust_function_creators`: RDS turns binary logging on whenever automated backups are (always, here), and
 * the RDS master user has no SUPER privilege, so without it every `CREATE TRIGGER` (and `CREATE FUNCTION`) fails with
 * ERROR 1419 "You do not have the SUPER privilege and binary logging is enabled". `dmsctl schema --finalize` creates
 * the source's triggers on the target at cutover as the master user: it needs this set (dynamic, so "immediate").
 */
function targetParameters(logExports: readonly RdsMysqlLogExport[], cdcSource: boolean): DbParameterGroupParameter[] {
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
    ...(cdcSource ? [p("binlog_format", "ROW")] : []),
  ].sort((a, b) => a.name.localeCompare(b.name));
}
