/**
 * The typed configuration of one environment (dev, staging, prod). Every value a deployment can change lives here;
 * constructs receive it as props. `validateEnvironmentConfig` checks a whole config and reports every bad field at
 * once, naming the field and the value.
 */
import {
  EC2_SOURCE_DEFAULTS,
  ExistingSourceSettings,
  ResolvedEc2SourceSettings,
  validateEc2SourceSettings,
  validateExistingSourceSettings,
} from "../constructs/source-mysql-props";
import { ExistingNetwork, NetworkSettings, validateNetworkSettings } from "../constructs/network-props";
import { validateAlertTopicSettings } from "../constructs/alert-topic-props";
import { BUCKET_NAME_PATTERN } from "../constructs/state-backend-props";
import {
  MONITORING_DEFAULTS,
  ResolvedMonitoringSettings,
  validateMonitoringSettings,
} from "../constructs/monitoring-props";
import {
  ResolvedTargetRdsSettings,
  TARGET_RDS_DEFAULTS,
  validateTargetRdsSettings,
} from "../constructs/target-rds-props";
import { CLOUDWATCH_LOG_RETENTION_DAYS, Checks } from "../model/checks";
import { parseTableSelection, SELECTION_NAME } from "../model/table-selection";
import {
  ResolvedDmsInstanceSettings,
  validateDmsInstanceSettings,
  validateDmsServerlessSettings,
  validateServerlessCapacity,
} from "../constructs/dms-replication-props";
import { TableTransformation, TRANSFORMATION_ACTIONS } from "../model/dms-table-mappings";
import {
  DATABASE_NAME_DEFAULTS,
  ResolvedDatabaseNameSettings,
  validateDatabaseNameSettings,
} from "../constructs/database-name-props";
import {
  DMS_FALLBACK_DEFAULTS,
  FALLBACK_NAME_PREFIX_MAX_LENGTH,
  fallbackTaskId,
  ResolvedDmsFallbackSettings,
  validateDmsFallbackSettings,
} from "../constructs/dms-fallback-props";
import {
  DMS_ASSESSMENT_DEFAULTS,
  ResolvedDmsAssessmentSettings,
  validateDmsAssessmentSettings,
} from "../constructs/dms-assessment-props";
import { TASK_SETTINGS_DEFAULTS, TaskSettingsProps } from "../model/dms-task-settings";

export const ENVIRONMENT_NAMES = ["dev", "staging", "prod"] as const;
export type EnvironmentName = (typeof ENVIRONMENT_NAMES)[number];

/** The network: the construct's settings (constructs/network-props.ts), every one set, and how the VPC exists. */
export interface NetworkConfig extends Required<Omit<NetworkSettings, "existing">> {
  /** `create` builds a VPC (`vpcCidr`); `existing` uses the VPC and subnets named in `existing`. */
  readonly mode: "create" | "existing";
  /** Bring-your-own network (`existing` mode). */
  readonly existing?: ExistingNetwork;
}

export interface SourceConfig {
  /** `ec2`: a MySQL server on EC2 stands in for on-premises. `existing`: a MySQL reached by host and port. */
  readonly mode: "ec2" | "existing";
  /** The EC2 stand-in's settings (constructs/source-mysql-props.ts), every one set. */
  readonly ec2: ResolvedEc2SourceSettings;
  /** The existing server (`existing` mode). */
  readonly existing?: ExistingSourceSettings;
}

/**
 * The RDS target: the construct's settings (constructs/target-rds-props.ts), every one set. The task log and the RDS
 * logs share `monitoring.logRetentionDays`, so `logRetentionDays` is not set here.
 */
export type TargetConfig = Omit<ResolvedTargetRdsSettings, "logRetentionDays">;

/**
 * The DMS replication: `mode` picks the construct (DmsInstanceReplication or DmsServerlessReplication,
 * constructs/dms-replication-props.ts); the instance's settings and the task settings are set flat under `dms`, the
 * serverless capacity under `dms.serverless`. The task log shares `monitoring.logRetentionDays`.
 */
export type DmsConfig = Omit<ResolvedDmsInstanceSettings, "taskSettings" | "logRetentionDays"> &
  Required<TaskSettingsProps> & {
    /** `instance`: a replication instance and a task. `serverless`: DMS Serverless (`aws_dms_replication_config`). */
    readonly mode: "instance" | "serverless";
    readonly serverless: { readonly minCapacityUnits: number; readonly maxCapacityUnits: number };
  };

/** The task settings of a DMS config (flat under `dms`): every key the task settings module defines. */
export function taskSettingsOf(d: DmsConfig): Required<TaskSettingsProps> {
  const keys = Object.keys(TASK_SETTINGS_DEFAULTS) as (keyof TaskSettingsProps)[];
  return Object.fromEntries(keys.map((k) => [k, d[k]])) as unknown as Required<TaskSettingsProps>;
}

/** The replication instance's settings of a DMS config: everything under `dms` but the mode, serverless and task settings. */
export function instanceSettingsOf(
  d: DmsConfig,
): Omit<ResolvedDmsInstanceSettings, "taskSettings" | "logRetentionDays"> {
  const taskKeys = new Set(Object.keys(TASK_SETTINGS_DEFAULTS));
  const { mode, serverless, ...flat } = d;
  return Object.fromEntries(Object.entries(flat).filter(([k]) => !taskKeys.has(k))) as unknown as Omit<
    ResolvedDmsInstanceSettings,
    "taskSettings" | "logRetentionDays"
  >;
}

/**
 * Alerts and alarms: the alert topic's settings (constructs/alert-topic-props.ts, named `alertTopicName`,
 * `alertTopicEncryption`, `alertEmails`, `alertHttpsEndpoints` here), the alarm settings (constructs/monitoring-props.ts),
 * and the retention of every log group this project manages (DMS task log, RDS logs).
 */
export interface MonitoringConfig extends ResolvedMonitoringSettings {
  /** Name of the SNS alert topic. */
  readonly alertTopicName: string;
  /** `cmk`: customer-managed KMS key ($1/month); `none`: unencrypted (dev). Never alias/aws/sns. */
  readonly alertTopicEncryption: "cmk" | "none";
  /** E-mail addresses subscribed to the alert topic. */
  readonly alertEmails: readonly string[];
  /** HTTPS endpoints subscribed to the alert topic (webhooks, AWS Chatbot); no credentials in the URL. */
  readonly alertHttpsEndpoints: readonly string[];
  /** Retention of the log groups this project manages (days CloudWatch accepts). */
  readonly logRetentionDays: number;
}

export interface MigrationConfig {
  /**
   * Tables DMS migrates, as `schema.table` with DMS's `%` wildcard; a leading `!` excludes
   * (e.g. `["ecommerce.%", "!ecommerce.tmp_%"]`).
   */
  readonly tables: readonly string[];
  /** DMS transformation rules (rename, prefixes, lower/upper case, remove-column). */
  readonly transformations?: readonly TableTransformation[];
}

/**
 * Cutover and rollback: the stable database name (constructs/database-name-props.ts: `activeDatabase`, the zone,
 * the record), the fallback replication (constructs/dms-fallback-props.ts: `fallback`) and the storage of DMS
 * premigration assessment results (constructs/dms-assessment-props.ts, under `assessment`).
 */
export type CutoverConfig = ResolvedDatabaseNameSettings &
  ResolvedDmsFallbackSettings & {
    readonly assessment: ResolvedDmsAssessmentSettings;
  };

export interface PolicySuppressionConfig {
  /** Rule id, e.g. "DMS1". */
  readonly ruleId: string;
  /** Construct path inside the stack, e.g. "dms/instance" (the finding's path after "<env>/"). */
  readonly path: string;
  /** Why: 10+ characters, shown in the synth output and RULES.md. */
  readonly reason: string;
}

export interface PolicyConfig {
  /** The production-only rules (deletion protection, multi-AZ: RDS8, RDS9, DMS5). */
  readonly production: boolean;
  /** Fail synth on resources billed beyond the free tier (dev by default, opt-in elsewhere). */
  readonly freeTierGuard: boolean;
  /** Explicit, per-construct suppressions of policy findings. */
  readonly suppressions: readonly PolicySuppressionConfig[];
}

export interface StateConfig {
  /**
   * S3 bucket holding Terraform state (created by the `state-backend` stack, which names it
   * `dms-migrate-tfstate-<account id>-<region>` while this is unset). "" = not chosen yet: synth writes the
   * backend without a bucket and `terraform init` refuses until one is given (names are global: no default is safe).
   */
  readonly bucket: string;
  /** Region of the state bucket. */
  readonly region: string;
}

export interface EnvironmentConfig {
  readonly name: EnvironmentName;
  readonly region: string;
  /** Prefix of every resource name (lowercase letters, digits, hyphens). */
  readonly namePrefix: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly network: NetworkConfig;
  readonly source: SourceConfig;
  readonly target: TargetConfig;
  readonly dms: DmsConfig;
  readonly monitoring: MonitoringConfig;
  readonly migration: MigrationConfig;
  readonly cutover: CutoverConfig;
  readonly policy: PolicyConfig;
  readonly state: StateConfig;
}

/** A deep partial of a config, as overrides arrive from files and environment variables. */
export type DeepPartial<T> = {
  -readonly [K in keyof T]?: T[K] extends readonly (infer U)[]
    ? readonly U[]
    : T[K] extends object
      ? DeepPartial<T[K]>
      : T[K];
};

/** Thrown when a configuration is invalid; lists every problem found. */
export class ConfigError extends Error {
  constructor(
    readonly environment: string,
    readonly problems: readonly string[],
  ) {
    super(`invalid configuration for environment "${environment}":\n  - ${problems.join("\n  - ")}`);
    this.name = "ConfigError";
  }
}

const REGION_PATTERN = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;
const NAME_PREFIX_PATTERN = /^[a-z][a-z0-9-]{1,22}[a-z0-9]$/;
const TAG_KEY_PATTERN = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;

export interface CheckOptions {
  /** The day the dated checks (DMS engine end of life) are made for. @default today */
  readonly today?: Date;
}

/** Validates a config; returns the list of problems (empty when valid). */
export function findConfigProblems(config: EnvironmentConfig, options: CheckOptions = {}): string[] {
  const checks = new Checks();
  const problems = checks.problems;

  checks.oneOf("name", config.name, ENVIRONMENT_NAMES);
  if (typeof config.region !== "string" || !REGION_PATTERN.test(config.region)) {
    checks.bad("region", "must be an AWS region such as us-east-1", config.region);
  }
  if (typeof config.namePrefix !== "string" || !NAME_PREFIX_PATTERN.test(config.namePrefix)) {
    checks.bad(
      "namePrefix",
      "must be 3-24 lowercase letters, digits or hyphens, starting with a letter",
      config.namePrefix,
    );
  }
  for (const [k, v] of Object.entries(config.tags ?? {})) {
    if (!TAG_KEY_PATTERN.test(k) || k.toLowerCase().startsWith("aws:"))
      checks.bad(`tags["${k}"]`, "must be a valid tag key", k);
    if (typeof v !== "string" || v.length > 256)
      checks.bad(`tags["${k}"]`, "must be a string of at most 256 characters", v);
  }

  // network: the construct's own validator, on the VPC the mode names
  const network = config.network;
  checks.oneOf("network.mode", network.mode, ["create", "existing"]);
  if (network.mode === "existing" && !network.existing)
    problems.push('network.existing must be set when network.mode is "existing", got undefined');
  problems.push(
    ...validateNetworkSettings(
      { ...network, existing: network.mode === "existing" ? network.existing : undefined },
      "network.",
    ),
  );

  // source
  const source = config.source;
  checks.oneOf("source.mode", source.mode, ["ec2", "existing"]);
  problems.push(...validateEc2SourceSettings({ ...EC2_SOURCE_DEFAULTS, ...source.ec2 }, "source.ec2."));
  if (source.mode === "ec2" && source.ec2.subnet === "private" && !network.natGateway) {
    checks.bad(
      "source.ec2.subnet",
      'may be "private" only with network.natGateway true (the instance installs MySQL from the internet)',
      source.ec2.subnet,
    );
  }
  if (source.mode === "existing") {
    if (!source.existing) problems.push('source.existing must be set when source.mode is "existing", got undefined');
    else problems.push(...validateExistingSourceSettings(source.existing, "source.existing."));
  }

  // target: the construct's own validator
  problems.push(...validateTargetRdsSettings({ ...TARGET_RDS_DEFAULTS, ...config.target }, "target."));

  // dms
  const dms = config.dms;
  checks.oneOf("dms.mode", dms.mode, ["instance", "serverless"]);
  // The construct's validator of the mode in use (the task log's retention is checked under monitoring).
  const shared = {
    subnet: dms.subnet,
    startTask: dms.startTask,
    targetParallelLoadThreads: dms.targetParallelLoadThreads,
    taskSettings: taskSettingsOf(dms),
    logRetentionDays: 14,
  };
  if (dms.mode === "serverless") {
    const serverlessProblems = validateDmsServerlessSettings(
      { ...shared, ...dms.serverless, multiAz: dms.multiAz },
      "dms.",
    );
    // The capacity sits under dms.serverless in the configuration.
    problems.push(
      ...serverlessProblems.map((x) => x.replace(/dms\.(min|max)CapacityUnits/g, "dms.serverless.$1CapacityUnits")),
    );
  } else {
    const instance = instanceSettingsOf(dms);
    problems.push(...validateDmsInstanceSettings({ ...instance, ...shared }, "dms.", { today: options.today }));
    // Unused in this mode, but checked: switching dms.mode must not reveal a bad value only then.
    problems.push(
      ...validateServerlessCapacity(
        dms.serverless?.minCapacityUnits,
        dms.serverless?.maxCapacityUnits,
        "dms.serverless.",
      ),
    );
  }
  if (dms.subnet === "private" && network.mode === "create" && !network.secretsManagerEndpoint && !network.natGateway) {
    checks.bad(
      "dms.subnet",
      'may be "private" only with network.secretsManagerEndpoint or network.natGateway (DMS reads its secrets over HTTPS)',
      dms.subnet,
    );
  }
  if (dms.mode === "serverless") {
    if (network.mode === "create" && !network.secretsManagerEndpoint) {
      checks.bad(
        "network.secretsManagerEndpoint",
        'must be true with dms.mode "serverless" (its only way to Secrets Manager; ~$7.30/month per AZ, README cost table)',
        network.secretsManagerEndpoint,
      );
    }
    if (config.policy.freeTierGuard === true) {
      checks.bad(
        "dms.mode",
        '"serverless" is billed per DCU-hour with no free tier: set policy.freeTierGuard false in this environment to accept the cost (README cost table)',
        dms.mode,
      );
    }
  }

  // monitoring: the alert topic's and the alarms' own validators
  const monitoring = config.monitoring;
  problems.push(
    ...validateAlertTopicSettings(
      {
        topicName: monitoring.alertTopicName,
        encryption: monitoring.alertTopicEncryption,
        emails: monitoring.alertEmails,
        httpsEndpoints: monitoring.alertHttpsEndpoints,
      },
      "monitoring.",
      {
        topicName: "alertTopicName",
        encryption: "alertTopicEncryption",
        emails: "alertEmails",
        httpsEndpoints: "alertHttpsEndpoints",
      },
    ),
  );
  problems.push(...validateMonitoringSettings({ ...MONITORING_DEFAULTS, ...monitoring }, "monitoring."));
  checks.oneOf("monitoring.logRetentionDays", monitoring.logRetentionDays, CLOUDWATCH_LOG_RETENTION_DAYS);

  // migration
  problems.push(...parseTableSelection(config.migration.tables, "migration.tables").problems);

  (config.migration.transformations ?? []).forEach((t, i) => {
    checks.oneOf(`migration.transformations[${i}].target`, t.target, ["schema", "table", "column"]);
    checks.oneOf(`migration.transformations[${i}].action`, t.action, TRANSFORMATION_ACTIONS);
    const depth = { schema: 1, table: 2, column: 3 }[t.target] ?? 0;
    const parts = String(t.objectLocator).split(".");
    if (parts.length !== depth || parts.some((x) => !SELECTION_NAME.test(x))) {
      checks.bad(
        `migration.transformations[${i}].objectLocator`,
        `must name a ${t.target} (${["schema", "schema.table", "schema.table.column"][depth - 1] ?? "?"})`,
        t.objectLocator,
      );
    }
  });

  // cutover: the constructs' own validators, then what spans settings
  const cutover = config.cutover;
  problems.push(...validateDatabaseNameSettings({ ...DATABASE_NAME_DEFAULTS, ...cutover }, "cutover."));
  problems.push(...validateDmsFallbackSettings({ ...DMS_FALLBACK_DEFAULTS, ...cutover }, "cutover."));
  problems.push(
    ...validateDmsAssessmentSettings({ ...DMS_ASSESSMENT_DEFAULTS, ...cutover.assessment }, "cutover.assessment."),
  );
  if (cutover.fallback === true) {
    if (dms.mode === "serverless") {
      checks.bad(
        "cutover.fallback",
        'needs dms.mode "instance" (the stopped fallback task shares the replication instance and starts in seconds at cutover; DMS Serverless would provision a second replication, up to an hour, just when the way back is needed): set cutover.fallback false with dms.mode "serverless"',
        cutover.fallback,
      );
    }
    const transformations = config.migration.transformations ?? [];
    if (transformations.length > 0) {
      checks.bad(
        "cutover.fallback",
        `needs migration.transformations empty: the fallback carries rows back under the target's names, and ${transformations.length} transformation(s) cannot be undone on the way back`,
        cutover.fallback,
      );
    }
    if (source.mode === "existing" && source.existing && !source.existing.caCertificatePem) {
      checks.bad(
        "cutover.fallback",
        'needs source.existing.caCertificatePem with source.mode "existing" (the fallback writes your server back, over TLS verify-full only): set it, or set cutover.fallback false',
        cutover.fallback,
      );
    }
    if (typeof config.namePrefix === "string" && config.namePrefix.length > FALLBACK_NAME_PREFIX_MAX_LENGTH) {
      checks.bad(
        "namePrefix",
        `must be at most ${FALLBACK_NAME_PREFIX_MAX_LENGTH} characters with cutover.fallback true (the fallback task id ${JSON.stringify(fallbackTaskId(config.namePrefix))} is a DMS resource identifier of at most 31)`,
        config.namePrefix,
      );
    }
  }

  // policy
  checks.bool("policy.production", config.policy.production);
  checks.bool("policy.freeTierGuard", config.policy.freeTierGuard);
  if (!Array.isArray(config.policy.suppressions))
    checks.bad("policy.suppressions", "must be a list", config.policy.suppressions);
  else
    config.policy.suppressions.forEach((x, i) => {
      if (typeof x?.ruleId !== "string" || !/^[A-Z]+[0-9]+$/.test(x.ruleId))
        checks.bad(`policy.suppressions[${i}].ruleId`, "must be a rule id such as DMS1", x?.ruleId);
      if (typeof x?.path !== "string" || x.path.length === 0)
        checks.bad(`policy.suppressions[${i}].path`, "must be a construct path such as dms/instance", x?.path);
      if (typeof x?.reason !== "string" || x.reason.trim().length < 10)
        checks.bad(`policy.suppressions[${i}].reason`, "must explain the suppression in 10+ characters", x?.reason);
    });

  // state
  if (
    typeof config.state.bucket !== "string" ||
    (config.state.bucket !== "" && !BUCKET_NAME_PATTERN.test(config.state.bucket))
  ) {
    checks.bad(
      "state.bucket",
      'must be a valid S3 bucket name (or "" until the state-backend stack has made one)',
      config.state.bucket,
    );
  }
  if (typeof config.state.region !== "string" || !REGION_PATTERN.test(config.state.region)) {
    checks.bad("state.region", "must be an AWS region such as us-east-1", config.state.region);
  }
  return problems;
}

/** Throws a {@link ConfigError} listing every problem, or returns the config unchanged. */
export function validateEnvironmentConfig(c: EnvironmentConfig, options: CheckOptions = {}): EnvironmentConfig {
  const problems = findConfigProblems(c, options);
  if (problems.length > 0) throw new ConfigError(String(c.name), problems);
  return c;
}
