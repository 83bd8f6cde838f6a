import { Construct } from "constructs";
import { DmsEndpoint } from "@cdktf/provider-aws/lib/dms-endpoint";
import { DmsEventSubscription } from "@cdktf/provider-aws/lib/dms-event-subscription";
import { DmsReplicationTask } from "@cdktf/provider-aws/lib/dms-replication-task";
import { assertValid } from "../model/checks";
import { buildTableMappings, TableTransformation } from "../model/dms-table-mappings";
import { buildTaskSettings, TaskSettingsProps } from "../model/dms-task-settings";
import { TableSelection } from "../model/table-selection";
import { DMS_TASK_EVENT_CATEGORIES } from "./dms-replication-props";
import { DMS_RESOURCE_IDENTIFIER_MAX_LENGTH, fallbackTaskId } from "./dms-fallback-props";
import { DmsInstanceReplication } from "./dms-instance-replication";
import { DmsTaskMetricName, Metric, MetricOptions, dmsTaskMetric } from "./metrics";
import { ISourceMysql } from "./source-mysql";
import { TargetRds } from "./target-rds";

/** What the fallback replication reverses: the forward replication and the two databases. */
export interface DmsFallbackReplicationProps {
  readonly namePrefix: string;
  /**
   * The forward replication: its replication instance runs the fallback task too (no second instance, nothing
   * billed while the task is stopped), its secrets role reads both secrets, its CA certificates verify both links.
   * DMS Serverless has no instance to share: the configuration refuses the fallback there.
   */
  readonly forward: DmsInstanceReplication;
  readonly source: ISourceMysql;
  readonly target: TargetRds;
  /** The forward task's table selection: the fallback carries the same tables back, by the same names. */
  readonly tables: TableSelection;
  /**
   * The forward task's transformations. Must be empty: a rename, a removed column or a new prefix cannot be undone
   * on the way back, so the fallback would write rows the source does not have. @default none
   */
  readonly transformations?: readonly TableTransformation[];
  /** The forward task's settings (LOB size, batch apply, validation); a CDC task never loads tables. */
  readonly taskSettings?: TaskSettingsProps;
  /** SNS topic for the fallback task's DMS events. @default - no subscription */
  readonly alertTopicArn?: string;
}

/**
 * The way back after cutover: a CDC-only DMS task from the RDS target to the original source, created stopped.
 * Endpoints in the opposite roles, with the same secrets: the RDS target is read as a source with the target's DMS
 * secret, over TLS verify-full against the RDS CA of the region; the original source is written as a target with
 * the source's DMS secret (TLS as the forward source link). Terraform never starts the task: `dmsctl cutover`
 * starts it from the target's binlog position recorded when the writes moved (CdcStartPosition), once the forward
 * task has stopped, so no change can loop.
 *
 * Errors of the fallback task reach the same log group as the forward task's (`dms-tasks-<instance id>`, stream
 * `dms-task-<fallback id>`), so the task-error alarm covers both; `metricCDCLatencyTarget()` feeds its lag alarm.
 */
export class DmsFallbackReplication extends Construct {
  /** Task id and resource identifier (equal on purpose): the `ReplicationTaskIdentifier` metric dimension. */
  readonly taskId: string;
  readonly sourceEndpoint: DmsEndpoint;
  readonly targetEndpoint: DmsEndpoint;
  readonly task: DmsReplicationTask;
  readonly taskArn: string;
  private readonly replicationInstanceId: string;

  constructor(scope: Construct, id: string, props: DmsFallbackReplicationProps) {
    super(scope, id);
    const { forward, source, target } = props;
    this.taskId = fallbackTaskId(props.namePrefix);
    this.replicationInstanceId = forward.replicationInstanceId;
    assertValid([
      ...(this.taskId.length > DMS_RESOURCE_IDENTIFIER_MAX_LENGTH
        ? [
            `namePrefix must leave the fallback task id within ${DMS_RESOURCE_IDENTIFIER_MAX_LENGTH} characters, got ${JSON.stringify(this.taskId)}`,
          ]
        : []),
      ...((props.transformations ?? []).length > 0
        ? [
            `transformations must be empty for a fallback replication (they cannot be undone on the way back), got ${JSON.stringify(props.transformations)}`,
          ]
        : []),
    ]);
    const name = `${props.namePrefix}-dms-fallback`;

    this.sourceEndpoint = new DmsEndpoint(this, "source-endpoint", {
      endpointId: `${name}-source`,
      endpointType: "source",
      engineName: "mysql",
      secretsManagerArn: target.dmsSecret.arn,
      secretsManagerAccessRoleArn: forward.secretsAccessRole.arn,
      sslMode: "verify-full",
      certificateArn: forward.targetCaCertificate.certificateArn,
      mysqlSettings: { eventsPollInterval: 5 },
      dependsOn: [forward.secretsAccessPolicy],
    });
    this.targetEndpoint = new DmsEndpoint(this, "target-endpoint", {
      endpointId: `${name}-target`,
      endpointType: "target",
      engineName: "mysql",
      secretsManagerArn: source.dmsSecretArn,
      secretsManagerAccessRoleArn: forward.secretsAccessRole.arn,
      sslMode: forward.sourceSslMode,
      certificateArn: forward.sourceCaCertificate?.certificateArn,
      // No FOREIGN_KEY_CHECKS=0 (unlike the forward target, which loads tables out of order): changes arrive in
      // commit order, and a cascading delete on RDS reaches the binlog as the parent row only, so the source's own
      // foreign keys must cascade it again.
      mysqlSettings: { targetDbType: "multiple-databases" },
      dependsOn: [forward.secretsAccessPolicy],
    });

    this.task = new DmsReplicationTask(this, "task", {
      replicationTaskId: this.taskId,
      resourceIdentifier: this.taskId,
      migrationType: "cdc",
      replicationInstanceArn: forward.instance.replicationInstanceArn,
      sourceEndpointArn: this.sourceEndpoint.endpointArn,
      targetEndpointArn: this.targetEndpoint.endpointArn,
      tableMappings: JSON.stringify(buildTableMappings({ tables: props.tables })),
      // The forward settings, with nothing a full load could do to the source's tables.
      replicationTaskSettings: JSON.stringify(
        buildTaskSettings({ ...props.taskSettings, targetTablePrepMode: "DO_NOTHING" }),
      ),
      // Never started here: only from the recorded binlog position, after the forward task stopped (dmsctl cutover).
      startReplicationTask: false,
      tags: { Name: this.taskId },
      dependsOn: [forward.logGroup],
    });
    this.taskArn = this.task.replicationTaskArn;

    if (props.alertTopicArn) {
      new DmsEventSubscription(this, "task-events", {
        name: `${name}-task-events`,
        snsTopicArn: props.alertTopicArn,
        sourceType: "replication-task",
        sourceIds: [this.task.replicationTaskId],
        eventCategories: [...DMS_TASK_EVENT_CATEGORIES],
        enabled: true,
      });
    }
  }

  /** Any task metric of the fallback task by its official name (dimensions: the shared instance and this task). */
  metricTask(metricName: DmsTaskMetricName, options: MetricOptions = {}): Metric {
    return dmsTaskMetric(
      { ReplicationInstanceIdentifier: this.replicationInstanceId, ReplicationTaskIdentifier: this.taskId },
      metricName,
      options,
    );
  }
  metricCDCLatencySource(options?: MetricOptions): Metric {
    return this.metricTask("CDCLatencySource", options);
  }
  /** Seconds from a commit on RDS to its apply on the source: what a rollback at this moment would wait for. */
  metricCDCLatencyTarget(options?: MetricOptions): Metric {
    return this.metricTask("CDCLatencyTarget", options);
  }
}
