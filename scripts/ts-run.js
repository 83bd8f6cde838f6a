#!/usr/bin/env node
// Runs a TypeScript bench script without a build step: transpiles .ts files on require with the project's
// TypeScript (no type-check; `npm test` type-checks). Usage: node scripts/ts-run.js bench/validate.ts [args]
"use strict";
const fs = require("fs");
const path = require("path");
const ts = require("typescript");
require.extensions[".ts"] = (module, filename) => {
  const out = ts.transpileModule(fs.readFileSync(filename, "utf8"), {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    fileName: filename,
  });
  module._compile(out.outputText, filename);
};
const script = process.argv[2];
if (!script) {
  console.error("usage: node scripts/ts-run.js <script.ts> [args]");
  process.exit(2);
}
process.argv.splice(1, 1);
// Load it as the main module, so `require.main === module` holds inside it (main.ts synthesizes only then).
require("module")._load(path.resolve(script), null, true);
