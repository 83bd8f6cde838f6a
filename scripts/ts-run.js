#!/usr/bin/env node
// Runs a TypeScript bench script without a build step: transpiles .ts files on require with the project's
// TypeScript (no type-check; `npm test` type-checks). Usage: node scripts/ts-run.js bench/validate.ts [args]
// Transpiled files are cached by content (node_modules/.cache/dms-migrate/ts-run, outside the tracked files): when
// every file is cached, TypeScript itself is never loaded (~1 s and ~70 transpiles saved per run).
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");

const cacheDir = path.join(__dirname, "..", "node_modules", ".cache", "dms-migrate", "ts-run");
const compilerOptions = { module: "CommonJS", target: "ES2022", esModuleInterop: true };
let ts;
let tsVersion;
function typescriptVersion() {
  // the key names the compiler (an upgrade transpiles everything again) and the extension, not the path: the output
  // does not depend on where the file is, and copies of the project (the synth tests make them) share the cache
  if (tsVersion === undefined) tsVersion = require("typescript/package.json").version;
  return tsVersion;
}

function transpile(source, filename) {
  const key = crypto
    .createHash("sha256")
    .update(JSON.stringify([typescriptVersion(), compilerOptions, path.extname(filename)]))
    .update(source)
    .digest("hex");
  const cached = path.join(cacheDir, `${key}.js`);
  try {
    return fs.readFileSync(cached, "utf8");
  } catch {
    // not cached yet
  }
  ts ??= require("typescript");
  const out = ts.transpileModule(source, {
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: compilerOptions.esModuleInterop,
    },
    fileName: filename,
  }).outputText;
  try {
    fs.mkdirSync(cacheDir, { recursive: true });
    const tmp = `${cached}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, out);
    fs.renameSync(tmp, cached); // whole or not at all, whoever else writes it
  } catch {
    // a read-only tree: run uncached
  }
  return out;
}

require.extensions[".ts"] = (module, filename) => {
  module._compile(transpile(fs.readFileSync(filename, "utf8"), filename), filename);
};
const script = process.argv[2];
if (!script) {
  console.error("usage: node scripts/ts-run.js <script.ts> [args]");
  process.exit(2);
}
process.argv.splice(1, 1);
// Load it as the main module, so `require.main === module` holds inside it (main.ts synthesizes only then).
require("module")._load(path.resolve(script), null, true);
