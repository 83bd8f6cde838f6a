import { spawnSync } from "child_process";
import * as path from "path";

const root = path.resolve(__dirname, "..", "..");

// The package's own bin, as `npx dmsctl` runs it after `npm ci` (which builds dist/ in "prepare").
describe("bin/dmsctl.js", () => {
  test("prints help and exits 0 without loading cdktf", () => {
    const r = spawnSync(
      process.execPath,
      [
        "-e",
        `
      process.argv = [process.argv[0], "dmsctl", "--help"];
      require(${JSON.stringify(path.join(root, "bin", "dmsctl.js"))});
      process.on("exit", () => {
        const loaded = Object.keys(require.cache).filter((k) => /node_modules[\\\\/](cdktf|constructs|@cdktf)[\\\\/]/.test(k));
        if (loaded.length) { console.error("cdktf loaded: " + loaded[0]); process.exitCode = 3; }
      });`,
      ],
      { encoding: "utf8", cwd: root },
    );
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^dmsctl: prove a MySQL -> Amazon RDS migration/);
  });

  test("exit codes 0, 1, 2 and 130 are in the help", () => {
    const r = spawnSync(process.execPath, [path.join(root, "bin", "dmsctl.js"), "--help"], { encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(
      /Exit codes:\n {2}0 +all clear\n {2}1 +a finding .*\n {2}2 +an error .*\n {2}130 +interrupted/,
    );
  });

  test("exits 2 on an unknown command", () => {
    const r = spawnSync(process.execPath, [path.join(root, "bin", "dmsctl.js"), "nope"], { encoding: "utf8" });
    expect([r.status, r.stderr]).toEqual([2, expect.stringMatching(/unknown command "nope"/)]);
  });
});
