#!/usr/bin/env node
/**
 * Proves a refactoring changed no synthesized byte: synthesizes every environment and every product path
 * (scripts/variants.json) from a base commit and from the working tree, and compares each cdk.tf.json byte for byte.
 *
 *   node scripts/synth-compare.js [base]   base: a commit (default HEAD); exits 1 listing the files that differ
 *
 * The base is checked out with `git worktree` into a temporary folder (sharing node_modules); both trees are
 * synthesized with the same environment (no DMS_MIGRATE_* from the caller, no local overrides).
 */
"use strict";
const { spawnSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");

const root = path.resolve(__dirname, "..");
const variants = Object.entries(require("./variants.json")).filter(([name]) => name !== "//");

function git(args, cwd = root) {
  const r = spawnSync("git", args, { cwd, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr.trim()}`);
  return r.stdout.trim();
}

/** Synthesizes the tree's app once per variant into out/<variant>; returns { "<variant>/<stack>": json text }. */
function synthTree(tree, out) {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !k.startsWith("DMS_MIGRATE_") && k !== "CDKTF_OUTDIR" && k !== "SYNTH_HCL_OUTPUT",
    ),
  );
  const files = {};
  fs.mkdirSync(out, { recursive: true });
  for (const [name, env] of [["defaults", {}], ...variants]) {
    const outdir = path.join(out, name);
    const r = spawnSync(process.execPath, [path.join(tree, "scripts", "ts-run.js"), path.join(tree, "main.ts")], {
      cwd: tree,
      encoding: "utf8",
      env: { ...clean, ...env, CDKTF_OUTDIR: outdir, SYNTH_HCL_OUTPUT: "false" },
    });
    if (r.status !== 0) throw new Error(`synth of ${name} in ${tree} failed:\n${r.stderr || r.stdout}`);
    for (const stack of fs.readdirSync(path.join(outdir, "stacks")).sort()) {
      files[`${name}/${stack}`] = fs.readFileSync(path.join(outdir, "stacks", stack, "cdk.tf.json"), "utf8");
    }
  }
  return files;
}

function firstDifference(a, b) {
  const la = a.split("\n");
  const lb = b.split("\n");
  for (let i = 0; i < Math.max(la.length, lb.length); i++) {
    if (la[i] !== lb[i])
      return `line ${i + 1}: base ${JSON.stringify(la[i] ?? "<end>")}, now ${JSON.stringify(lb[i] ?? "<end>")}`;
  }
  return "same lines, different bytes";
}

function main() {
  const base = process.argv[2] ?? "HEAD";
  const commit = git(["rev-parse", "--verify", `${base}^{commit}`]);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "synth-compare-"));
  const tree = path.join(work, "base");
  git(["worktree", "add", "--detach", "--quiet", tree, commit]);
  try {
    fs.symlinkSync(path.join(root, "node_modules"), path.join(tree, "node_modules"));
    const before = synthTree(tree, path.join(work, "out-base"));
    const after = synthTree(root, path.join(work, "out-now"));
    const problems = [];
    for (const key of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
      if (!(key in before)) problems.push(`${key}: only in the working tree`);
      else if (!(key in after)) problems.push(`${key}: only in ${base}`);
      else if (before[key] !== after[key]) problems.push(`${key}: ${firstDifference(before[key], after[key])}`);
    }
    const count = Object.keys(after).length;
    if (problems.length) {
      console.error(
        `synth-compare: ${problems.length} of ${count} stacks differ from ${base} (${commit.slice(0, 12)}):\n  ${problems.join("\n  ")}`,
      );
      process.exitCode = 1;
    } else {
      console.log(
        `synth-compare: ${count} stacks (${variants.length + 1} selections) byte-identical to ${base} (${commit.slice(0, 12)})`,
      );
    }
  } finally {
    git(["worktree", "remove", "--force", tree]);
    fs.rmSync(work, { recursive: true, force: true });
  }
}

try {
  main();
} catch (e) {
  console.error(`synth-compare: ${e.message}`);
  process.exit(2);
}
