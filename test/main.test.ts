import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { buildApp } from "../main";

const root = path.resolve(__dirname, "..");

describe("the app", () => {
  test("synthesizes every environment plus the state-backend stack", () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "synth-"));
    buildApp({}, outdir).synth();
    expect(fs.readdirSync(path.join(outdir, "stacks")).sort()).toEqual(["dev", "prod", "staging", "state-backend"]);
    for (const s of ["dev", "staging", "prod", "state-backend"]) {
      expect(fs.existsSync(path.join(outdir, "stacks", s, "cdk.tf.json"))).toBe(true);
    }
    fs.rmSync(outdir, { recursive: true, force: true });
  });

  test("throws when environments disagree on the state bucket", () => {
    expect(() =>
      buildApp({ DMS_MIGRATE_PROD_CONFIG: JSON.stringify({ state: { bucket: "other-bucket" } }) }, os.tmpdir()),
    ).toThrow(/state\.bucket\/state\.region must match the other environments' \(dms-migrate-terraform-state in us-east-1\), got other-bucket in us-east-1/);
  });
});

// The real command a user runs: a bad value must stop it with the field and the value and leave cdktf.out as it was.
describe("npm run synth (scripts/synth.js)", () => {
  test("fails on a bad CIDR, names field and value, and leaves no partial cdktf.out", () => {
    // GIVEN a cdktf.out from an earlier synth (a marker stands in for it) in a copy of the project
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "synth-fail-"));
    for (const f of ["main.ts", "cdktf.json", "tsconfig.json", "tsconfig.build.json", "package.json"]) {
      fs.copyFileSync(path.join(root, f), path.join(work, f));
    }
    for (const d of ["constructs", "environments", "stacks", "model", "scripts", "aspects", "tools"]) {
      if (fs.existsSync(path.join(root, d))) fs.cpSync(path.join(root, d), path.join(work, d), { recursive: true });
    }
    fs.symlinkSync(path.join(root, "node_modules"), path.join(work, "node_modules"));
    fs.mkdirSync(path.join(work, "cdktf.out"));
    fs.writeFileSync(path.join(work, "cdktf.out", "marker"), "previous synth");
    // WHEN synth runs with a malformed CIDR for staging
    const r = spawnSync(process.execPath, [path.join(work, "scripts", "synth.js")], {
      cwd: work,
      encoding: "utf8",
      env: { ...process.env, DMS_MIGRATE_STAGING_CONFIG: JSON.stringify({ network: { vpcCidr: "10.20.0/16" } }) },
    });
    // THEN it exits non-zero with the field and value, and cdktf.out is untouched (no stacks written)
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/network\.vpcCidr must be an IPv4 network in CIDR notation .*got "10\.20\.0\/16"/);
    expect(fs.readdirSync(path.join(work, "cdktf.out"))).toEqual(["marker"]);
    expect(fs.readdirSync(work).filter((f) => f.startsWith(".cdktf.out."))).toEqual([]);
    fs.rmSync(work, { recursive: true, force: true });
  }, 120_000);
});
