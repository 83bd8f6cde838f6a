/**
 * The DMS task settings of a MySQL -> MySQL full load + CDC task, as a typed object serialized once.
 *
 * Only keys set here are compared by the AWS provider (its equivalence check ignores the defaults DMS adds), so
 * every key below is one this project decides on. `Logging.CloudWatchLogGroup` / `CloudWatchLogStream` are
 * read-only and never set (provider #21512): DMS names them `dms-tasks-<instance id>` / `dms-task-<resource id>`.
 * Key names and values: DMS guide, "Specifying task settings for AWS DMS tasks".
 */
import { DMS_CONTROL_SCHEMA } from "./names";
import { assertValid, Checks } from "./checks";

export const TARGET_TABLE_PREP_MODES = ["DO_NOTHING", "TRUNCATE_BEFORE_LOAD", "DROP_AND_CREATE"] as const;
export type TargetTablePrepMode = (typeof TARGET_TABLE_PREP_MODES)[number];

export const LOG_COMPONENTS = [
  "SOURCE_UNLOAD",
  "SOURCE_CAPTURE",
  "TARGET_LOAD",
  "TARGET_APPLY",
  "TASK_MANAGER",
  "TABLES_MANAGER",
  "METADATA_MANAGER",
  "VALIDATOR_EXT",
  "COMMON",
] as const;
export type LogComponent = (typeof LOG_COMPONENTS)[number];
export type LogSeverity =
  | "LOGGER_SEVERITY_ERROR"
  | "LOGGER_SEVERITY_WARNING"
  | "LOGGER_SEVERITY_INFO"
  | "LOGGER_SEVERITY_DEFAULT"
  | "LOGGER_SEVERITY_DEBUG"
  | "LOGGER_SEVERITY_DETAILED_DEBUG";

type ErrorAction = "IGNORE_RECORD" | "LOG_ERROR" | "SUSPEND_TABLE" | "STOP_TASK";

export interface DmsTaskSettings {
  TargetMetadata: {
    TargetSchema: string;
    SupportLobs: boolean;
    FullLobMode: boolean;
    LobChunkSize: number;
    LimitedSizeLobMode: boolean;
    LobMaxSize: number;
    BatchApplyEnabled: boolean;
  };
  FullLoadSettings: {
    TargetTablePrepMode: TargetTablePrepMode;
    CreatePkAfterFullLoad: boolean;
    StopTaskCachedChangesApplied: boolean;
    StopTaskCachedChangesNotApplied: boolean;
    MaxFullLoadSubTasks: number;
    TransactionConsistencyTimeout: number;
    CommitRate: number;
  };
  Logging: {
    EnableLogging: boolean;
    LogComponents: { Id: LogComponent; Severity: LogSeverity }[];
  };
  ControlTablesSettings: {
    ControlSchema: string;
    HistoryTimeslotInMinutes: number;
    HistoryTableEnabled: boolean;
    SuspendedTablesTableEnabled: boolean;
    StatusTableEnabled: boolean;
    FullLoadExceptionTableEnabled: boolean;
  };
  ChangeProcessingTuning: {
    BatchApplyTimeoutMin: number;
    BatchApplyTimeoutMax: number;
    BatchApplyMemoryLimit: number;
    MinTransactionSize: number;
    CommitTimeout: number;
    MemoryLimitTotal: number;
    MemoryKeepTime: number;
    StatementCacheSize: number;
  };
  ChangeProcessingDdlHandlingPolicy: {
    HandleSourceTableDropped: boolean;
    HandleSourceTableTruncated: boolean;
    HandleSourceTableAltered: boolean;
  };
  ErrorBehavior: {
    DataErrorPolicy: ErrorAction;
    DataTruncationErrorPolicy: ErrorAction;
    DataErrorEscalationPolicy: ErrorAction;
    DataErrorEscalationCount: number;
    TableErrorPolicy: "SUSPEND_TABLE" | "STOP_TASK";
    TableErrorEscalationPolicy: "STOP_TASK";
    TableErrorEscalationCount: number;
    RecoverableErrorCount: number;
    RecoverableErrorInterval: number;
    RecoverableErrorThrottling: boolean;
    RecoverableErrorThrottlingMax: number;
    ApplyErrorDeletePolicy: ErrorAction;
    ApplyErrorInsertPolicy: ErrorAction | "INSERT_RECORD";
    ApplyErrorUpdatePolicy: ErrorAction | "UPDATE_RECORD";
    ApplyErrorEscalationPolicy: ErrorAction;
    ApplyErrorEscalationCount: number;
    FullLoadIgnoreConflicts: boolean;
    FailOnNoTablesCaptured: boolean;
  };
  ValidationSettings: {
    EnableValidation: boolean;
    ValidationMode: "ROW_LEVEL";
    ThreadCount: number;
    FailureMaxCount: number;
    TableFailureMaxCount: number;
    HandleCollationDiff: boolean;
  };
}

export interface TaskSettingsProps {
  /** How a full load treats existing target tables. @default "TRUNCATE_BEFORE_LOAD" (keeps `dmsctl schema` DDL) */
  readonly targetTablePrepMode?: TargetTablePrepMode;
  /** Tables loaded in parallel during full load (1-49). @default 8 */
  readonly maxFullLoadSubTasks?: number;
  /**
   * Batch-optimized apply for CDC. Off by default: DMS refuses batch apply on target tables with a unique
   * constraint besides the primary key (the sample `products.sku` has one), and falls back to one-by-one apply
   * on data errors. Turn it on for high-change tables with only a primary key.
   * @default false
   */
  readonly batchApply?: boolean;
  /** Largest LOB (TEXT/BLOB) migrated in limited LOB mode, KB; 0 switches to full LOB mode (slower). @default 64 */
  readonly lobMaxSizeKb?: number;
  /** DMS row-level data validation during full load and CDC. @default true */
  readonly validation?: boolean;
}

export const TASK_SETTINGS_DEFAULTS: Required<TaskSettingsProps> = {
  targetTablePrepMode: "TRUNCATE_BEFORE_LOAD",
  maxFullLoadSubTasks: 8,
  batchApply: false,
  lobMaxSizeKb: 64,
  validation: true,
};

/** Every problem of resolved task settings, fields named after `prefix` ("dms." in the environment config). */
export function validateTaskSettings(t: Required<TaskSettingsProps>, prefix = ""): string[] {
  const c = new Checks(prefix);
  c.oneOf("targetTablePrepMode", t.targetTablePrepMode, TARGET_TABLE_PREP_MODES);
  c.int("maxFullLoadSubTasks", t.maxFullLoadSubTasks, 1, 49);
  c.bool("batchApply", t.batchApply);
  const lob = t.lobMaxSizeKb;
  if (typeof lob !== "number" || !Number.isInteger(lob) || lob < 0 || lob > 102400)
    c.bad("lobMaxSizeKb", "must be an integer between 0 (full LOB mode) and 102400", lob);
  if (t.batchApply === true && t.lobMaxSizeKb === 0)
    c.bad("batchApply", `needs limited LOB mode (${prefix}lobMaxSizeKb > 0)`, t.batchApply);
  c.bool("validation", t.validation);
  return c.problems;
}

/** Builds the task settings; throws on values DMS would reject. */
export function buildTaskSettings(props: TaskSettingsProps = {}): DmsTaskSettings {
  const t: Required<TaskSettingsProps> = { ...TASK_SETTINGS_DEFAULTS };
  for (const [k, v] of Object.entries(props)) if (v !== undefined) (t as Record<string, unknown>)[k] = v;
  assertValid(validateTaskSettings(t));
  const prep = t.targetTablePrepMode;
  const subTasks = t.maxFullLoadSubTasks;
  const lobKb = t.lobMaxSizeKb;
  const fullLob = lobKb === 0;
  const batchApply = t.batchApply;
  const severity: LogSeverity = "LOGGER_SEVERITY_DEFAULT";
  return {
    TargetMetadata: {
      TargetSchema: "",
      SupportLobs: true,
      FullLobMode: fullLob,
      LobChunkSize: 64,
      LimitedSizeLobMode: !fullLob,
      LobMaxSize: fullLob ? 0 : lobKb,
      BatchApplyEnabled: batchApply,
    },
    FullLoadSettings: {
      TargetTablePrepMode: prep,
      CreatePkAfterFullLoad: false,
      StopTaskCachedChangesApplied: false,
      StopTaskCachedChangesNotApplied: false,
      MaxFullLoadSubTasks: subTasks,
      TransactionConsistencyTimeout: 600,
      CommitRate: 10000,
    },
    Logging: {
      EnableLogging: true,
      LogComponents: LOG_COMPONENTS.map((Id) => ({ Id, Severity: severity })),
    },
    ControlTablesSettings: {
      ControlSchema: DMS_CONTROL_SCHEMA,
      HistoryTimeslotInMinutes: 5,
      HistoryTableEnabled: true,
      SuspendedTablesTableEnabled: true,
      StatusTableEnabled: true,
      FullLoadExceptionTableEnabled: true,
    },
    ChangeProcessingTuning: {
      BatchApplyTimeoutMin: 1,
      BatchApplyTimeoutMax: 30,
      BatchApplyMemoryLimit: 500,
      MinTransactionSize: 1000,
      CommitTimeout: 1,
      MemoryLimitTotal: 1024,
      MemoryKeepTime: 60,
      StatementCacheSize: 50,
    },
    ChangeProcessingDdlHandlingPolicy: {
      HandleSourceTableDropped: true,
      HandleSourceTableTruncated: true,
      HandleSourceTableAltered: true,
    },
    ErrorBehavior: {
      // A bad row is logged (and found by validation) instead of stopping the whole migration; a table that keeps
      // failing is suspended, and repeated table errors stop the task so an alarm fires.
      DataErrorPolicy: "LOG_ERROR",
      DataTruncationErrorPolicy: "LOG_ERROR",
      DataErrorEscalationPolicy: "SUSPEND_TABLE",
      DataErrorEscalationCount: 0,
      TableErrorPolicy: "SUSPEND_TABLE",
      TableErrorEscalationPolicy: "STOP_TASK",
      TableErrorEscalationCount: 0,
      // Recoverable errors (lost connections, a target failover) are retried with back-off up to 30 minutes
      // between attempts, without a cap on attempts: a multi-AZ failover or a source reboot heals by itself.
      RecoverableErrorCount: -1,
      RecoverableErrorInterval: 5,
      RecoverableErrorThrottling: true,
      RecoverableErrorThrottlingMax: 1800,
      ApplyErrorDeletePolicy: "IGNORE_RECORD",
      ApplyErrorInsertPolicy: "LOG_ERROR",
      ApplyErrorUpdatePolicy: "LOG_ERROR",
      ApplyErrorEscalationPolicy: "LOG_ERROR",
      ApplyErrorEscalationCount: 0,
      FullLoadIgnoreConflicts: true,
      FailOnNoTablesCaptured: true,
    },
    ValidationSettings: {
      EnableValidation: t.validation,
      ValidationMode: "ROW_LEVEL",
      ThreadCount: 5,
      FailureMaxCount: 10000,
      TableFailureMaxCount: 1000,
      HandleCollationDiff: false,
    },
  };
}
