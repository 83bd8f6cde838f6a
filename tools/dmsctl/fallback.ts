/**
 * The fallback replication at cutover: the forward DMS task (source -> RDS) stops, the target's binlog position at
 * that moment is recorded, RDS is told to keep its binlogs long enough, and the stopped fallback task (RDS -> source,
 * created by the stack, CDC only) starts from exactly that position. Never both at once: the fallback starts only
 * once DMS reports the forward task stopped, so no change can loop.
 *
 * The DMS calls go through the AWS SDK v3 (loaded only when used); the SQL runs on the servers. Positions are DMS's
 * native CDC start point for a MySQL source: `CdcStartPosition` "<binlog file>:<position>" (StartReplicationTask,
 * DMS API reference: "LSN Example: --cdc-start-position mysql-bin-changelog.000024:373").
 */
import type * as mysql from "mysql2/promise";
import { CliError, ServerInfo, atLeast, pollUntil, serverInfo } from "./common";
import type { BinlogCoordinate } from "./fallback-state";

/** A DMS task as DescribeReplicationTasks reports it. */
export interface TaskInfo {
  readonly arn: string;
  readonly id: string;
  readonly status: string;
  readonly stopReason?: string;
  readonly lastFailureMessage?: string;
}

/** A task of the environment: its ARN and a name for messages ("forward task dmsm-prod-task"). */
export interface TaskRef {
  readonly arn: string;
  readonly label: string;
}

async function dms(region: string) {
  const m = await import("@aws-sdk/client-database-migration-service");
  return { m, client: new m.DatabaseMigrationServiceClient({ region }) };
}

const awsError = (what: string, e: unknown) =>
  e instanceof CliError ? e : new CliError(`${what}: ${(e as Error).name}: ${(e as Error).message}`);

export async function describeTask(region: string, task: TaskRef): Promise<TaskInfo> {
  const { m, client } = await dms(region);
  let t;
  try {
    const r = await client.send(
      new m.DescribeReplicationTasksCommand({
        Filters: [{ Name: "replication-task-arn", Values: [task.arn] }],
        WithoutSettings: true,
      }),
    );
    t = r.ReplicationTasks?.[0];
  } catch (e) {
    if ((e as Error).name === "ResourceNotFoundFault")
      throw new CliError(`${task.label} ${task.arn} not found (was the environment applied?)`);
    throw awsError(`cannot describe ${task.label} ${task.arn}`, e);
  }
  if (!t) throw new CliError(`${task.label} ${task.arn} not found (was the environment applied?)`);
  return {
    arn: task.arn,
    id: t.ReplicationTaskIdentifier ?? task.arn,
    status: t.Status ?? "unknown",
    stopReason: t.StopReason,
    lastFailureMessage: t.LastFailureMessage,
  };
}

/** Statuses of a task that is not running and not about to (a created task that never ran is "ready"). */
export const IDLE_STATUSES = ["stopped", "ready", "failed"];

/**
 * Stops a task and waits until DMS reports it stopped (bounded). A task already idle is left alone. Returns the
 * status it had. A task still running after `timeoutMs` is an error naming it and its status. `beforeStop` runs
 * just before the stop request (only when this call sends one).
 */
export async function stopTask(
  region: string,
  task: TaskRef,
  timeoutMs: number,
  beforeStop?: () => void,
): Promise<{ was: string }> {
  const before = await describeTask(region, task);
  if (IDLE_STATUSES.includes(before.status)) return { was: before.status };
  if (before.status !== "running" && before.status !== "stopping") {
    throw new CliError(
      `${task.label} ${task.arn} is ${before.status}: wait until it is running or stopped, then run again`,
    );
  }
  if (before.status === "running") {
    beforeStop?.();
    const { m, client } = await dms(region);
    try {
      await client.send(new m.StopReplicationTaskCommand({ ReplicationTaskArn: task.arn }));
    } catch (e) {
      throw awsError(`cannot stop ${task.label} ${task.arn}`, e);
    }
  }
  let last = before.status;
  const stopped = await pollUntil(async () => {
    const t = await describeTask(region, task);
    last = t.status;
    return IDLE_STATUSES.includes(t.status) ? t : undefined;
  }, timeoutMs);
  if (!stopped) {
    throw new CliError(
      `${task.label} ${task.arn} is still ${last} after ${Math.round(timeoutMs / 1000)} s: it must be stopped before the fallback starts (never both running); check it with \`aws dms describe-replication-tasks --filters Name=replication-task-arn,Values=${task.arn}\``,
    );
  }
  return { was: before.status };
}

/**
 * Starts a task (`start-replication` from a CDC position, or `resume-processing`) and waits until DMS reports it
 * running (bounded). A task that fails or stops instead is an error with DMS's reason.
 */
export async function startTask(
  region: string,
  task: TaskRef,
  how: { type: "start-replication"; cdcStartPosition: string } | { type: "resume-processing" },
  timeoutMs: number,
): Promise<void> {
  const { m, client } = await dms(region);
  try {
    await client.send(
      new m.StartReplicationTaskCommand({
        ReplicationTaskArn: task.arn,
        StartReplicationTaskType: how.type,
        ...(how.type === "start-replication" ? { CdcStartPosition: how.cdcStartPosition } : {}),
      }),
    );
  } catch (e) {
    throw awsError(`cannot start ${task.label} ${task.arn}`, e);
  }
  let last = "starting";
  const t = await pollUntil(async () => {
    const d = await describeTask(region, task);
    last = d.status;
    return d.status === "running" || d.status === "failed" || d.status === "stopped" ? d : undefined;
  }, timeoutMs);
  if (!t) throw new CliError(`${task.label} ${task.arn} is still ${last} after ${Math.round(timeoutMs / 1000)} s`);
  if (t.status !== "running") {
    throw new CliError(
      `${task.label} ${task.arn} did not start: it is ${t.status}${t.lastFailureMessage ? `: ${t.lastFailureMessage}` : t.stopReason ? ` (${t.stopReason})` : ""}`,
    );
  }
}

/**
 * The statement that reads the binlog position: MySQL 8.2 added SHOW BINARY LOG STATUS and 8.4 removed SHOW
 * MASTER STATUS; MariaDB and MySQL up to 8.1 have SHOW MASTER STATUS.
 */
export function binlogStatusStatement(info: ServerInfo): string {
  return info.flavor === "mysql" && atLeast(info, 8, 2) ? "SHOW BINARY LOG STATUS" : "SHOW MASTER STATUS";
}

/** The server's current binlog file and position. */
export async function binlogPosition(conn: mysql.Connection, side = "target"): Promise<BinlogCoordinate> {
  const statement = binlogStatusStatement(await serverInfo(conn));
  const [rows] = await conn.query<mysql.RowDataPacket[]>(statement).catch((e: { code?: string }) => {
    if (e.code === "ER_SPECIFIC_ACCESS_DENIED_ERROR" || e.code === "ER_ACCESS_DENIED_ERROR")
      throw new CliError(
        `the ${side} user may not read the binlog position (${statement} needs REPLICATION CLIENT, BINLOG MONITOR on MariaDB; the RDS master user has it); nothing was changed`,
        e.code,
      );
    throw e;
  });
  if (rows.length === 0 || !rows[0].File) {
    throw new CliError(
      `the ${side} has no binary log (${statement} is empty: log_bin is OFF): the fallback reads the ${side}'s binlog; on RDS, automated backups turn it on (target.backupRetentionDays >= 1)`,
    );
  }
  return { file: String(rows[0].File), position: Number(rows[0].Position), statement, at: new Date().toISOString() };
}

/** DMS's CdcStartPosition for a MySQL source: "<binlog file>:<position>". */
export function cdcStartPosition(p: { file: string; position: number }): string {
  return `${p.file}:${p.position}`;
}

/** Bytes of binlog from one coordinate to another (the files between from SHOW BINARY LOGS); null if unknown. */
export async function binlogBytesBetween(
  conn: mysql.Connection,
  from: { file: string; position: number },
  to: { file: string; position: number },
): Promise<number | null> {
  if (from.file === to.file) return Math.max(0, to.position - from.position);
  const [rows] = await conn.query<mysql.RowDataPacket[]>("SHOW BINARY LOGS");
  const files = rows.map((r) => ({ name: String(r.Log_name), size: Number(r.File_size) }));
  const a = files.findIndex((f) => f.name === from.file);
  const b = files.findIndex((f) => f.name === to.file);
  if (a < 0 || b < 0 || b < a) return null;
  let bytes = files[a].size - from.position;
  for (let i = a + 1; i < b; i++) bytes += files[i].size;
  return bytes + to.position;
}

/** Is this an Amazon RDS server (its mysql.rds_* procedures exist)? */
export async function isRds(conn: mysql.Connection): Promise<boolean> {
  const [rows] = await conn.query<mysql.RowDataPacket[]>(
    "SELECT COUNT(*) AS n FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = 'mysql' AND ROUTINE_NAME = 'rds_set_configuration'",
  );
  return Number(rows[0].n) > 0;
}

/** RDS's `binlog retention hours` (null: RDS purges binlogs as soon as it can). */
async function rdsRetentionHours(conn: mysql.Connection): Promise<number | null> {
  const [result] = await conn.query("CALL mysql.rds_show_configuration");
  const rows = (Array.isArray(result) && Array.isArray(result[0]) ? result[0] : result) as mysql.RowDataPacket[];
  const row = rows.find((r) => String(r.name).toLowerCase() === "binlog retention hours");
  const v = row?.value;
  return v === null || v === undefined || v === "" || String(v).toUpperCase() === "NULL" ? null : Number(v);
}

/**
 * Makes the target keep its binlogs at least `hours` (the fallback reads them; a binlog purged before it is read
 * cannot be replayed). On RDS: `CALL mysql.rds_set_configuration('binlog retention hours', N)` when the current
 * value is lower (never lowered; not put back: longer retention costs only storage). Elsewhere (the lab, a
 * self-managed server) nothing is set: the server's own expiry is reported, with a warning when it is shorter.
 * `apply` false (a rehearsal) only says what it would do.
 */
export async function ensureBinlogRetention(
  conn: mysql.Connection,
  hours: number,
  apply: boolean,
): Promise<{ detail: string; warning?: string }> {
  if (!(await isRds(conn))) {
    const [rows] = await conn.query<mysql.RowDataPacket[]>(
      "SHOW GLOBAL VARIABLES WHERE Variable_name IN ('binlog_expire_logs_seconds', 'expire_logs_days')",
    );
    const v = new Map(rows.map((r) => [String(r.Variable_name), Number(r.Value)]));
    const seconds = (v.get("binlog_expire_logs_seconds") ?? 0) || (v.get("expire_logs_days") ?? 0) * 86400;
    const kept = seconds === 0 ? "never expire" : `expire after ${+(seconds / 3600).toFixed(1)} h`;
    const short = seconds !== 0 && seconds < hours * 3600;
    return {
      detail: `not RDS (no mysql.rds_set_configuration): skipped; the server's binlogs ${kept}`,
      ...(short
        ? {
            warning: `the target's binlogs expire after ${+(seconds / 3600).toFixed(1)} h, less than the ${hours} h asked: raise binlog_expire_logs_seconds`,
          }
        : {}),
    };
  }
  const current = await rdsRetentionHours(conn);
  if (current !== null && current >= hours)
    return { detail: `RDS binlog retention hours is ${current} already (>= ${hours})` };
  if (!apply)
    return {
      detail: `would CALL mysql.rds_set_configuration('binlog retention hours', ${hours}) (now ${current ?? "NULL"})`,
    };
  await conn.query("CALL mysql.rds_set_configuration('binlog retention hours', ?)", [hours]);
  const now = await rdsRetentionHours(conn);
  if (now !== hours)
    throw new CliError(`RDS binlog retention hours is ${now ?? "NULL"} after setting it to ${hours}: set it by hand`);
  return { detail: `RDS binlog retention hours ${current ?? "NULL"} -> ${hours}` };
}

/** The privilege that lets a user write while read_only is ON, by server. */
function readOnlyBypass(info: ServerInfo): string {
  if (info.flavor === "mariadb") return atLeast(info, 10, 11) ? "READ_ONLY ADMIN" : "SUPER";
  return atLeast(info, 8, 0) ? "CONNECTION_ADMIN" : "SUPER";
}

/**
 * The fallback task writes the source as its DMS user while cutover keeps the source read-only (so no application
 * session can write it): that user needs the privilege that writes through read_only (CONNECTION_ADMIN on MySQL 8,
 * READ_ONLY ADMIN on MariaDB 10.11+, SUPER before), and super_read_only (which stops even that) must be off.
 * Checked before anything changes; the message gives the GRANT.
 */
export async function checkFallbackCanWriteSource(conn: mysql.Connection, user: string): Promise<string> {
  const info = await serverInfo(conn);
  const bypass = readOnlyBypass(info);
  const [accounts] = await conn.query<mysql.RowDataPacket[]>("SELECT Host FROM mysql.user WHERE User = ?", [user]);
  if (accounts.length === 0) {
    throw new CliError(
      `--fallback: the fallback task writes the source as ${user} (--dms-source-user), which does not exist there; nothing was changed`,
    );
  }
  const lacking: string[] = [];
  for (const a of accounts) {
    const [grants] = await conn.query<mysql.RowDataPacket[]>("SHOW GRANTS FOR ?@?", [user, String(a.Host)]);
    // "GRANT SELECT, READ_ONLY ADMIN ON *.* TO ...": the privileges of the global grant lines
    const global = grants
      .map((g) => /^GRANT (.+?) ON \*\.\* TO /.exec(String(Object.values(g)[0]))?.[1])
      .filter((g): g is string => g !== undefined)
      .flatMap((g) => g.split(",").map((p) => p.trim().toUpperCase()));
    const ok = global.some((p) => p === "ALL PRIVILEGES" || p === "SUPER" || p === bypass);
    if (!ok) lacking.push(`'${user}'@'${String(a.Host)}'`);
  }
  if (lacking.length > 0) {
    throw new CliError(
      `--fallback: the source stays read-only after cutover, and ${lacking.join(", ")} may not write through read_only, so the fallback task could not apply a row: run \`GRANT ${bypass} ON *.* TO ${lacking[0]}\` on the source (${info.flavor === "mysql" ? "MySQL 8" : "MariaDB"}), then cutover again; nothing was changed`,
    );
  }
  const [sro] = await conn.query<mysql.RowDataPacket[]>("SHOW GLOBAL VARIABLES LIKE 'super_read_only'");
  if (sro.length > 0 && String(sro[0].Value).toUpperCase() === "ON") {
    throw new CliError(
      `--fallback: the source has super_read_only=ON, which stops even ${user}: the fallback task could not write it; set it OFF (read_only may stay ON) or cutover without --fallback; nothing was changed`,
    );
  }
  return `${user} writes through read_only (${bypass})`;
}
