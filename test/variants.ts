import * as fs from "fs";
import * as path from "path";

/**
 * Every configuration a user can pick beyond the defaults (existing source, DMS Serverless in dev and staging, your
 * own VPC, an account of its own with a NAT gateway), as the environment variables that select each one. One list
 * (scripts/variants.json) for the Terraform checks, the first-apply model and scripts/synth-compare.js.
 */
export function productPaths(): Record<string, NodeJS.ProcessEnv> {
  const all = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "scripts", "variants.json"), "utf8")) as Record<
    string,
    unknown
  >;
  return Object.fromEntries(Object.entries(all).filter(([name]) => name !== "//")) as Record<string, NodeJS.ProcessEnv>;
}
