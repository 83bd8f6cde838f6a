/**
 * The one-way import rules of ARCHITECTURE.md, as ESLint enforces them: each layer's forbidden import is linted as if
 * it were written in that layer (lintText with a file path), and must be reported; the allowed ones must not.
 */
import { spawnSync } from "child_process";
import * as path from "path";

const root = path.join(__dirname, "..");

/** Lints each [file, source] with the project's ESLint config in one child process (the config is ESM). */
function lintAll(cases: readonly (readonly [string, string])[]): string[][] {
  const script = `
    const { ESLint } = require("eslint");
    const cases = JSON.parse(require("fs").readFileSync(0, "utf8"));
    (async () => {
      const eslint = new ESLint({ cwd: ${JSON.stringify(root)} });
      const out = [];
      for (const [file, source] of cases) {
        const [r] = await eslint.lintText(source + "\\nexport const used = x;\\n", { filePath: require("path").join(${JSON.stringify(root)}, file) });
        out.push(r.messages.filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.message));
      }
      process.stdout.write(JSON.stringify(out));
    })().catch((e) => { console.error(e); process.exit(1); });`;
  const r = spawnSync(process.execPath, ["-e", script], { cwd: root, input: JSON.stringify(cases), encoding: "utf8" });
  if (r.status !== 0) throw new Error(`eslint child failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as string[][];
}

const REFUSED: [string, string, RegExp][] = [
  [
    "environments/x.ts",
    'import { x } from "../constructs/dms-replication";',
    /environments\/ imports only constructs\/\*-props modules/,
  ],
  ["environments/x.ts", 'import { x } from "@cdktf/provider-aws/lib/vpc";', /no cdktf/],
  ["environments/x.ts", 'import { x } from "cdktf";', /no cdktf/],
  ["aspects/rules/x.ts", 'import { x } from "../../constructs/catalog";', /aspects\/ reads model\/ and props modules/],
  ["aspects/rules/x.ts", 'import { x } from "../../environments/config";', /never reads the environment configuration/],
  ["constructs/x-props.ts", 'import { x } from "cdktf";', /Props modules are provider-free/],
  ["constructs/x-props.ts", 'import { x } from "./network";', /imports only model\/ and other props modules/],
  ["constructs/network.ts", 'import { x } from "../environments/config";', /never read environments/],
  ["model/x.ts", 'import { x } from "../constructs/network-props";', /independent of the synth side/],
  ["tools/dmsctl/x.ts", 'import { x } from "../../constructs/network";', /independent of the synth side/],
  ["tools/dmsctl/x.ts", 'import { x } from "cdktf";', /never load cdktf/],
  ["tools/dmsctl/commands/x.ts", 'import { x } from "../../../constructs/network";', /independent of the synth side/],
  ["stacks/x.ts", 'import * as aws from "@cdktf/provider-aws";', /barrel/],
];
const ALLOWED: [string, string][] = [
  ["environments/x.ts", 'import { x } from "../constructs/network-props";'],
  ["environments/x.ts", 'import { x } from "../model/checks";'],
  ["aspects/rules/x.ts", 'import { x } from "../../model/catalog";'],
  ["aspects/rules/x.ts", 'import { x } from "@cdktf/provider-aws/lib/vpc";'],
  ["constructs/x-props.ts", 'import { x } from "./network-props";'],
  ["constructs/network.ts", 'import { x } from "./network-props";'],
  ["tools/dmsctl/x.ts", 'import { x } from "../../model/names";'],
];

describe("layers: what each folder may import", () => {
  const results = lintAll([...REFUSED.map(([f, s]) => [f, s] as const), ...ALLOWED]);

  test.each(REFUSED.map((c, i) => [...c, i] as const))("%s: %s is refused", (_file, _source, message, i) => {
    expect(results[i]).toEqual([expect.stringMatching(message)]);
  });

  test.each(ALLOWED.map((c, i) => [...c, REFUSED.length + i] as const))("%s: %s is allowed", (_file, _source, i) => {
    expect(results[i]).toEqual([]);
  });
});
