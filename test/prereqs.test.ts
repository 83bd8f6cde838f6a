/**
 * scripts/test-prereqs.js, the first step of `npm test`: the real script run as a child process with a controlled
 * PATH (always with DMS_MIGRATE_PREREQS_NO_INSTALL=1, so these tests never run apt), and its core, checkPrereqs,
 * with injected lookups and an injected command runner for the install path.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

interface RunResult {
  status: number | null;
  signal?: string | null;
  stdout: string;
  stderr: string;
  error?: Error;
}
interface RunOptions {
  env: Record<string, string | undefined>;
  timeout?: number;
  combined?: boolean;
}
type Runner = (cmd: string, args: string[], options: RunOptions) => RunResult;
interface PrereqsModule {
  checkPrereqs(deps: {
    env: Record<string, string | undefined>;
    isRoot: boolean;
    run: Runner;
    exists: (file: string) => boolean;
    log: (line: string) => void;
  }): { ok: boolean; message: string; installed: string[] };
  runCommand(cmd: string, args: string[], options?: Partial<RunOptions>): RunResult;
}

const root = path.resolve(__dirname, "..");
const script = path.join(root, "scripts", "test-prereqs.js");
const { checkPrereqs, runCommand } = jest.requireActual<PrereqsModule>(script);

const INSTALL_URL = "https://developer.hashicorp.com/terraform/install";

// ---------------------------------------------------------------------------------------------------------------
// The real script, as `npm test` runs it
// ---------------------------------------------------------------------------------------------------------------

/** The real binary `name` on this machine (PATH, then the MariaDB folders); these tests run after the script. */
function realBinary(name: string): string {
  const dirs = [...(process.env.PATH ?? "").split(path.delimiter), "/usr/sbin", "/usr/bin"];
  const found = dirs
    .filter(Boolean)
    .map((d) => path.join(d, name))
    .find((f) => fs.existsSync(f));
  if (!found)
    throw new Error(
      `${name} is not installed here; npm test runs scripts/test-prereqs.js first, which installs or names it`,
    );
  return found;
}

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "prereqs-test-"));
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** A folder holding symlinks to the given real binaries and the given fake scripts: a PATH with only those. */
function binDir(name: string, links: string[], fakes: Record<string, string> = {}): string {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir);
  for (const l of links) fs.symlinkSync(realBinary(l), path.join(dir, l));
  for (const [file, text] of Object.entries(fakes)) fs.writeFileSync(path.join(dir, file), text, { mode: 0o755 });
  return dir;
}

/** A fake `terraform` whose `version -json` reports `version`. */
const fakeTerraform = (version: string) =>
  `#!/bin/sh\necho '{"terraform_version": "${version}", "platform": "linux_amd64", "provider_selections": {}}'\n`;

function runScript(env: Record<string, string | undefined>): { status: number | null; output: string } {
  const r = spawnSync(process.execPath, [script], {
    env: { HOME: process.env.HOME, DMS_MIGRATE_PREREQS_NO_INSTALL: "1", ...env },
    encoding: "utf8",
    timeout: 30000,
  });
  if (r.error) throw r.error;
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe("scripts/test-prereqs.js on this machine", () => {
  test("everything installed (mariadb-server, shellcheck, terraform >= 1.10): exits 0 and prints nothing", () => {
    const r = runScript({ ...process.env, DMS_MIGRATE_PREREQS_NO_INSTALL: "1" });
    expect(r.output).toBe("");
    expect(r.status).toBe(0);
  });

  test("terraform not on PATH: exits 1 naming terraform >= 1.10 and where to get it, and only that", () => {
    const r = runScript({ PATH: binDir("no-terraform", ["shellcheck"]) });
    expect(r.status).toBe(1);
    expect(r.output).toBe(
      "test-prereqs: npm test needs tools that are missing or too old:\n" +
        `  - terraform >= 1.10 on PATH (not found): ${INSTALL_URL} (CI: hashicorp/setup-terraform)\n`,
    );
  });

  test("terraform 1.9.0: exits 1 naming the version found and the one needed", () => {
    const dir = binDir("old-terraform", ["shellcheck"], { terraform: fakeTerraform("1.9.0") });
    const r = runScript({ PATH: dir });
    expect(r.status).toBe(1);
    expect(r.output).toContain(
      `  - terraform >= 1.10 on PATH (found 1.9.0 at ${path.join(dir, "terraform")}, too old): ${INSTALL_URL}`,
    );
    expect(r.output).not.toMatch(/shellcheck|MariaDB/);
  });

  test("terraform 1.10.0 is enough (versions compare as numbers, not as text)", () => {
    const r = runScript({ PATH: binDir("terraform-1.10", ["shellcheck"], { terraform: fakeTerraform("1.10.0") }) });
    expect(r.output).toBe("");
    expect(r.status).toBe(0);
  });

  test("shellcheck not on PATH, installing not allowed: exits 1 with the apt-get command", () => {
    const r = runScript({ PATH: binDir("no-shellcheck", ["terraform"]) });
    expect(r.status).toBe(1);
    expect(r.output).toBe(
      "test-prereqs: npm test needs tools that are missing or too old:\n" +
        "  - shellcheck: apt-get install shellcheck\n" +
        "Install them with: sudo apt-get install shellcheck (DMS_MIGRATE_PREREQS_NO_INSTALL is set, so nothing was installed).\n",
    );
  });

  test("shellcheck missing and terraform too old: one message lists both", () => {
    const r = runScript({ PATH: binDir("neither", [], { terraform: fakeTerraform("1.5.7") }) });
    expect(r.status).toBe(1);
    expect(r.output).toContain("  - shellcheck: apt-get install shellcheck\n");
    expect(r.output).toContain("(found 1.5.7 at ");
    expect(r.output.match(/test-prereqs:/g)).toHaveLength(1);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// checkPrereqs with a simulated machine
// ---------------------------------------------------------------------------------------------------------------

const ALL_BINARIES = [
  "/usr/sbin/mariadbd",
  "/usr/bin/mariadb-install-db",
  "/usr/bin/shellcheck",
  "/usr/local/bin/terraform",
  "/usr/bin/strace",
  "/usr/bin/jq",
  "/usr/bin/gpg",
  "/usr/sbin/ip",
  "/usr/bin/unshare",
  "/usr/sbin/runuser",
];
const APT_PROVIDES: Record<string, string[]> = {
  "mariadb-server": ["/usr/sbin/mariadbd", "/usr/bin/mariadb-install-db"],
  shellcheck: ["/usr/bin/shellcheck"],
  strace: ["/usr/bin/strace"],
  jq: ["/usr/bin/jq"],
  gpg: ["/usr/bin/gpg"],
  iproute2: ["/usr/sbin/ip"],
  "util-linux": ["/usr/bin/unshare", "/usr/sbin/runuser"],
};

interface Machine {
  /** Executable files present. */
  files: string[];
  isRoot?: boolean;
  /** `sudo -n true` exit status (when /usr/bin/sudo is among the files). */
  sudoStatus?: number;
  /** What `apt-get install` does: exit status, output, and whether the packages' files appear. */
  install?: { status: number; output?: string; provides: boolean };
  terraformVersion?: string;
  env?: Record<string, string>;
}

/** Runs checkPrereqs against a simulated machine; returns its result, every command it ran, and what it logged. */
function simulate(m: Machine) {
  const files = new Set(m.files);
  const calls: string[] = [];
  const aptEnv: (string | undefined)[] = [];
  const logged: string[] = [];
  const run: Runner = (cmd, args, options) => {
    calls.push([cmd, ...args].join(" "));
    if (cmd.endsWith("/terraform")) {
      return { status: 0, stdout: JSON.stringify({ terraform_version: m.terraformVersion ?? "1.11.4" }), stderr: "" };
    }
    if (cmd.endsWith("/sudo") && args.join(" ") === "-n true")
      return { status: m.sudoStatus ?? 1, stdout: "", stderr: "" };
    const apt = args.indexOf("/usr/bin/apt-get") >= 0 ? args.slice(args.indexOf("/usr/bin/apt-get") + 1) : args;
    aptEnv.push(options.env.DEBIAN_FRONTEND);
    if (apt[0] === "update") return { status: 0, stdout: "", stderr: "" };
    if (apt[0] === "install") {
      const install = m.install ?? { status: 0, provides: true };
      if (install.provides)
        for (const p of apt.filter((a) => !a.startsWith("-") && a !== "install"))
          for (const f of APT_PROVIDES[p]) files.add(f);
      return { status: install.status, stdout: install.output ?? "", stderr: "" };
    }
    throw new Error(`unexpected command: ${cmd} ${args.join(" ")}`);
  };
  const result = checkPrereqs({
    env: { PATH: "/usr/local/bin:/usr/bin:/bin", ...m.env },
    isRoot: m.isRoot ?? true,
    run,
    exists: (f) => files.has(f),
    log: (line) => logged.push(line),
  });
  return { ...result, calls, aptEnv, logged, files };
}

const TF = "/usr/local/bin/terraform version -json";
const UPDATE = "/usr/bin/apt-get update -qq";
const INSTALL = "/usr/bin/apt-get install -y -qq --no-install-recommends";
const without = (...gone: string[]) => [...ALL_BINARIES, "/usr/bin/apt-get"].filter((f) => !gone.includes(f));

describe("checkPrereqs", () => {
  test("everything present: no apt call, nothing logged, no message", () => {
    const r = simulate({ files: without() });
    expect(r).toMatchObject({ ok: true, message: "", installed: [] });
    expect(r.calls).toEqual([TF]);
    expect(r.logged).toEqual([]);
  });

  test("as root: apt-get update, then apt-get install of exactly the missing packages, noninteractive; then re-checks", () => {
    const r = simulate({ files: without("/usr/sbin/mariadbd", "/usr/bin/mariadb-install-db", "/usr/bin/shellcheck") });
    expect(r.calls).toEqual([TF, UPDATE, `${INSTALL} mariadb-server shellcheck`, TF]);
    expect(r.aptEnv).toEqual(["noninteractive", "noninteractive"]);
    expect(r.logged).toEqual([
      "test-prereqs: installing mariadb-server shellcheck with apt-get (needed by the SQL, shell and bootstrap tests)",
    ]);
    expect(r).toMatchObject({ ok: true, message: "", installed: ["mariadb-server", "shellcheck"] });
  });

  test("the bootstrap rehearsal's tools are installed like the others, one package for unshare and runuser", () => {
    const r = simulate({ files: without("/usr/bin/strace", "/usr/bin/unshare", "/usr/sbin/runuser", "/usr/sbin/ip") });
    expect(r.calls).toEqual([TF, UPDATE, `${INSTALL} strace iproute2 util-linux`, TF]);
    expect(r).toMatchObject({ ok: true, installed: ["strace", "iproute2", "util-linux"] });
  });

  test("only what is missing is installed (one of the two MariaDB binaries missing counts)", () => {
    const r = simulate({ files: without("/usr/bin/mariadb-install-db") });
    expect(r.calls).toEqual([TF, UPDATE, `${INSTALL} mariadb-server`, TF]);
    expect(r).toMatchObject({ ok: true, installed: ["mariadb-server"] });
  });

  test("apt exits 0 but the binaries are still not there: fails with the message and apt's output", () => {
    const r = simulate({
      files: without("/usr/sbin/mariadbd", "/usr/bin/mariadb-install-db"),
      install: {
        status: 0,
        output: "Setting up mariadb-server (1:10.11.6-0+deb12u1) ...\nsomething went wrong",
        provides: false,
      },
    });
    expect(r.calls).toEqual([TF, UPDATE, `${INSTALL} mariadb-server`, TF]);
    expect(r.ok).toBe(false);
    expect(r.message).toContain("  - MariaDB server (mariadbd, mariadb-install-db): apt-get install mariadb-server\n");
    expect(r.message).toContain("apt-get ran but did not provide them:");
    expect(r.message).toContain(
      `$ ${INSTALL} mariadb-server  (exit status 0)\n    Setting up mariadb-server (1:10.11.6-0+deb12u1) ...\n    something went wrong`,
    );
  });

  test("apt exits non-zero (invoke-rc.d in a container) but the binaries are there: success", () => {
    const r = simulate({
      files: without("/usr/sbin/mariadbd", "/usr/bin/mariadb-install-db"),
      install: { status: 100, output: "invoke-rc.d: policy-rc.d denied execution of start.", provides: true },
    });
    expect(r.calls).toEqual([TF, UPDATE, `${INSTALL} mariadb-server`, TF]);
    expect(r).toMatchObject({ ok: true, message: "", installed: ["mariadb-server"] });
  });

  test("not root, passwordless sudo: the same apt commands through `sudo -n env DEBIAN_FRONTEND=noninteractive`", () => {
    const r = simulate({ isRoot: false, sudoStatus: 0, files: [...without("/usr/bin/shellcheck"), "/usr/bin/sudo"] });
    const sudo = "/usr/bin/sudo -n env DEBIAN_FRONTEND=noninteractive";
    expect(r.calls).toEqual([TF, "/usr/bin/sudo -n true", `${sudo} ${UPDATE}`, `${sudo} ${INSTALL} shellcheck`, TF]);
    expect(r).toMatchObject({ ok: true, installed: ["shellcheck"] });
  });

  test("not root, sudo needs a password: no apt call; the message gives the commands and says root would install them", () => {
    const r = simulate({
      isRoot: false,
      sudoStatus: 1,
      files: [...without("/usr/sbin/mariadbd", "/usr/bin/mariadb-install-db", "/usr/bin/shellcheck"), "/usr/bin/sudo"],
    });
    expect(r.calls).toEqual([TF, "/usr/bin/sudo -n true"]);
    expect(r.ok).toBe(false);
    expect(r.message).toBe(
      "test-prereqs: npm test needs tools that are missing or too old:\n" +
        "  - MariaDB server (mariadbd, mariadb-install-db): apt-get install mariadb-server\n" +
        "  - shellcheck: apt-get install shellcheck\n" +
        "Install them with: sudo apt-get install mariadb-server shellcheck (not root and no passwordless sudo, so nothing was installed).\n" +
        "Or run npm test as root (or with passwordless sudo): it installs the apt packages itself.",
    );
  });

  test("not root and no sudo at all: no command run besides terraform's version", () => {
    const r = simulate({ isRoot: false, files: without("/usr/bin/shellcheck") });
    expect(r.calls).toEqual([TF]);
    expect(r.message).toContain(
      "Install them with: sudo apt-get install shellcheck (not root and no passwordless sudo",
    );
  });

  test("DMS_MIGRATE_PREREQS_NO_INSTALL=1: only checks, even as root", () => {
    const r = simulate({ files: without("/usr/bin/shellcheck"), env: { DMS_MIGRATE_PREREQS_NO_INSTALL: "1" } });
    expect(r.calls).toEqual([TF]);
    expect(r.message).toContain("(DMS_MIGRATE_PREREQS_NO_INSTALL is set, so nothing was installed)");
  });

  test("no apt-get: nothing installed; says to use the system's package manager", () => {
    const r = simulate({ files: without("/usr/bin/apt-get", "/usr/bin/shellcheck") });
    expect(r.calls).toEqual([TF]);
    expect(r.message).toContain(
      "  - shellcheck: apt-get install shellcheck\napt-get was not found: install the equivalent packages",
    );
  });

  test("terraform missing as well: no apt run (npm test would fail anyway); one message names everything", () => {
    const r = simulate({ files: without("/usr/local/bin/terraform", "/usr/sbin/mariadbd") });
    expect(r.calls).toEqual([]);
    expect(r.message).toBe(
      "test-prereqs: npm test needs tools that are missing or too old:\n" +
        "  - MariaDB server (mariadbd, mariadb-install-db): apt-get install mariadb-server\n" +
        `  - terraform >= 1.10 on PATH (not found): ${INSTALL_URL} (CI: hashicorp/setup-terraform)\n` +
        "The apt packages were not installed (npm test cannot run without terraform either).",
    );
  });

  test("MariaDB binaries found on PATH outside the usual folders count", () => {
    const r = simulate({
      files: [
        ...without("/usr/sbin/mariadbd", "/usr/bin/mariadb-install-db"),
        "/opt/mariadb/bin/mariadbd",
        "/opt/mariadb/bin/mariadb-install-db",
      ],
      env: { PATH: "/opt/mariadb/bin:/usr/local/bin:/usr/bin" },
    });
    expect(r.calls).toEqual([TF]);
    expect(r.ok).toBe(true);
  });

  test.each([
    ["1.9.9", false],
    ["1.10.0", true],
    ["1.10.0-beta1", true],
    ["1.11.4", true],
    ["2.0.0", true],
    ["0.15.5", false],
  ])("terraform %s is enough: %s", (version, enough) => {
    const r = simulate({ files: without(), terraformVersion: version });
    expect(r.ok).toBe(enough);
    expect(r.message).toEqual(
      enough ? "" : expect.stringContaining(`(found ${version} at /usr/local/bin/terraform, too old)`),
    );
  });
});

describe("runCommand", () => {
  test("a command that leaves a background process behind (apt starting a service) does not keep it waiting", () => {
    const started = Date.now();
    const r = runCommand("/bin/sh", ["-c", "sleep 30 & echo $!; echo done >&2"], { combined: true });
    const [pid, done] = r.stdout.trim().split("\n");
    try {
      expect(Date.now() - started).toBeLessThan(10000);
      expect(r.status).toBe(0);
      expect(done).toBe("done");
    } finally {
      process.kill(Number(pid));
    }
  });
});
