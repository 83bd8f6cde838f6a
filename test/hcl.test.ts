/**
 * `npm run synth:hcl` is the exit path from cdktf: plain HCL that Terraform or OpenTofu run without cdktf, and what
 * the workflows plan and apply. These tests synthesize the app in both forms in this process (as scripts/synth.js
 * does), parse every cdk.tf with @cdktf/hcl2json, and require the HCL to declare the same addresses with the same
 * values as the JSON synth; then they run the real script once, in a copy of the project (it replaces
 * <project>/cdktf.out, so the developer's cdktf.out is never touched), and require the same bytes.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "@cdktf/hcl2json";
import { synthesize } from "../main";
import { formatHclOutput } from "../scripts/hcl-format";

const root = path.resolve(__dirname, "..");

type Doc = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------------------------
// Comparison of one stack's JSON synth (cdk.tf.json) with its HCL synth parsed by hcl2json.
// hcl2json writes every block as a list of objects (resource "t" "n" {...} -> resource.t.n = [{...}]), every
// expression as a "${...}" string, and drops nothing else; the JSON synth carries "//" metadata keys.
// ---------------------------------------------------------------------------------------------------------------

/** The names that make up a stack's interface: what Terraform addresses, configures and stores state under. */
interface Inventory {
  resources: string[];
  dataSources: string[];
  outputs: string[];
  providers: string[];
  requiredProviders: string[];
  backends: string[];
}

const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);
const asRecord = (v: unknown): Record<string, unknown> =>
  v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

function addresses(block: unknown, prefix = ""): string[] {
  return Object.entries(asRecord(block)).flatMap(([type, byName]) =>
    Object.keys(asRecord(byName)).map((name) => `${prefix}${type}.${name}`),
  );
}

function inventory(doc: Doc): Inventory {
  const terraform = asList(doc.terraform).map(asRecord);
  const requiredProviders = terraform.flatMap((t) => asList(t.required_providers).map(asRecord));
  return {
    resources: addresses(doc.resource).sort(),
    dataSources: addresses(doc.data, "data.").sort(),
    outputs: Object.keys(asRecord(doc.output)).sort(),
    providers: Object.keys(asRecord(doc.provider)).sort(),
    requiredProviders: requiredProviders
      .flatMap((rp) =>
        Object.entries(rp).map(
          ([name, spec]) => `${name} = ${asRecord(spec).source ?? "?"} ${asRecord(spec).version ?? "?"}`,
        ),
      )
      .sort(),
    backends: terraform.flatMap((t) => Object.keys(asRecord(t.backend))).sort(),
  };
}

/** Differences between the two inventories, one line each ("resource aws_vpc.x: only in the JSON"); [] when equal. */
function compareInventories(json: Doc, hcl: Doc): string[] {
  const a = inventory(json);
  const b = inventory(hcl);
  const problems: string[] = [];
  for (const kind of Object.keys(a) as (keyof Inventory)[]) {
    const inHcl = new Set(b[kind]);
    const inJson = new Set(a[kind]);
    for (const x of a[kind]) if (!inHcl.has(x)) problems.push(`${kind} ${x}: only in the JSON`);
    for (const x of b[kind]) if (!inJson.has(x)) problems.push(`${kind} ${x}: only in the HCL`);
  }
  return problems;
}

/** Whitespace inside ${...} is layout, not value: cdktf writes `jsonencode({"a" = 1})`, hcl2json `jsonencode({ "a" = 1 })`. */
function normalizeTemplate(s: string): string {
  let out = "";
  let i = 0;
  while (i < s.length) {
    if (s.startsWith("$${", i)) {
      out += "$${";
      i += 3;
    } else if (s.startsWith("${", i)) {
      out += "${";
      i += 2;
      let depth = 1;
      let inString = false;
      while (i < s.length && depth > 0) {
        const c = s[i];
        if (inString) {
          if (c === "\\") {
            out += s.slice(i, i + 2);
            i += 2;
            continue;
          }
          if (c === '"') inString = false;
          out += c;
        } else if (c === '"') {
          inString = true;
          out += c;
        } else if (c === "{") {
          depth++;
          out += c;
        } else if (c === "}") {
          depth--;
          out += c;
        } else if (!/\s/.test(c)) {
          out += c;
        }
        i++;
      }
    } else {
      out += s[i];
      i++;
    }
  }
  return out;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const show = (v: unknown): string => {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 160 ? `${s.slice(0, 160)}... (${s.length} chars)` : s;
};

/** Every value that differs, as "path: JSON <value>, HCL <value>"; [] when the documents say the same thing. */
function compareValues(json: unknown, hcl: unknown, at = ""): string[] {
  // A block is a list of one object in hcl2json's output and often a bare object in the JSON synth.
  if (Array.isArray(hcl) && hcl.length === 1 && isObject(hcl[0]) && isObject(json))
    return compareValues(json, hcl[0], at);
  if (Array.isArray(json) && json.length === 1 && isObject(json[0]) && isObject(hcl))
    return compareValues(json[0], hcl, at);
  if (Array.isArray(json) && Array.isArray(hcl)) {
    if (json.length !== hcl.length)
      return [`${at}: JSON has ${json.length} items, HCL ${hcl.length}: JSON ${show(json)}, HCL ${show(hcl)}`];
    return json.flatMap((x, i) => compareValues(x, hcl[i], `${at}[${i}]`));
  }
  if (isObject(json) && isObject(hcl)) {
    const problems: string[] = [];
    for (const key of new Set([...Object.keys(json), ...Object.keys(hcl)])) {
      if (key === "//") continue; // cdktf metadata (construct paths), never part of the configuration
      if (!(key in hcl)) problems.push(`${at}.${key}: only in the JSON (${show(json[key])})`);
      else if (!(key in json)) problems.push(`${at}.${key}: only in the HCL (${show(hcl[key])})`);
      else problems.push(...compareValues(json[key], hcl[key], `${at}.${key}`));
    }
    return problems;
  }
  if (typeof json === "string" && typeof hcl === "string") {
    // A reference in a meta-argument list, an import block's `to` and a variable's type constraint are bare
    // strings in the JSON syntax and (unquoted) expressions in HCL, which hcl2json shows as "${...}".
    if (
      /\.(depends_on|ignore_changes|replace_triggered_by)\[\d+\]$|^import\[\d+\]\.to$|^variable\.[\w-]+\.type$/.test(
        at,
      ) &&
      hcl === `\${${json}}`
    )
      return [];
    return json === hcl || normalizeTemplate(json) === normalizeTemplate(hcl)
      ? []
      : [`${at}: JSON ${show(json)}, HCL ${show(hcl)}`];
  }
  return json === hcl ? [] : [`${at}: JSON ${show(json)}, HCL ${show(hcl)}`];
}

/** Everything Terraform reads from a configuration file; cdktf's "//" metadata is left out by compareValues. */
const SECTIONS = [
  "terraform",
  "provider",
  "variable",
  "locals",
  "data",
  "resource",
  "module",
  "output",
  "moved",
  "import",
];

function compareStack(json: Doc, hcl: Doc): string[] {
  const problems = compareInventories(json, hcl);
  for (const section of new Set([...Object.keys(json), ...Object.keys(hcl)])) {
    if (section === "//") continue;
    if (!SECTIONS.includes(section)) problems.push(`unexpected top-level section ${section}`);
    problems.push(...compareValues(json[section], hcl[section], section));
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------------------
// Running the real script in throwaway copies of the project.
// ---------------------------------------------------------------------------------------------------------------

/** A copy of the project as test/main.test.ts makes it; environments/*.local.json (developer overrides) left out. */
function copyProject(prefix: string): string {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  for (const f of ["main.ts", "cdktf.json", "tsconfig.json", "tsconfig.build.json", "package.json"]) {
    fs.copyFileSync(path.join(root, f), path.join(work, f));
  }
  for (const d of ["constructs", "environments", "stacks", "model", "scripts", "aspects", "tools"]) {
    if (!fs.existsSync(path.join(root, d))) continue;
    fs.cpSync(path.join(root, d), path.join(work, d), {
      recursive: true,
      filter: (src) => !src.endsWith(".local.json"),
    });
  }
  fs.symlinkSync(path.join(root, "node_modules"), path.join(work, "node_modules"));
  return work;
}

/** The environment of a plain `npm run synth` in CI: none of the developer's DMS_MIGRATE_* overrides. */
function synthEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("DMS_MIGRATE_")));
}

interface StackPair {
  json: Doc;
  hcl?: Doc;
  parseError?: string;
}

describe("the HCL synth (npm run synth:hcl) against the JSON synth", () => {
  const works: string[] = [];
  const stacks = new Map<string, StackPair>();
  let jsonStacks: string[] = [];
  let hclStacks: string[] = [];

  beforeAll(async () => {
    // GIVEN the app as npm run synth / synth:hcl run it (in this process: the same synthesize() and HCL layout
    // step scripts/synth.js uses; the script itself is run below, for what only it does)
    const jsonWork = fs.mkdtempSync(path.join(os.tmpdir(), "synth-json-"));
    const hclWork = fs.mkdtempSync(path.join(os.tmpdir(), "synth-hcl-"));
    works.push(jsonWork, hclWork);
    synthesize(synthEnv(), { outdir: path.join(jsonWork, "cdktf.out"), hcl: false });
    await formatHclOutput(synthesize(synthEnv(), { outdir: path.join(hclWork, "cdktf.out"), hcl: true }));
    const jsonDir = path.join(jsonWork, "cdktf.out", "stacks");
    const hclDir = path.join(hclWork, "cdktf.out", "stacks");
    jsonStacks = fs
      .readdirSync(jsonDir)
      .filter((s) => fs.existsSync(path.join(jsonDir, s, "cdk.tf.json")))
      .sort();
    hclStacks = fs
      .readdirSync(hclDir)
      .filter((s) => fs.existsSync(path.join(hclDir, s, "cdk.tf")))
      .sort();
    for (const s of jsonStacks) {
      const pair: StackPair = {
        json: JSON.parse(fs.readFileSync(path.join(jsonDir, s, "cdk.tf.json"), "utf8")) as Doc,
      };
      const file = path.join(hclDir, s, "cdk.tf");
      if (fs.existsSync(file)) {
        const text = fs.readFileSync(file, "utf8");
        try {
          pair.hcl = await parse(`cdktf.out/stacks/${s}/cdk.tf`, text);
        } catch (e) {
          // name the offending lines: the parser's message is a long list of character positions
          const lines = [...new Set([...String(e).matchAll(/cdk\.tf:(\d+),/g)].map((m) => Number(m[1])))];
          const where = lines.map((n) => `line ${n}: ${text.split("\n")[n - 1]?.trim().slice(0, 100)}...`);
          pair.parseError = [...where, String(e).slice(0, 300)].join("\n");
        }
      }
      stacks.set(s, pair);
    }
  }, 120_000);

  afterAll(() => {
    for (const w of works) fs.rmSync(w, { recursive: true, force: true });
  });

  test("writes a cdk.tf for every stack the JSON synth writes", () => {
    // THEN both synths wrote the same stacks: every environment plus the state backend
    expect(jsonStacks).toEqual(["account", "dev", "prod", "staging", "state-backend"]);
    expect(hclStacks).toEqual(jsonStacks);
  });

  test("every cdk.tf parses as HCL", () => {
    const errors = [...stacks].filter(([, p]) => p.parseError).map(([s, p]) => `${s}: ${p.parseError}`);
    expect(errors).toEqual([]);
  });

  test("HCL and JSON declare the same resources, data sources, outputs, providers and backend", () => {
    const problems = [...stacks].flatMap(([s, p]) =>
      p.hcl ? compareInventories(p.json, p.hcl).map((x) => `${s}: ${x}`) : [`${s}: cdk.tf did not parse`],
    );
    expect(problems).toEqual([]);
    // AND the environments keep their state in S3 with the pinned providers
    for (const env of ["dev", "staging", "prod"]) {
      const inv = inventory(stacks.get(env)?.hcl ?? {});
      expect(inv.backends).toEqual(["s3"]);
      expect(inv.requiredProviders).toContain("aws = aws 6.25.0");
      expect(inv.resources.length).toBeGreaterThan(20);
    }
    expect(inventory(stacks.get("account")?.hcl ?? {}).requiredProviders).toContain("time = hashicorp/time 0.13.1");
  });

  test("HCL and JSON give every attribute the same value", () => {
    const problems = [...stacks].flatMap(([s, p]) =>
      p.hcl ? compareStack(p.json, p.hcl).map((x) => `${s}: ${x}`) : [`${s}: cdk.tf did not parse`],
    );
    expect(problems).toEqual([]);
  });
});

describe("comparing an HCL synth with its JSON synth", () => {
  // A small stack in both forms, the HCL as cdktf writes it.
  const json: Doc = {
    "//": { metadata: { stackName: "t" } },
    terraform: {
      backend: { s3: { bucket: "b", key: "k", use_lockfile: true } },
      required_providers: { aws: { source: "aws", version: "6.25.0" } },
    },
    provider: { aws: [{ region: "us-east-1" }] },
    data: { aws_region: { current: { "//": { metadata: {} } } } },
    resource: {
      aws_vpc: { a: { cidr_block: "10.0.0.0/16" }, b: { cidr_block: "10.1.0.0/16" } },
      aws_instance: { i: { user_data: "#!/bin/bash\necho hi\n", tags: { Name: "${aws_vpc.a.id}-x" } } },
    },
    output: { vpc: { value: "${aws_vpc.a.id}" } },
  };
  const hclText = [
    'terraform {\n  required_providers {\n    aws = {\n      version = "6.25.0"\n      source  = "aws"\n    }\n  }\n',
    '  backend "s3" {\n    bucket       = "b"\n    key          = "k"\n    use_lockfile = true\n  }\n}\n',
    'provider "aws" {\n  region = "us-east-1"\n}\n',
    'data "aws_region" "current" {\n}\n',
    'resource "aws_vpc" "a" {\n  cidr_block = "10.0.0.0/16"\n}\n',
    'resource "aws_vpc" "b" {\n  cidr_block = "10.1.0.0/16"\n}\n',
    'resource "aws_instance" "i" {\n  user_data = <<EOF\n#!/bin/bash\necho hi\nEOF\n  tags = {\n    Name = "${aws_vpc.a.id}-x"\n  }\n}\n',
    'output "vpc" {\n  value = aws_vpc.a.id\n}\n',
  ].join("");

  test("finds no difference between two forms of the same stack", async () => {
    expect(compareStack(json, await parse("t.tf", hclText))).toEqual([]);
  });

  test("fails when the HCL lacks a resource address", async () => {
    // GIVEN the HCL without aws_vpc.b
    const hcl = await parse("t.tf", hclText.replace(/resource "aws_vpc" "b" \{\n[^}]*\}\n/, ""));
    // THEN both comparisons name the missing address
    expect(compareInventories(json, hcl)).toEqual(["resources aws_vpc.b: only in the JSON"]);
    expect(compareStack(json, hcl)).toContain("resources aws_vpc.b: only in the JSON");
  });

  test("fails when the HCL has another backend, output or data source", async () => {
    const hcl = await parse(
      "t.tf",
      hclText
        .replace('backend "s3"', 'backend "local"')
        .replace('output "vpc"', 'output "vpc_id"')
        .replace('"aws_region" "current"', '"aws_region" "here"'),
    );
    expect(compareInventories(json, hcl)).toEqual(
      expect.arrayContaining([
        "dataSources data.aws_region.current: only in the JSON",
        "outputs vpc: only in the JSON",
        "outputs vpc_id: only in the HCL",
        "backends s3: only in the JSON",
        "backends local: only in the HCL",
      ]),
    );
  });

  test("fails when a value differs: a heredoc that gained a trailing newline, an empty block list dropped", async () => {
    // GIVEN cdktf 0.21's heredoc for a value ending in a newline, and `egress = []` left out
    const withJsonEgress: Doc = {
      ...json,
      resource: { ...(json.resource as Doc), aws_default_security_group: { d: { egress: [] } } },
    };
    const hcl = await parse(
      "t.tf",
      hclText.replace("echo hi\nEOF", "echo hi\n\nEOF") + 'resource "aws_default_security_group" "d" {\n\n}\n',
    );
    // THEN both differences are reported with their paths
    const problems = compareStack(withJsonEgress, hcl);
    expect(problems).toEqual(
      expect.arrayContaining([
        'resource.aws_instance.i.user_data: JSON "#!/bin/bash\\necho hi\\n", HCL "#!/bin/bash\\necho hi\\n\\n"',
        "resource.aws_default_security_group.d.egress: only in the JSON ([])",
      ]),
    );
  });

  test("fails to parse a quote inside a string that also holds an interpolation (cdktf 0.21 leaves it unescaped)", async () => {
    // cdktf escapes quotes only in strings without "${": this is what it writes for `lines ("]E:") in ${x}`
    await expect(parse("t.tf", 'resource "a" "b" {\n  d = "lines ("]E:") in ${x.y}"\n}\n')).rejects.toThrow(/t\.tf:2/);
  });

  test("treats a depends_on reference as the same in both forms, and another reference as a difference", async () => {
    const withDeps: Doc = { resource: { aws_vpc: { a: { cidr_block: "10.0.0.0/16", depends_on: ["aws_vpc.b"] } } } };
    const same = await parse(
      "t.tf",
      'resource "aws_vpc" "a" {\n  cidr_block = "10.0.0.0/16"\n  depends_on = [aws_vpc.b]\n}\n',
    );
    const other = await parse(
      "t.tf",
      'resource "aws_vpc" "a" {\n  cidr_block = "10.0.0.0/16"\n  depends_on = [aws_vpc.c]\n}\n',
    );
    expect(compareValues(withDeps.resource, same.resource, "resource")).toEqual([]);
    expect(compareValues(withDeps.resource, other.resource, "resource")).toEqual([
      'resource.aws_vpc.a.depends_on[0]: JSON "aws_vpc.b", HCL "${aws_vpc.c}"',
    ]);
  });

  test("treats layout inside ${...} as insignificant, and text outside it as significant", () => {
    expect(normalizeTemplate('${jsonencode({ "a" = [1, 2] })}')).toBe(
      normalizeTemplate('${jsonencode({"a" = [1,2]})}'),
    );
    expect(normalizeTemplate('${f("a b")}')).not.toBe(normalizeTemplate('${f("ab")}'));
    expect(normalizeTemplate("a ${x} b")).not.toBe(normalizeTemplate("a ${x}b"));
  });
});

// The real command a user runs, as a subprocess in a copy of the project: what it writes, and that a bad value stops
// it with the field and the value and leaves cdktf.out as it was.
describe("npm run synth (scripts/synth.js)", () => {
  test("--hcl replaces cdktf.out with every stack's cdk.tf, byte for byte what the app synthesizes", async () => {
    const work = copyProject("synth-script-");
    fs.mkdirSync(path.join(work, "cdktf.out"));
    fs.writeFileSync(path.join(work, "cdktf.out", "marker"), "previous synth");
    const r = spawnSync(process.execPath, [path.join(work, "scripts", "synth.js"), "--transpile", "--hcl"], {
      cwd: work,
      encoding: "utf8",
      env: synthEnv(),
    });
    expect([r.status, r.stderr]).toEqual([0, ""]);
    expect(r.stdout).toMatch(
      /^synth: wrote cdktf\.out\/stacks\/account\/cdk\.tf, .*cdktf\.out\/stacks\/state-backend\/cdk\.tf$/m,
    );
    const expected = fs.mkdtempSync(path.join(os.tmpdir(), "synth-expected-"));
    await formatHclOutput(synthesize(synthEnv(), { outdir: path.join(expected, "cdktf.out"), hcl: true }));
    const stacks = fs.readdirSync(path.join(expected, "cdktf.out", "stacks")).sort();
    expect(fs.readdirSync(path.join(work, "cdktf.out", "stacks")).sort()).toEqual(stacks);
    expect(fs.existsSync(path.join(work, "cdktf.out", "marker"))).toBe(false);
    for (const stack of stacks) {
      const file = (root: string) => fs.readFileSync(path.join(root, "cdktf.out", "stacks", stack, "cdk.tf"), "utf8");
      expect([stack, file(work) === file(expected)]).toEqual([stack, true]);
    }
    fs.rmSync(work, { recursive: true, force: true });
    fs.rmSync(expected, { recursive: true, force: true });
  }, 120_000);

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
    const r = spawnSync(process.execPath, [path.join(work, "scripts", "synth.js"), "--transpile"], {
      cwd: work,
      encoding: "utf8",
      env: { ...process.env, DMS_MIGRATE_STAGING_CONFIG: JSON.stringify({ network: { vpcCidr: "10.20.0/16" } }) },
    });
    // THEN it exits non-zero with the field and value, and cdktf.out is untouched (no stacks written)
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(
      /network\.vpcCidr must be an IPv4 network in CIDR notation .*got "10\.20\.0\/16"/,
    );
    expect(fs.readdirSync(path.join(work, "cdktf.out"))).toEqual(["marker"]);
    expect(fs.readdirSync(work).filter((f) => f.startsWith(".cdktf.out."))).toEqual([]);
    fs.rmSync(work, { recursive: true, force: true });
  }, 120_000);
});
