#!/usr/bin/env node
/**
 * `npm run synth` / `npm run synth:hcl`: compiles the app, runs it into a staging folder, and only when that
 * succeeds replaces cdktf.out with it. A failed synth (bad configuration, a policy error) leaves the previous
 * cdktf.out untouched and writes nothing partial.
 *
 * It runs the app the way `cdktf synth` does (CDKTF_OUTDIR, SYNTH_HCL_OUTPUT; HCL formatted by scripts/hcl-format.js)
 * without the CLI's own ~3 s and ~270 MB start-up; `npx cdktf synth|deploy` keep working through cdktf.json.
 *   --hcl        write cdk.tf (HCL) instead of cdk.tf.json
 *   --transpile  run main.ts through TypeScript's transpiler instead of building dist/ (tsc, then the one-file
 *                bundle of scripts/bundle.js, which dist/app.js runs) first
 */
"use strict";
const { spawnSync } = require("child_process");
const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..");
const outdir = path.join(root, "cdktf.out");
const staging = path.join(root, `.cdktf.out.${process.pid}`);
const hcl = process.argv.includes("--hcl");
const transpile = process.argv.includes("--transpile");

function run(cmd, args, env) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit", env: { ...process.env, ...env } });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

function fail(message, status) {
  fs.rmSync(staging, { recursive: true, force: true });
  console.error(`synth: ${message}; cdktf.out left unchanged`);
  process.exit(status || 1);
}

async function main() {
  if (
    !transpile &&
    run(process.execPath, [
      path.join(root, "node_modules", "typescript", "bin", "tsc"),
      "-p",
      "tsconfig.build.json",
    ]) !== 0
  ) {
    fail("TypeScript build failed", 1);
  }
  if (!transpile && run(process.execPath, [path.join(root, "scripts", "bundle.js")]) !== 0) fail("bundle failed", 1);
  fs.rmSync(staging, { recursive: true, force: true });
  const app = transpile ? [path.join(root, "scripts", "ts-run.js"), "main.ts"] : [path.join(root, "dist", "app.js")];
  const status = run(process.execPath, app, { CDKTF_OUTDIR: staging, SYNTH_HCL_OUTPUT: String(hcl) });
  const manifestFile = path.join(staging, "manifest.json");
  if (status !== 0 || !fs.existsSync(manifestFile)) fail("failed", status);

  // The annotations the app recorded (warnings, suppressed findings), printed as the cdktf CLI prints them.
  const manifest = JSON.parse(fs.readFileSync(manifestFile, "utf8"));
  for (const stack of Object.values(manifest.stacks)) {
    for (const a of stack.annotations ?? []) {
      const level = { "@cdktf/info": "INFO", "@cdktf/warn": "WARN", "@cdktf/error": "ERROR" }[a.level] ?? a.level;
      console.log(`${level} [${a.constructPath}]: ${a.message}`);
    }
  }

  // The app already fixed what cdktf's HCL renderer gets wrong (stacks/hcl-output.ts); this sets the layout.
  if (hcl) await require("./hcl-format").formatHclOutput(staging);
  fs.rmSync(outdir, { recursive: true, force: true });
  fs.renameSync(staging, outdir);
  const stacks = fs.readdirSync(path.join(outdir, "stacks"));
  console.log(
    `synth: wrote ${stacks.map((s) => `cdktf.out/stacks/${s}/${hcl ? "cdk.tf" : "cdk.tf.json"}`).join(", ")}`,
  );
}

main().catch((e) => fail(e && e.message ? e.message : String(e), 1));
