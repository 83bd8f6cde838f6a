import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { buildApp } from "../main";

describe("the app", () => {
  test("synthesizes every environment plus the state-backend stack", () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "synth-"));
    buildApp({}, { outdir }).synth();
    expect(fs.readdirSync(path.join(outdir, "stacks")).sort()).toEqual([
      "account",
      "dev",
      "prod",
      "staging",
      "state-backend",
    ]);
    for (const s of ["account", "dev", "staging", "prod", "state-backend"]) {
      expect(fs.existsSync(path.join(outdir, "stacks", s, "cdk.tf.json"))).toBe(true);
    }
    fs.rmSync(outdir, { recursive: true, force: true });
  });

  test("throws when environments disagree on the state bucket", () => {
    expect(() =>
      buildApp(
        { DMS_MIGRATE_PROD_CONFIG: JSON.stringify({ state: { bucket: "other-bucket" } }) },
        { outdir: os.tmpdir() },
      ),
    ).toThrow(
      /state\.bucket\/state\.region must match the other environments' \("" in us-east-1\), got "other-bucket" in us-east-1/,
    );
  });
});
