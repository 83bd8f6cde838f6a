/**
 * Freezing the target for a rollback: no application write may land on it once the fallback has drained, or it
 * would stay behind on the target. Two ways, both put back exactly on NO-GO, an error or SIGINT/SIGTERM (run
 * context restorers) and kept on GO:
 *
 * - `read-only`: SET GLOBAL read_only = ON (freeze.ts), where the connecting user may (the lab, a self-managed
 *   server). The tool's own session (SUPER) still writes the canary through it.
 * - `revoke`: on Amazon RDS nobody may SET GLOBAL read_only (the master user has no SUPER nor
 *   SYSTEM_VARIABLES_ADMIN), and read_only through the DB parameter group would be a change of the Terraform-managed
 *   parameter group that also stops the master user, so no canary could measure the drain. Instead the write
 *   privileges of the application's accounts (`--app-users`) are revoked where they are granted (global, schema and
 *   table level, read from information_schema) and their open sessions are ended (`CALL mysql.rds_kill` on RDS,
 *   `KILL CONNECTION` elsewhere): a REVOKE does not reach a session that already holds the schema. Restored by
 *   granting back exactly what was revoked.
 */
import type * as mysql from "mysql2/promise";
import { CliError, Endpoint, connect, describeEndpoint, qi } from "./common";
import { SourceFreeze, canSetReadOnly } from "./freeze";
import { RestoreOutcome, Restorer, currentRun, registerRestorer } from "./run-context";
import { isRds } from "./fallback";

export type FreezeMethod = "read-only" | "revoke";

/** A frozen target: what was done, how to keep or undo it. */
export interface TargetFreeze {
  readonly method: FreezeMethod;
  /** Sets the freeze; returns a line for the operator. */
  freeze(): Promise<string>;
  keep(): void;
  restore(): Promise<RestoreOutcome>;
  /** The statements that undo the freeze by hand (after keep()). */
  readonly undo: string;
}

/** Privileges that change data or definitions (information_schema PRIVILEGE_TYPE names). */
export const WRITE_PRIVILEGES = [
  "INSERT",
  "UPDATE",
  "DELETE",
  "CREATE",
  "DROP",
  "ALTER",
  "INDEX",
  "CREATE VIEW",
  "TRIGGER",
  "EVENT",
  "CREATE ROUTINE",
  "ALTER ROUTINE",
  "DELETE HISTORY",
];

/** One grant of write privileges at one level, as found. */
interface Grant {
  readonly account: { user: string; host: string };
  /** `*.*`, `` `db`.* `` or `` `db`.`t` `` */
  readonly level: string;
  readonly privileges: string[];
}

const account = (a: { user: string; host: string }) =>
  `'${a.user.replace(/'/g, "''")}'@'${a.host.replace(/'/g, "''")}'`;
const grantee = account;

/**
 * Chooses how to freeze the target and checks it can, before anything changes: `auto` takes read_only when the
 * connecting user may set it, else revoke with `appUsers` (an error naming the option when there are none).
 */
export async function planTargetFreeze(
  target: Endpoint,
  admin: mysql.Connection,
  method: "auto" | FreezeMethod,
  appUsers: string[] | undefined,
): Promise<FreezeMethod> {
  const mayReadOnly = await canSetReadOnly(admin);
  if (method === "read-only" || (method === "auto" && mayReadOnly)) {
    if (!mayReadOnly) {
      throw new CliError(
        `--freeze-method read-only: ${describeEndpoint(target)} may not set read_only on the target (on RDS no user may: use --freeze-method revoke --app-users ...); nothing was changed`,
      );
    }
    return "read-only";
  }
  if (!appUsers || appUsers.length === 0) {
    throw new CliError(
      `the target cannot be frozen: ${describeEndpoint(target)} may not set read_only (on RDS no user may), so rollback revokes the application's writes instead: name its accounts with --app-users user[@host][,...]; nothing was changed`,
    );
  }
  return "revoke";
}

/** Begins the chosen freeze (reads what it will change and registers the restore; nothing set yet). */
export async function beginTargetFreeze(
  target: Endpoint,
  admin: mysql.Connection,
  method: FreezeMethod,
  appUsers: string[] | undefined,
): Promise<TargetFreeze> {
  if (method === "read-only") {
    const f = await SourceFreeze.begin(target, admin);
    return {
      method,
      async freeze() {
        await f.freeze();
        return f.wasReadOnly ? "target was read-only already" : "target read_only=ON";
      },
      keep: () => f.keep(),
      restore: () => f.restore(),
      get undo() {
        return f.undo || "(nothing: the target was read-only before the run)";
      },
    };
  }
  return RevokeFreeze.begin(target, admin, appUsers ?? []);
}

/** Revokes the application's write privileges on the target (see the module comment). */
export class RevokeFreeze implements TargetFreeze {
  readonly method = "revoke" as const;
  private grants: Grant[] = [];
  private revoked: Grant[] = [];
  private restorer?: Restorer;
  private accounts: { user: string; host: string }[] = [];

  private constructor(
    private readonly target: Endpoint,
    private readonly admin: mysql.Connection,
  ) {}

  static async begin(target: Endpoint, admin: mysql.Connection, appUsers: string[]): Promise<RevokeFreeze> {
    const f = new RevokeFreeze(target, admin);
    for (const spec of appUsers) {
      const at = spec.lastIndexOf("@");
      const user = at > 0 ? spec.slice(0, at) : spec;
      const host = at > 0 ? spec.slice(at + 1) : undefined;
      if (user === target.user)
        throw new CliError(
          `--app-users: ${JSON.stringify(spec)} is the connecting user, which writes the canary and must keep its privileges; nothing was changed`,
        );
      const [rows] = await admin.query<mysql.RowDataPacket[]>(
        `SELECT User AS user, Host AS host FROM mysql.user WHERE User = ?${host !== undefined ? " AND Host = ?" : ""}`,
        host !== undefined ? [user, host] : [user],
      );
      if (rows.length === 0)
        throw new CliError(`--app-users: no account ${JSON.stringify(spec)} on the target; nothing was changed`);
      for (const r of rows) f.accounts.push({ user: String(r.user), host: String(r.host) });
    }
    f.grants = await writeGrants(admin, f.accounts);
    f.restorer = registerRestorer(
      `target ${describeEndpoint(target)} write privileges of ${f.accounts.map(account).join(", ")}`,
      () => f.putBack(),
    );
    return f;
  }

  async freeze(): Promise<string> {
    const sig = currentRun()?.interrupted;
    if (sig) throw new CliError(`interrupted by ${sig}: the target is not frozen`);
    const conn = await accountSession(this.target);
    try {
      for (const g of this.grants) {
        this.revoked.push(g); // before the statement: it may land even if its answer never arrives
        await conn.query(`REVOKE ${g.privileges.join(", ")} ON ${g.level} FROM ${grantee(g.account)}`);
      }
    } finally {
      await conn.end().catch(() => undefined);
    }
    const killed = await this.endSessions();
    const what = this.grants.length
      ? this.grants.map((g) => `${g.privileges.join(", ")} on ${g.level} from ${grantee(g.account)}`).join("; ")
      : "no write privileges to revoke";
    return `revoked ${what}; ended ${killed} session(s) of ${[...new Set(this.accounts.map((a) => a.user))].join(", ")}`;
  }

  keep(): void {
    this.restorer?.keep();
  }

  restore(): Promise<RestoreOutcome> {
    return this.restorer!.restore();
  }

  get undo(): string {
    return this.grants.map((g) => `GRANT ${g.privileges.join(", ")} ON ${g.level} TO ${grantee(g.account)};`).join(" ");
  }

  /** Ends the accounts' open sessions, so none keeps writing with what it held before the REVOKE. */
  private async endSessions(): Promise<number> {
    const users = [...new Set(this.accounts.map((a) => a.user))];
    if (users.length === 0) return 0;
    const [rows] = await this.admin.query<mysql.RowDataPacket[]>(
      `SELECT ID AS id FROM information_schema.PROCESSLIST WHERE USER IN (${users.map(() => "?").join(", ")}) AND ID <> CONNECTION_ID()`,
      users,
    );
    const rds = await isRds(this.admin);
    for (const r of rows) {
      // A session may end by itself meanwhile (unknown thread id): that is what was wanted.
      await this.admin
        .query(rds ? "CALL mysql.rds_kill(?)" : "KILL CONNECTION ?", [Number(r.id)])
        .catch((e: { errno?: number }) => {
          if (e.errno !== 1094) throw e;
        });
    }
    return rows.length;
  }

  private async putBack(): Promise<RestoreOutcome> {
    const where = `target ${describeEndpoint(this.target)}`;
    if (this.revoked.length === 0) return { ok: true, message: `${where}: no privilege was revoked` };
    let conn: mysql.Connection;
    try {
      conn = await accountSession(this.target, true);
    } catch (e) {
      return {
        ok: false,
        message: `could NOT restore ${where} (${(e as Error).message}): run there now: ${this.undo}`,
      };
    }
    try {
      for (const g of this.revoked)
        await conn.query(`GRANT ${g.privileges.join(", ")} ON ${g.level} TO ${grantee(g.account)}`);
      const now = await writeGrants(conn, this.accounts);
      const key = (gs: Grant[]) =>
        gs
          .map((g) => `${grantee(g.account)} ${g.level} ${[...g.privileges].sort().join(",")}`)
          .sort()
          .join("\n");
      if (key(now) !== key(this.grants)) {
        return {
          ok: false,
          message: `could NOT restore ${where}: the write privileges differ from before the run: run there now: ${this.undo}`,
        };
      }
      return {
        ok: true,
        message: `restored ${where}: write privileges of ${this.accounts.map(account).join(", ")} granted back as found before the run`,
      };
    } catch (e) {
      return {
        ok: false,
        message: `could NOT restore ${where} (${(e as Error).message}): run there now: ${this.undo}`,
      };
    } finally {
      await conn.end().catch(() => undefined);
    }
  }
}

/**
 * A session for REVOKE and GRANT, kept out of the binlog where the user may (SET sql_log_bin = 0): the fallback
 * must not carry account statements to the source (DMS never does; native replication would). On RDS the master
 * user may not, and DMS skips them.
 */
async function accountSession(target: Endpoint, evenIfInterrupted = false): Promise<mysql.Connection> {
  const conn = await connect(target, {}, { evenIfInterrupted });
  await conn.query("SET SESSION sql_log_bin = 0").catch(() => undefined);
  return conn;
}

/** The accounts' write privileges by level (global, schema, table); column-level ones are refused. */
async function writeGrants(conn: mysql.Connection, accounts: { user: string; host: string }[]): Promise<Grant[]> {
  const out: Grant[] = [];
  const inList = WRITE_PRIVILEGES.map(() => "?").join(", ");
  for (const a of accounts) {
    const g = grantee(a);
    const levels: [string, string, string][] = [
      ["USER_PRIVILEGES", "'*.*'", ""],
      ["SCHEMA_PRIVILEGES", "TABLE_SCHEMA", ""],
      ["TABLE_PRIVILEGES", "TABLE_SCHEMA", "TABLE_NAME"],
    ];
    for (const [table, schemaCol, tableCol] of levels) {
      const [rows] = await conn.query<mysql.RowDataPacket[]>(
        `SELECT ${schemaCol} AS s, ${tableCol || "''"} AS t, PRIVILEGE_TYPE AS p FROM information_schema.${table} WHERE GRANTEE = ? AND PRIVILEGE_TYPE IN (${inList})`,
        [g, ...WRITE_PRIVILEGES],
      );
      const byLevel = new Map<string, string[]>();
      for (const r of rows) {
        const level = table === "USER_PRIVILEGES" ? "*.*" : `${qi(String(r.s))}.${tableCol ? qi(String(r.t)) : "*"}`;
        byLevel.set(level, [...(byLevel.get(level) ?? []), String(r.p)]);
      }
      for (const [level, privileges] of byLevel) out.push({ account: a, level, privileges: privileges.sort() });
    }
    const [cols] = await conn.query<mysql.RowDataPacket[]>(
      `SELECT COUNT(*) AS n FROM information_schema.COLUMN_PRIVILEGES WHERE GRANTEE = ? AND PRIVILEGE_TYPE IN (${inList})`,
      [g, ...WRITE_PRIVILEGES],
    );
    if (Number(cols[0].n) > 0) {
      throw new CliError(
        `--app-users: ${g} has column-level write privileges, which rollback does not revoke: revoke them by hand or freeze otherwise; nothing was changed`,
      );
    }
  }
  return out;
}
