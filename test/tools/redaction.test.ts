/**
 * Redaction that cannot be defeated: hostile connection URLs (empty user, upper-case scheme, raw @ : / % in the
 * password, malformed percent-encoding, no host, IPv6, query strings, positional arguments) given to every command
 * that connects, on either side: no piece of the password ever reaches stdout or stderr, whatever the error.
 */
import * as mysql from "mysql2/promise";
import { MariaDbServer, freePort, startMariaDb } from "../harness/mariadb";
import { spawnDmsctl } from "./child";
import { dmsctl } from "./run";

/** Password pieces: none of them may appear in any output. */
const PIECES = ["Kx7", "Qm2", "Wz5", "Rt8", "Yv4"];
let server: MariaDbServer;
let down: number;

beforeAll(async () => {
  server = await startMariaDb();
  down = await freePort();
  const c = await server.connect();
  await c.query("CREATE DATABASE shop; CREATE TABLE shop.t (id INT PRIMARY KEY)");
  // An account whose password has every character that breaks naive URL parsing, for the positive cases.
  await c.query(
    "CREATE USER 'hostile'@'127.0.0.1' IDENTIFIED BY 'Kx7@Qm2:Wz5/Rt8%Yv4'; GRANT ALL PRIVILEGES ON *.* TO 'hostile'@'127.0.0.1'",
  );
  await c.end();
}, 60_000);
afterAll(async () => server?.stop());

/** Hostile URLs; HOST:PORT is replaced by an address where nothing listens. */
const HOSTILE = [
  "mysql://:Kx7Qm2Wz5@HOST:PORT/shop", // empty user
  "mysql://:Kx7Qm2Wz5@HOST:PORT", // empty user, no schema
  "MYSQL://admin:Kx7Qm2Wz5@HOST:PORT/shop", // upper-case scheme
  "MYSQL://:Kx7/Qm2Wz5@HOST:PORT", // upper-case scheme, empty user, raw /
  "Mysql://admin:Kx7 Qm2@HOST:PORT", // mixed case, a space
  "mysql://admin:Kx7@Qm2@HOST:PORT/shop", // raw @
  "mysql://admin:Kx7:Qm2:Wz5@HOST:PORT", // raw :
  "mysql://admin:Kx7/Qm2/Wz5@HOST:PORT/shop", // raw /
  "mysql://admin:Kx7%Qm2%zzWz5@HOST:PORT", // raw %, malformed percent-encoding
  "mysql://admin:Kx7@Qm2:Wz5/Rt8%Yv4@HOST:PORT/shop", // all of them
  "mysql://admin:Kx7%40Qm2%3AWz5@HOST:PORT", // well-formed percent-encoding
  "mysql://ad%min:Kx7Qm2@HOST:PORT", // malformed percent-encoding in the user
  "mysql://admin:Kx7Qm2Wz5@", // no host
  "mysql://admin:Kx7Qm2Wz5@:3306/shop", // no host, a port
  "mysql://admin:Kx7Qm2Wz5", // no @: the password would read as a port
  "mysql://admin:Kx7Qm2Wz5@HOST:PORT:Rt8Yv4", // two ports
  "mysql://admin:Kx7/Qm2@[::1]:PORT/shop", // IPv6 host, raw /
  "mysql://admin:Kx7Qm2@::1:PORT", // IPv6 without brackets
  "mysql://admin:Kx7Qm2@[::1/shop", // IPv6 unclosed
  "mysql://admin@HOST:PORT/shop?password=Kx7Qm2Wz5", // a query string
  "mysql://admin:Kx7#Qm2@HOST:PORT", // #
  "mysq://admin:Kx7Qm2Wz5@HOST:PORT", // wrong scheme
  "mysql:/admin:Kx7Qm2Wz5@HOST:PORT", // one slash
  "mysql:admin:Kx7Qm2Wz5@HOST:PORT", // no slash
  "admin:Kx7Qm2Wz5@HOST:PORT", // no scheme
  "mysql://admin:Kx7Qm2Wz5@HOST:PORT/sh/op", // a path that is not one schema
];

const hostile = () => HOSTILE.map((u) => u.replace("HOST", "127.0.0.1").replace("PORT", String(down)));
const plain = () => `mysql://admin@127.0.0.1:${server.port}/shop`;
const ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:x-AbCdEf";

/** Each connecting command, with the hostile URL on the given side (the other side a working server). */
function commandLines(u: string): string[][] {
  const p = plain();
  return [
    ["preflight", "--source", u],
    ["preflight", "--source", p, "--target", u],
    ["seed", "--source", u, "--orders", "1"],
    ["schema", "--source", u, "--target", p, "--schema", "shop", "--dry-run"],
    ["schema", "--source", p, "--target", u, "--schema", "shop", "--dry-run"],
    ["verify", "--source", u, "--target", p],
    ["verify", "--source", p, "--target", u],
    ["validate", "--source", u, "--target", p, "--schema", "shop"],
    ["validate", "--source", p, "--target", u, "--schema", "shop"],
    ["cutover", "--source", u, "--target", p, "--schema", "shop"],
    ["cutover", "--source", p, "--target", u, "--schema", "shop"],
    ["users", "--schema", "shop", "--region", "us-east-1", "--source", u, "--source-secret-arn", ARN],
    ["users", "--schema", "shop", "--region", "us-east-1", "--target", u, "--target-secret-arn", ARN],
    // typed without the option name (a positional argument), or glued to it
    ["preflight", u],
    ["validate", `--source=${u}`, "--target", p, "--bogus"],
    ["verify", "--source", p, "--target", u, "--timeout-seconds", "x"],
  ];
}

function expectNoPassword(args: string[], out: string, err: string): void {
  const text = `${out}\n${err}`;
  for (const piece of PIECES)
    expect([args.join(" "), text.includes(piece) ? text : "clean"]).toEqual([args.join(" "), "clean"]);
  expect([args.join(" "), err]).not.toEqual([args.join(" "), expect.stringMatching(/unexpected error|\n\s+at /)]);
}

describe("hostile URLs never leak the password", () => {
  test("to any connecting command, on either side: exit 2, no piece of the password in the output", async () => {
    const env = { DMSCTL_SOURCE_PASSWORD: server.adminPassword, DMSCTL_TARGET_PASSWORD: server.adminPassword };
    let runs = 0;
    for (const u of hostile()) {
      for (const args of commandLines(u)) {
        const r = await dmsctl(args, env);
        runs++;
        expect([args.join(" "), r.code]).toEqual([args.join(" "), 2]);
        expectNoPassword(args, r.out, r.err);
      }
    }
    expect(runs).toBe(HOSTILE.length * 16);
  }, 120_000);

  test("errors about a URL name its side, and the host and user only where they can be told apart", async () => {
    const [, emptyUser, upper] = hostile();
    const a = await dmsctl(["preflight", "--source", emptyUser]);
    expect([a.code, a.err]).toEqual([
      2,
      "dmsctl preflight: --source needs a user (mysql://user@host): the URL has none (host 127.0.0.1)",
    ]);
    const b = await dmsctl(["preflight", "--source", upper]);
    expect([b.code, b.err]).toEqual([
      2,
      expect.stringMatching(
        new RegExp(
          `^dmsctl preflight: cannot connect to source admin@127\\.0\\.0\\.1:${down}/shop: connection refused`,
        ),
      ),
    ]);
    const c = await dmsctl(["preflight", "--source", `mysql://admin:Kx7%zzQm2@127.0.0.1:${down}`]);
    expect([c.code, c.err]).toEqual([2, expect.stringMatching(/--source: the password is not valid percent-encoding/)]);
  });

  test("as a real process too (the bin), and a password with raw @ : / and an encoded % really logs in", async () => {
    for (const u of hostile().slice(0, 12)) {
      const r = await spawnDmsctl(["preflight", "--source", u]).exit(15_000);
      expect([u, r.code]).toEqual([u, 2]);
      expectNoPassword(["preflight", u], r.out, r.err);
    }
    const ok = await dmsctl([
      "preflight",
      "--source",
      `mysql://hostile:Kx7@Qm2:Wz5/Rt8%25Yv4@127.0.0.1:${server.port}/shop`,
      "--format",
      "json",
    ]);
    expect([ok.code === 0 || ok.code === 1, ok.err]).toEqual([true, ""]);
    expect(ok.json<{ checks: unknown[] }>().checks.length).toBeGreaterThan(5);
    expectNoPassword(["preflight"], ok.out, ok.err);
    const c = await mysql.createConnection({
      host: "127.0.0.1",
      port: server.port,
      user: "hostile",
      password: "Kx7@Qm2:Wz5/Rt8%Yv4",
    });
    await c.end();
  }, 60_000);
});
