/** What dmsctl shares with the synth side, from the one module both import (model/): names, SQL, output names. */
export {
  DMS_CONTROL_SCHEMA,
  DMS_SOURCE_USER,
  DMS_TARGET_USER,
  HEARTBEAT_SCHEMA,
  HEARTBEAT_TABLE,
  MYSQL_PORT,
  OUTPUT_NAMES,
  SAMPLE_SCHEMA,
} from "../../model/names";
export {
  MIN_BINLOG_RETENTION_HOURS,
  renderHeartbeatSql,
  renderSampleSchemaSql,
  renderSourceDmsUserSql,
  renderTargetDmsUserSql,
} from "../../model/source-sql";
