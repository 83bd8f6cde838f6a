/**
 * The settings of the DMS replication, in its two forms: a replication instance with a task
 * (`DmsInstanceReplication`) and DMS Serverless (`DmsServerlessReplication`). What both share, what each adds, their
 * defaults and validators, read by the constructs and by the environment configuration (`dms`). Provider-free.
 */
import { Checks, CLOUDWATCH_LOG_RETENTION_DAYS } from "../model/checks";
import { dmsEngineProblem } from "../model/dms-engines";
import { TASK_SETTINGS_DEFAULTS, TaskSettingsProps, validateTaskSettings } from "../model/dms-task-settings";

/** DMS replication instance classes (DMS guide, "Choosing the right AWS DMS replication instance class"). */
export const DMS_INSTANCE_CLASS_PATTERN =
  /^dms\.((t2|t3)\.(micro|small|medium|large)|(c4|c5|c6i|c7i|r4|r5|r6i|r7i)\.(large|xlarge|[1-9][0-9]?xlarge))$/;
/** Capacity units DMS Serverless accepts (1 DCU = 2 GB of memory). */
export const DMS_SERVERLESS_CAPACITY_UNITS = [1, 2, 4, 8, 16, 32, 64, 128, 192, 256, 384] as const;
/** Replication engine the instance runs: pinned, upgraded on purpose (MySQL 8.4 needs >= 3.5.4; model/dms-engines.ts). */
export const DMS_DEFAULT_ENGINE_VERSION = "3.6.1";
/** Weekly maintenance window of the instance or the serverless replication (UTC, after the RDS window). */
export const DMS_MAINTENANCE_WINDOW = "sun:05:30-sun:06:30";
/** Event categories (exact API strings, `aws dms describe-event-categories`). */
export const DMS_INSTANCE_EVENT_CATEGORIES = [
  "failure",
  "low storage",
  "failover",
  "maintenance",
  "configuration change",
  "deletion",
] as const;
export const DMS_TASK_EVENT_CATEGORIES = ["failure", "state change", "configuration change", "deletion"] as const;
/** DMS supports none, verify-ca and verify-full for MySQL (no "require"). */
export const DMS_MYSQL_SSL_MODES = ["none", "verify-ca", "verify-full"] as const;
export type DmsMysqlSslMode = (typeof DMS_MYSQL_SSL_MODES)[number];

/** What the instance and the serverless replication share. */
export interface DmsReplicationSettings {
  /**
   * Subnet tier. `public` (dev only) gives a replication instance a public IP for egress to Secrets Manager with no
   * inbound rule; `private` needs a Secrets Manager endpoint or a NAT gateway. DMS Serverless is always private.
   * @default "private"
   */
  readonly subnet?: "public" | "private";
  /**
   * Start the replication on create. Only when both DMS secrets hold credentials before the apply and the target
   * schema exists (else DMS creates bare tables, fact 14). @default false: start it after `dmsctl users`,
   * `dmsctl schema` and `dmsctl preflight` (README, first apply)
   */
  readonly startTask?: boolean;
  /** Parallel threads loading each table into the target (1-5). @default 2 */
  readonly targetParallelLoadThreads?: number;
  /** Retention of the task log group (days CloudWatch accepts). @default 14 */
  readonly logRetentionDays?: number;
  /** The task settings this project decides on (model/dms-task-settings.ts). @default - their defaults */
  readonly taskSettings?: TaskSettingsProps;
}

/** A replication instance and a task. */
export interface DmsInstanceSettings extends DmsReplicationSettings {
  /** @default "dms.t3.micro" (free tier) */
  readonly instanceClass?: string;
  /** @default 50 */
  readonly allocatedStorageGiB?: number;
  /** Applies on create only: AWS upgrades the engine at its end of life and the stack ignores that drift. @default "3.6.1" */
  readonly engineVersion?: string;
  /** @default false */
  readonly multiAz?: boolean;
  /** Apply instance changes now rather than in the maintenance window. @default false */
  readonly applyImmediately?: boolean;
}

/** DMS Serverless (`aws_dms_replication_config`). */
export interface DmsServerlessSettings extends DmsReplicationSettings {
  /** @default 1 */
  readonly minCapacityUnits?: number;
  /** @default 16 */
  readonly maxCapacityUnits?: number;
  /** @default false */
  readonly multiAz?: boolean;
}

export type ResolvedDmsInstanceSettings = Required<Omit<DmsInstanceSettings, "taskSettings">> & {
  readonly taskSettings: Required<TaskSettingsProps>;
};
export type ResolvedDmsServerlessSettings = Required<Omit<DmsServerlessSettings, "taskSettings">> & {
  readonly taskSettings: Required<TaskSettingsProps>;
};

const SHARED_DEFAULTS = {
  subnet: "private",
  startTask: false,
  targetParallelLoadThreads: 2,
  logRetentionDays: 14,
  taskSettings: TASK_SETTINGS_DEFAULTS,
} as const;

export const DMS_INSTANCE_DEFAULTS: ResolvedDmsInstanceSettings = {
  ...SHARED_DEFAULTS,
  instanceClass: "dms.t3.micro",
  allocatedStorageGiB: 50,
  engineVersion: DMS_DEFAULT_ENGINE_VERSION,
  multiAz: false,
  applyImmediately: false,
};

export const DMS_SERVERLESS_DEFAULTS: ResolvedDmsServerlessSettings = {
  ...SHARED_DEFAULTS,
  minCapacityUnits: 1,
  maxCapacityUnits: 16,
  multiAz: false,
};

function resolve<T extends object>(defaults: T, s: object): T {
  const out: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
  for (const [k, v] of Object.entries(s)) if (v !== undefined && k in defaults) out[k] = v;
  out.taskSettings = {
    ...TASK_SETTINGS_DEFAULTS,
    ...Object.fromEntries(
      Object.entries((s as DmsReplicationSettings).taskSettings ?? {}).filter(([, v]) => v !== undefined),
    ),
  };
  return out as T;
}

export function resolveDmsInstanceSettings(s: DmsInstanceSettings): ResolvedDmsInstanceSettings {
  return resolve(DMS_INSTANCE_DEFAULTS, s);
}

export function resolveDmsServerlessSettings(s: DmsServerlessSettings): ResolvedDmsServerlessSettings {
  return resolve(DMS_SERVERLESS_DEFAULTS, s);
}

function validateShared(
  c: Checks,
  s: Required<Omit<DmsReplicationSettings, "taskSettings">> & { taskSettings: Required<TaskSettingsProps> },
  prefix: string,
): void {
  c.oneOf("subnet", s.subnet, ["public", "private"]);
  c.bool("startTask", s.startTask);
  c.int("targetParallelLoadThreads", s.targetParallelLoadThreads, 1, 5);
  c.oneOf("logRetentionDays", s.logRetentionDays, CLOUDWATCH_LOG_RETENTION_DAYS);
  c.problems.push(...validateTaskSettings(s.taskSettings, prefix));
}

export interface DmsCheckOptions {
  /** The day the engine version is checked for (model/dms-engines.ts). @default today */
  readonly today?: Date;
}

/** Every problem of resolved instance settings, fields named after `prefix` ("dms." in the environment config). */
export function validateDmsInstanceSettings(
  s: ResolvedDmsInstanceSettings,
  prefix = "",
  options: DmsCheckOptions = {},
): string[] {
  const c = new Checks(prefix);
  c.matches(
    "instanceClass",
    s.instanceClass,
    DMS_INSTANCE_CLASS_PATTERN,
    "must be a DMS replication instance class such as dms.t3.micro",
  );
  c.int("allocatedStorageGiB", s.allocatedStorageGiB, 5, 6144);
  // The dated engine table (fact 15): a version past "no new instances" cannot be created.
  const engineProblem =
    typeof s.engineVersion === "string"
      ? dmsEngineProblem(s.engineVersion, options.today ?? new Date())
      : "it must be a string";
  if (engineProblem) c.bad("engineVersion", `is not usable: ${engineProblem}`, s.engineVersion);
  c.bool("multiAz", s.multiAz);
  c.bool("applyImmediately", s.applyImmediately);
  validateShared(c, s, prefix);
  return c.problems;
}

/** The capacity range of DMS Serverless: both values DCU steps DMS accepts, the minimum not above the maximum. */
export function validateServerlessCapacity(min: unknown, max: unknown, prefix = ""): string[] {
  const c = new Checks(prefix);
  const units = DMS_SERVERLESS_CAPACITY_UNITS as readonly number[];
  c.oneOf("minCapacityUnits", min, units);
  c.oneOf("maxCapacityUnits", max, units);
  if (typeof min === "number" && typeof max === "number" && min > max)
    c.bad("minCapacityUnits", `must not exceed ${prefix}maxCapacityUnits (${max})`, min);
  return c.problems;
}

/** Every problem of resolved serverless settings, fields named after `prefix`. */
export function validateDmsServerlessSettings(s: ResolvedDmsServerlessSettings, prefix = ""): string[] {
  const c = new Checks(prefix);
  c.problems.push(...validateServerlessCapacity(s.minCapacityUnits, s.maxCapacityUnits, prefix));
  c.bool("multiAz", s.multiAz);
  // DMS Serverless has no public IP and reads Secrets Manager only through an interface endpoint (fact 16).
  if (s.subnet !== "private") {
    c.bad(
      "subnet",
      'must be "private" for DMS Serverless (it has no public IP: it reads its secrets through a Secrets Manager VPC endpoint)',
      s.subnet,
    );
  }
  validateShared(c, s, prefix);
  return c.problems;
}
