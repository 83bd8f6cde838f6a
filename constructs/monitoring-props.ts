/**
 * The settings of the alarms: thresholds and the composite alarm, with their defaults and validator, read by the
 * construct (constructs/monitoring.ts) and by the environment configuration (`monitoring.*`). Provider-free.
 */
import { Checks } from "../model/checks";

export interface MonitoringSettings {
  /** Alarm when CDCLatencySource or CDCLatencyTarget exceed this many seconds (> 0, <= 86400). @default 5 */
  readonly cdcLatencyThresholdSeconds?: number;
  /** Consecutive 1-minute periods over the threshold before the lag alarms fire (1-60). @default 3 */
  readonly cdcLatencyEvaluationMinutes?: number;
  /** Minutes of zero full-load throughput before the stall alarm fires (a multiple of 5; 0 disables it). @default 15 */
  readonly fullLoadStallMinutes?: number;
  /** CPU (DMS instance, RDS) above this alarms (1-100). @default 80 */
  readonly cpuThresholdPercent?: number;
  /** Free storage below this share of allocated storage alarms (DMS instance and RDS; 1-99). @default 10 */
  readonly freeStorageThresholdPercent?: number;
  /** Freeable memory below this alarms (DMS instance and RDS). @default 100 */
  readonly freeableMemoryThresholdMiB?: number;
  /** DMS instance swap above this alarms. @default 256 */
  readonly swapThresholdMiB?: number;
  /** RDS connections above this alarm. @default 100 */
  readonly rdsConnectionsThreshold?: number;
  /** A composite "migration unhealthy" alarm over the others, for a pager ($0.50/month). @default false */
  readonly compositeAlarm?: boolean;
}

export type ResolvedMonitoringSettings = Required<MonitoringSettings>;

export const MONITORING_DEFAULTS: ResolvedMonitoringSettings = {
  cdcLatencyThresholdSeconds: 5,
  cdcLatencyEvaluationMinutes: 3,
  fullLoadStallMinutes: 15,
  cpuThresholdPercent: 80,
  freeStorageThresholdPercent: 10,
  freeableMemoryThresholdMiB: 100,
  swapThresholdMiB: 256,
  rdsConnectionsThreshold: 100,
  compositeAlarm: false,
};

export function resolveMonitoringSettings(s: MonitoringSettings): ResolvedMonitoringSettings {
  const out: Record<string, unknown> = { ...MONITORING_DEFAULTS };
  for (const [k, v] of Object.entries(s)) if (v !== undefined && k in MONITORING_DEFAULTS) out[k] = v;
  return out as ResolvedMonitoringSettings;
}

/** Every problem of resolved monitoring settings, fields named after `prefix` ("monitoring." in the config). */
export function validateMonitoringSettings(m: ResolvedMonitoringSettings, prefix = ""): string[] {
  const c = new Checks(prefix);
  const lag = m.cdcLatencyThresholdSeconds;
  if (typeof lag !== "number" || !(lag > 0) || lag > 86400)
    c.bad("cdcLatencyThresholdSeconds", "must be a number > 0 and <= 86400", lag);
  c.int("cdcLatencyEvaluationMinutes", m.cdcLatencyEvaluationMinutes, 1, 60);
  c.int("fullLoadStallMinutes", m.fullLoadStallMinutes, 0, 1440);
  if (typeof m.fullLoadStallMinutes === "number" && m.fullLoadStallMinutes % 5 !== 0) {
    c.bad("fullLoadStallMinutes", "must be a multiple of 5 (0 turns the alarm off)", m.fullLoadStallMinutes);
  }
  c.int("cpuThresholdPercent", m.cpuThresholdPercent, 1, 100);
  c.int("freeStorageThresholdPercent", m.freeStorageThresholdPercent, 1, 99);
  c.int("freeableMemoryThresholdMiB", m.freeableMemoryThresholdMiB, 1, 1048576);
  c.int("swapThresholdMiB", m.swapThresholdMiB, 1, 1048576);
  c.int("rdsConnectionsThreshold", m.rdsConnectionsThreshold, 1, 100000);
  c.bool("compositeAlarm", m.compositeAlarm);
  return c.problems;
}
