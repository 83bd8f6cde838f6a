#!/usr/bin/env node
/**
 * `npm run synth` / `npm run synth:hcl`: compiles the app, synthesizes every stack into a staging folder with the
 * cdktf CLI, and only when that succeeds replaces cdktf.out with it. A failed synth (bad configuration, a policy
 * error) leaves the previous cdktf.out untouched and writes nothing partial.
 */
"use strict";
const { spawnSync } = require("child_process");
const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..");
const outdir = path.join(root, "cdktf.out");
const staging = path.join(root, `.cdktf.out.${process.pid}`);
const hcl = process.argv.includes("--hcl");
const bin = (name) => path.join(root, "node_modules", ".bin", name);

function run(cmd, args, env) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit", env: { ...process.env, ...env } });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

let status = run(bin("tsc"), ["-p", "tsconfig.build.json"]);
if (status !== 0) {
  console.error("synth: TypeScript build failed; cdktf.out left unchanged");
  process.exit(status);
}
fs.rmSync(staging, { recursive: true, force: true });
status = run(bin("cdktf"), ["synth", "--output", staging, ...(hcl ? ["--hcl"] : [])], {
  CHECKPOINT_DISABLE: "1",
  TF_CLI_CONFIG_FILE: "/dev/null",
  DISABLE_VERSION_CHECK: "1",
  CI: process.env.CI ?? "1",
});
if (status !== 0 || !fs.existsSync(path.join(staging, "manifest.json"))) {
  fs.rmSync(staging, { recursive: true, force: true });
  console.error("synth: failed; cdktf.out left unchanged");
  process.exit(status || 1);
}
if (hcl) {
  // cdktf writes a multi-line string as a heredoc and always ends it with a newline of its own: a value that
  // already ends with one (user data, a PEM certificate) would gain a second and differ from the JSON synth.
  for (const stack of fs.readdirSync(path.join(staging, "stacks"))) {
    const file = path.join(staging, "stacks", stack, "cdk.tf");
    if (fs.existsSync(file)) fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace(/\n\nEOF$/gm, "\nEOF"));
  }
}
fs.rmSync(outdir, { recursive: true, force: true });
fs.renameSync(staging, outdir);
const stacks = fs.readdirSync(path.join(outdir, "stacks"));
console.log(`synth: wrote ${stacks.map((s) => `cdktf.out/stacks/${s}/${hcl ? "cdk.tf" : "cdk.tf.json"}`).join(", ")}`);
