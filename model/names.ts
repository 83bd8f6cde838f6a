/**
 * Names shared by the synth side (constructs, stacks) and dmsctl. One module, imported by both, so the EC2 user
 * data, the DMS table mappings and dmsctl can never disagree. Keep this file free of cdktf imports: dmsctl loads it.
 */

/** MySQL's default TCP port, used by the source, the target and every security group rule between them. */
export const MYSQL_PORT = 3306;

/** The sample schema the EC2 source is created with and `dmsctl seed` fills. */
export const SAMPLE_SCHEMA = "ecommerce";

/**
 * Schema of the heartbeat table dmsctl writes canary rows to. It is included in the DMS table mappings, never
 * a business schema, so a canary never touches application data.
 */
export const HEARTBEAT_SCHEMA = "dms_migrate";
/** The heartbeat table inside {@link HEARTBEAT_SCHEMA}. */
export const HEARTBEAT_TABLE = "heartbeat";

/** Schema on the target where DMS keeps its control tables (status, suspended tables, history). */
export const DMS_CONTROL_SCHEMA = "awsdms_control";

/** Database user DMS reads the source as (binlog + SELECT). */
export const DMS_SOURCE_USER = "dms_source";
/** Database user DMS writes the target as (DML + DDL on the migrated schemas and the control schema). */
export const DMS_TARGET_USER = "dms_target";

/**
 * Terraform output names of every environment stack. dmsctl's `--env` reads these from
 * `cdktf.out/stacks/<env>/` outputs or `terraform output -json`.
 */
export const OUTPUT_NAMES = {
  vpcId: "vpc_id",
  sourceMode: "source_mode",
  sourceHost: "source_host",
  sourcePort: "source_port",
  sourceInstanceId: "source_instance_id",
  sourceDmsSecretArn: "source_dms_secret_arn",
  targetEndpointAddress: "target_endpoint_address",
  targetPort: "target_port",
  targetInstanceId: "target_instance_id",
  targetMasterSecretArn: "target_master_secret_arn",
  targetDmsSecretArn: "target_dms_secret_arn",
  migratedSchemas: "migrated_schemas",
  dmsTaskArn: "dms_task_arn",
  dmsTaskId: "dms_task_id",
  dmsReplicationInstanceId: "dms_replication_instance_id",
  dmsSourceEndpointArn: "dms_source_endpoint_arn",
  dmsTargetEndpointArn: "dms_target_endpoint_arn",
  dmsTaskLogGroup: "dms_task_log_group",
  alertTopicArn: "alert_topic_arn",
  dashboardName: "dashboard_name",
  region: "region",
  // Cutover and rollback (issue 17): the stable database name, the fallback replication, the assessment.
  databaseZoneId: "database_zone_id",
  databaseRecordName: "database_record_name",
  activeDatabase: "active_database",
  fallbackTaskArn: "dms_fallback_task_arn",
  fallbackTaskId: "dms_fallback_task_id",
  assessmentBucket: "dms_assessment_bucket",
  assessmentRoleArn: "dms_assessment_role_arn",
} as const;

export type OutputName = (typeof OUTPUT_NAMES)[keyof typeof OUTPUT_NAMES];
