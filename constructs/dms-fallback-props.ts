/**
 * The settings of the fallback replication (constructs/dms-fallback-replication.ts): a second DMS task, CDC only,
 * from the RDS target back to the original source, created stopped on the forward task's replication instance. Read
 * by the stack and the environment configuration (`cutover.fallback`). Provider-free.
 */
import { Checks } from "../model/checks";

export interface DmsFallbackSettings {
  /**
   * Create the fallback replication: DMS endpoints in the opposite roles (RDS as the source, read with the target's
   * DMS secret over TLS verify-full; the original source as the target, written with the source's DMS secret) and a
   * CDC-only task between them, never started by Terraform: `dmsctl cutover` starts it from the target's binlog
   * position recorded when writes moved, after the forward task has stopped. A stopped task costs nothing; its lag
   * alarm costs $0.10/month beyond the 10 free alarms. It also gives the source's DMS user write grants and the
   * target's DMS user binlog access (model/source-sql.ts). Needs a replication instance (not DMS Serverless).
   * @default false
   */
  readonly fallback?: boolean;
}

export type ResolvedDmsFallbackSettings = Required<DmsFallbackSettings>;

export const DMS_FALLBACK_DEFAULTS: ResolvedDmsFallbackSettings = {
  fallback: false,
};

export function resolveDmsFallbackSettings(s: DmsFallbackSettings): ResolvedDmsFallbackSettings {
  const out: Record<string, unknown> = { ...DMS_FALLBACK_DEFAULTS };
  for (const [k, v] of Object.entries(s)) if (v !== undefined && k in DMS_FALLBACK_DEFAULTS) out[k] = v;
  return out as ResolvedDmsFallbackSettings;
}

/** Longest DMS task id (= resource identifier, the metric dimension): 31 characters. */
export const DMS_RESOURCE_IDENTIFIER_MAX_LENGTH = 31;

/** The fallback task's id and resource identifier. */
export function fallbackTaskId(namePrefix: string): string {
  return `${namePrefix}-fallback`;
}

/** Longest name prefix whose fallback task id still fits a DMS resource identifier. */
export const FALLBACK_NAME_PREFIX_MAX_LENGTH = DMS_RESOURCE_IDENTIFIER_MAX_LENGTH - fallbackTaskId("").length;

/** Every problem of resolved settings, fields named after `prefix` ("cutover." in the environment config). */
export function validateDmsFallbackSettings(s: ResolvedDmsFallbackSettings, prefix = ""): string[] {
  const c = new Checks(prefix);
  c.bool("fallback", s.fallback);
  return c.problems;
}
