/**
 * A throwaway MariaDB server for integration tests: a fresh datadir in a temp folder, a free loopback port, no
 * shared state with the machine's own server. Debian's `mariadb-server` (installed by .ci/run) provides the
 * binaries. Never a mock: every SQL statement the project ships runs against this real server.
 */
import { ChildProcess, execFileSync, spawn } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import * as mysql from "mysql2/promise";

export interface MariaDbServer {
  readonly port: number;
  readonly socket: string;
  readonly datadir: string;
  /** Password of the `admin` user (all privileges, from 127.0.0.1). */
  readonly adminPassword: string;
  /** `mysql://admin:...@127.0.0.1:port[/schema]` */
  url(schema?: string): string;
  /** A connection as admin over TCP. */
  connect(options?: Partial<mysql.ConnectionOptions>): Promise<mysql.Connection>;
  /** Stops the server and removes its folder. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Text of a my.cnf ([mysqld] section) the server starts with. */
  readonly config?: string;
  /** Extra mariadbd arguments. */
  readonly args?: readonly string[];
}

function findBinary(names: string[]): string {
  for (const dir of ["/usr/sbin", "/usr/bin", "/usr/local/bin", "/usr/local/sbin"]) {
    for (const n of names) {
      const p = path.join(dir, n);
      if (fs.existsSync(p)) return p;
    }
  }
  throw new Error(
    `MariaDB server binaries not found (${names.join(", ")}): install Debian's mariadb-server (see .ci/run)`,
  );
}

/** A TCP port nothing listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms).unref());

/**
 * A freshly initialized data folder, made once per machine, user and server binary (mariadb-install-db with the
 * harness's defaults) and shared by every test process: made in a folder of its own and renamed into place, so
 * parallel jest workers never see half of one. Servers start on copies; the template is never started.
 */
function templateDatadir(installDb: string, defaults: string, userArgs: string[]): string {
  const stamp = `${process.getuid?.() ?? "u"}-${fs.statSync(installDb).mtimeMs.toFixed(0)}-${createHash("sha256")
    .update(defaults.replace(/^tmpdir = .*$/m, ""))
    .digest("hex")
    .slice(0, 12)}`;
  const template = path.join(os.tmpdir(), `dms-migrate-mariadb-template-${stamp}`);
  if (fs.existsSync(path.join(template, "mysql"))) return template;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "dms-migrate-mariadb-template-work-"));
  const cnf = path.join(work, "my.cnf");
  fs.writeFileSync(cnf, `${defaults.replace(/^tmpdir = .*$/m, `tmpdir = ${work}`)}\n`);
  execFileSync(
    installDb,
    [
      `--defaults-file=${cnf}`,
      `--datadir=${path.join(work, "data")}`,
      "--auth-root-authentication-method=normal",
      "--skip-test-db",
      ...userArgs,
    ],
    { stdio: "pipe" },
  );
  try {
    fs.renameSync(path.join(work, "data"), template);
  } catch (e) {
    // Another process made it first: use theirs.
    if (!fs.existsSync(path.join(template, "mysql"))) throw e;
  }
  fs.rmSync(work, { recursive: true, force: true });
  return template;
}

export async function startMariaDb(options: StartOptions = {}): Promise<MariaDbServer> {
  const installDb = findBinary(["mariadb-install-db", "mysql_install_db"]);
  const mariadbd = findBinary(["mariadbd", "mysqld"]);
  const base = fs.mkdtempSync(path.join(os.tmpdir(), "dms-migrate-mariadb-"));
  const datadir = path.join(base, "data");
  const socket = path.join(base, "s.sock");
  const cnf = path.join(base, "my.cnf");
  const tmp = path.join(base, "tmp");
  fs.mkdirSync(tmp);
  // Small-footprint defaults first; the caller's [mysqld] settings come after and win.
  const defaults = [
    "[mysqld]",
    `tmpdir = ${tmp}`,
    "innodb_buffer_pool_size = 16M",
    "innodb_log_file_size = 16M",
    "innodb_log_buffer_size = 2M",
    "aria_pagecache_buffer_size = 2M",
    "key_buffer_size = 1M",
    "performance_schema = OFF",
    "max_connections = 60",
    "skip_name_resolve = ON",
    // A throwaway server needs no crash safety: no fsync per commit, no doublewrite, no O_DIRECT. SQL behaves the
    // same; only a crash of the server (which no test causes: servers stop with SIGTERM) could lose data.
    // Measured back to back: six of the heaviest dmsctl suites 34.4 -> 30.1 s wall (49 -> 44 CPU-s); all of
    // test/tools, two alternated pairs on a busy machine, 79 -> 71 and 73 -> 71 s.
    "innodb_flush_log_at_trx_commit = 0",
    "innodb_doublewrite = 0",
    "innodb_flush_method = nosync",
  ].join("\n");
  const user = (options.config ?? "").replace(/^\s*\[mysqld\]\s*$/m, "");
  fs.writeFileSync(cnf, `${defaults}\n${user}\n`);
  const asRoot = process.getuid?.() === 0;
  const userArgs = asRoot ? ["--user=root"] : [];
  // A data folder copied from a template made once (mariadb-install-db takes seconds; a copy, milliseconds).
  fs.cpSync(templateDatadir(installDb, defaults, userArgs), datadir, { recursive: true });
  const port = await freePort();
  const child: ChildProcess = spawn(
    mariadbd,
    [
      `--defaults-file=${cnf}`,
      `--datadir=${datadir}`,
      `--socket=${socket}`,
      `--port=${port}`,
      "--bind-address=127.0.0.1",
      `--pid-file=${path.join(base, "p.pid")}`,
      `--log-error=${path.join(base, "error.log")}`,
      ...userArgs,
      ...(options.args ?? []),
    ],
    { stdio: "ignore" },
  );
  let exited = false;
  child.on("exit", () => (exited = true));

  const adminPassword = "test-admin-" + Math.random().toString(36).slice(2);
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited) {
      const log = fs.existsSync(path.join(base, "error.log"))
        ? fs.readFileSync(path.join(base, "error.log"), "utf8")
        : "";
      fs.rmSync(base, { recursive: true, force: true });
      throw new Error(`mariadbd exited during start-up:\n${log.slice(-2000)}`);
    }
    try {
      const c = await mysql.createConnection({ socketPath: socket, user: "root" });
      // Harness accounts stay out of the binlog, so a replica of this server never trips over them.
      await c.query("SET SESSION sql_log_bin = 0");
      await c.query(`CREATE USER 'admin'@'127.0.0.1' IDENTIFIED BY '${adminPassword}'`);
      await c.query(`GRANT ALL PRIVILEGES ON *.* TO 'admin'@'127.0.0.1' WITH GRANT OPTION`);
      await c.end();
      break;
    } catch (e) {
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        throw new Error(`MariaDB did not accept connections within 30 s: ${(e as Error).message}`);
      }
      await sleep(100);
    }
  }

  return {
    port,
    socket,
    datadir,
    adminPassword,
    url: (schema?: string) => `mysql://admin:${adminPassword}@127.0.0.1:${port}${schema ? `/${schema}` : ""}`,
    connect: (o = {}) =>
      mysql.createConnection({
        host: "127.0.0.1",
        port,
        user: "admin",
        password: adminPassword,
        multipleStatements: true,
        ...o,
      }),
    stop: async () => {
      if (!exited) {
        const done = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await Promise.race([done, sleep(10_000)]);
        if (!exited) child.kill("SIGKILL");
      }
      fs.rmSync(base, { recursive: true, force: true });
    },
  };
}

export interface ReplicationPair {
  readonly source: MariaDbServer;
  readonly target: MariaDbServer;
  /** Waits until the target has applied everything the source has written. */
  sync(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

const SOURCE_CNF =
  "[mysqld]\nserver_id = 1\nlog_bin = mysql-bin\nbinlog_format = ROW\nbinlog_row_image = FULL\nbinlog_expire_logs_seconds = 259200\n";
const TARGET_CNF = "[mysqld]\nserver_id = 2\nlog_bin = mysql-bin\nbinlog_format = ROW\nlocal_infile = 1\n";

/**
 * Two throwaway servers with native GTID replication source -> target: the stand-in for DMS in dmsctl's tests
 * (changes flow continuously; `SET sql_log_bin = 0` on the source makes a change that never arrives).
 */
export async function startReplicationPair(): Promise<ReplicationPair> {
  const [source, target] = await Promise.all([
    startMariaDb({ config: SOURCE_CNF }),
    startMariaDb({ config: TARGET_CNF }),
  ]);
  const s = await source.connect();
  const t = await target.connect();
  try {
    await s.query("SET SESSION sql_log_bin = 0");
    await s.query("CREATE USER 'repl'@'127.0.0.1' IDENTIFIED BY 'repl-password-123'");
    await s.query("GRANT REPLICATION SLAVE ON *.* TO 'repl'@'127.0.0.1'");
    await t.query(
      `CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=${source.port}, MASTER_USER='repl', MASTER_PASSWORD='repl-password-123', MASTER_USE_GTID=slave_pos`,
    );
    await t.query("START SLAVE");
  } finally {
    await s.end();
    await t.end();
  }
  const pair: ReplicationPair = {
    source,
    target,
    async sync(timeoutMs = 20_000) {
      const sc = await source.connect();
      const tc = await target.connect();
      try {
        const [[pos]] = (await sc.query("SELECT @@gtid_binlog_pos AS p")) as unknown as [{ p: string }[]];
        const [[r]] = (await tc.query("SELECT MASTER_GTID_WAIT(?, ?) AS r", [pos.p, timeoutMs / 1000])) as unknown as [
          { r: number }[],
        ];
        if (Number(r.r) !== 0) {
          const [status] = (await tc.query("SHOW SLAVE STATUS")) as unknown as [Record<string, unknown>[]];
          throw new Error(
            `target did not catch up with ${pos.p} within ${timeoutMs} ms: ${status[0]?.Last_Error || status[0]?.Last_IO_Error || "no error reported"}`,
          );
        }
      } finally {
        await sc.end();
        await tc.end();
      }
    },
    async stop() {
      await Promise.all([source.stop(), target.stop()]);
    },
  };
  return pair;
}
