#!/usr/bin/env node
/**
 * The static checks of `npm test`, side by side: the type check (`tsc -b tsconfig.json --noEmit`), ESLint and
 * Prettier each take one core for seconds on a fresh clone (about 10, 8 and 8 s here), and none needs another's
 * result. Each one's output is printed whole, in this order, once all have ended; the exit status is the first
 * failing check's (0 when all pass), after every check has run and said what it found.
 * The caches (tsc's build info, ESLint's and Prettier's) are those of `npm run typecheck`, `lint` and `format:check`.
 * tsc's build mode trusts its build info for the files tsconfig.json includes; the types of the dependencies are not
 * among them, so the build info is dropped first when npm installed anything after it was written.
 */
"use strict";
const { spawn } = require("child_process");
const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..");
const bin = (p) => path.join(root, "node_modules", p);

/** name -> argv run with this node: the same commands as the package's typecheck, lint and format:check scripts. */
const CHECKS = [
  { name: "tsc -b --noEmit", args: [bin("typescript/bin/tsc"), "-b", "tsconfig.json", "--noEmit"] },
  {
    name: "eslint",
    args: [bin("eslint/bin/eslint.js"), "--cache", "--cache-location", "node_modules/.cache/dms-migrate/eslint/", "."],
  },
  {
    name: "prettier --check",
    args: [bin("prettier/bin/prettier.cjs"), "--check", "--cache", "--log-level", "warn", "**/*.{ts,js,mjs}"],
  },
];

/**
 * tsc's build info (tsconfig.json's tsBuildInfoFile) when npm changed node_modules after it was written (npm writes
 * node_modules/.package-lock.json on every install): the file to delete, else undefined.
 */
function staleBuildInfo(dir = root) {
  const tsconfig = JSON.parse(fs.readFileSync(path.join(dir, "tsconfig.json"), "utf8"));
  const file = tsconfig.compilerOptions?.tsBuildInfoFile;
  if (!file) return undefined;
  const info = path.join(dir, file);
  try {
    return fs.statSync(path.join(dir, "node_modules", ".package-lock.json")).mtimeMs > fs.statSync(info).mtimeMs
      ? info
      : undefined;
  } catch {
    return undefined; // no build info yet (tsc makes it), or no npm lock file (nothing to compare)
  }
}

/** Runs one check; resolves to its status (a start failure is status 1 with the reason) and its whole output. */
function runOne(check, cwd) {
  return new Promise((resolve) => {
    let output = "";
    const child = spawn(process.execPath, check.args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.setEncoding("utf8");
    child.stderr.setEncoding("utf8");
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("error", (e) => resolve({ check, status: 1, output: `${output}${e.message}\n` }));
    child.on("close", (status, signal) =>
      resolve({ check, status: status ?? 1, output: signal ? `${output}ended by ${signal}\n` : output }),
    );
  });
}

/**
 * Runs `checks` concurrently; writes each one's output (headed by its name when it failed or printed anything)
 * to `write`; resolves to the first failing check's status, or 0.
 */
async function runChecks(checks = CHECKS, { cwd = root, write = (s) => process.stderr.write(s) } = {}) {
  const results = await Promise.all(checks.map((c) => runOne(c, cwd)));
  for (const r of results) {
    if (r.status === 0 && r.output.trim() === "") continue;
    write(`${r.status === 0 ? "--" : "FAILED"} ${r.check.name} (exit ${r.status})\n${r.output}`);
    if (!r.output.endsWith("\n")) write("\n");
  }
  return results.find((r) => r.status !== 0)?.status ?? 0;
}

module.exports = { CHECKS, runChecks, staleBuildInfo };

if (require.main === module) {
  const stale = staleBuildInfo();
  if (stale) fs.rmSync(stale, { force: true });
  runChecks().then((status) => {
    process.exitCode = status;
  });
}
