/**
 * Freezing a server with read_only, safely: the source at cutover, the target at rollback (a server where the
 * connecting user may set read_only: the lab, a self-managed MySQL; RDS gives no one that privilege, see
 * rollback-freeze.ts). What it found (read_only, and super_read_only where the server has it) is read before
 * anything is set; every setting the run may have changed is put back exactly as found on NO-GO, on an error and on
 * SIGINT/SIGTERM (through the run's restorers, see run-context.ts), and the outcome is reported. A server that was
 * read-only before the run stays read-only. Only GO keeps the freeze. `set` puts given values instead (rollback
 * lifts the source's freeze back to what cutover found), restored the same way.
 */
import type * as mysql from "mysql2/promise";
import { CliError, Endpoint, connect, describeEndpoint, isLostConnection, killSession } from "./common";
import { RestoreOutcome, Restorer, currentRun, registerRestorer } from "./run-context";

/** The variables that make a server read-only, as SHOW GLOBAL VARIABLES prints them ("ON" / "OFF"). */
export interface ReadOnlyState {
  readonly read_only: string;
  /** MySQL only (MariaDB has no super_read_only). */
  readonly super_read_only?: string;
}

const isOn = (v: string | undefined) => v !== undefined && v !== "OFF" && v !== "0";

export async function readOnlyState(conn: mysql.Connection): Promise<ReadOnlyState> {
  const [rows] = await conn.query<mysql.RowDataPacket[]>(
    "SHOW GLOBAL VARIABLES WHERE Variable_name IN ('read_only', 'super_read_only')",
  );
  const v = new Map(rows.map((r) => [String(r.Variable_name).toLowerCase(), String(r.Value).toUpperCase()]));
  return {
    read_only: v.get("read_only") ?? "OFF",
    ...(v.has("super_read_only") ? { super_read_only: v.get("super_read_only") } : {}),
  };
}

export const renderReadOnly = (s: ReadOnlyState) =>
  `${s.super_read_only !== undefined ? `super_read_only=${s.super_read_only}, ` : ""}read_only=${s.read_only}`;

const DENIED = new Set(["ER_SPECIFIC_ACCESS_DENIED_ERROR", "ER_SPECIFIC_ACCESS_DENIED", "ER_ACCESS_DENIED_ERROR"]);

/**
 * Whether the session's user may set read_only: setting it to its own value changes nothing (the server returns
 * early) but needs the same privilege (SUPER, or READ_ONLY ADMIN on MariaDB 10.11+, SYSTEM_VARIABLES_ADMIN on
 * MySQL 8). False when refused; other errors are thrown.
 */
export async function canSetReadOnly(conn: mysql.Connection): Promise<boolean> {
  try {
    await conn.query("SET GLOBAL read_only = @@GLOBAL.read_only");
    return true;
  } catch (e) {
    if (DENIED.has((e as { code?: string }).code ?? "")) return false;
    throw e;
  }
}

/** Checks, before any work, that the connecting user may set read_only on the source. */
export async function checkCanFreeze(source: Endpoint): Promise<void> {
  const conn = await connect(source);
  try {
    if (!(await canSetReadOnly(conn))) {
      throw new CliError(
        `--freeze-source: ${describeEndpoint(source)} may not set read_only on the source (it needs SUPER, or READ_ONLY ADMIN on MariaDB, SYSTEM_VARIABLES_ADMIN on MySQL 8); nothing was changed`,
        "ER_SPECIFIC_ACCESS_DENIED_ERROR",
      );
    }
  } finally {
    await conn.end().catch(() => undefined);
  }
}

export class SourceFreeze {
  private found?: ReadOnlyState;
  private readonly mayHaveChanged = new Set<"read_only" | "super_read_only">();
  private restorer?: Restorer;

  private constructor(
    private readonly source: Endpoint,
    private readonly admin: mysql.Connection,
  ) {}

  /** Reads what the server is now and registers the restore, before anything is set. */
  static async begin(source: Endpoint, admin: mysql.Connection): Promise<SourceFreeze> {
    const f = new SourceFreeze(source, admin);
    f.found = await readOnlyState(admin);
    f.restorer = registerRestorer(`${source.side} ${describeEndpoint(source)} ${renderReadOnly(f.found)}`, () =>
      f.putBack(),
    );
    return f;
  }

  get wasReadOnly(): boolean {
    return isOn(this.found!.read_only);
  }

  /** What the server was before the run (read_only, super_read_only). */
  get foundState(): ReadOnlyState {
    return this.found!;
  }

  /**
   * Sets the given values (super_read_only first when it is being turned off, as the server requires), where they
   * differ from what was found: rollback lifts the source's freeze back to what cutover found. Restored like a freeze.
   */
  async set(wanted: ReadOnlyState): Promise<void> {
    const found = this.found!;
    this.refuseIfInterrupted();
    if (found.super_read_only !== undefined && wanted.super_read_only !== undefined) {
      if (wanted.super_read_only !== found.super_read_only) {
        this.mayHaveChanged.add("super_read_only");
        await this.admin.query("SET GLOBAL super_read_only = ?", [wanted.super_read_only]);
      }
    }
    if (wanted.read_only !== found.read_only) {
      this.mayHaveChanged.add("read_only");
      if (found.super_read_only !== undefined && !isOn(wanted.read_only)) this.mayHaveChanged.add("super_read_only");
      await this.admin.query("SET GLOBAL read_only = ?", [wanted.read_only]);
    }
  }

  /** read_only = ON, unless it already was. */
  async freeze(): Promise<void> {
    if (this.wasReadOnly) return;
    this.refuseIfInterrupted();
    this.mayHaveChanged.add("read_only"); // before the statement: it may land even if its answer never arrives
    await this.admin.query("SET GLOBAL read_only = ON");
  }

  /** super_read_only = ON where the server has it (MySQL), unless it already was. */
  async freezeSuper(): Promise<void> {
    if (this.found!.super_read_only === undefined || isOn(this.found!.super_read_only)) return;
    this.refuseIfInterrupted();
    this.mayHaveChanged.add("super_read_only");
    await this.admin.query("SET GLOBAL super_read_only = ON");
  }

  /** The statements that put back what was found, by hand (after keep(): how to undo the freeze). */
  get undo(): string {
    return this.manual();
  }

  /** GO: the server stays as set; nothing to restore. */
  keep(): void {
    this.restorer?.keep();
  }

  /** Puts back what was found (once); the outcome names the server and the values. */
  restore(): Promise<RestoreOutcome> {
    return this.restorer!.restore();
  }

  private refuseIfInterrupted(): void {
    const sig = currentRun()?.interrupted;
    if (sig) throw new CliError(`interrupted by ${sig}: read_only is not changed on the ${this.source.side}`);
  }

  private async putBack(): Promise<RestoreOutcome> {
    const found = this.found!;
    const where = `${this.source.side} ${describeEndpoint(this.source)}`;
    if (this.mayHaveChanged.size === 0) {
      return {
        ok: true,
        message: `${where}: ${renderReadOnly(found)} (as found before the run${this.wasReadOnly ? ": left read-only" : ""})`,
      };
    }
    const ctx = currentRun();
    // A fresh session: the run's own may be busy, lost, or already closed by the interrupt.
    let conn: mysql.Connection;
    try {
      conn = await connect(this.source, {}, { evenIfInterrupted: true });
    } catch (e) {
      return {
        ok: false,
        message: `could NOT restore ${where} (${(e as Error).message}): run there now: ${this.manual()}`,
      };
    }
    try {
      // Interrupted: end the run's session first, so a SET it had sent cannot land after this restore.
      if (ctx?.interrupted) await killSession(conn, this.admin.threadId);
      // super_read_only first: read_only = OFF would turn it off anyway, super_read_only = ON would turn read_only on.
      if (this.mayHaveChanged.has("super_read_only") && found.super_read_only !== undefined)
        await conn.query("SET GLOBAL super_read_only = ?", [found.super_read_only]);
      if (this.mayHaveChanged.has("read_only")) await conn.query("SET GLOBAL read_only = ?", [found.read_only]);
      const now = await readOnlyState(conn);
      if (now.read_only !== found.read_only || now.super_read_only !== found.super_read_only) {
        return {
          ok: false,
          message: `could NOT restore ${where}: it is ${renderReadOnly(now)}, was ${renderReadOnly(found)} before the run: run there now: ${this.manual()}`,
        };
      }
      return {
        ok: true,
        message: `restored ${where}: ${renderReadOnly(found)} (as found before the run${this.wasReadOnly ? ": left read-only" : ""})`,
      };
    } catch (e) {
      const why = isLostConnection(e) ? "the connection was lost" : (e as Error).message;
      return { ok: false, message: `could NOT restore ${where} (${why}): run there now: ${this.manual()}` };
    } finally {
      await conn.end().catch(() => undefined);
    }
  }

  /** The statements that put the server back by hand. */
  private manual(): string {
    const f = this.found!;
    return [
      ...(this.mayHaveChanged.has("super_read_only") && f.super_read_only !== undefined
        ? [`SET GLOBAL super_read_only = ${f.super_read_only};`]
        : []),
      ...(this.mayHaveChanged.has("read_only") ? [`SET GLOBAL read_only = ${f.read_only};`] : []),
    ].join(" ");
  }
}
