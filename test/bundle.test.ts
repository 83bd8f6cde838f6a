/**
 * The bundled synth app (scripts/bundle.js, dist/app.js: what cdktf.json and `npm run synth` run) writes exactly
 * what the unbundled app writes, JSON and HCL, every stack; and its two swapped cdktf internals behave as cdktf's
 * own where this app can meet them (a token's creation stack in an error) or say what they are (archives).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { bundle, bundleApp } = require("../scripts/bundle") as {
  bundle: (entry: string, outfile: string) => Promise<void>;
  bundleApp: (entry: string, dir: string) => Promise<void>;
};

const root = path.resolve(__dirname, "..");
let work: string;

beforeAll(async () => {
  // inside the project, so the bundle finds cdktf.json (environments/load.ts) as dist/app.js does
  const cache = path.join(root, "node_modules", ".cache");
  fs.mkdirSync(cache, { recursive: true });
  work = fs.mkdtempSync(path.join(cache, "bundle-test-"));
  // as npm run build lays it out: app.js (scripts/app-loader.js) runs app.bundle.js with V8's code cache
  await bundleApp(path.join(root, "main.ts"), work);
  await bundle(path.join(__dirname, "fixtures", "bundle-swaps.ts"), path.join(work, "swaps.js"));
}, 60_000);
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** Every file under `dir`, relative path -> content. */
function files(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    out[path.relative(dir, full)] = fs.readFileSync(full, "utf8");
  }
  return out;
}

const clean = () =>
  Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith("DMS_MIGRATE_") && k !== "CDKTF_OUTDIR"),
  ) as NodeJS.ProcessEnv;

test.each([
  ["JSON", false],
  ["HCL", true],
])(
  "%s: every stack byte for byte what the unbundled app synthesizes (JSON first: HCL runs on its V8 cache)",
  (_form, hcl) => {
    const bundled = path.join(work, `out-${hcl}`);
    const r = spawnSync(process.execPath, [path.join(work, "app.js")], {
      cwd: root,
      encoding: "utf8",
      env: { ...clean(), CDKTF_OUTDIR: bundled, SYNTH_HCL_OUTPUT: String(hcl) },
      timeout: 60_000,
    });
    expect([r.status, r.stderr]).toEqual([0, ""]);
    // The reference: the app unbundled, in a process of its own, on cdktf's own modules (in this process, jest swaps
    // in the lazy stack trace too: scripts/jest-resolver.js).
    const expected = path.join(work, `expected-${hcl}`);
    const u = spawnSync(process.execPath, [path.join(root, "scripts", "ts-run.js"), path.join(root, "main.ts")], {
      cwd: root,
      encoding: "utf8",
      env: { ...clean(), CDKTF_OUTDIR: expected, SYNTH_HCL_OUTPUT: String(hcl) },
      timeout: 60_000,
    });
    expect([u.status, u.stderr]).toEqual([0, ""]);
    const got = files(path.join(bundled, "stacks"));
    const want = files(path.join(expected, "stacks"));
    expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
    expect(Object.keys(got).filter((f) => /cdk\.tf(\.json)?$/.test(f))).toHaveLength(5);
    for (const f of Object.keys(want)) expect([f, got[f] === want[f]]).toEqual([f, true]);
  },
);

test("a token's creation stack in an error, as unbundled; an archive asset names the stand-in", () => {
  const run = (args: string[]) => {
    const r = spawnSync(process.execPath, args, { cwd: root, encoding: "utf8", timeout: 30_000 });
    expect([r.status, r.stderr]).toEqual([0, ""]);
    return JSON.parse(r.stdout) as Record<string, unknown>;
  };
  const bundled = run([path.join(work, "swaps.js")]);
  const unbundled = run([path.join(root, "scripts", "ts-run.js"), path.join(__dirname, "fixtures", "bundle-swaps.ts")]);
  expect(bundled.resolutionError).toBe(unbundled.resolutionError);
  expect(bundled.resolutionError).toMatch(/produce failed/);
  expect(bundled.creationStackFrames).toBeGreaterThan(3);
  expect(bundled.creationStackNamesEntry).toBe(true);
  expect(unbundled.creationStackNamesEntry).toBe(true);
  expect(unbundled.archive).toBe("ok");
  expect(bundled.archive).toMatch(/archives are left out of the bundled synth app \(scripts\/bundle\.js\)/);
});

describe("dist/app.js, the loader (scripts/app-loader.js)", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "app-loader-"));
    fs.copyFileSync(path.join(root, "scripts", "app-loader.js"), path.join(dir, "app.js"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const writeBundle = (value: number, mtime: number) => {
    const file = path.join(dir, "app.bundle.js");
    fs.writeFileSync(
      file,
      `"use strict";\nconst f = () => ${value};\nprocess.stdout.write(JSON.stringify({ main: require.main === module, ` +
        `file: __filename, dir: __dirname, args: process.argv.slice(2), value: f() }));\n`,
    );
    fs.utimesSync(file, mtime, mtime);
  };
  const runApp = () => {
    const r = spawnSync(process.execPath, [path.join(dir, "app.js"), "a", "b"], { encoding: "utf8" });
    expect([r.status, r.stderr]).toEqual([0, ""]);
    return JSON.parse(r.stdout) as { main: boolean; file: string; dir: string; args: string[]; value: number };
  };
  const caches = () => fs.readdirSync(dir).filter((f) => f.endsWith(".v8cache"));

  test("runs the bundle as node runs a main module, the same without and with its cache", () => {
    writeBundle(42, 1_000_000);
    const cold = runApp();
    expect(cold).toEqual({
      main: true,
      file: path.join(dir, "app.bundle.js"),
      dir,
      args: ["a", "b"],
      value: 42,
    });
    expect(caches()).toHaveLength(1);
    expect(runApp()).toEqual(cold);
  });

  test("a new bundle of the same length never runs on the old one's cache", () => {
    writeBundle(42, 1_000_000);
    expect(runApp().value).toBe(42);
    writeBundle(43, 2_000_000);
    expect(runApp().value).toBe(43);
    expect(runApp().value).toBe(43);
  });

  test("a cache V8 rejects (damaged) is replaced, and the bundle still runs", () => {
    writeBundle(42, 1_000_000);
    runApp();
    const [cache] = caches();
    fs.writeFileSync(path.join(dir, cache), Buffer.alloc(4096, 7));
    expect(runApp().value).toBe(42);
    expect(fs.readFileSync(path.join(dir, cache)).equals(Buffer.alloc(4096, 7))).toBe(false);
    expect(runApp().value).toBe(42);
  });

  test("bundleApp writes the loader and the bundle, and deletes the caches of an earlier bundle", async () => {
    fs.writeFileSync(path.join(dir, "entry.js"), "process.stdout.write(JSON.stringify({ value: 7 }));\n");
    fs.writeFileSync(path.join(dir, "app.bundle.1-2.v8cache"), "old");
    await bundleApp(path.join(dir, "entry.js"), dir);
    expect(caches()).toEqual([]);
    expect(fs.readFileSync(path.join(dir, "app.js"), "utf8")).toBe(
      fs.readFileSync(path.join(root, "scripts", "app-loader.js"), "utf8"),
    );
    expect(runApp()).toEqual({ value: 7 });
  });
});
