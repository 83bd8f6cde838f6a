/**
 * The settings of the RDS for MySQL target: one interface with its defaults and its validator, read by the
 * construct (constructs/target-rds.ts) and by the environment configuration (environments/config.ts), which
 * holds exactly these settings under `target`. Provider-free.
 */
import { CLOUDWATCH_LOG_RETENTION_DAYS, Checks } from "../model/checks";
import {
  RDS_INSTANCE_CLASS_PATTERN,
  RDS_LIFECYCLE_EXTENDED_SUPPORT,
  RDS_LIFECYCLE_EXTENDED_SUPPORT_DISABLED,
  RDS_MYSQL_DEFAULT_ENGINE_VERSION,
  RDS_MYSQL_LOG_EXPORTS,
  RDS_MYSQL_PARAMETER_GROUP_FAMILY,
  RDS_STORAGE_TYPES,
  RdsEngineLifecycleSupport,
  RdsMysqlLogExport,
  RdsStorageType,
} from "../model/catalog";

export interface TargetRdsSettings {
  /** @default "db.t3.micro" (free tier) */
  readonly instanceClass?: string;
  /** A major (`8.4`: RDS picks and upgrades the minor) or a full version (`8.4.7`). @default "8.4" */
  readonly engineVersion?: string;
  /** Extended Support enrollment (8.0 Extended Support is ~$146/month on 2 vCPUs). @default "open-source-rds-extended-support-disabled" */
  readonly engineLifecycleSupport?: RdsEngineLifecycleSupport;
  /** @default 20 (free tier) */
  readonly allocatedStorageGiB?: number;
  /** Storage autoscaling ceiling; 0 turns autoscaling off. @default 0 */
  readonly maxAllocatedStorageGiB?: number;
  /** @default "gp2" (what the free tier's 20 GB covers) */
  readonly storageType?: RdsStorageType;
  /** @default false */
  readonly multiAz?: boolean;
  /** Reachable from the internet. Never true in practice: the policy pack (RDS2) fails synth on it. @default false */
  readonly publiclyAccessible?: boolean;
  /** @default true */
  readonly deletionProtection?: boolean;
  /** @default 7 */
  readonly backupRetentionDays?: number;
  /** Take a final snapshot when the instance is destroyed. @default true */
  readonly finalSnapshot?: boolean;
  /** @default false */
  readonly performanceInsights?: boolean;
  /** RDS logs exported to CloudWatch Logs. @default ["error", "slowquery"] */
  readonly logExports?: readonly RdsMysqlLogExport[];
  /**
   * Days CloudWatch Logs keeps each exported log. The construct creates `/aws/rds/instance/<identifier>/<log>` for
   * every export before the DB instance, with this retention: a group RDS creates itself never expires.
   * @default 14
   */
  readonly logRetentionDays?: number;
  /**
   * `lifecycle.prevent_destroy` on the DB instance, so any plan that would destroy or replace it fails: the target
   * holds the migrated data, and after cutover a replacement is data loss. Independent of `deletionProtection` (an
   * AWS-side flag): this one stops Terraform before it asks AWS.
   *
   * To destroy an environment on purpose (dev): synthesize it with `preventDestroy: false`, then run
   * `terraform destroy` (or `cdktf destroy <stack>`) on that synth; Terraform reads the setting from the
   * configuration, so nothing has to be applied first. Where `deletionProtection` is true, apply it as false before
   * the destroy (that flag lives in AWS). With the synthesized HCL alone: set the instance's
   * `prevent_destroy = false` in cdk.tf, then destroy.
   * @default true
   */
  readonly preventDestroy?: boolean;
  /** Apply instance changes at once rather than in the maintenance window. @default false */
  readonly applyImmediately?: boolean;
  /** Days a deleted DMS target secret can be restored (7-30; 0 deletes at once). @default 7 */
  readonly secretRecoveryWindowDays?: number;
}

/** Every target setting, resolved. */
export type ResolvedTargetRdsSettings = Required<TargetRdsSettings>;

export const TARGET_RDS_DEFAULTS: ResolvedTargetRdsSettings = {
  instanceClass: "db.t3.micro",
  engineVersion: RDS_MYSQL_DEFAULT_ENGINE_VERSION,
  engineLifecycleSupport: RDS_LIFECYCLE_EXTENDED_SUPPORT_DISABLED,
  allocatedStorageGiB: 20,
  maxAllocatedStorageGiB: 0,
  storageType: "gp2",
  multiAz: false,
  publiclyAccessible: false,
  deletionProtection: true,
  backupRetentionDays: 7,
  finalSnapshot: true,
  performanceInsights: false,
  logExports: ["error", "slowquery"],
  logRetentionDays: 14,
  preventDestroy: true,
  applyImmediately: false,
  secretRecoveryWindowDays: 7,
};

/** The settings with every unset one at its default. */
export function resolveTargetRdsSettings(s: TargetRdsSettings): ResolvedTargetRdsSettings {
  const out: Record<string, unknown> = { ...TARGET_RDS_DEFAULTS };
  for (const [k, v] of Object.entries(s)) if (v !== undefined && k in TARGET_RDS_DEFAULTS) out[k] = v;
  return out as ResolvedTargetRdsSettings;
}

/** The RDS parameter group family of an engine version (`8.4.7` -> `mysql8.4`), or undefined when unknown. */
export function rdsParameterGroupFamily(engineVersion: string): string | undefined {
  const major = /^(\d+\.\d+)(\.\d+)?$/.exec(engineVersion)?.[1];
  return major ? RDS_MYSQL_PARAMETER_GROUP_FAMILY[major] : undefined;
}

/** Every problem of resolved target settings, fields named after `prefix` ("target." in the environment config). */
export function validateTargetRdsSettings(t: ResolvedTargetRdsSettings, prefix = ""): string[] {
  const c = new Checks(prefix);
  c.matches(
    "instanceClass",
    t.instanceClass,
    RDS_INSTANCE_CLASS_PATTERN,
    "must be a known RDS instance class such as db.t3.micro",
  );
  const family = typeof t.engineVersion === "string" ? rdsParameterGroupFamily(t.engineVersion) : undefined;
  if (!family) {
    c.bad(
      "engineVersion",
      `must be an RDS for MySQL version ${Object.keys(RDS_MYSQL_PARAMETER_GROUP_FAMILY).join(" or ")}[.minor]`,
      t.engineVersion,
    );
  }
  c.oneOf("engineLifecycleSupport", t.engineLifecycleSupport, [
    RDS_LIFECYCLE_EXTENDED_SUPPORT_DISABLED,
    RDS_LIFECYCLE_EXTENDED_SUPPORT,
  ]);
  if (
    family === RDS_MYSQL_PARAMETER_GROUP_FAMILY["8.0"] &&
    t.engineLifecycleSupport !== RDS_LIFECYCLE_EXTENDED_SUPPORT
  ) {
    c.bad(
      "engineVersion",
      `8.0 is past standard support: use 8.4, or set ${prefix}engineLifecycleSupport to "${RDS_LIFECYCLE_EXTENDED_SUPPORT}" and accept its cost`,
      t.engineVersion,
    );
  }
  c.int("allocatedStorageGiB", t.allocatedStorageGiB, 20, 65536);
  const ceiling = t.maxAllocatedStorageGiB;
  const above = Math.max(21, (typeof t.allocatedStorageGiB === "number" ? t.allocatedStorageGiB : 0) + 1);
  if (
    ceiling !== 0 &&
    (typeof ceiling !== "number" || !Number.isInteger(ceiling) || ceiling < above || ceiling > 65536)
  ) {
    c.bad(
      "maxAllocatedStorageGiB",
      `must be 0 (off) or an integer from ${above} (above allocatedStorageGiB) to 65536`,
      ceiling,
    );
  }
  c.oneOf("storageType", t.storageType, RDS_STORAGE_TYPES);
  c.bool("multiAz", t.multiAz);
  c.bool("publiclyAccessible", t.publiclyAccessible);
  c.bool("deletionProtection", t.deletionProtection);
  c.int("backupRetentionDays", t.backupRetentionDays, 1, 35);
  c.bool("finalSnapshot", t.finalSnapshot);
  c.bool("performanceInsights", t.performanceInsights);
  if (!Array.isArray(t.logExports))
    c.bad("logExports", `must be a list of ${RDS_MYSQL_LOG_EXPORTS.join(", ")}`, t.logExports);
  else t.logExports.forEach((x, i) => c.oneOf(`logExports[${i}]`, x, RDS_MYSQL_LOG_EXPORTS));
  c.oneOf("logRetentionDays", t.logRetentionDays, CLOUDWATCH_LOG_RETENTION_DAYS);
  c.bool("preventDestroy", t.preventDestroy);
  c.bool("applyImmediately", t.applyImmediately);
  if (t.secretRecoveryWindowDays !== 0) c.int("secretRecoveryWindowDays", t.secretRecoveryWindowDays, 7, 30);
  return c.problems;
}
