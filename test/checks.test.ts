/**
 * scripts/checks.js: npm test's static checks (tsc, ESLint, Prettier) run side by side; every check runs and reports,
 * and the run fails with the first failing check's status.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { CHECKS, runChecks, staleBuildInfo } = require("../scripts/checks") as {
  staleBuildInfo: (dir: string) => string | undefined;
  CHECKS: { name: string; args: string[] }[];
  runChecks: (
    checks: { name: string; args: string[] }[],
    options: { cwd: string; write: (s: string) => void },
  ) => Promise<number>;
};

const root = path.resolve(__dirname, "..");

describe("runChecks", () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "checks-"))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** A check that waits for the other one's mark (so they must run at the same time), then prints and exits. */
  const check = (name: string, other: string, text: string, status: number) => ({
    name,
    args: [
      "-e",
      `const fs = require("fs");
       fs.writeFileSync(${JSON.stringify(name)}, "");
       const t = Date.now();
       while (!fs.existsSync(${JSON.stringify(other)}) && Date.now() - t < 20000) {}
       if (!fs.existsSync(${JSON.stringify(other)})) { console.log("ran alone"); process.exit(9); }
       if (${JSON.stringify(text)}) console.log(${JSON.stringify(text)});
       process.exit(${status});`,
    ],
  });

  /** runChecks in the temp folder; its status and everything it wrote. */
  const run = async (checks: { name: string; args: string[] }[]) => {
    let out = "";
    const status = await runChecks(checks, { cwd: dir, write: (s) => (out += s) });
    return { status, out };
  };

  test("all run at once; a failing one is reported with its name, status and output, and its status is returned", async () => {
    const { status, out } = await run([check("a", "b", "", 0), check("b", "a", "src/x.ts: 1 problem", 3)]);
    expect(status).toBe(3);
    expect(out).toBe("FAILED b (exit 3)\nsrc/x.ts: 1 problem\n");
  });

  test("every check runs even when an earlier one fails; the first failing one's status is the result", async () => {
    const { status, out } = await run([check("a", "b", "type error", 2), check("b", "a", "lint error", 1)]);
    expect(status).toBe(2);
    expect(out).toBe("FAILED a (exit 2)\ntype error\nFAILED b (exit 1)\nlint error\n");
  });

  test("all pass: 0, and a passing check that printed something is shown under its name", async () => {
    const { status, out } = await run([check("a", "b", "", 0), check("b", "a", "note", 0)]);
    expect(status).toBe(0);
    expect(out).toBe("-- b (exit 0)\nnote\n");
  });

  test("a check that cannot run at all fails the run", async () => {
    const { status, out } = await run([{ name: "missing", args: [path.join(dir, "nope.js")] }]);
    expect(status).toBe(1);
    expect(out).toMatch(/^FAILED missing \(exit 1\)\n[\s\S]*Cannot find module/);
  });
});

test("the checks are the package's typecheck, lint and format:check scripts, run with this node", () => {
  const scripts = (
    JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    }
  ).scripts;
  const asScript = (args: string[]) =>
    [path.basename(path.dirname(path.dirname(args[0]))), ...args.slice(1)]
      .join(" ")
      .replace(/^typescript /, "tsc ")
      .replace("**/*.{ts,js,mjs}", '"**/*.{ts,js,mjs}"');
  expect(CHECKS.map((c) => asScript(c.args))).toEqual([
    scripts.typecheck,
    scripts.lint,
    scripts["format:check"].replace("--check --cache", "--check --cache --log-level warn"),
  ]);
  for (const c of CHECKS) expect(fs.existsSync(c.args[0])).toBe(true);
  expect(scripts.test).toMatch(/^node scripts\/test-prereqs\.js && node scripts\/checks\.js && node /);
});

describe("staleBuildInfo: tsc's build info is dropped when npm installed something after it was written", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "checks-info-"));
    fs.mkdirSync(path.join(dir, "node_modules", ".cache", "tsc"), { recursive: true });
    fs.writeFileSync(
      path.join(dir, "tsconfig.json"),
      JSON.stringify({ compilerOptions: { tsBuildInfoFile: "node_modules/.cache/tsc/x.tsbuildinfo" } }),
    );
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const info = () => path.join(dir, "node_modules", ".cache", "tsc", "x.tsbuildinfo");
  const lock = () => path.join(dir, "node_modules", ".package-lock.json");
  const at = (file: string, seconds: number) => {
    fs.writeFileSync(file, "{}");
    fs.utimesSync(file, seconds, seconds);
  };

  test("an install after the build info: stale", () => {
    at(info(), 1_000);
    at(lock(), 2_000);
    expect(staleBuildInfo(dir)).toBe(info());
  });
  test("the build info written after the install, or none yet, or no lock file: kept", () => {
    at(lock(), 1_000);
    expect(staleBuildInfo(dir)).toBeUndefined();
    at(info(), 2_000);
    expect(staleBuildInfo(dir)).toBeUndefined();
    fs.rmSync(lock());
    expect(staleBuildInfo(dir)).toBeUndefined();
  });
  test("this project's tsconfig names a build info file under node_modules (outside the tracked files)", () => {
    const tsconfig = JSON.parse(fs.readFileSync(path.join(root, "tsconfig.json"), "utf8")) as {
      compilerOptions: { tsBuildInfoFile?: string };
      include: string[];
    };
    expect(tsconfig.compilerOptions.tsBuildInfoFile).toMatch(/^node_modules\/\.cache\//);
    // build mode checks only what tsconfig includes for changes: the hand-written declarations tests import too
    expect(tsconfig.include).toContain("scripts/*.d.ts");
  });
});
