"use strict";
/**
 * dist/app.js (copied there by scripts/bundle.js): runs the bundled synth app, dist/app.bundle.js, as node would run
 * it as the main module, with V8's code cache. Node 20 has no compile cache of its own (module.enableCompileCache
 * came in 22.1): V8 parses and compiles the 2.6 MB bundle, and each function it calls, anew on every run. This
 * compiles the bundle with the cache V8 wrote after an earlier run (dist/app.bundle.v8cache: the bundle and every
 * function that run compiled), and writes one when there is none or V8 rejects it (another node). V8 checks a cache
 * against the source's length only, so the cache's name carries the bundle's size and modification time, and
 * scripts/bundle.js deletes every cache when it writes a new bundle: a cache is only ever used with the bundle that
 * wrote it. The cache only saves compiling; what runs is the bundle's own code.
 */
const fs = require("fs");
const Module = require("module");
const path = require("path");
const vm = require("vm");

const filename = path.join(__dirname, "app.bundle.js");
const stat = fs.statSync(filename);
const cacheFile = path.join(__dirname, `app.bundle.${stat.size}-${Math.trunc(stat.mtimeMs)}.v8cache`);

let cachedData;
try {
  cachedData = fs.readFileSync(cacheFile);
} catch {
  // none yet
}
const script = new vm.Script(Module.wrap(fs.readFileSync(filename, "utf8")), { filename, cachedData });

// The bundle as the main module: require.main === module, __filename and __dirname as for `node dist/app.bundle.js`.
const app = new Module(filename, null);
app.filename = filename;
app.paths = Module._nodeModulePaths(__dirname);
const appRequire = Module.createRequire(filename);
appRequire.main = app;
process.mainModule = app;
app.loaded = false;

/** Writes V8's cache of what has been compiled so far, in one rename (a concurrent run reads the old or the new). */
function writeCache() {
  if (cachedData && !script.cachedDataRejected) return;
  try {
    const temp = `${cacheFile}.${process.pid}`;
    fs.writeFileSync(temp, script.createCachedData());
    fs.renameSync(temp, cacheFile);
  } catch {
    // a read-only dist/: run without a cache
  }
}
// After the app's own synchronous work, when the functions it called are compiled; also when it exits early.
process.once("exit", writeCache);

script.runInThisContext().call(app.exports, app.exports, appRequire, app, filename, __dirname);
app.loaded = true;
