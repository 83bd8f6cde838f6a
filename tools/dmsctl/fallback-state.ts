/**
 * What the day's commands did, for the ones that come after: `outputs/<env>.cutover.json` (env.cutoverStatePath).
 * `cutover --fallback` writes it step by step (an interrupted run leaves an accurate record), `cutover --flip` /
 * `rollback --flip` record the record's value, `rollback` reads the cutover's binlog position, what the source was
 * before the freeze and the row counts, and adds its own part. Written atomically (a temporary file renamed), so a
 * reader never sees half a file. Keep it with the environment's outputs: a rollback run elsewhere needs it.
 */
import * as fs from "fs";
import * as path from "path";
import { CliError } from "./common";
import type { ReadOnlyState } from "./freeze";

/** A binary log coordinate of the target, as SHOW MASTER STATUS / SHOW BINARY LOG STATUS printed it. */
export interface BinlogCoordinate {
  readonly file: string;
  readonly position: number;
  /** The statement that read it. */
  readonly statement: string;
  readonly at: string;
}

export interface CutoverRecord {
  /** When the source was frozen and validated clean (GO). */
  readonly at: string;
  /** The source's read_only (and super_read_only) before cutover froze it: what rollback puts back. */
  readonly sourceFound: ReadOnlyState;
  readonly forwardTaskArn: string;
  forwardStoppedAt?: string;
  /** The target's binlog position after the forward task stopped: where the fallback starts. */
  targetBinlog?: BinlogCoordinate;
  /** The CdcStartPosition the fallback task was started with ("<file>:<position>"). */
  cdcStartPosition?: string;
  binlogRetention?: string;
  fallbackTaskArn?: string;
  fallbackStartedAt?: string;
  /** Rows per table on the target at cutover (the final validation's counts). */
  tableRows?: Record<string, number>;
}

export interface RecordFlip {
  readonly pointsAt: "source" | "target";
  readonly value: string;
  readonly previousValue: string;
  readonly changeId?: string;
  readonly at: string;
}

export interface RollbackRecord {
  readonly at: string;
  /** How the target was frozen, and the statements that undo it. */
  readonly targetFreeze: { readonly method: string; readonly undo: string };
  targetBinlog?: BinlogCoordinate;
  moved?: unknown;
  fallbackStoppedAt?: string;
}

export interface CutoverState {
  readonly version: 1;
  readonly env: string;
  /**
   * "in-progress": cutover is between its GO and the fallback start; "aborted": it stopped there and put back what
   * it changed; "cutover": writes belong to the target (the fallback runs); "rolled-back": to the source again.
   */
  phase: "in-progress" | "aborted" | "cutover" | "rolled-back";
  cutover?: CutoverRecord;
  /** The stable name's last flip made by dmsctl. */
  record?: RecordFlip;
  /** The value the record had while it pointed at the source (seen before a flip to the target). */
  sourceRecordValue?: string;
  rollback?: RollbackRecord;
}

/** The state, or undefined when there is none; an unreadable file is an error naming it. */
export function readState(file: string): CutoverState | undefined {
  if (!fs.existsSync(file)) return undefined;
  try {
    const s = JSON.parse(fs.readFileSync(file, "utf8")) as CutoverState;
    if (s.version !== 1) throw new Error(`version ${JSON.stringify(s.version)}, expected 1`);
    return s;
  } catch (e) {
    throw new CliError(`${file} is not a dmsctl cutover state file: ${(e as Error).message}`);
  }
}

/** Writes the state atomically. */
export function writeState(file: string, state: CutoverState): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(state, null, 2) + "\n");
  fs.renameSync(tmp, file);
}

/** Reads, changes and writes the state (a new one for `env` when there is none). */
export function updateState(file: string, env: string, change: (s: CutoverState) => void): CutoverState {
  const s = readState(file) ?? { version: 1, env, phase: "cutover" };
  change(s);
  writeState(file, s);
  return s;
}
