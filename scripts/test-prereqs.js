#!/usr/bin/env node
/**
 * First step of `npm test`: makes sure the tools the tests run are on this machine.
 *   - MariaDB server (`mariadbd`, `mariadb-install-db`; Debian's mariadb-server) for the SQL tests (test/harness);
 *   - `shellcheck` for the shell-script tests;
 *   - strace, jq, gpg, ip (iproute2), unshare and runuser (util-linux) for the EC2 bootstrap rehearsal
 *     (test/bootstrap), which runs the user data in its own namespaces and records every command line;
 *   - `terraform` >= 1.10 on PATH (not packaged by Debian or npm).
 * Missing apt packages are installed when it can (root, or passwordless `sudo -n`, and apt-get present); whatever is
 * still missing afterwards ends the run with one message that says how to install each tool. When everything is
 * there it prints nothing and runs no apt command.
 *
 * DMS_MIGRATE_PREREQS_NO_INSTALL=1: never install, only check (and report what is missing).
 */
"use strict";
const { spawnSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");

const TERRAFORM_MIN = { major: 1, minor: 10 };
const TERRAFORM_HOW = "https://developer.hashicorp.com/terraform/install (CI: hashicorp/setup-terraform)";
/** Where Debian and local installs put the MariaDB server binaries (mariadbd is in /usr/sbin, often not on PATH). */
const MARIADB_DIRS = ["/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin"];
/** What the bootstrap rehearsal runs besides the server (looked up in the system folders, then on PATH). */
const REHEARSAL_TOOLS = [
  { name: "strace", apt: "strace" },
  { name: "jq", apt: "jq" },
  { name: "gpg", apt: "gpg" },
  { name: "ip", apt: "iproute2" },
  { name: "unshare", apt: "util-linux" },
  { name: "runuser", apt: "util-linux" },
];
const SYSTEM_DIRS = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];
const APT_TIMEOUT_MS = 20 * 60 * 1000;
const TAIL_LINES = 25;

/** An executable regular file at `file`. */
function isExecutable(file) {
  try {
    if (!fs.statSync(file).isFile()) return false;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs a command to completion and returns { status, signal, stdout, stderr, error }. Output goes to temporary files,
 * not pipes: a daemon the command leaves behind (apt starting the mariadb service) inherits them without keeping
 * this process waiting for the pipes to close. `combined` puts stdout and stderr in one stream (stdout).
 */
function runCommand(cmd, args, options = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "test-prereqs-"));
  const outFile = path.join(dir, "stdout");
  const errFile = options.combined ? outFile : path.join(dir, "stderr");
  const out = fs.openSync(outFile, "w");
  const err = options.combined ? out : fs.openSync(errFile, "w");
  try {
    const r = spawnSync(cmd, args, {
      stdio: ["ignore", out, err],
      env: options.env || process.env,
      timeout: options.timeout,
    });
    return {
      status: r.status,
      signal: r.signal,
      error: r.error,
      stdout: fs.readFileSync(outFile, "utf8"),
      stderr: options.combined ? "" : fs.readFileSync(errFile, "utf8"),
    };
  } finally {
    fs.closeSync(out);
    if (err !== out) fs.closeSync(err);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The first `name` in the PATH of `env` that `exists` accepts, else null. */
function onPath(name, env, exists) {
  for (const dir of String(env.PATH || "").split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, name);
    if (exists(file)) return file;
  }
  return null;
}

/** The first `name` in `dirs`, then on PATH; null when none. */
function findIn(name, dirs, env, exists) {
  for (const dir of dirs) {
    const file = path.join(dir, name);
    if (exists(file)) return file;
  }
  return onPath(name, env, exists);
}

/** "1.11.4" (or "v1.11.4", "1.10.0-beta1") -> { major, minor, text }; null when it is not a version. */
function parseVersion(text) {
  const m = /^v?(\d+)\.(\d+)(?:\.\d+)?\S*$/.exec(String(text).trim());
  return m ? { major: Number(m[1]), minor: Number(m[2]), text: String(text).trim().replace(/^v/, "") } : null;
}

function atLeast(v, min) {
  return v.major > min.major || (v.major === min.major && v.minor >= min.minor);
}

/** The version a `terraform version -json` run reports: its JSON `terraform_version`, or the text form as a fallback. */
function terraformVersionFrom(stdout) {
  try {
    const v = JSON.parse(stdout).terraform_version;
    if (typeof v === "string") return v;
  } catch {
    // not JSON: an old terraform without -json, or a warning printed before it
  }
  const m = /"terraform_version"\s*:\s*"([^"]+)"/.exec(stdout) || /Terraform v(\d+\.\d+\S*)/.exec(stdout);
  return m ? m[1] : null;
}

/** Checks every requirement; returns the list of problems (empty when all is there). */
function findMissing({ env, run, exists }) {
  const missing = [];

  const mariadb = ["mariadbd", "mariadb-install-db"].filter((n) => !findIn(n, MARIADB_DIRS, env, exists));
  if (mariadb.length > 0) {
    missing.push({ tool: "MariaDB server (mariadbd, mariadb-install-db)", apt: "mariadb-server", detail: "" });
  }

  if (!onPath("shellcheck", env, exists)) missing.push({ tool: "shellcheck", apt: "shellcheck", detail: "" });

  for (const t of REHEARSAL_TOOLS) {
    if (!findIn(t.name, SYSTEM_DIRS, env, exists)) missing.push({ tool: t.name, apt: t.apt, detail: "" });
  }

  const want = `terraform >= ${TERRAFORM_MIN.major}.${TERRAFORM_MIN.minor} on PATH`;
  const terraform = onPath("terraform", env, exists);
  if (!terraform) {
    missing.push({ tool: want, how: TERRAFORM_HOW, detail: "not found" });
  } else {
    const r = run(terraform, ["version", "-json"], { env: { ...env, CHECKPOINT_DISABLE: "1" }, timeout: 30000 });
    const text = r.error || r.status !== 0 ? null : terraformVersionFrom(r.stdout || "");
    const version = text && parseVersion(text);
    if (!version) {
      const why = r.error
        ? r.error.message
        : r.status !== 0
          ? `exited with ${r.status === null ? r.signal : r.status}`
          : "printed no version";
      missing.push({
        tool: want,
        how: TERRAFORM_HOW,
        detail: `${terraform} did not report its version: \`terraform version -json\` ${why}`,
      });
    } else if (!atLeast(version, TERRAFORM_MIN)) {
      missing.push({ tool: want, how: TERRAFORM_HOW, detail: `found ${version.text} at ${terraform}, too old` });
    }
  }
  return missing;
}

/** How apt-get can be run here: { prefix } (prefix [] as root, ["sudo", "-n"] with passwordless sudo) or { reason }. */
function aptAccess({ env, isRoot, run, exists }) {
  const flag = env.DMS_MIGRATE_PREREQS_NO_INSTALL;
  if (flag && flag !== "0") return { reason: "DMS_MIGRATE_PREREQS_NO_INSTALL is set, so nothing was installed" };
  const aptGet = onPath("apt-get", env, exists) || (exists("/usr/bin/apt-get") ? "/usr/bin/apt-get" : null);
  if (!aptGet) return { reason: "apt-get was not found", noApt: true };
  if (isRoot) return { aptGet, prefix: [] };
  const sudo = onPath("sudo", env, exists);
  if (sudo) {
    const r = run(sudo, ["-n", "true"], { env, timeout: 10000 });
    if (!r.error && r.status === 0) return { aptGet, prefix: [sudo, "-n"] };
  }
  return { reason: "not root and no passwordless sudo, so nothing was installed", canElevate: true };
}

function tail(text, lines) {
  const all = String(text || "")
    .trimEnd()
    .split("\n");
  return all.slice(-lines).join("\n");
}

function describe(m) {
  const how = m.apt ? `apt-get install ${m.apt}` : m.how;
  return `  - ${m.tool}${m.detail ? ` (${m.detail})` : ""}: ${how}`;
}

/**
 * Checks the test prerequisites and installs the missing apt packages when it can.
 * deps: { env, isRoot, run(cmd, args, { env, timeout, combined }) -> { status, signal, stdout, stderr, error },
 *         exists(file) -> boolean (an executable file), log(line) }
 * Returns { ok, message, missing, installed }: `message` (when not ok) is the one text to print before exiting 1.
 */
function checkPrereqs(deps = {}) {
  const env = deps.env || process.env;
  const isRoot =
    deps.isRoot !== undefined ? deps.isRoot : typeof process.getuid === "function" && process.getuid() === 0;
  const run = deps.run || runCommand;
  const exists = deps.exists || isExecutable;
  const log = deps.log || ((line) => console.error(line));
  const ctx = { env, isRoot, run, exists };

  let missing = findMissing(ctx);
  if (missing.length === 0) return { ok: true, message: "", missing, installed: [] };

  const packages = [...new Set(missing.filter((m) => m.apt).map((m) => m.apt))];
  const notApt = missing.filter((m) => !m.apt);
  const notes = [];
  let installed = [];

  if (packages.length > 0 && notApt.length > 0) {
    // npm test would fail on the others anyway: do not spend minutes on apt first.
    notes.push(
      `The apt packages were not installed (npm test cannot run without ${notApt
        .map((m) => m.tool.split(" ")[0])
        .join(", ")} either).`,
    );
  } else if (packages.length > 0) {
    const access = aptAccess(ctx);
    if (access.noApt) {
      notes.push(`${access.reason}: install the equivalent packages with this system's package manager.`);
    } else if (access.reason) {
      notes.push(`Install them with: sudo apt-get install ${packages.join(" ")} (${access.reason}).`);
      if (access.canElevate)
        notes.push("Or run npm test as root (or with passwordless sudo): it installs the apt packages itself.");
    } else {
      log(`test-prereqs: installing ${packages.join(" ")} with apt-get (needed by the SQL, shell and bootstrap tests)`);
      const aptEnv = { ...env, DEBIAN_FRONTEND: "noninteractive" };
      // Through sudo, the environment is reset: `env` sets DEBIAN_FRONTEND on the apt-get side of it.
      const command = (args) =>
        access.prefix.length > 0
          ? [
              access.prefix[0],
              [...access.prefix.slice(1), "env", "DEBIAN_FRONTEND=noninteractive", access.aptGet, ...args],
            ]
          : [access.aptGet, args];
      const steps = [
        ["update", "-qq"],
        ["install", "-y", "-qq", "--no-install-recommends", ...packages],
      ].map((args) => {
        const [cmd, argv] = command(args);
        return {
          line: `${[cmd, ...argv].join(" ")}`,
          result: run(cmd, argv, { env: aptEnv, timeout: APT_TIMEOUT_MS, combined: true }),
        };
      });
      // apt's exit status is not the verdict (in a container without systemd, invoke-rc.d may complain while the
      // package is fine, or an unrelated repository may fail `update`): the binaries being there now is.
      const before = missing;
      missing = findMissing(ctx);
      installed = [...new Set(before.filter((m) => m.apt && !missing.some((n) => n.apt === m.apt)).map((m) => m.apt))];
      if (missing.length === 0) return { ok: true, message: "", missing, installed };
      notes.push(`apt-get ran but did not provide them:`);
      for (const s of steps) {
        const r = s.result;
        const status = r.error
          ? r.error.message
          : r.status === null
            ? `killed by ${r.signal}`
            : `exit status ${r.status}`;
        const out = tail(r.stdout, TAIL_LINES);
        notes.push(`  $ ${s.line}  (${status})${out ? `\n${out.replace(/^/gm, "    ")}` : ""}`);
      }
    }
  }

  const header = "test-prereqs: npm test needs tools that are missing or too old:";
  const message = [header, ...missing.map(describe), ...notes].join("\n");
  return { ok: false, message, missing, installed };
}

function main() {
  const result = checkPrereqs();
  if (!result.ok) {
    console.error(result.message);
    process.exit(1);
  }
  if (result.installed.length > 0) console.error(`test-prereqs: installed ${result.installed.join(" ")}`);
}

module.exports = { checkPrereqs, runCommand, TERRAFORM_MIN };

if (require.main === module) main();
