import * as mysql from "mysql2/promise";
import { MariaDbServer, startMariaDb } from "../harness/mariadb";
import { dmsctl } from "./run";

interface Checks {
  checks: { side: string; check: string; status: string; value: string; fix?: string }[];
}

describe("help of validate, preflight and schema documents every option, with its default", () => {
  const options: Record<string, [string, string | undefined][]> = {
    validate: [
      ["--schema", undefined],
      ["--tables", undefined],
      ["--chunk-size", "10000"],
      ["--parallel", "4"],
      ["--retries", "3"],
      ["--retry-delay-seconds", "5"],
      ["--max-differences", "1000"],
      ["--repair", undefined],
      ["--apply", undefined],
    ],
    preflight: [
      ["--schema", undefined],
      ["--dms-source-user", undefined],
      ["--dms-target-user", undefined],
      ["--lob-max-size-kb", "64"],
      ["--aws", undefined],
      ["--aws-timeout-minutes", "30"],
    ],
    schema: [
      ["--schema", undefined],
      ["--finalize", undefined],
      ["--force", undefined],
      ["--dry-run", undefined],
    ],
  };
  test.each(Object.keys(options))("%s --help", async (command) => {
    const r = await dmsctl([command, "--help"]);
    expect(r.code).toBe(0);
    const lines = r.out.split("\n");
    for (const [option, dflt] of options[command]) {
      // an "Options:" line that starts with the option and explains it
      const line = lines.find((l) => new RegExp(`^\\s+${option}\\b.*?\\s{2,}\\S`).test(l));
      expect([option, line]).toEqual([option, expect.any(String)]);
      if (dflt !== undefined)
        expect([option, r.out]).toEqual([
          option,
          expect.stringMatching(new RegExp(`${option}\\b[^\\n]*(\\n\\s{20,}[^\\n]*)*default ${dflt}\\b`)),
        ]);
    }
  });
});

describe("preflight warns about LOBs larger than the task's limited LOB size", () => {
  let server: MariaDbServer;
  let c: mysql.Connection;

  beforeAll(async () => {
    server = await startMariaDb();
    c = await server.connect();
    await c.query(`
      CREATE DATABASE lobs;
      CREATE TABLE lobs.docs (id INT PRIMARY KEY, body LONGTEXT, pic MEDIUMBLOB, small TEXT, meta JSON);
      CREATE TABLE lobs.fine (id INT PRIMARY KEY, body MEDIUMTEXT);
    `);
    await c.query(
      "INSERT INTO lobs.docs VALUES (1, REPEAT('b', 100 * 1024), REPEAT('p', 70 * 1024), REPEAT('s', 60000), '{}'), (2, 'short', NULL, NULL, NULL)",
    );
    await c.query("INSERT INTO lobs.fine VALUES (1, REPEAT('f', 1000))");
  });
  afterAll(async () => {
    await c?.end();
    await server?.stop();
  });

  const lobCheck = async (extra: string[]) => {
    const r = await dmsctl(["preflight", "--source", server.url(), "--schema", "lobs", "--format", "json", ...extra]);
    return r.json<Checks>().checks.find((x) => /LOB/.test(x.check));
  };

  test("at the default 64 KB: each column over it with its largest value", async () => {
    const check = await lobCheck([]);
    expect(check).toMatchObject({ side: "source", check: "LOBs over the limited LOB size (64 KB)", status: "warn" });
    expect(check!.value).toBe("lobs.docs.body (largest 100.0 KB), lobs.docs.pic (largest 70.0 KB)");
    expect(check!.fix).toMatch(/truncate/);
    expect(check!.fix).toMatch(/lobMaxSizeKb/);
    const text = await dmsctl(["preflight", "--source", server.url(), "--schema", "lobs"]);
    expect(text.out).toMatch(
      /LOBs over the limited LOB size \(64 KB\)\s+WARN\s+lobs\.docs\.body \(largest 100\.0 KB\)/,
    );
  });

  test("--lob-max-size-kb sets the limit; 0 (full LOB mode) needs no check", async () => {
    expect(await lobCheck(["--lob-max-size-kb", "80"])).toMatchObject({
      status: "warn",
      value: "lobs.docs.body (largest 100.0 KB)",
    });
    expect(await lobCheck(["--lob-max-size-kb", "200"])).toMatchObject({
      check: "LOBs over the limited LOB size (200 KB)",
      status: "pass",
    });
    expect(await lobCheck(["--lob-max-size-kb", "0"])).toMatchObject({
      status: "pass",
      value: "full LOB mode: no limit",
    });
    const bad = await dmsctl(["preflight", "--source", server.url(), "--schema", "lobs", "--lob-max-size-kb", "lots"]);
    expect([bad.code, bad.err]).toEqual([
      2,
      expect.stringMatching(/--lob-max-size-kb must be an integer between 0 and 102400, got "lots"/),
    ]);
  });
});
