/**
 * `dmsctl status --env E`: the live task like the console's task view: state, full-load progress per table, CDC
 * latency and recent error lines, from the DMS, CloudWatch and CloudWatch Logs APIs (AWS SDK v3).
 * The AWS calls go through {@link StatusApi}, so tests run it against a mocked SDK.
 */
import { OUTPUT_NAMES } from "./shared";
import { CliError } from "./common";
import { Outputs, output } from "./env";

export interface TaskStatus {
  readonly task: {
    readonly id: string;
    readonly arn: string;
    readonly status: string;
    readonly migrationType?: string;
    readonly fullLoadProgressPercent?: number;
    readonly tablesLoaded?: number;
    readonly tablesLoading?: number;
    readonly tablesQueued?: number;
    readonly tablesErrored?: number;
    readonly stopReason?: string;
    readonly lastFailureMessage?: string;
  };
  readonly tables: {
    readonly schema: string;
    readonly table: string;
    readonly state: string;
    readonly fullLoadRows: number;
    readonly inserts: number;
    readonly updates: number;
    readonly deletes: number;
    readonly validationState?: string;
  }[];
  readonly latency: { readonly sourceSeconds: number | null; readonly targetSeconds: number | null };
  readonly recentErrors: { readonly time: string; readonly message: string }[];
}

/** The AWS calls status makes (each maps to one SDK command). */
export interface StatusApi {
  describeTask(taskArn: string): Promise<Record<string, unknown> | undefined>;
  tableStatistics(taskArn: string): Promise<Record<string, unknown>[]>;
  latestMetric(metricName: string, dimensions: Record<string, string>): Promise<number | null>;
  errorLines(logGroup: string, sinceMs: number): Promise<{ time: string; message: string }[]>;
}

export function awsStatusApi(region: string): StatusApi {
  return {
    async describeTask(taskArn) {
      const { DatabaseMigrationServiceClient, DescribeReplicationTasksCommand } =
        await import("@aws-sdk/client-database-migration-service");
      const dms = new DatabaseMigrationServiceClient({ region });
      const r = await dms.send(
        new DescribeReplicationTasksCommand({
          Filters: [{ Name: "replication-task-arn", Values: [taskArn] }],
          WithoutSettings: true,
        }),
      );
      return r.ReplicationTasks?.[0] as Record<string, unknown> | undefined;
    },
    async tableStatistics(taskArn) {
      const { DatabaseMigrationServiceClient, DescribeTableStatisticsCommand } =
        await import("@aws-sdk/client-database-migration-service");
      const dms = new DatabaseMigrationServiceClient({ region });
      const out: Record<string, unknown>[] = [];
      let marker: string | undefined;
      do {
        const r = await dms.send(
          new DescribeTableStatisticsCommand({ ReplicationTaskArn: taskArn, Marker: marker, MaxRecords: 500 }),
        );
        out.push(...((r.TableStatistics ?? []) as Record<string, unknown>[]));
        marker = r.Marker;
      } while (marker);
      return out;
    },
    async latestMetric(metricName, dimensions) {
      const { CloudWatchClient, GetMetricDataCommand } = await import("@aws-sdk/client-cloudwatch");
      const cw = new CloudWatchClient({ region });
      const end = new Date();
      const r = await cw.send(
        new GetMetricDataCommand({
          StartTime: new Date(end.getTime() - 15 * 60_000),
          EndTime: end,
          ScanBy: "TimestampDescending",
          MetricDataQueries: [
            {
              Id: "m",
              MetricStat: {
                Metric: {
                  Namespace: "AWS/DMS",
                  MetricName: metricName,
                  Dimensions: Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value })),
                },
                Period: 60,
                Stat: "Maximum",
              },
            },
          ],
        }),
      );
      const v = r.MetricDataResults?.[0]?.Values?.[0];
      return v === undefined ? null : v;
    },
    async errorLines(logGroup, sinceMs) {
      const { CloudWatchLogsClient, FilterLogEventsCommand } = await import("@aws-sdk/client-cloudwatch-logs");
      const logs = new CloudWatchLogsClient({ region });
      try {
        const r = await logs.send(
          new FilterLogEventsCommand({ logGroupName: logGroup, startTime: sinceMs, filterPattern: '"]E:"', limit: 20 }),
        );
        return (r.events ?? []).map((e) => ({
          time: new Date(e.timestamp ?? 0).toISOString(),
          message: (e.message ?? "").trim(),
        }));
      } catch (e) {
        if ((e as Error).name === "ResourceNotFoundException") return [];
        throw e;
      }
    },
  };
}

const num = (v: unknown) => (typeof v === "number" ? v : Number(v ?? 0));

export async function taskStatus(outputs: Outputs, api: StatusApi, now = Date.now()): Promise<TaskStatus> {
  const arn = output(outputs, OUTPUT_NAMES.dmsTaskArn);
  const taskId = output(outputs, OUTPUT_NAMES.dmsTaskId);
  const instanceId = String(outputs[OUTPUT_NAMES.dmsReplicationInstanceId] ?? "");
  const logGroup = output(outputs, OUTPUT_NAMES.dmsTaskLogGroup);
  if (!instanceId) {
    throw new CliError(
      `status reads replication tasks; ${taskId} is a DMS Serverless replication: use \`aws dms describe-replications\``,
    );
  }
  let task: Record<string, unknown> | undefined;
  try {
    task = await api.describeTask(arn);
  } catch (e) {
    throw new CliError(`cannot describe DMS task ${arn}: ${(e as Error).name}: ${(e as Error).message}`);
  }
  if (!task) throw new CliError(`DMS task ${arn} not found (was the environment deployed?)`);
  const stats = (task.ReplicationTaskStats ?? {}) as Record<string, unknown>;
  const dims: Record<string, string> = { ReplicationInstanceIdentifier: instanceId, ReplicationTaskIdentifier: taskId };
  const [tables, src, tgt, errors] = await Promise.all([
    api.tableStatistics(arn),
    api.latestMetric("CDCLatencySource", dims),
    api.latestMetric("CDCLatencyTarget", dims),
    api.errorLines(logGroup, now - 3600_000),
  ]);
  return {
    task: {
      id: String(task.ReplicationTaskIdentifier ?? taskId),
      arn,
      status: String(task.Status ?? "unknown"),
      migrationType: task.MigrationType as string | undefined,
      fullLoadProgressPercent: stats.FullLoadProgressPercent as number | undefined,
      tablesLoaded: stats.TablesLoaded as number | undefined,
      tablesLoading: stats.TablesLoading as number | undefined,
      tablesQueued: stats.TablesQueued as number | undefined,
      tablesErrored: stats.TablesErrored as number | undefined,
      stopReason: task.StopReason as string | undefined,
      lastFailureMessage: task.LastFailureMessage as string | undefined,
    },
    tables: tables.map((t) => ({
      schema: String(t.SchemaName),
      table: String(t.TableName),
      state: String(t.TableState ?? ""),
      fullLoadRows: num(t.FullLoadRows),
      inserts: num(t.Inserts),
      updates: num(t.Updates),
      deletes: num(t.Deletes),
      validationState: t.ValidationState as string | undefined,
    })),
    latency: { sourceSeconds: src, targetSeconds: tgt },
    recentErrors: errors,
  };
}
