/**
 * The bundled synth app (scripts/bundle.js, dist/app.js: what cdktf.json and `npm run synth` run) writes exactly
 * what the unbundled app writes, JSON and HCL, every stack; and its two swapped cdktf internals behave as cdktf's
 * own where this app can meet them (a token's creation stack in an error) or say what they are (archives).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { bundle } = require("../scripts/bundle") as { bundle: (entry: string, outfile: string) => Promise<void> };

const root = path.resolve(__dirname, "..");
let work: string;

beforeAll(async () => {
  // inside the project, so the bundle finds cdktf.json (environments/load.ts) as dist/app.js does
  const cache = path.join(root, "node_modules", ".cache");
  fs.mkdirSync(cache, { recursive: true });
  work = fs.mkdtempSync(path.join(cache, "bundle-test-"));
  await bundle(path.join(root, "main.ts"), path.join(work, "app.js"));
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
])("%s: every stack byte for byte what the unbundled app synthesizes", (_form, hcl) => {
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
});

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
