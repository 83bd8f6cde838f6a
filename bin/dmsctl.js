#!/usr/bin/env node
// dmsctl entry point (package "bin"): runs the compiled CLI built by `npm run build` (npm ci runs it via prepare).
"use strict";
let cli;
try {
  cli = require("../dist/tools/dmsctl/cli.js");
} catch (e) {
  if (e && e.code === "MODULE_NOT_FOUND") {
    process.stderr.write("dmsctl: not built yet: run `npm run build` (npm ci does it)\n");
    process.exit(2);
  }
  throw e;
}
cli.main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`dmsctl: ${e && e.stack ? e.stack : e}\n`);
    process.exitCode = 2;
  },
);
