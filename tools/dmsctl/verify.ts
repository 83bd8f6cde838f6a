/**
 * `dmsctl verify`: writes a canary row to the dedicated heartbeat table on the source (never a business table),
 * waits for it on the target and measures the end-to-end replication latency on this machine's monotonic clock
 * (no clock-skew between servers involved). `--watch` repeats every second like pt-heartbeat.
 */
import { randomUUID } from "crypto";
import * as mysql from "mysql2/promise";
import { HEARTBEAT_SCHEMA, HEARTBEAT_TABLE, renderHeartbeatSql } from "./shared";
import { CliError, Endpoint, connect, isLostConnection, qi, sleep } from "./common";

export interface Beat {
  readonly token: string;
  /** Milliseconds from the source commit to the row being readable on the target; null on timeout. */
  readonly latencyMs: number | null;
}

const TABLE = `${qi(HEARTBEAT_SCHEMA)}.${qi(HEARTBEAT_TABLE)}`;

/** The canary cannot arrive: the heartbeat table (or its schema) is missing on the target. An error, not a finding. */
export class HeartbeatMissingError extends CliError {}

/** Creates the heartbeat schema and table on the source if missing (DMS or replication carries it over). */
export async function ensureHeartbeat(source: mysql.Connection): Promise<void> {
  for (const stmt of renderHeartbeatSql()
    .split(";\n")
    .map((s) => s.trim())
    .filter(Boolean))
    await source.query(stmt);
}

/**
 * One canary: insert, commit, poll the target until it shows up or the timeout passes. Errors on the target are
 * retried until then (its heartbeat table may not exist before DMS creates it), except a lost connection.
 * An aborted signal ends the wait: undefined.
 */
export async function beat(
  source: mysql.Connection,
  target: mysql.Connection,
  timeoutMs: number,
  pollMs?: number,
): Promise<Beat>;
export async function beat(
  source: mysql.Connection,
  target: mysql.Connection,
  timeoutMs: number,
  pollMs: number,
  signal: AbortSignal,
): Promise<Beat | undefined>;
export async function beat(
  source: mysql.Connection,
  target: mysql.Connection,
  timeoutMs: number,
  pollMs = 20,
  signal?: AbortSignal,
): Promise<Beat | undefined> {
  const token = randomUUID();
  await source.query(`INSERT INTO ${TABLE} (token, source_written_at) VALUES (?, NOW(6))`, [token]);
  const start = process.hrtime.bigint();
  const deadline = Date.now() + timeoutMs;
  let missing: string | undefined;
  for (;;) {
    const [rows] = await target
      .query<mysql.RowDataPacket[]>(`SELECT 1 FROM ${TABLE} WHERE token = ?`, [token])
      .catch((e: unknown) => {
        if (isLostConnection(e)) throw e;
        const code = (e as { errno?: number }).errno;
        // 1146 no such table, 1049 no such database: remembered, so a timeout can say why instead of "timeout".
        missing =
          code === 1146 || code === 1049
            ? code === 1049
              ? `schema ${HEARTBEAT_SCHEMA}`
              : `table ${HEARTBEAT_SCHEMA}.${HEARTBEAT_TABLE}`
            : undefined;
        return [[] as mysql.RowDataPacket[]];
      });
    if (rows.length > 0) return { token, latencyMs: Number(process.hrtime.bigint() - start) / 1e6 };
    if (Date.now() > deadline) {
      if (missing) {
        throw new HeartbeatMissingError(
          `the heartbeat ${missing} does not exist on the target after ${Math.round(timeoutMs / 1000)} s: is the DMS task running, and does its table mapping include ${HEARTBEAT_SCHEMA}.${HEARTBEAT_TABLE} (the generated mappings do)?`,
        );
      }
      return { token, latencyMs: null };
    }
    if (signal?.aborted) return undefined;
    await sleep(pollMs, signal);
  }
}

/** Keeps the heartbeat table small: canaries older than an hour are deleted on the source (and replicated). */
export async function pruneHeartbeat(source: mysql.Connection): Promise<void> {
  await source.query(`DELETE FROM ${TABLE} WHERE source_written_at < NOW(6) - INTERVAL 1 HOUR LIMIT 10000`);
}

export interface VerifyOptions {
  readonly timeoutSeconds: number;
  /** Number of beats (watch mode: 0 = until interrupted). */
  readonly count: number;
  readonly intervalMs: number;
  readonly onBeat?: (
    b: Beat,
    stats: { current: number | null; avg: number | null; max: number | null; n: number },
  ) => void;
  readonly signal?: AbortSignal;
}

export interface VerifyResult {
  readonly beats: Beat[];
  readonly avgMs: number | null;
  readonly maxMs: number | null;
  readonly timedOut: number;
}

export async function verify(sourceEp: Endpoint, targetEp: Endpoint, o: VerifyOptions): Promise<VerifyResult> {
  const source = await connect(sourceEp);
  let target: mysql.Connection | undefined;
  try {
    target = await connect(targetEp);
    await ensureHeartbeat(source);
    await pruneHeartbeat(source);
    const beats: Beat[] = [];
    for (let i = 0; o.count === 0 || i < o.count; i++) {
      if (o.signal?.aborted) break;
      const started = Date.now();
      const b = o.signal
        ? await beat(source, target, o.timeoutSeconds * 1000, 20, o.signal)
        : await beat(source, target, o.timeoutSeconds * 1000);
      if (!b) break; // stopped while waiting: this canary is not counted
      beats.push(b);
      const ok = beats.map((x) => x.latencyMs).filter((x): x is number => x !== null);
      o.onBeat?.(b, {
        current: b.latencyMs,
        avg: ok.length ? ok.reduce((a, c) => a + c, 0) / ok.length : null,
        max: ok.length ? Math.max(...ok) : null,
        n: beats.length,
      });
      if (o.count !== 0 && i === o.count - 1) break;
      const wait = o.intervalMs - (Date.now() - started);
      if (wait > 0) await sleep(wait, o.signal);
    }
    const ok = beats.map((x) => x.latencyMs).filter((x): x is number => x !== null);
    return {
      beats,
      avgMs: ok.length ? ok.reduce((a, c) => a + c, 0) / ok.length : null,
      maxMs: ok.length ? Math.max(...ok) : null,
      timedOut: beats.filter((b) => b.latencyMs === null).length,
    };
  } finally {
    await source.end().catch(() => undefined);
    await target?.end().catch(() => undefined);
  }
}
