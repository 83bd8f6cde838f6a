/**
 * No hangs: each command that connects, with one side failing (wrong password, server down, schema missing), exits 2
 * within seconds as a real process, names the failing side, and leaves no connection on the other server.
 * (status talks to AWS only, never to a database, so it has no side to fail here.)
 */
import * as mysql from "mysql2/promise";
import { MariaDbServer, freePort, startMariaDb } from "../harness/mariadb";
import { connectionsOf, spawnDmsctl } from "./child";
import { dmsctl } from "./run";

const TOOL = "dmsctl_tool";
const PASSWORD = "tool-Password-7730";
const SECRET_SOURCE = "arn:aws:secretsmanager:us-east-1:123456789012:secret:src-AbCdEf";
const SECRET_TARGET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:tgt-AbCdEf";

let source: MariaDbServer;
let target: MariaDbServer;
let sAdmin: mysql.Connection;
let tAdmin: mysql.Connection;
let downPort: number;

beforeAll(async () => {
  [source, target] = await Promise.all([startMariaDb(), startMariaDb()]);
  sAdmin = await source.connect();
  tAdmin = await target.connect();
  for (const c of [sAdmin, tAdmin]) {
    await c.query(
      `CREATE USER '${TOOL}'@'127.0.0.1' IDENTIFIED BY '${PASSWORD}'; GRANT ALL PRIVILEGES ON *.* TO '${TOOL}'@'127.0.0.1' WITH GRANT OPTION`,
    );
    await c.query("CREATE DATABASE shop; CREATE TABLE shop.t (id INT PRIMARY KEY, v INT)");
  }
  downPort = await freePort();
}, 60_000);

afterAll(async () => {
  await sAdmin?.end();
  await tAdmin?.end();
  await Promise.all([source?.stop(), target?.stop()]);
});

type Failure = "wrong password" | "server down" | "schema missing";

/** A URL for the tool's user on a server, broken the given way (the password goes through the environment). */
function url(server: MariaDbServer, failure?: Failure): string {
  if (failure === "server down") return `mysql://${TOOL}@127.0.0.1:${downPort}/shop`;
  if (failure === "wrong password") return `mysql://${TOOL}:not-the-password@127.0.0.1:${server.port}/shop`;
  if (failure === "schema missing") return `mysql://${TOOL}@127.0.0.1:${server.port}/no_such_schema`;
  return `mysql://${TOOL}@127.0.0.1:${server.port}/shop`;
}

/** The command line of each connecting command, with the source and target URLs given. */
const COMMANDS: Record<string, (s: string, t: string) => string[]> = {
  validate: (s, t) => ["validate", "--source", s, "--target", t, "--schema", "shop"],
  verify: (s, t) => ["verify", "--source", s, "--target", t, "--timeout-seconds", "5"],
  schema: (s, t) => ["schema", "--source", s, "--target", t, "--schema", "shop", "--dry-run"],
  cutover: (s, t) => ["cutover", "--source", s, "--target", t, "--schema", "shop"],
  preflight: (s, t) => ["preflight", "--source", s, "--target", t, "--schema", "shop"],
  users: (s, t) => [
    "users",
    "--schema",
    "shop",
    "--region",
    "us-east-1",
    "--source",
    s,
    "--source-secret-arn",
    SECRET_SOURCE,
    "--target",
    t,
    "--target-secret-arn",
    SECRET_TARGET,
  ],
};

// The schema in a URL is only a default for --schema: schema and users connect without it, so it cannot fail there.
const CASES: [string, "source" | "target", Failure][] = [];
for (const cmd of Object.keys(COMMANDS)) {
  for (const f of ["wrong password", "server down", "schema missing"] as Failure[]) {
    if (f === "schema missing" && (cmd === "schema" || cmd === "users")) continue;
    CASES.push([cmd, "target", f]);
  }
  for (const f of ["wrong password", "server down"] as Failure[]) CASES.push([cmd, "source", f]);
}

describe("a failing side: exit 2 within seconds, the side named, nothing left open on the other server", () => {
  test.each(CASES)(
    "%s with the %s failing (%s)",
    async (cmd, side, failure) => {
      const s = url(source, side === "source" ? failure : undefined);
      const t = url(target, side === "target" ? failure : undefined);
      const env = { DMSCTL_SOURCE_PASSWORD: PASSWORD, DMSCTL_TARGET_PASSWORD: PASSWORD };
      const child = spawnDmsctl(COMMANDS[cmd](s, t), env);
      const other = side === "source" ? tAdmin : sAdmin;
      const r = await child.exit(15_000);
      expect({ timedOut: r.timedOut, code: r.code }).toEqual({ timedOut: false, code: 2 });
      expect(r.err).toMatch(new RegExp(`^dmsctl ${cmd}: cannot connect to ${side} ${TOOL}@127\\.0\\.0\\.1:`, "m"));
      expect(await connectionsOf(other, TOOL)).toEqual([]);
    },
    30_000,
  );
});

describe("in process (the same main the bin runs): every connection is closed when main returns", () => {
  // users is left to the process test above: in process, the AWS SDK would see this machine's environment.
  test.each(CASES.filter(([cmd, side]) => side === "target" && cmd !== "users"))(
    "%s with the %s failing (%s)",
    async (cmd, _side, failure) => {
      const r = await dmsctl(COMMANDS[cmd](url(source), url(target, failure)), {
        DMSCTL_SOURCE_PASSWORD: PASSWORD,
        DMSCTL_TARGET_PASSWORD: PASSWORD,
      });
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/cannot connect to target/);
      expect(await connectionsOf(sAdmin, TOOL)).toEqual([]);
    },
    30_000,
  );
});
