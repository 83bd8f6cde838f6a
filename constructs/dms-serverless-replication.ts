import { Construct } from "constructs";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DmsReplicationConfig } from "@cdktf/provider-aws/lib/dms-replication-config";
import { assertValid } from "../model/checks";
import { DmsReplication, DmsReplicationWiring } from "./dms-replication";
import {
  DMS_MAINTENANCE_WINDOW,
  DmsServerlessSettings,
  resolveDmsServerlessSettings,
  validateDmsServerlessSettings,
} from "./dms-replication-props";
import {
  DMS_NAMESPACE,
  DMS_SERVERLESS_METRICS,
  DmsServerlessMetricName,
  Metric,
  MetricOptions,
  metric,
} from "./metrics";

export interface DmsServerlessReplicationProps extends DmsServerlessSettings, DmsReplicationWiring {}

/**
 * DMS Serverless (`aws_dms_replication_config`): capacity between a minimum and a maximum of DCUs instead of an
 * instance. Private only (no public IP: it reads its secrets through the Secrets Manager endpoint); it cannot be
 * modified while running (provider #35650) and publishes CapacityUtilization and FullLoadThroughputRowsTarget.
 */
export class DmsServerlessReplication extends DmsReplication {
  readonly serverless = true;
  readonly logGroup: CloudwatchLogGroup;
  readonly replicationConfig: DmsReplicationConfig;
  readonly taskArn: string;
  readonly replicationInstanceId = "";
  readonly allocatedStorageGiB = 0;

  constructor(scope: Construct, id: string, props: DmsServerlessReplicationProps) {
    const s = resolveDmsServerlessSettings(props);
    assertValid(validateDmsServerlessSettings(s));
    super(scope, id, props, s);
    this.logGroup = new CloudwatchLogGroup(this, "task-log-group", {
      name: `dms-serverless-replication-${this.taskId}`,
      retentionInDays: s.logRetentionDays,
    });
    this.replicationConfig = new DmsReplicationConfig(this, "replication-config", {
      replicationConfigIdentifier: this.taskId,
      resourceIdentifier: this.taskId,
      replicationType: "full-load-and-cdc",
      sourceEndpointArn: this.sourceEndpoint.endpointArn,
      targetEndpointArn: this.targetEndpoint.endpointArn,
      tableMappings: this.tableMappingsJson,
      replicationSettings: this.taskSettingsJson,
      startReplication: s.startTask,
      computeConfig: {
        replicationSubnetGroupId: this.subnetGroup.replicationSubnetGroupId,
        vpcSecurityGroupIds: [this.securityGroup.id],
        minCapacityUnits: s.minCapacityUnits,
        maxCapacityUnits: s.maxCapacityUnits,
        multiAz: s.multiAz,
        preferredMaintenanceWindow: DMS_MAINTENANCE_WINDOW,
      },
      tags: { Name: this.taskId },
      dependsOn: [this.logGroup, ...this.computeDependsOn],
    });
    this.taskArn = this.replicationConfig.arn;
  }

  /**
   * Serverless replications publish under ReplicationConfigId = "<account id>:<resource identifier>" (seen in
   * `aws cloudwatch list-metrics`; the guide does not spell it out). resource_identifier is set on purpose.
   */
  protected taskDimensions(): Record<string, string> {
    return { ReplicationConfigId: `${this.accountId}:${this.taskId}` };
  }

  /** A DMS Serverless metric by its official name. */
  metricServerless(metricName: DmsServerlessMetricName, options: MetricOptions = {}): Metric {
    return metric(
      DMS_NAMESPACE,
      metricName,
      this.taskDimensions(),
      DMS_SERVERLESS_METRICS[metricName],
      { statistic: "Maximum", periodSeconds: 300 },
      options,
    );
  }
  metricCapacityUtilization(options?: MetricOptions): Metric {
    return this.metricServerless("CapacityUtilization", options);
  }
}
