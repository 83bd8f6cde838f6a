import { DMS_DEFAULT_ENGINE_VERSION } from "../constructs/dms-replication-props";
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
    network: {
      mode: "create",
      vpcCidr: "10.10.0.0/16",
      azCount: 2,
      natGateway: false,
      secretsManagerEndpoint: false,
    },
    source: {
      mode: "ec2",
      ec2: {
        instanceType: "t3.micro",
        rootVolumeSizeGiB: 20,
        mysqlMajorVersion: "8.4",
        subnet: "public",
        serverId: 1,
        binlogRetentionHours: 72,
        sampleData: true,
        detailedMonitoring: false,
      },
    },
    // The construct's defaults, but for a playground's backups: one day, no final snapshot, no deletion protection.
    target: { ...targetDefaults(), deletionProtection: false, backupRetentionDays: 1, finalSnapshot: false },
    dms: {
      mode: "instance",
      instanceClass: "dms.t3.micro",
      allocatedStorageGiB: 50,
      engineVersion: DMS_DEFAULT_ENGINE_VERSION,
      multiAz: false,
      subnet: "private",
      serverless: { minCapacityUnits: 1, maxCapacityUnits: 16 },
      startTask: false,
      targetTablePrepMode: "TRUNCATE_BEFORE_LOAD",
      maxFullLoadSubTasks: 8,
      targetParallelLoadThreads: 2,
      batchApply: false,
      lobMaxSizeKb: 64,
      validation: true,
      applyImmediately: false,
    },
    monitoring: {
      alertTopicName: `DMSAlertTopic-${name}`,
      alertTopicEncryption: "cmk",
      alertEmails: [],
      alertHttpsEndpoints: [],
      cdcLatencyThresholdSeconds: 5,
      cdcLatencyEvaluationMinutes: 3,
      fullLoadStallMinutes: 15,
      cpuThresholdPercent: 80,
      freeStorageThresholdPercent: 10,
      freeableMemoryThresholdMiB: 100,
      swapThresholdMiB: 256,
      rdsConnectionsThreshold: 100,
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
