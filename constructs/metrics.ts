/**
 * CloudWatch metric descriptors. Constructs expose `metricXxx()` helpers returning a {@link Metric} named after the
 * official metric; alarms and dashboard widgets are built only from these, so a metric name, namespace or dimension
 * is written once.
 */

export type MetricStatistic = "Average" | "Maximum" | "Minimum" | "Sum" | "SampleCount";

export interface Metric {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly statistic: MetricStatistic;
  readonly periodSeconds: number;
  /** Unit AWS publishes it in (for labels; alarms compare raw values). */
  readonly unit: string;
  /** A short human label for dashboards and alarm descriptions. */
  readonly label: string;
}

export interface MetricOptions {
  readonly statistic?: MetricStatistic;
  readonly periodSeconds?: number;
}

export const DMS_NAMESPACE = "AWS/DMS";
export const RDS_NAMESPACE = "AWS/RDS";
export const EC2_NAMESPACE = "AWS/EC2";

/** Task metrics AWS DMS publishes (DMS guide, "Monitoring AWS DMS tasks": Replication task metrics). */
export const DMS_TASK_METRICS = {
  CDCLatencySource: { unit: "Seconds", label: "CDC latency, source (s)" },
  CDCLatencyTarget: { unit: "Seconds", label: "CDC latency, target (s)" },
  CDCIncomingChanges: { unit: "Count", label: "CDC incoming changes" },
  CDCThroughputRowsSource: { unit: "Count/Second", label: "CDC rows/s from source" },
  CDCThroughputRowsTarget: { unit: "Count/Second", label: "CDC rows/s to target" },
  CDCChangesDiskSource: { unit: "Count", label: "CDC changes on disk, source" },
  CDCChangesDiskTarget: { unit: "Count", label: "CDC changes on disk, target" },
  FullLoadThroughputRowsSource: { unit: "Count/Second", label: "Full load rows/s from source" },
  FullLoadThroughputRowsTarget: { unit: "Count/Second", label: "Full load rows/s to target" },
} as const;
export type DmsTaskMetricName = keyof typeof DMS_TASK_METRICS;

/** Replication instance metrics (DMS guide, "Replication instance metrics"). */
export const DMS_INSTANCE_METRICS = {
  CPUUtilization: { unit: "Percent", label: "DMS instance CPU (%)" },
  FreeableMemory: { unit: "Bytes", label: "DMS instance freeable memory" },
  FreeStorageSpace: { unit: "Bytes", label: "DMS instance free storage" },
  SwapUsage: { unit: "Bytes", label: "DMS instance swap" },
} as const;
export type DmsInstanceMetricName = keyof typeof DMS_INSTANCE_METRICS;

/** DMS Serverless capacity (DMS guide, "Monitoring DMS Serverless"): share of the maximum DCUs in use. */
export const DMS_SERVERLESS_METRICS = {
  CapacityUtilization: { unit: "Percent", label: "DMS Serverless capacity used (%)" },
} as const;
export type DmsServerlessMetricName = keyof typeof DMS_SERVERLESS_METRICS;

/** RDS instance metrics used for the target's health. */
export const RDS_METRICS = {
  CPUUtilization: { unit: "Percent", label: "RDS target CPU (%)" },
  FreeStorageSpace: { unit: "Bytes", label: "RDS target free storage" },
  FreeableMemory: { unit: "Bytes", label: "RDS target freeable memory" },
  DatabaseConnections: { unit: "Count", label: "RDS target connections" },
} as const;
export type RdsMetricName = keyof typeof RDS_METRICS;

/** EC2 status check metrics. */
export const EC2_METRICS = {
  StatusCheckFailed_System: { unit: "Count", label: "EC2 source system status check" },
  StatusCheckFailed_Instance: { unit: "Count", label: "EC2 source instance status check" },
  CPUUtilization: { unit: "Percent", label: "EC2 source CPU (%)" },
} as const;
export type Ec2MetricName = keyof typeof EC2_METRICS;

export function metric(
  namespace: string,
  metricName: string,
  dimensions: Record<string, string>,
  info: { unit: string; label: string },
  defaults: Required<MetricOptions>,
  options: MetricOptions = {},
): Metric {
  const periodSeconds = options.periodSeconds ?? defaults.periodSeconds;
  if (!Number.isInteger(periodSeconds) || periodSeconds < 60 || periodSeconds % 60 !== 0) {
    throw new Error(`periodSeconds must be a multiple of 60, got ${periodSeconds}`);
  }
  return {
    namespace,
    metricName,
    dimensions,
    statistic: options.statistic ?? defaults.statistic,
    periodSeconds,
    unit: info.unit,
    label: info.label,
  };
}

/**
 * A DMS task metric with the defaults every task metric of this project uses: 1-minute periods, Average, and
 * Maximum for the latencies and incoming changes (a lag alarm must see the worst minute).
 */
export function dmsTaskMetric(
  dimensions: Record<string, string>,
  metricName: DmsTaskMetricName,
  options: MetricOptions = {},
): Metric {
  const worst =
    metricName === "CDCLatencySource" || metricName === "CDCLatencyTarget" || metricName === "CDCIncomingChanges";
  return metric(
    DMS_NAMESPACE,
    metricName,
    dimensions,
    DMS_TASK_METRICS[metricName],
    { statistic: worst ? "Maximum" : "Average", periodSeconds: 60 },
    options,
  );
}
