import {
  DMS_INSTANCE_DEFAULTS,
  DMS_SERVERLESS_DEFAULTS,
  ResolvedDmsInstanceSettings,
} from "../constructs/dms-replication-props";
import { MONITORING_DEFAULTS } from "../constructs/monitoring-props";
import { NETWORK_DEFAULTS } from "../constructs/network-props";
import { EC2_SOURCE_DEFAULTS } from "../constructs/source-mysql-props";
import { TASK_SETTINGS_DEFAULTS } from "../model/dms-task-settings";
import { SAMPLE_SCHEMA } from "../model/names";
import { ResolvedTargetRdsSettings, TARGET_RDS_DEFAULTS } from "../constructs/target-rds-props";
import { DATABASE_NAME_DEFAULTS } from "../constructs/database-name-props";
import { DMS_ASSESSMENT_DEFAULTS } from "../constructs/dms-assessment-props";
import { DMS_FALLBACK_DEFAULTS } from "../constructs/dms-fallback-props";
import { EnvironmentConfig, EnvironmentName, TargetConfig } from "./config";

/** The target construct's defaults, less the log retention the environment shares (`monitoring.logRetentionDays`). */
function targetDefaults(): TargetConfig {
  const all: Partial<Record<keyof ResolvedTargetRdsSettings, unknown>> = { ...TARGET_RDS_DEFAULTS };
  delete all.logRetentionDays;
  return all as TargetConfig;
}

/** The DMS instance construct's defaults, less what the environment sets elsewhere (task settings, log retention). */
function instanceDefaults(): Omit<ResolvedDmsInstanceSettings, "taskSettings" | "logRetentionDays"> {
  const { taskSettings, logRetentionDays, ...rest } = DMS_INSTANCE_DEFAULTS;
  return rest;
}

/**
 * The defaults every environment starts from: secure and free-tier friendly. Each environment file overrides what
 * it needs explicitly (prod: multi-AZ, deletion protection, longer retention).
 */
export function baseConfig(name: EnvironmentName): EnvironmentConfig {
  return {
    name,
    region: "us-east-1",
    namePrefix: `dmsm-${name}`,
    tags: { Project: "dms-migrate", Environment: name, ManagedBy: "cdktf" },
    network: { mode: "create", ...NETWORK_DEFAULTS },
    source: {
      mode: "ec2",
      ec2: { ...EC2_SOURCE_DEFAULTS },
    },
    // The construct's defaults, but for a playground's backups: one day, no final snapshot, no deletion protection.
    target: { ...targetDefaults(), deletionProtection: false, backupRetentionDays: 1, finalSnapshot: false },
    // The constructs' defaults: the instance's settings and the task settings flat, the serverless capacity nested.
    dms: {
      mode: "instance",
      ...instanceDefaults(),
      ...TASK_SETTINGS_DEFAULTS,
      serverless: {
        minCapacityUnits: DMS_SERVERLESS_DEFAULTS.minCapacityUnits,
        maxCapacityUnits: DMS_SERVERLESS_DEFAULTS.maxCapacityUnits,
      },
    },
    monitoring: {
      alertTopicName: `DMSAlertTopic-${name}`,
      alertTopicEncryption: "cmk",
      alertEmails: [],
      alertHttpsEndpoints: [],
      ...MONITORING_DEFAULTS,
      // A composite "migration unhealthy" alarm for a pager, outside dev.
      compositeAlarm: true,
      logRetentionDays: 14,
    },
    migration: {
      tables: [`${SAMPLE_SCHEMA}.%`],
    },
    // The constructs' defaults, but for the zone's name: one per environment (`mysql.dmsm-<env>.internal`), so two
    // environments in one VPC can never collide.
    cutover: {
      ...DATABASE_NAME_DEFAULTS,
      zoneName: `dmsm-${name}.internal`,
      ...DMS_FALLBACK_DEFAULTS,
      assessment: { ...DMS_ASSESSMENT_DEFAULTS },
    },
    policy: {
      production: false,
      freeTierGuard: false,
      suppressions: [],
    },
    state: {
      // Unset: S3 names are global, so the state-backend stack names the bucket after the account (README).
      bucket: "",
      region: "us-east-1",
    },
  };
}
