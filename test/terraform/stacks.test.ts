/**
 * Terraform itself on every synthesized stack (see harness.ts): the default environments and every other path a
 * user can pick, JSON and HCL, each through `terraform init -backend=false`, `validate` (0 errors, 0 warnings),
 * `fmt -check` (HCL) and `terraform test` with the AWS provider mocked (plan and apply). Negative controls prove
 * the checks fail on a wrong attribute, an invalid value, a broken reference, a plan-time error, a failing
 * postcondition (an environment planned before the account stack) and unformatted
 * HCL; each substitution of substitutions.ts is proven still needed against the providers at hand.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { synthesize } from "../../main";
import { formatHclOutput } from "../../scripts/hcl-format";
import {
  checkConfigs,
  CheckConfig,
  ConfigReport,
  describe as describeRun,
  Diagnostic,
  findTerraform,
  splitTogether,
  available,
  requiredProviders,
  Terraform,
  terraform,
} from "./harness";
import { Available, SUBSTITUTIONS } from "./substitutions";
import { productPaths } from "../variants";

/** Every configuration a user can pick beyond the defaults, as the environment variables that select it. */
const PRODUCT_PATHS = productPaths();

const work = fs.mkdtempSync(path.join(os.tmpdir(), "tf-stacks-"));
let tf: Terraform | undefined;
let setupError: Error | undefined;

/** Synthesizes one selection of environments in both forms; returns [config id, stack folder] pairs. */
async function synthBoth(name: string, env: NodeJS.ProcessEnv, onlyStacks?: string[]): Promise<CheckConfig[]> {
  const configs: CheckConfig[] = [];
  for (const hcl of [false, true]) {
    const target = path.join(work, "synth", `${name}-${hcl ? "hcl" : "json"}`);
    fs.mkdirSync(target, { recursive: true });
    const outdir = synthesize(env, { outdir: target, hcl });
    if (hcl) await formatHclOutput(outdir);
    for (const stack of fs.readdirSync(path.join(outdir, "stacks")).sort()) {
      if (onlyStacks && !onlyStacks.includes(stack)) continue;
      const id = name === "defaults" ? `${stack}-${hcl ? "hcl" : "json"}` : `${name}-${hcl ? "hcl" : "json"}`;
      configs.push({ id, stackDir: path.join(outdir, "stacks", stack) });
    }
  }
  return configs;
}

let reports: ConfigReport[] = [];
let atHand: Available = {};

beforeAll(async () => {
  try {
    tf = terraform();
    const configs = await synthBoth("defaults", {});
    for (const [name, env] of Object.entries(PRODUCT_PATHS)) {
      configs.push(...(await synthBoth(name, env, [env.DMS_MIGRATE_ENVIRONMENTS as string])));
    }
    // What the provider source offers for what the stacks pin (the account stack requires both aws and time).
    const account = JSON.parse(
      fs.readFileSync(path.join(work, "synth", "defaults-json", "stacks", "account", "cdk.tf.json"), "utf8"),
    );
    atHand = available(tf.source, requiredProviders(account));
    if (!atHand["hashicorp/aws"]) throw new Error(`no hashicorp/aws provider in the mirror ${tf.source.mirror}`);
    await tf.shareAwsProvider(atHand["hashicorp/aws"]);
    reports = await checkConfigs(tf, path.join(work, "check"), configs);
  } catch (e) {
    setupError = e as Error;
  }
}, 600_000);

afterAll(() => {
  tf?.dispose();
  fs.rmSync(work, { recursive: true, force: true });
});

function requireSetup(): ConfigReport[] {
  if (setupError) throw setupError;
  return reports;
}

describe("terraform on every synthesized stack", () => {
  test("checks the four default stacks and every product path, JSON and HCL", () => {
    const ids = requireSetup()
      .map((r) => r.id)
      .sort();
    expect(ids).toEqual(
      [
        ...["account", "dev", "prod", "staging", "state-backend"].flatMap((s) => [`${s}-json`, `${s}-hcl`]),
        ...Object.keys(PRODUCT_PATHS).flatMap((s) => [`${s}-json`, `${s}-hcl`]),
      ].sort(),
    );
  });

  test.each([
    ...["account", "dev", "staging", "prod", "state-backend"].flatMap((s) => [`${s}-json`, `${s}-hcl`]),
    ...Object.keys(PRODUCT_PATHS).flatMap((s) => [`${s}-json`, `${s}-hcl`]),
  ])("%s: init, validate with 0 errors and 0 warnings, fmt, mock plan and apply", (id) => {
    const report = requireSetup().find((r) => r.id === id);
    expect(report).toBeDefined();
    expect(report!.problems).toEqual([]);
    expect(report!.validate).toEqual({ errors: 0, warnings: 0 });
    // import blocks only in a root module: the account stack is validated alone, the rest together (clean)
    expect(report!.validateMode).toBe(id.startsWith("account-") ? "alone" : "together");
    expect(report!.runs).toEqual(id.startsWith("account-") ? { apply: "pass", create: "pass" } : { apply: "pass" });
  });
});

describe("the checks fail on what they exist to catch (negative controls)", () => {
  let negative: Map<string, ConfigReport>;

  beforeAll(async () => {
    if (setupError || !tf) return;
    const dev = path.join(work, "synth", "defaults-json", "stacks", "dev");
    const devHcl = path.join(work, "synth", "defaults-hcl", "stacks", "dev");
    const broken = (id: string, edit: (text: string) => string, from = dev, test = false): CheckConfig => {
      const dir = path.join(work, "negative", id);
      fs.mkdirSync(dir, { recursive: true });
      const file = fs.existsSync(path.join(from, "cdk.tf.json")) ? "cdk.tf.json" : "cdk.tf";
      const before = fs.readFileSync(path.join(from, file), "utf8");
      const after = edit(before);
      if (after === before) throw new Error(`negative control ${id} changed nothing`);
      fs.writeFileSync(path.join(dir, file), after);
      return { id, stackDir: dir, test };
    };
    const vpc = /("aws_vpc": \{\n\s+"network_vpc_[^"]+": \{\n)/;
    const configs = [
      broken("wrong-attribute", (t) => t.replace(vpc, '$1        "cidr": "10.0.0.0/16",\n')),
      // planned too: validated together with the others, its error (found while checking values) is its own
      broken(
        "invalid-value",
        (t) => t.replace('"cidr_block": "10.10.128.0/20"', '"cidr_block": "10.10.128.0/33"'),
        dev,
        true,
      ),
      broken(
        "broken-reference",
        (t) => t.replace(/\$\{aws_vpc\.network_vpc_[^.]+\.id\}/, "${aws_vpc.network_vpc_MISSING.id}"),
        dev,
        true,
      ),
      broken(
        "plan-time-error",
        (t) =>
          t.replace(
            /(data\.aws_availability_zones\.[\w-]+\.names), 1\)/,
            "$1, 1)}${data.aws_availability_zones.network_azs_7B2E26B5.names[7]",
          ),
        dev,
        true,
      ),
      broken(
        "unformatted-hcl",
        (t) => t.replace(/\n {2}cidr_block\s+= "10\.10\.0\.0\/16"/, '\n      cidr_block="10.10.0.0/16"'),
        devHcl,
        true,
      ),
      broken(
        "quoted-reference",
        (t) => t.replace(/depends_on = \[\n(\s+)(aws_\w+\.[\w-]+),/, 'depends_on = [\n$1"$2",'),
        devHcl,
        true,
      ),
      // A check Terraform makes on a root module only: validated together it passes, its apply run must fail.
      broken(
        "sensitive-output",
        (t) => {
          const doc = JSON.parse(t) as Record<string, Record<string, unknown>>;
          doc.variable.leak = { type: "string", default: "not-a-secret", sensitive: true };
          doc.output.leak = { value: "${var.leak}" };
          return JSON.stringify(doc, null, 2);
        },
        dev,
        true,
      ),
      // As if the account stack had not been applied: the role lookups' postcondition must stop the plan.
      broken(
        "account-roles-missing",
        (t) => t.split("length(self.names) == 1").join("length(self.names) == 0"),
        dev,
        true,
      ),
    ];
    // One call, as a user's stacks would go: those with validate errors keep their own (taken from the first run
    // together), the rest are validated together again without them; fmt, the root-only error and the plan-time
    // errors come from the steps after.
    negative = new Map((await checkConfigs(tf, path.join(work, "negative-check"), configs)).map((r) => [r.id, r]));
  }, 300_000);

  const problems = (id: string) => {
    requireSetup();
    return negative.get(id)!.problems.join("\n");
  };

  test("a wrong attribute fails validate", () => {
    expect(problems("wrong-attribute")).toMatch(
      /terraform validate: error: Extraneous JSON object property .*No argument or block type is named "cidr"/,
    );
  });
  test("an invalid value fails validate", () => {
    expect(problems("invalid-value")).toMatch(
      /terraform validate: error: "10\.10\.128\.0\/33" is not a valid CIDR block/,
    );
  });
  test("a reference to a resource that does not exist fails validate", () => {
    expect(problems("broken-reference")).toMatch(/Reference to undeclared resource.*network_vpc_MISSING/);
  });
  test("a value that fails only when planned fails terraform test", () => {
    expect(problems("plan-time-error")).toMatch(/terraform test \(run apply\): error: Invalid index/);
    expect(negative.get("plan-time-error")!.runs.apply).toBe("error");
  });
  test("an environment planned before the account stack stops with the postcondition's message", () => {
    expect(problems("account-roles-missing")).toMatch(
      /The IAM role dms-vpc-role does not exist in this account\. Apply the account stack first/,
    );
    expect(negative.get("account-roles-missing")!.runs.apply).toBe("error");
  });
  test("unformatted HCL fails fmt -check", () => {
    expect(problems("unformatted-hcl")).toMatch(/terraform fmt -check/);
  });
  test("a quoted reference in depends_on is a validate warning, and warnings fail the check", () => {
    expect(problems("quoted-reference")).toMatch(/terraform validate: warning: Quoted references are deprecated/);
    expect(negative.get("quoted-reference")!.validate).toEqual({ errors: 0, warnings: 1 });
    expect(negative.get("quoted-reference")!.validateMode).toBe("together");
    expect(problems("unformatted-hcl")).not.toMatch(/terraform validate/); // the other one's warning is not its
  });
  test("a root-module-only error (a sensitive value in an output) passes the validate together, and fails the plan", () => {
    expect(negative.get("sensitive-output")!.validateMode).toBe("together");
    expect(negative.get("sensitive-output")!.validate).toEqual({ errors: 0, warnings: 0 });
    expect(problems("sensitive-output")).toMatch(
      /terraform test \(run apply\): error: Output refers to sensitive values/,
    );
    expect(negative.get("sensitive-output")!.runs.apply).toBe("error");
  });
  test("validated together, a configuration with errors keeps its own; the others are validated together again", () => {
    // first run: two configurations with an error each, each error with its own configuration
    for (const id of ["invalid-value", "broken-reference"])
      expect([id, negative.get(id)!.validateMode, negative.get(id)!.validate]).toEqual([
        id,
        "together",
        { errors: 1, warnings: 0 },
      ]);
    expect(problems("invalid-value")).not.toMatch(/network_vpc_MISSING/);
    expect(problems("broken-reference")).not.toMatch(/not a valid CIDR/);
    // second run, without those two, clean: these had no error of their own
    for (const id of ["plan-time-error", "account-roles-missing", "sensitive-output", "unformatted-hcl"])
      expect([id, negative.get(id)!.validateMode, negative.get(id)!.validate]).toEqual([
        id,
        "together",
        { errors: 0, warnings: 0 },
      ]);
    expect(problems("plan-time-error")).not.toMatch(/terraform validate/);
  });
  test("a configuration terraform test does not plan is validated alone, as its own root", () => {
    expect(negative.get("wrong-attribute")!.validateMode).toBe("alone");
    expect(negative.get("wrong-attribute")!.validate).toEqual({ errors: 1, warnings: 0 });
  });
});

describe("what one validate of configurations together settles (splitTogether)", () => {
  const [a, b, c] = [{ id: "a" }, { id: "b" }, { id: "c" }];
  const d = (severity: "error" | "warning", file: string, summary = "s"): Diagnostic => ({
    severity,
    summary,
    range: { filename: file, start: { line: 1 } },
  });
  const out = (diagnostics: Diagnostic[]) => ({
    error_count: diagnostics.filter((x) => x.severity === "error").length,
    warning_count: diagnostics.filter((x) => x.severity === "warning").length,
    diagnostics,
  });
  test("a clean run settles every configuration, each with its own warnings", () => {
    const w = d("warning", "../b/cdk.tf", "Quoted references are deprecated");
    const split = splitTogether([a, b, c], out([w, d("warning", "../a/cdk.tf.json", "Backend configuration ignored")]));
    expect(split?.rest).toEqual([]);
    expect([...split!.taken]).toEqual([
      [a, []],
      [b, [w]],
      [c, []],
    ]);
  });
  test("a run with errors settles only the configurations with errors; the rest go again", () => {
    const e = d("error", "../b/cdk.tf.json");
    const w = d("warning", "../a/cdk.tf");
    const split = splitTogether([a, b, c], out([e, w]));
    expect([...split!.taken]).toEqual([[b, [e]]]);
    expect(split!.rest).toEqual([a, c]);
  });
  test("no output, a diagnostic that names no configuration, or errors none has: each is validated alone", () => {
    expect(splitTogether([a, b], undefined)).toBeUndefined();
    expect(splitTogether([a, b], out([d("warning", "main.tf")]))).toBeUndefined();
    expect(splitTogether([a, b], out([{ severity: "error", summary: "no range" }]))).toBeUndefined();
    expect(splitTogether([a, b], { ...out([d("warning", "../a/cdk.tf")]), error_count: 1 })).toBeUndefined();
  });
});

describe("substitutions for the providers at hand (substitutions.ts)", () => {
  test.each(SUBSTITUTIONS.map((s) => [s.id, s] as const))(
    "%s is applied exactly when the providers at hand lack the feature",
    async (_id, s) => {
      requireSetup();
      const avail = atHand;
      const applies = s.applies(avail);
      const dir = fs.mkdtempSync(path.join(work, `probe-${s.id}-`));
      for (const [file, text] of Object.entries(s.probe.files(avail))) fs.writeFileSync(path.join(dir, file), text);
      // The init probe asks the provider source itself; a validate probe runs on the shared provider at hand.
      const init = await tf!.run(dir, ["init", "-backend=false", "-input=false"], {
        reattach: s.probe.command !== "init",
      });
      const result = s.probe.command === "init" ? init : await tf!.run(dir, ["validate"]);
      const output = describeRun(`terraform ${s.probe.command}`, result);
      if (applies) {
        // still needed: without it, the feature is an error
        expect(result.status).not.toBe(0);
        expect(output).toMatch(s.probe.missing);
      } else {
        // the providers know the feature: the substitution must not apply (and this probe passes)
        expect(output).not.toMatch(s.probe.missing);
        expect(result.status).toBe(0);
      }
    },
    120_000,
  );
});

describe("no terraform", () => {
  test("is a failure that says what to install, never a skip", () => {
    expect(() => findTerraform({ PATH: "/nonexistent" })).toThrow(
      /terraform not found on PATH: the Terraform checks need Terraform >= 1\.10 \(https:\/\/developer\.hashicorp\.com\/terraform\/install; CI: hashicorp\/setup-terraform\)\. They are never skipped\./,
    );
    expect(() => terraform({ PATH: "" })).toThrow(/terraform not found on PATH/);
  });
});
