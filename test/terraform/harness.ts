/**
 * Terraform itself as a test tool: every synthesized stack, JSON and HCL, goes through `terraform init
 * -backend=false`, `terraform validate` (0 errors, 0 warnings), `terraform fmt -check` (HCL) and `terraform test`
 * with `mock_provider "aws"` running plan and apply (test/terraform/stack.tftest.hcl).
 *
 * Which Terraform: the one on PATH (cdktf users always have it; no Terraform is a failure, never a skip).
 * Which providers: a filesystem mirror when there is one (DMS_MIGRATE_TF_MIRROR, else /opt/tf-plugins, the
 * offline mirror of these machines; DMS_MIGRATE_TF_MIRROR=none uses the registry), else the Terraform registry
 * (CI), with downloads cached across runs. Only mirror and registry: the CLI configuration is the harness's own, so
 * a developer's ~/.terraformrc cannot change what is checked.
 *
 * When the mirror's AWS provider is older than the pinned one (here 5.100.0 vs 6.25.0) or lacks a provider the
 * stacks use, the SUBSTITUTIONS in substitutions.ts make the copy under test fit it. Nothing else is changed.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Available, compareVersions, Doc, SUBSTITUTIONS, Substitution } from "./substitutions";

export const DEFAULT_MIRROR = "/opt/tf-plugins";
const REGISTRY = "registry.terraform.io";

export interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A command's outcome as one readable block (for failure messages). */
export function describe(cmd: string, r: RunResult): string {
  return `${cmd} exited ${r.status}\n${r.stdout}\n${r.stderr}`.trim();
}

/** The terraform binary on PATH; a clear error (what to install) when there is none. */
export function findTerraform(env: NodeJS.ProcessEnv = process.env): string {
  for (const dir of (env.PATH ?? "").split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, "terraform");
    try {
      fs.accessSync(p, fs.constants.X_OK);
      if (fs.statSync(p).isFile()) return p;
    } catch {
      // not here
    }
  }
  throw new Error(
    "terraform not found on PATH: the Terraform checks need Terraform >= 1.10 " +
      "(https://developer.hashicorp.com/terraform/install; CI: hashicorp/setup-terraform). They are never skipped.",
  );
}

/** Provider versions a filesystem mirror holds, by "namespace/type" (packed or unpacked layout). */
export function mirrorVersions(mirror: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const base = path.join(mirror, REGISTRY);
  if (!fs.existsSync(base)) return found;
  for (const ns of fs.readdirSync(base)) {
    for (const type of fs.readdirSync(path.join(base, ns))) {
      const dir = path.join(base, ns, type);
      const versions = new Set<string>();
      for (const entry of fs.readdirSync(dir)) {
        const packed = new RegExp(`^terraform-provider-${type}_(\\d+\\.\\d+\\.\\d+)_`).exec(entry);
        if (packed) versions.add(packed[1]);
        else if (/^\d+\.\d+\.\d+$/.test(entry)) versions.add(entry);
      }
      found.set(`${ns}/${type}`, [...versions].sort(compareVersions));
    }
  }
  return found;
}

/** The provider source: a filesystem mirror (offline) or the registry. */
export interface ProviderSource {
  readonly mirror?: string;
  /** Versions available per provider ("hashicorp/aws"); undefined = the registry has every version. */
  readonly versions?: Map<string, string[]>;
}

export function providerSource(env: NodeJS.ProcessEnv = process.env): ProviderSource {
  const configured = env.DMS_MIGRATE_TF_MIRROR;
  if (configured === "none") return {};
  const mirror = configured || (fs.existsSync(DEFAULT_MIRROR) ? DEFAULT_MIRROR : undefined);
  if (!mirror) return {};
  if (!fs.existsSync(mirror)) throw new Error(`DMS_MIGRATE_TF_MIRROR: no folder at ${mirror}`);
  return { mirror, versions: mirrorVersions(mirror) };
}

/** The providers a configuration requires, "namespace/type" -> pinned version, from its cdk.tf.json. */
export function requiredProviders(doc: Doc): Map<string, string> {
  const req = ((doc.terraform as Doc | undefined)?.required_providers ?? {}) as Record<
    string,
    { source?: string; version?: string }
  >;
  const out = new Map<string, string>();
  for (const [name, spec] of Object.entries(req)) {
    const source = spec.source ?? `hashicorp/${name}`;
    out.set(source.includes("/") ? source : `hashicorp/${source}`, spec.version ?? "");
  }
  return out;
}

/**
 * What the source offers for the providers a stack pins: the pinned version when it has it, else its newest
 * (older) one, else nothing. The registry offers every pinned version.
 */
export function available(source: ProviderSource, pinned: Map<string, string>): Available {
  const out: Available = {};
  for (const [provider, version] of pinned) {
    if (!source.versions) out[provider] = version;
    else {
      const have = source.versions.get(provider) ?? [];
      out[provider] = have.includes(version) ? version : have[have.length - 1];
    }
  }
  return out;
}

/** The substitutions a stack needs with these providers (see substitutions.ts). */
export function substitutionsFor(avail: Available): Substitution[] {
  return SUBSTITUTIONS.filter((s) => s.applies(avail));
}

/** The harness's own Terraform CLI configuration, in `dir`. */
export function writeCliConfig(dir: string, source: ProviderSource): string {
  const file = path.join(dir, "terraformrc");
  const text = source.mirror
    ? `provider_installation {\n  filesystem_mirror {\n    path = ${JSON.stringify(source.mirror)}\n  }\n}\n`
    : `provider_installation {\n  direct {}\n}\n`;
  fs.writeFileSync(file, text);
  return file;
}

/** Where registry downloads are cached across runs (only used without a mirror). */
function pluginCache(): string {
  const dir = path.join(os.homedir(), ".cache", "dms-migrate", "terraform-plugins");
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

export interface Terraform {
  readonly bin: string;
  readonly source: ProviderSource;
  readonly home: string;
  /** Runs terraform in `cwd` with the harness's CLI configuration (and the shared AWS provider, once started). */
  run(cwd: string, args: string[], options?: { reattach?: boolean }): Promise<RunResult>;
  /**
   * Starts one AWS provider process that every later `run` attaches to (TF_REATTACH_PROVIDERS), instead of each
   * terraform command starting its own: the AWS provider is a ~700 MB binary that `terraform test` alone starts 9
   * times per stack. Same binary, same schema and validation; only the process is shared.
   */
  shareAwsProvider(version: string): Promise<void>;
  /** Stops the shared provider and removes the harness's temp folder. */
  dispose(): void;
}

function collect(child: ReturnType<typeof spawn>): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

/** The provider binary `terraform init` installed in a working directory. */
function installedBinary(dir: string, provider: string): string | undefined {
  const base = path.join(dir, ".terraform", "providers", REGISTRY, provider);
  if (!fs.existsSync(base)) return undefined;
  for (const version of fs.readdirSync(base)) {
    for (const platform of fs.readdirSync(path.join(base, version))) {
      const folder = path.join(base, version, platform);
      const bin = fs.readdirSync(folder).find((f) => f.startsWith(`terraform-provider-${provider.split("/")[1]}`));
      if (bin) return fs.realpathSync(path.join(folder, bin));
    }
  }
  return undefined;
}

export function terraform(env: NodeJS.ProcessEnv = process.env): Terraform {
  const bin = findTerraform(env);
  const source = providerSource(env);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "tf-harness-"));
  const cliConfig = writeCliConfig(home, source);
  // Only what Terraform needs: no AWS credentials or profiles reach it (the provider is mocked; nothing may call AWS).
  const tfEnv: NodeJS.ProcessEnv = {
    PATH: env.PATH,
    HOME: env.HOME,
    TMPDIR: env.TMPDIR,
    TF_CLI_CONFIG_FILE: cliConfig,
    TF_IN_AUTOMATION: "1",
    TF_INPUT: "0",
    CHECKPOINT_DISABLE: "1",
    ...(source.mirror ? {} : { TF_PLUGIN_CACHE_DIR: pluginCache() }),
  };
  let shared: { reattach: string; child: ReturnType<typeof spawn> } | undefined;
  const run = (cwd: string, args: string[], options: { reattach?: boolean } = {}) => {
    const reattach = options.reattach !== false && shared ? { TF_REATTACH_PROVIDERS: shared.reattach } : {};
    return collect(
      spawn(bin, [...args, "-no-color"], { cwd, env: { ...tfEnv, ...reattach }, stdio: ["ignore", "pipe", "pipe"] }),
    );
  };
  return {
    bin,
    source,
    home,
    run,
    async shareAwsProvider(version) {
      if (shared) return;
      const dir = path.join(home, "provider");
      fs.mkdirSync(dir);
      fs.writeFileSync(
        path.join(dir, "main.tf"),
        `terraform {\n  required_providers {\n    aws = {\n      source  = "hashicorp/aws"\n      version = "${version}"\n    }\n  }\n}\n`,
      );
      const init = await run(dir, ["init", "-backend=false", "-input=false"], { reattach: false });
      const binary = installedBinary(dir, "hashicorp/aws");
      if (init.status !== 0 || !binary)
        throw new Error(`installing hashicorp/aws ${version} failed:\n${describe("terraform init", init)}`);
      const child = spawn(binary, ["-debug"], {
        env: { PATH: env.PATH, HOME: env.HOME, TMPDIR: env.TMPDIR },
        stdio: ["ignore", "pipe", "pipe"],
      });
      const reattach = await new Promise<string>((resolve, reject) => {
        let out = "";
        const timer = setTimeout(
          () => reject(new Error(`${binary} -debug printed no TF_REATTACH_PROVIDERS in 60 s:\n${out}`)),
          60_000,
        );
        child.stdout.on("data", (d: Buffer) => {
          out += d.toString();
          const m = /TF_REATTACH_PROVIDERS='([^']+)'/.exec(out);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]);
          }
        });
        child.stderr.on("data", () => undefined); // drained: the provider logs there
        child.on("exit", (code) => {
          clearTimeout(timer);
          reject(new Error(`${binary} -debug exited ${code} before it was ready:\n${out}`));
        });
      });
      child.stdout.on("data", () => undefined);
      shared = { reattach, child };
    },
    dispose: () => {
      shared?.child.kill();
      shared = undefined;
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}

/** A diagnostic from `terraform validate -json`. */
export interface Diagnostic {
  severity: "error" | "warning";
  summary: string;
  detail?: string;
  range?: { filename: string; start: { line: number } };
}

export function formatDiagnostics(ds: Diagnostic[]): string[] {
  return ds.map(
    (d) =>
      `${d.severity}: ${d.summary}${d.range ? ` (${d.range.filename}:${d.range.start.line})` : ""}: ${(d.detail ?? "").replace(/\s+/g, " ").slice(0, 300)}`,
  );
}

/** One synthesized configuration to check: a stack folder holding cdk.tf.json or cdk.tf. */
export interface CheckConfig {
  /** Unique name, also the folder and test file name: letters, digits, hyphens. */
  readonly id: string;
  readonly stackDir: string;
  /** Run `terraform test` (mock plan + apply) on it. @default true */
  readonly test?: boolean;
}

export interface ConfigReport {
  readonly id: string;
  readonly hcl: boolean;
  /** Substitutions applied (substitutions.ts ids). */
  readonly applied: string[];
  readonly providers: Available;
  /** `terraform validate -json` counts. */
  readonly validate?: { errors: number; warnings: number };
  /** How it was validated: as a module of one root with others (see checkConfigs), or as its own root. */
  readonly validateMode?: "together" | "alone";
  /** `terraform test` run name -> status. */
  readonly runs: Record<string, string>;
  /** Everything that failed, one entry each; [] when the configuration passed every check. */
  readonly problems: string[];
}

/** "namespace/type" -> version, from a configuration's required_providers (JSON or HCL text). */
export function pinnedProviders(text: string, hcl: boolean): Map<string, string> {
  if (!hcl) return requiredProviders(JSON.parse(text) as Doc);
  const out = new Map<string, string>();
  const start = text.search(/required_providers\s*\{/);
  let block = "";
  if (start >= 0) {
    let depth = 0;
    for (let i = text.indexOf("{", start); i < text.length; i++) {
      if (text[i] === "{") depth++;
      else if (text[i] === "}" && --depth === 0) {
        block = text.slice(text.indexOf("{", start) + 1, i);
        break;
      }
    }
  }
  for (const m of block.matchAll(/(\w+)\s*=\s*\{([^}]*)\}/g)) {
    const source = /source\s*=\s*"([^"]+)"/.exec(m[2])?.[1] ?? m[1];
    const version = /version\s*=\s*"([^"]+)"/.exec(m[2])?.[1] ?? "";
    out.set(source.includes("/") ? source : `hashicorp/${source}`, version);
  }
  return out;
}

/** An `import` block with `for_each` over a lookup: adopts `to` when the lookup (`data.x.y`) finds it. */
export interface ImportTarget {
  readonly to: string;
  readonly lookup: string;
}

/** The import blocks of a configuration (JSON or HCL text). */
export function importTargets(text: string, hcl: boolean): ImportTarget[] {
  const lookupOf = (forEach: string) => /(data\.[\w-]+\.[\w-]+)\.names/.exec(forEach)?.[1] ?? "";
  if (!hcl) {
    const blocks = ((JSON.parse(text) as Doc).import ?? []) as { to: string; for_each?: string }[];
    return blocks.map((b) => ({ to: b.to, lookup: lookupOf(b.for_each ?? "") }));
  }
  return [...text.matchAll(/^import \{\n([\s\S]*?)\n\}/gm)].map((m) => ({
    to: /^\s*to\s*=\s*(\S+)/m.exec(m[1])?.[1] ?? "",
    lookup: lookupOf(/^\s*for_each\s*=\s*(.+)$/m.exec(m[1])?.[1] ?? ""),
  }));
}

/** Runs every configuration must pass; a configuration with import blocks also runs "create" (nothing to adopt). */
export function expectedRuns(imports: readonly ImportTarget[]): string[] {
  return imports.length ? ["apply", "create"] : ["apply"];
}

/**
 * The test file of one configuration: the committed mocks and runs, pointed at the configuration's folder. Import
 * blocks: the mocked lookups find the resource, so "apply" adopts it (a mock provider cannot import: the adopted
 * resource is overridden); an extra "create" run has the lookups find nothing, so the resource is created.
 */
export function tftestFor(
  id: string | undefined,
  providers: Iterable<string>,
  imports: readonly ImportTarget[] = [],
): string {
  const base = fs.readFileSync(path.join(__dirname, "stack.tftest.hcl"), "utf8");
  const module = id === undefined ? "" : `  module {\n    source = "./${id}"\n  }\n`;
  const adopted = imports.map((i) => `  override_resource {\n    target = ${i.to}\n  }\n`).join("");
  let runs = base.replace(/(\n\s*command = (plan|apply)\n)/g, `$1${module}${adopted}`);
  if (imports.length) {
    const none = imports
      .map((i) => `  override_data {\n    target = ${i.lookup}\n    values = { names = [], arns = [] }\n  }\n`)
      .join("");
    runs += `\nrun "create" {\n  command = apply\n${module}${none}}\n`;
  }
  const mocks = [...providers]
    .filter((p) => p !== "hashicorp/aws")
    .map((p) => `\nmock_provider "${p.split("/")[1]}" {}\n`)
    .join("");
  return runs + mocks;
}

/** Whether `address` (type.name) has lifecycle.prevent_destroy = true in the configuration text. */
function preventsDestroy(text: string, hcl: boolean, address: string): boolean {
  const [type, name] = address.split(".");
  if (!hcl) {
    const r = ((JSON.parse(text) as Doc).resource as Record<string, Record<string, Doc>>)?.[type]?.[name];
    return (r?.lifecycle as Doc | undefined)?.prevent_destroy === true;
  }
  const start = text.indexOf(`resource "${type}" "${name}" {`);
  if (start < 0) return false;
  const end = text.indexOf("\nresource ", start + 1);
  return /prevent_destroy\s*=\s*true/.test(text.slice(start, end < 0 ? undefined : end));
}

async function pool<T, R>(items: T[], size: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
  return results;
}

/** `terraform validate -json` output. */
export interface ValidateOutput {
  error_count: number;
  warning_count: number;
  diagnostics: Diagnostic[];
}

/** `terraform validate -json` output into counts and problems; undefined when it is not that output. */
function parseValidate(r: RunResult): ValidateOutput | undefined {
  try {
    const v = JSON.parse(r.stdout) as ValidateOutput;
    return typeof v.error_count === "number" ? v : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What one `terraform validate` of `pending` as modules of one root (`module "<id>" { source = "../<id>" }`)
 * settles: every configuration when the run is clean (each with its diagnostics), else only those with errors of
 * their own; `rest` is to be validated together again. Undefined (validate each alone) when there is no output, a
 * diagnostic names no configuration, or errors are counted that none has.
 */
export function splitTogether<T extends { id: string }>(
  pending: readonly T[],
  v: ValidateOutput | undefined,
): { taken: Map<T, Diagnostic[]>; rest: T[] } | undefined {
  if (!v) return undefined;
  const byId = new Map(pending.map((p) => [p.id, p]));
  const found = new Map<T, Diagnostic[]>(pending.map((p) => [p, []]));
  for (const d of v.diagnostics) {
    // Used as a module, a stack's backend block is ignored, as Terraform says: expected here, not a finding.
    if (d.severity === "warning" && d.summary === "Backend configuration ignored") continue;
    const owner = byId.get(/^\.\.\/([^/]+)\//.exec(d.range?.filename ?? "")?.[1] ?? "");
    if (!owner) return undefined;
    found.get(owner)!.push(d);
  }
  if (v.error_count === 0) return { taken: found, rest: [] };
  const failed = pending.filter((p) => found.get(p)!.some((d) => d.severity === "error"));
  if (failed.length === 0) return undefined;
  return {
    taken: new Map(failed.map((p) => [p, found.get(p)!])),
    rest: pending.filter((p) => !failed.includes(p)),
  };
}

interface TestEvent {
  type: string;
  "@testfile"?: string;
  "@testrun"?: string;
  "@message"?: string;
  test_run?: { run: string; progress: string; status?: string };
  test_file?: { path: string; progress: string; status?: string };
  diagnostic?: Diagnostic;
}

/**
 * Checks configurations side by side in `root`: each gets its own folder (copied, substituted); `terraform validate
 * -json` (after `init -backend=false`) on them as modules of one root (those with errors of their own taken from a
 * run, the rest again until a run is clean), else on each as its own root; `terraform fmt -check` on its synthesized
 * HCL; and a test file whose apply run (a plan, then its apply) uses it as its module; one `terraform test` runs
 * every file (one schema load instead of one per stack).
 */
export async function checkConfigs(tf: Terraform, root: string, configs: CheckConfig[]): Promise<ConfigReport[]> {
  fs.mkdirSync(root, { recursive: true });
  const prepared = configs.map((c) => {
    if (!/^[A-Za-z][\w-]*$/.test(c.id)) throw new Error(`config id ${JSON.stringify(c.id)}: letters, digits, hyphens`);
    const hcl = !fs.existsSync(path.join(c.stackDir, "cdk.tf.json"));
    const file = path.join(c.stackDir, hcl ? "cdk.tf" : "cdk.tf.json");
    const original = fs.readFileSync(file, "utf8");
    const pinned = pinnedProviders(original, hcl);
    const providers = available(tf.source, pinned);
    const applied = substitutionsFor(providers);
    let text = original;
    if (hcl) for (const s of applied) text = s.hcl(text, providers);
    else {
      let doc = JSON.parse(original) as Doc;
      for (const s of applied) doc = s.json(doc, providers);
      text = JSON.stringify(doc, null, 2);
    }
    const dir = path.join(root, c.id);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, hcl ? "cdk.tf" : "cdk.tf.json"), text);
    const remaining = [...pinned.keys()].filter((p) => !applied.some((s) => s.removesProvider === p));
    const imports = importTargets(text, hcl);
    // Import blocks are allowed only in a root module: such a configuration runs its own terraform test.
    if (c.test !== false && imports.length)
      fs.writeFileSync(path.join(dir, "stack.tftest.hcl"), tftestFor(undefined, remaining, imports));
    else if (c.test !== false)
      fs.writeFileSync(path.join(root, `${c.id}.tftest.hcl`), tftestFor(c.id, remaining, imports));
    return {
      ...c,
      imports,
      hcl,
      file,
      text,
      dir,
      providers,
      applied,
      problems: [] as string[],
      runs: {} as Record<string, string>,
      validate: undefined as ConfigReport["validate"],
      validateMode: undefined as ConfigReport["validateMode"],
    };
  });

  type Prepared = (typeof prepared)[number];

  // Together: the configurations without import blocks as modules of one root, validated by one terraform process
  // (one schema load instead of one per configuration; ~1.6 s of CPU in terraform and ~0.5 s in the provider each).
  // An error in one module can keep Terraform from reaching the others (an error while loading the configuration
  // stops it before any module is checked against the schemas), so from a run with errors only the configurations
  // with errors of their own are taken; the others are validated together again, without them, until a run is
  // clean. A diagnostic Terraform does not attribute to one configuration sends all that are left to be validated
  // alone, each as its own root. Some checks apply to a root module only ("Output refers to sensitive values",
  // "Ephemeral output not allowed"): a configuration is validated together only when `terraform test` also plans
  // it, where a run's module is checked as a root (a negative control in stacks.test.ts proves it); the others are
  // always validated alone.
  let pending = prepared.filter((p) => p.imports.length === 0 && p.test !== false);
  const alone = prepared.filter((p) => p.imports.length > 0 || p.test === false);
  for (let pass = 1; pending.length > 1; pass++) {
    const dir = path.join(root, `_validate${pass}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      path.join(dir, "main.tf"),
      pending.map((p) => `module "${p.id}" {\n  source = "../${p.id}"\n}\n`).join("\n"),
    );
    const init = await tf.run(dir, ["init", "-backend=false", "-input=false"]);
    const split = splitTogether(
      pending,
      init.status === 0 ? parseValidate(await tf.run(dir, ["validate", "-json"])) : undefined,
    );
    if (!split) break;
    for (const [p, ds] of split.taken) {
      p.validateMode = "together";
      p.validate = {
        errors: ds.filter((d) => d.severity === "error").length,
        warnings: ds.filter((d) => d.severity === "warning").length,
      };
      p.problems.push(
        ...formatDiagnostics(
          ds.map((d) => ({
            ...d,
            range: d.range && { ...d.range, filename: d.range.filename.replace(/^\.\.\/[^/]+\//, "") },
          })),
        ).map((d) => `terraform validate: ${d}`),
      );
    }
    pending = split.rest;
  }
  alone.push(...pending);

  await pool(alone, 2, async (p) => {
    const init = await tf.run(p.dir, ["init", "-backend=false", "-input=false"]);
    if (init.status !== 0) {
      p.problems.push(describe("terraform init -backend=false", init));
      return;
    }
    p.validateMode = "alone";
    const validate = await tf.run(p.dir, ["validate", "-json"]);
    const v = parseValidate(validate);
    if (v) {
      p.validate = { errors: v.error_count, warnings: v.warning_count };
      p.problems.push(...formatDiagnostics(v.diagnostics).map((d) => `terraform validate: ${d}`));
    } else p.problems.push(describe("terraform validate -json", validate));
  });
  await pool(
    prepared.filter((p) => p.hcl),
    2,
    async (p) => {
      const fmt = await tf.run(p.dir, ["fmt", "-check", "-diff", p.file]);
      if (fmt.status !== 0) p.problems.push(describe(`terraform fmt -check ${p.file}`, fmt));
    },
  );

  /** Reads `terraform test -json` events into the configurations' runs and problems. */
  const collect = (test: RunResult, byId: (file: string | undefined) => Prepared | undefined, owners: Prepared[]) => {
    const seen = new Set<string>();
    const events = test.stdout
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as TestEvent);
    for (const e of events) {
      const p = byId(e["@testfile"]);
      if (e.type === "test_run" && p && e.test_run?.progress === "complete")
        p.runs[e.test_run.run] = e.test_run.status ?? "?";
      if (e.type === "test_file" && p && e.test_file?.progress === "complete") seen.add(p.id);
      if (e.type !== "diagnostic" || !e.diagnostic) continue;
      const d = e.diagnostic;
      // A stack used as a run's module is loaded as a child of the test root too: its backend block is
      // "ignored" there, as Terraform says it always is in tests. The stack's own validate (as root) is the check.
      if (d.severity === "warning" && d.summary === "Backend configuration ignored") continue;
      // Teardown cannot destroy what lifecycle.prevent_destroy protects (the state bucket, the account roles, the
      // RDS target): that is the setting working, not a defect, when the named resource has it.
      const protectedAddress = /^Resource (\S+) has lifecycle\.prevent_destroy set/.exec(d.detail ?? "")?.[1];
      if (
        p &&
        d.summary === "Instance cannot be destroyed" &&
        protectedAddress &&
        preventsDestroy(p.text, p.hcl, protectedAddress)
      )
        continue;
      const line = `terraform test${e["@testrun"] ? ` (run ${e["@testrun"]})` : ""}: ${formatDiagnostics([d])[0]}`;
      if (p) p.problems.push(line);
      else {
        const owner = owners.find((q) => d.range?.filename.startsWith(`${q.id}/`));
        for (const q of owner ? [owner] : owners) q.problems.push(line);
      }
    }
    for (const p of owners) {
      if (!seen.has(p.id)) p.problems.push(`terraform test: ${p.id} did not complete\n${test.stderr.slice(0, 2000)}`);
      for (const run of expectedRuns(p.imports)) {
        if (p.runs[run] !== "pass") p.problems.push(`terraform test: run "${run}" ${p.runs[run] ?? "did not run"}`);
      }
    }
  };

  // Configurations with import blocks: each its own terraform test, in its own (initialized) folder.
  const ownRoot = prepared.filter((p) => p.test !== false && p.imports.length > 0 && p.problems.length === 0);
  await pool(ownRoot, 2, async (p) => collect(await tf.run(p.dir, ["test", "-json"]), () => p, [p]));

  fs.writeFileSync(
    path.join(root, "main.tf"),
    "# Root of the stack checks: each *.tftest.hcl runs one synthesized stack as its module.\n",
  );
  const byId = new Map(prepared.map((p) => [p.id, p]));
  const tested = prepared.filter((p) => p.test !== false && p.imports.length === 0);
  // A configuration Terraform cannot load at all fails this init (as it fails the together validate's, which sends
  // every configuration to be validated alone): each tested configuration then reports the init output, naming it.
  const init = tested.length ? await tf.run(root, ["init", "-backend=false", "-input=false"]) : undefined;
  if (!init) {
    // nothing to test
  } else if (init.status !== 0) {
    for (const p of tested) p.problems.push(describe("terraform init (test root)", init));
  } else {
    const test = await tf.run(root, ["test", "-json"]);
    collect(test, (file) => byId.get(file?.replace(/\.tftest\.hcl$/, "") ?? ""), tested);
  }
  return prepared.map((p) => ({
    id: p.id,
    hcl: p.hcl,
    applied: p.applied.map((s) => s.id),
    providers: p.providers,
    validate: p.validate,
    validateMode: p.validateMode,
    runs: p.runs,
    problems: p.problems,
  }));
}
