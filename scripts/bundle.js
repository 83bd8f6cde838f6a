#!/usr/bin/env node
/**
 * Bundles the synth app into one file (dist/app.bundle.js, which dist/app.js runs: what cdktf.json and `npm run
 * synth` run): one file to read and compile instead of ~500 modules to resolve, read and wrap. Part of `npm run
 * build`, after tsc.
 *
 * Two cdktf internals are swapped in the bundle only (cdktf is archived at 0.21.0 and pinned exactly); the
 * synthesized output is byte-identical, which test/bundle.test.ts checks on every environment and product path:
 * - tokens/private/stack-trace.js: every token records the stack that created it, formatted at once, for error
 *   messages only. The bundle records the same trace and formats it when a message reads it.
 * - private/fs.js archiveSync: cdktf zips a TerraformAsset archive by running its own file as a script
 *   (`node ${__filename}`), which in a bundle is the whole app again, and again. This app has no archives: in the
 *   bundle, archiveSync stops with a message, and `archiver` (loaded only for it) is a stand-in.
 *
 * Usage: node scripts/bundle.js [entry] [outfile]     default: dist/main.js -> dist/app.bundle.js, run by dist/app.js
 * (scripts/app-loader.js: V8's code cache, which node 20 does not keep itself)
 */
"use strict";
const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..");

const LAZY_STACK_TRACE = fs.readFileSync(path.join(__dirname, "lazy-stack-trace.js"), "utf8");

const NO_ARCHIVES =
  "archives are left out of the bundled synth app (scripts/bundle.js): no TerraformAsset archive is used here; run dist/main.js to use them";
const NO_ARCHIVER = `"use strict";
module.exports = function archiver() {
  throw new Error(${JSON.stringify(NO_ARCHIVES)});
};
`;
const ARCHIVE_BY_SCRIPT = '(0, child_process_1.execSync)(`node ${__filename} ${src} ${dest}`, { encoding: "utf-8" });';

/** The esbuild plugin that swaps the two modules above. */
const swaps = {
  name: "dms-migrate-swaps",
  setup(build) {
    build.onLoad({ filter: /[\\/]cdktf[\\/]lib[\\/]tokens[\\/]private[\\/]stack-trace\.js$/ }, () => ({
      contents: LAZY_STACK_TRACE,
      loader: "js",
    }));
    build.onLoad({ filter: /[\\/]cdktf[\\/]lib[\\/]private[\\/]fs\.js$/ }, async (args) => {
      const text = await fs.promises.readFile(args.path, "utf8");
      if (!text.includes(ARCHIVE_BY_SCRIPT))
        throw new Error(`${args.path}: archiveSync is not what scripts/bundle.js swaps`);
      return {
        contents: text.replace(ARCHIVE_BY_SCRIPT, `throw new Error(${JSON.stringify(NO_ARCHIVES)});`),
        loader: "js",
      };
    });
    build.onResolve({ filter: /^archiver$/ }, () => ({ path: "archiver", namespace: "dms-migrate-stub" }));
    build.onLoad({ filter: /.*/, namespace: "dms-migrate-stub" }, () => ({ contents: NO_ARCHIVER, loader: "js" }));
  },
};

/** Bundles `entry` (JavaScript or TypeScript) into `outfile`. */
async function bundle(entry, outfile) {
  const esbuild = require("esbuild");
  await esbuild.build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    logLevel: "warning",
    plugins: [swaps],
  });
}

/**
 * The synth app users run: the bundle as dist/app.bundle.js, and dist/app.js, scripts/app-loader.js, which runs it
 * with V8's code cache; the caches of an earlier bundle are deleted.
 */
async function bundleApp(entry, dir) {
  for (const f of fs.existsSync(dir) ? fs.readdirSync(dir) : [])
    if (/^app\.bundle\..*\.v8cache$/.test(f)) fs.rmSync(path.join(dir, f), { force: true });
  await bundle(entry, path.join(dir, "app.bundle.js"));
  fs.copyFileSync(path.join(__dirname, "app-loader.js"), path.join(dir, "app.js"));
}

module.exports = { bundle, bundleApp };

if (require.main === module) {
  const entry = path.resolve(process.argv[2] ?? path.join(root, "dist", "main.js"));
  const done = process.argv[3]
    ? bundle(entry, path.resolve(process.argv[3]))
    : bundleApp(entry, path.join(root, "dist"));
  done.catch((e) => {
    console.error(`bundle: ${e.message}`);
    process.exit(1);
  });
}
