import { jsonencode } from "./hcl-jsonencode";
import { Construct } from "constructs";
import { CloudwatchCompositeAlarm } from "@cdktf/provider-aws/lib/cloudwatch-composite-alarm";
import { CloudwatchDashboard } from "@cdktf/provider-aws/lib/cloudwatch-dashboard";
import { CloudwatchLogMetricFilter } from "@cdktf/provider-aws/lib/cloudwatch-log-metric-filter";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { AlertTopic } from "./alert-topic";
import { DmsFallbackReplication } from "./dms-fallback-replication";
import { DmsReplication } from "./dms-replication";
import { DmsInstanceReplication } from "./dms-instance-replication";
import { DmsServerlessReplication } from "./dms-serverless-replication";
import { Metric, metric } from "./metrics";
import { ISourceMysql, SourceMysql } from "./source-mysql";
import { assertValid } from "../model/checks";
import { MonitoringSettings, resolveMonitoringSettings, validateMonitoringSettings } from "./monitoring-props";
import { TargetRds } from "./target-rds";

/** Filter pattern counting error lines in a DMS task log (`... [TARGET_APPLY    ]E:  Failed to ...`). */
export const DMS_ERROR_LINE_PATTERN = '"]E:"';

export type TreatMissingData = "breaching" | "notBreaching" | "ignore" | "missing";
type Comparison =
  "GreaterThanThreshold" | "GreaterThanOrEqualToThreshold" | "LessThanThreshold" | "LessThanOrEqualToThreshold";

/** The alarm settings (monitoring-props.ts) and what the alarms watch. */
export interface MonitoringProps extends MonitoringSettings {
  readonly namePrefix: string;
  /** Region literal, for dashboard widgets and EC2 alarm actions. */
  readonly region: string;
  readonly alertTopic: AlertTopic;
  readonly dms: DmsReplication;
  readonly target: TargetRds;
  readonly source: ISourceMysql;
  /**
   * The fallback replication (target back to source), when there is one: its lag gets an alarm and a dashboard row.
   * Its error lines are in the forward task's log group, so the task-error alarm covers it already.
   * @default - no fallback replication
   */
  readonly fallback?: DmsFallbackReplication;
}

/** One alarm: what it watches, when it fires, and what it says. */
interface AlarmSpec {
  readonly name: string;
  readonly metric: Metric;
  readonly comparison: Comparison;
  readonly threshold: number;
  /** Consecutive periods (all of them must breach). */
  readonly periods: number;
  readonly description: string;
  /** Actions besides the alert topic (EC2 recover / reboot). */
  readonly extraActions?: string[];
  /** @default "notBreaching" */
  readonly treatMissingData?: TreatMissingData;
  readonly dependsOn?: CloudwatchLogMetricFilter[];
}

/** An alarm with the metric it watches, for tests and the README's failure-mode table. */
export interface AlarmInfo {
  readonly alarm: CloudwatchMetricAlarm;
  /** The alarm name as a literal (the resource's attribute getter returns a token). */
  readonly name: string;
  readonly metric: Metric;
}

/**
 * CloudWatch alarms, the task-error metric filter and a dashboard for one migration. Every alarm sends ALARM and OK
 * to the alert topic; every threshold and period comes from props; `treat_missing_data` is chosen per alarm:
 * - lag, throughput and resource alarms: `notBreaching` (no data = no replication phase that produces it, e.g. CDC
 *   latency during full load; a stopped or failed task is reported by the DMS event subscription instead);
 * - task error lines: the filter publishes 0 when nothing matches, so missing data is `notBreaching` too;
 * - EC2 status checks: `breaching` is wrong during a stop; `missing` keeps the last state.
 */
export class Monitoring extends Construct {
  readonly alarms: AlarmInfo[] = [];
  readonly errorMetricFilter: CloudwatchLogMetricFilter;
  readonly dashboard: CloudwatchDashboard;
  readonly compositeAlarm?: CloudwatchCompositeAlarm;
  /** The custom metric the error-line filter publishes. */
  readonly taskErrorMetric: Metric;

  private readonly props: MonitoringProps;
  private readonly thresholds: Record<string, number> = {};

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.props = props;
    const settings = resolveMonitoringSettings(props);
    assertValid(validateMonitoringSettings(settings));
    const {
      cdcLatencyThresholdSeconds: lag,
      cdcLatencyEvaluationMinutes: lagMinutes,
      fullLoadStallMinutes: stallMinutes,
      cpuThresholdPercent: cpu,
      freeStorageThresholdPercent: storagePct,
      freeableMemoryThresholdMiB: memMiB,
      swapThresholdMiB: swapMiB,
      rdsConnectionsThreshold: conns,
    } = settings;

    const { dms, target, source } = props;
    const p = props.namePrefix;
    const MiB = 1024 * 1024;
    const GiB = 1024 * MiB;

    // Replication lag: both halves of DMS's latency, with both DMS dimensions.
    this.addAlarm("cdc-latency-source", {
      name: `${p}-dms-cdc-latency-source`,
      metric: dms.metricCDCLatencySource(),
      comparison: "GreaterThanThreshold",
      threshold: lag,
      periods: lagMinutes,
      description: `DMS reads the source binlog more than ${lag} s behind (CDCLatencySource) for ${lagMinutes} min`,
    });
    this.addAlarm("cdc-latency-target", {
      name: `${p}-dms-cdc-latency-target`,
      metric: dms.metricCDCLatencyTarget(),
      comparison: "GreaterThanThreshold",
      threshold: lag,
      periods: lagMinutes,
      description: `Changes reach the target more than ${lag} s after the source commit (CDCLatencyTarget) for ${lagMinutes} min`,
    });

    // Task errors: error lines in the task log.
    const errorNamespace = `DmsMigrate/${dms.taskId}`;
    this.errorMetricFilter = new CloudwatchLogMetricFilter(this, "task-error-lines", {
      name: `${dms.taskId}-error-lines`,
      logGroupName: dms.logGroup.name,
      pattern: DMS_ERROR_LINE_PATTERN,
      metricTransformation: {
        name: "TaskErrorLines",
        namespace: errorNamespace,
        value: "1",
        defaultValue: "0",
        unit: "Count",
      },
    });
    this.taskErrorMetric = metric(
      errorNamespace,
      "TaskErrorLines",
      {},
      { unit: "Count", label: "DMS task error lines" },
      { statistic: "Sum", periodSeconds: 60 },
    );
    this.addAlarm("task-errors", {
      name: `${p}-dms-task-errors`,
      metric: this.taskErrorMetric,
      comparison: "GreaterThanThreshold",
      threshold: 0,
      periods: 1,
      description: `The DMS task logged error lines (severity ]E:) in ${dms.logGroup.name}`,
      dependsOn: [this.errorMetricFilter],
    });

    if (props.fallback) {
      this.addAlarm("fallback-cdc-latency", {
        name: `${p}-dms-fallback-cdc-latency`,
        metric: props.fallback.metricCDCLatencyTarget(),
        comparison: "GreaterThanThreshold",
        threshold: lag,
        periods: lagMinutes,
        description: `The fallback replication applies RDS changes to the source more than ${lag} s after their commit (CDCLatencyTarget of ${props.fallback.taskId}) for ${lagMinutes} min: a rollback now would wait that long`,
      });
    }

    if (stallMinutes > 0) {
      const progress = dms.serverless ? "FullLoadThroughputRowsTarget" : "FullLoadThroughputRowsSource";
      this.addAlarm("full-load-stall", {
        name: `${p}-dms-full-load-stalled`,
        metric: dms.metricFullLoadProgress({ periodSeconds: 300, statistic: "Maximum" }),
        comparison: "LessThanOrEqualToThreshold",
        threshold: 0,
        periods: stallMinutes / 5,
        description: `Full load moved no rows for ${stallMinutes} min (${progress}). Expected once the full load has finished; otherwise check the task's tables`,
      });
    }

    if (dms instanceof DmsServerlessReplication) {
      this.addAlarm("dms-capacity", {
        name: `${p}-dms-serverless-capacity`,
        metric: dms.metricCapacityUtilization(),
        comparison: "GreaterThanThreshold",
        threshold: cpu,
        periods: 3,
        description: `DMS Serverless uses more than ${cpu}% of its maximum capacity units for 15 min (CapacityUtilization): raise dms.serverless.maxCapacityUnits`,
      });
    }

    if (dms instanceof DmsInstanceReplication) {
      const storage = dms.allocatedStorageGiB;
      this.addAlarm("dms-cpu", {
        name: `${p}-dms-instance-cpu`,
        metric: dms.metricCPUUtilization(),
        comparison: "GreaterThanThreshold",
        threshold: cpu,
        periods: 3,
        description: `DMS replication instance CPU above ${cpu}% for 15 min`,
      });
      this.addAlarm("dms-memory", {
        name: `${p}-dms-instance-freeable-memory`,
        metric: dms.metricFreeableMemory(),
        comparison: "LessThanThreshold",
        threshold: memMiB * MiB,
        periods: 3,
        description: `DMS replication instance freeable memory below ${memMiB} MiB for 15 min`,
      });
      this.addAlarm("dms-storage", {
        name: `${p}-dms-instance-free-storage`,
        metric: dms.metricFreeStorageSpace(),
        comparison: "LessThanThreshold",
        threshold: Math.round((storage * GiB * storagePct) / 100),
        periods: 1,
        description: `DMS replication instance free storage below ${storagePct}% of ${storage} GiB`,
      });
      this.addAlarm("dms-swap", {
        name: `${p}-dms-instance-swap`,
        metric: dms.metricSwapUsage(),
        comparison: "GreaterThanThreshold",
        threshold: swapMiB * MiB,
        periods: 3,
        description: `DMS replication instance swap above ${swapMiB} MiB for 15 min`,
      });
    }

    this.addAlarm("rds-cpu", {
      name: `${p}-rds-target-cpu`,
      metric: target.metricCPUUtilization(),
      comparison: "GreaterThanThreshold",
      threshold: cpu,
      periods: 3,
      description: `RDS target CPU above ${cpu}% for 15 min`,
    });
    this.addAlarm("rds-storage", {
      name: `${p}-rds-target-free-storage`,
      metric: target.metricFreeStorageSpace(),
      comparison: "LessThanThreshold",
      threshold: Math.round((target.allocatedStorageGiB * GiB * storagePct) / 100),
      periods: 1,
      description: `RDS target free storage below ${storagePct}% of ${target.allocatedStorageGiB} GiB`,
    });
    this.addAlarm("rds-memory", {
      name: `${p}-rds-target-freeable-memory`,
      metric: target.metricFreeableMemory(),
      comparison: "LessThanThreshold",
      threshold: memMiB * MiB,
      periods: 3,
      description: `RDS target freeable memory below ${memMiB} MiB for 15 min`,
    });
    this.addAlarm("rds-connections", {
      name: `${p}-rds-target-connections`,
      metric: target.metricDatabaseConnections(),
      comparison: "GreaterThanThreshold",
      threshold: conns,
      periods: 3,
      description: `RDS target connections above ${conns} for 15 min`,
    });

    if (source instanceof SourceMysql) {
      const account = new DataAwsCallerIdentity(this, "account");
      this.addAlarm("source-status-system", {
        name: `${p}-source-status-check-system`,
        metric: source.metricStatusCheckFailedSystem(),
        comparison: "GreaterThanOrEqualToThreshold",
        threshold: 1,
        periods: 2,
        description: "EC2 source failed its system status check: EC2 recovers the instance onto healthy hardware",
        extraActions: [`arn:aws:automate:${props.region}:ec2:recover`],
        treatMissingData: "missing",
      });
      this.addAlarm("source-status-instance", {
        name: `${p}-source-status-check-instance`,
        metric: source.metricStatusCheckFailedInstance(),
        comparison: "GreaterThanOrEqualToThreshold",
        threshold: 1,
        periods: 3,
        description: "EC2 source failed its instance status check: EC2 reboots it",
        extraActions: [`arn:aws:swf:${props.region}:${account.accountId}:action/actions/AWS_EC2.InstanceId.Reboot/1.0`],
        treatMissingData: "missing",
      });
    }

    if (settings.compositeAlarm) {
      // The stall alarm is expected to fire once the full load is over; it stays out of the pager's rule.
      const members = this.alarms.filter((a) => !a.name.endsWith("full-load-stalled"));
      this.compositeAlarm = new CloudwatchCompositeAlarm(this, "migration-unhealthy", {
        alarmName: `${p}-migration-unhealthy`,
        alarmDescription:
          "Any replication, error or health alarm of this migration is in ALARM: page the on-call DB engineer",
        alarmRule: members.map((a) => `ALARM(${JSON.stringify(a.name)})`).join(" OR "),
        alarmActions: [props.alertTopic.topicArn],
        okActions: [props.alertTopic.topicArn],
        dependsOn: members.map((a) => a.alarm),
      });
    }

    this.dashboard = new CloudwatchDashboard(this, "dashboard", {
      dashboardName: `${p}-migration`,
      // jsonencode() (hcl-jsonencode.ts: cdktf's Fn.jsonencode, in one pass), not a JSON string: cdktf's HCL output
      // leaves quotes unescaped in a string that holds a reference (the instance id, alarm ARNs): invalid cdk.tf.
      dashboardBody: jsonencode(this.dashboardBody()),
    });
  }

  /** Threshold of an alarm by its construct id (for the dashboard annotations). */
  thresholdOf(alarmId: string): number | undefined {
    return this.thresholds[alarmId];
  }

  private addAlarm(id: string, spec: AlarmSpec): void {
    const {
      name: alarmName,
      metric: m,
      comparison: comparisonOperator,
      threshold,
      periods: evaluationPeriods,
      description,
    } = spec;
    const options = spec;
    const topic = this.props.alertTopic.topicArn;
    const alarm = new CloudwatchMetricAlarm(this, id, {
      alarmName,
      alarmDescription: description,
      namespace: m.namespace,
      metricName: m.metricName,
      dimensions: Object.keys(m.dimensions).length > 0 ? { ...m.dimensions } : undefined,
      statistic: m.statistic,
      period: m.periodSeconds,
      evaluationPeriods,
      datapointsToAlarm: evaluationPeriods,
      threshold,
      comparisonOperator,
      treatMissingData: options.treatMissingData ?? "notBreaching",
      alarmActions: [topic, ...(options.extraActions ?? [])],
      okActions: [topic],
      dependsOn: options.dependsOn,
    });
    this.thresholds[id] = threshold;
    this.alarms.push({ alarm, name: alarmName, metric: m });
  }

  /** The dashboard: every widget built from the same metric helpers as the alarms. */
  dashboardBody(): { widgets: unknown[] } {
    const { dms, target, source, region, fallback } = this.props;
    const line = (m: Metric) => [
      m.namespace,
      m.metricName,
      ...Object.entries(m.dimensions).flat(),
      { stat: m.statistic, period: m.periodSeconds, label: m.label },
    ];
    const widgets: unknown[] = [];
    let y = 0;
    const row = (items: { title: string; metrics: Metric[]; threshold?: number; unitLabel?: string }[]) => {
      const width = Math.floor(24 / items.length);
      items.forEach((w, i) =>
        widgets.push({
          type: "metric",
          x: i * width,
          y,
          width,
          height: 6,
          properties: {
            title: w.title,
            region,
            view: "timeSeries",
            stacked: false,
            metrics: w.metrics.map(line),
            ...(w.threshold !== undefined
              ? { annotations: { horizontal: [{ label: "alarm", value: w.threshold }] } }
              : {}),
            ...(w.unitLabel ? { yAxis: { left: { label: w.unitLabel, showUnits: false } } } : {}),
          },
        }),
      );
      y += 6;
    };
    row([
      {
        title: "Replication lag (s)",
        metrics: [dms.metricCDCLatencySource(), dms.metricCDCLatencyTarget()],
        threshold: this.thresholds["cdc-latency-source"],
        unitLabel: "seconds",
      },
      { title: "DMS task error lines", metrics: [this.taskErrorMetric], threshold: 0 },
    ]);
    row([
      {
        title: "Full load throughput (rows/s)",
        // DMS Serverless publishes no FullLoadThroughputRowsSource (fact 16): an empty line would mislead.
        metrics: dms.serverless
          ? [dms.metricFullLoadThroughputRowsTarget()]
          : [dms.metricFullLoadThroughputRowsSource(), dms.metricFullLoadThroughputRowsTarget()],
      },
      {
        title: "CDC throughput (rows/s)",
        metrics: [dms.metricCDCThroughputRowsSource(), dms.metricCDCThroughputRowsTarget()],
      },
      { title: "CDC incoming changes", metrics: [dms.metricCDCIncomingChanges()] },
    ]);
    if (fallback) {
      row([
        {
          title: "Fallback replication lag, RDS to source (s)",
          metrics: [fallback.metricCDCLatencySource(), fallback.metricCDCLatencyTarget()],
          threshold: this.thresholds["fallback-cdc-latency"],
          unitLabel: "seconds",
        },
      ]);
    }
    if (dms instanceof DmsServerlessReplication) {
      row([
        {
          title: "DMS Serverless capacity used (%)",
          metrics: [dms.metricCapacityUtilization()],
          threshold: this.thresholds["dms-capacity"],
        },
      ]);
    }
    if (dms instanceof DmsInstanceReplication) {
      row([
        { title: "DMS instance CPU (%)", metrics: [dms.metricCPUUtilization()], threshold: this.thresholds["dms-cpu"] },
        { title: "DMS instance memory and swap (bytes)", metrics: [dms.metricFreeableMemory(), dms.metricSwapUsage()] },
        {
          title: "DMS instance free storage (bytes)",
          metrics: [dms.metricFreeStorageSpace()],
          threshold: this.thresholds["dms-storage"],
        },
      ]);
    }
    row([
      { title: "RDS target CPU (%)", metrics: [target.metricCPUUtilization()], threshold: this.thresholds["rds-cpu"] },
      {
        title: "RDS target connections",
        metrics: [target.metricDatabaseConnections()],
        threshold: this.thresholds["rds-connections"],
      },
      {
        title: "RDS target free storage and memory (bytes)",
        metrics: [target.metricFreeStorageSpace(), target.metricFreeableMemory()],
      },
    ]);
    if (source instanceof SourceMysql) {
      row([
        {
          title: "EC2 source status checks",
          metrics: [source.metricStatusCheckFailedSystem(), source.metricStatusCheckFailedInstance()],
        },
        { title: "EC2 source CPU (%)", metrics: [source.metricCPUUtilization()] },
      ]);
    }
    widgets.push({
      type: "alarm",
      x: 0,
      y,
      width: 24,
      height: 4,
      properties: { title: "Alarms", alarms: this.alarms.map((a) => a.alarm.arn) },
    });
    return { widgets };
  }
}
