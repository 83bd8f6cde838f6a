/**
 * dmsctl as a real child process (the package's bin, on the built dist/): for what only a process shows, such as
 * exiting at all, exit codes after a signal, and what it leaves behind on the servers.
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as mysql from "mysql2/promise";

const BIN = path.resolve(__dirname, "..", "..", "bin", "dmsctl.js");

export interface Exit {
  /** Exit code, or null when the process had to be killed (it did not exit by itself in time). */
  readonly code: number | null;
  readonly timedOut: boolean;
  readonly out: string;
  readonly err: string;
}

export interface Child {
  readonly proc: ChildProcess;
  readonly out: () => string;
  readonly err: () => string;
  /** Resolves once stderr matches (rejects after timeoutMs, or when the process exits first). */
  waitForErr(re: RegExp, timeoutMs?: number): Promise<void>;
  /** Waits for the exit; kills the process (SIGKILL) and reports timedOut when it takes longer than timeoutMs. */
  exit(timeoutMs: number): Promise<Exit>;
}

/** A HOME without AWS configuration, and the SDK kept off the instance metadata service: AWS calls fail fast. */
function isolatedEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "dmsctl-home-"));
  return {
    PATH: process.env.PATH,
    HOME: home,
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_CONFIG_FILE: path.join(home, "none"),
    AWS_SHARED_CREDENTIALS_FILE: path.join(home, "none"),
    ...env,
  };
}

export function spawnDmsctl(args: string[], env: NodeJS.ProcessEnv = {}): Child {
  const proc = spawn(process.execPath, [BIN, ...args], { env: isolatedEnv(env), stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  const waiters: { re: RegExp; resolve: () => void }[] = [];
  proc.stdout!.on("data", (d) => (out += d));
  proc.stderr!.on("data", (d) => {
    err += d;
    for (const w of [...waiters]) {
      if (w.re.test(err)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  });
  let exited: { code: number | null } | undefined;
  const exitPromise = new Promise<{ code: number | null }>((resolve) =>
    proc.on("close", (code) => resolve((exited = { code }))),
  );
  return {
    proc,
    out: () => out,
    err: () => err,
    waitForErr(re, timeoutMs = 30_000) {
      if (re.test(err)) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`stderr did not match ${re} within ${timeoutMs} ms:\n${err}`)),
          timeoutMs,
        );
        const w = {
          re,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        };
        waiters.push(w);
        void exitPromise.then(() => {
          if (waiters.includes(w)) {
            clearTimeout(timer);
            reject(new Error(`dmsctl exited (${exited?.code}) before stderr matched ${re}:\n${err}\nstdout:\n${out}`));
          }
        });
      });
    },
    async exit(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<"late">((resolve) => (timer = setTimeout(() => resolve("late"), timeoutMs)));
      const first = await Promise.race([exitPromise, late]);
      clearTimeout(timer);
      if (first === "late") {
        proc.kill("SIGKILL");
        await exitPromise;
        return { code: null, timedOut: true, out, err };
      }
      return { code: first.code, timedOut: false, out, err };
    },
  };
}

/** Connections a user has open on a server (its threads in the processlist), after up to `settleMs` for closes to land. */
export async function connectionsOf(
  admin: mysql.Connection,
  user: string,
  settleMs = 3000,
): Promise<{ id: number; command: string; state: string; info: string | null }[]> {
  const deadline = Date.now() + settleMs;
  for (;;) {
    const [rows] = (await admin.query(
      "SELECT ID AS id, COMMAND AS command, STATE AS state, INFO AS info FROM information_schema.PROCESSLIST WHERE USER = ?",
      [user],
    )) as unknown as [{ id: number; command: string; state: string; info: string | null }[]];
    if (rows.length === 0 || Date.now() > deadline) return rows;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until one of the user's queries is waiting for a table lock (a deterministic point inside a step). */
export async function waitForLockWait(admin: mysql.Connection, user: string, timeoutMs = 30_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [rows] = (await admin.query(
      "SELECT ID AS id FROM information_schema.PROCESSLIST WHERE USER = ? AND STATE LIKE 'Waiting for table%lock'",
      [user],
    )) as unknown as [{ id: number }[]];
    if (rows.length > 0) return Number(rows[0].id);
    if (Date.now() > deadline) throw new Error(`no query of ${user} waited for a table lock within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
