"use strict";
/**
 * Formats the HCL a synth wrote (every stacks/<stack>/cdk.tf under an output folder): @cdktf/hcl-tools first, then
 * `terraform fmt` (or `tofu fmt`) when one is on PATH, which also writes interpolation-only strings ("${x}") as bare
 * expressions: the canonical layout `terraform fmt -check` expects. Used by scripts/synth.js and the tests.
 */
const { spawnSync } = require("child_process");
const fs = require("fs");
const path = require("path");

/** @param {string} outdir a cdktf output folder; @returns {Promise<string|undefined>} the fmt tool used, if any */
async function formatHclOutput(outdir) {
  const { format } = require("@cdktf/hcl-tools");
  const stacks = path.join(outdir, "stacks");
  for (const stack of fs.readdirSync(stacks)) {
    const file = path.join(stacks, stack, "cdk.tf");
    if (!fs.existsSync(file)) continue;
    fs.writeFileSync(file, await format(fs.readFileSync(file, "utf8")));
  }
  for (const tool of ["terraform", "tofu"]) {
    const r = spawnSync(tool, ["fmt", "-recursive", "-list=false", stacks], {
      stdio: ["ignore", "ignore", "pipe"],
      encoding: "utf8",
      env: { ...process.env, TF_CLI_CONFIG_FILE: "/dev/null", CHECKPOINT_DISABLE: "1" },
    });
    if (r.error) continue; // not installed
    if (r.status !== 0) throw new Error(`${tool} fmt failed on the synthesized HCL: ${r.stderr.trim()}`);
    return tool;
  }
  return undefined;
}

module.exports = { formatHclOutput };
