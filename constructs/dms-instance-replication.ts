import { Construct } from "constructs";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DmsEventSubscription } from "@cdktf/provider-aws/lib/dms-event-subscription";
import { DmsReplicationInstance } from "@cdktf/provider-aws/lib/dms-replication-instance";
import { DmsReplicationTask } from "@cdktf/provider-aws/lib/dms-replication-task";
import { assertValid } from "../model/checks";
import { DmsReplication, DmsReplicationWiring } from "./dms-replication";
import {
  DMS_INSTANCE_EVENT_CATEGORIES,
  DMS_MAINTENANCE_WINDOW,
  DMS_TASK_EVENT_CATEGORIES,
  DmsCheckOptions,
  DmsInstanceSettings,
  resolveDmsInstanceSettings,
  validateDmsInstanceSettings,
} from "./dms-replication-props";
import { DMS_INSTANCE_METRICS, DMS_NAMESPACE, DmsInstanceMetricName, Metric, MetricOptions, metric } from "./metrics";

export interface DmsInstanceReplicationProps extends DmsInstanceSettings, DmsReplicationWiring {
  /** When the engine version is checked against the dated engine table. @default today */
  readonly checks?: DmsCheckOptions;
}

/**
 * DMS with a replication instance and a full load + CDC task (created stopped unless `startTask`), event
 * subscriptions of both to the alert topic, and the instance metrics.
 */
export class DmsInstanceReplication extends DmsReplication {
  readonly serverless = false;
  readonly logGroup: CloudwatchLogGroup;
  readonly instance: DmsReplicationInstance;
  readonly task: DmsReplicationTask;
  readonly taskArn: string;
  readonly replicationInstanceId: string;
  readonly allocatedStorageGiB: number;

  constructor(scope: Construct, id: string, props: DmsInstanceReplicationProps) {
    const s = resolveDmsInstanceSettings(props);
    assertValid(validateDmsInstanceSettings(s, "", props.checks));
    super(scope, id, props, s);
    const p = props;
    const name = this.name;
    this.replicationInstanceId = name;
    this.allocatedStorageGiB = s.allocatedStorageGiB;
    this.logGroup = new CloudwatchLogGroup(this, "task-log-group", {
      name: `dms-tasks-${name}`,
      retentionInDays: s.logRetentionDays,
    });
    this.instance = new DmsReplicationInstance(this, "instance", {
      replicationInstanceId: name,
      replicationInstanceClass: s.instanceClass,
      allocatedStorage: this.allocatedStorageGiB,
      engineVersion: s.engineVersion,
      autoMinorVersionUpgrade: false,
      allowMajorVersionUpgrade: false,
      multiAz: s.multiAz,
      publiclyAccessible: s.subnet === "public",
      replicationSubnetGroupId: this.subnetGroup.replicationSubnetGroupId,
      vpcSecurityGroupIds: [this.securityGroup.id],
      preferredMaintenanceWindow: DMS_MAINTENANCE_WINDOW,
      applyImmediately: s.applyImmediately,
      tags: { Name: name },
      dependsOn: this.computeDependsOn,
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
      startReplicationTask: s.startTask,
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
  }

  protected taskDimensions(): Record<string, string> {
    return { ReplicationInstanceIdentifier: this.replicationInstanceId, ReplicationTaskIdentifier: this.taskId };
  }

  /** Any replication instance metric by its official name. */
  metricInstance(metricName: DmsInstanceMetricName, options: MetricOptions = {}): Metric {
    return metric(
      DMS_NAMESPACE,
      metricName,
      { ReplicationInstanceIdentifier: this.replicationInstanceId },
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
}
