#!/usr/bin/env node
/**
 * The speed goals of issue 15 as ratios to a floor measured in the same run (this machine is shared and noisy:
 * absolute times do not hold, ratios of alternated runs do). Each pair runs A then B, RUNS times; the printed ratio
 * is the median of the per-pair wall-time ratios, with min and max.
 *
 *   synth    node dist/app.js (every stack)       vs  node -e "require('cdktf')"   goal <= 2.0 (stretch 1.5)
 *            (the bundled synth app that cdktf.json and npm run synth run; scripts/bundle.js, run with V8's code
 *            cache by scripts/app-loader.js)
 *   no cache node dist/app.bundle.js (the same bundle without the code cache)  vs  the same floor  (for reference)
 *   unbundled node dist/main.js                  vs  node -e "require('cdktf')"   (for reference: tsc's output)
 *   dmsctl   node bin/dmsctl.js --help            vs  node -e 0                    goal <= 1.3
 *   bin      ./bin/dmsctl.js --help               vs  node -e 0                    goal <= 1.3 (the fast way after npm ci)
 *   npx      npx dmsctl --help                    vs  node -e 0                    (npm's own start-up dominates)
 *   test     npm test: wall seconds and the peak RSS of its process tree (--with-tests; minutes)  goal < 30 s, < 1 GB
 *
 * Usage: node bench/ratios.js [--runs 9] [--with-tests]     (npm run build first: it measures dist/)
 */
"use strict";
const { spawnSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");

const root = path.resolve(__dirname, "..");
const argv = process.argv.slice(2);
const runs = Number(argv[argv.indexOf("--runs") + 1]) || 9;
const withTests = argv.includes("--with-tests");

function wall(cmd, args, env = {}) {
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "pipe"] });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}: ${String(r.stderr).slice(0, 500)}`);
  return seconds;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function pair(label, a, b, goal) {
  wall(...a); // warm-up, not counted (file cache)
  wall(...b);
  const ratios = [];
  const as = [];
  const bs = [];
  for (let i = 0; i < runs; i++) {
    const ta = wall(...a);
    const tb = wall(...b);
    as.push(ta);
    bs.push(tb);
    ratios.push(ta / tb);
  }
  const m = median(ratios);
  console.log(
    `${label.padEnd(9)} ratio ${m.toFixed(2)} (min ${Math.min(...ratios).toFixed(2)}, max ${Math.max(...ratios).toFixed(2)}; ` +
      `median ${median(as).toFixed(3)} s vs floor ${median(bs).toFixed(3)} s; ${runs} pairs)` +
      (goal ? `  goal <= ${goal}: ${m <= goal ? "met" : "NOT met"}` : ""),
  );
  return m;
}

if (!fs.existsSync(path.join(root, "dist", "app.js"))) {
  console.error("bench/ratios.js: dist/app.js missing: run npm run build first");
  process.exit(2);
}
const out = fs.mkdtempSync(path.join(os.tmpdir(), "bench-synth-"));
console.log(
  `bench/ratios.js ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length} cores, node ${process.version}`,
);
try {
  pair(
    "synth",
    [process.execPath, ["dist/app.js"], { CDKTF_OUTDIR: out }],
    [process.execPath, ["-e", "require('cdktf')"]],
    2.0,
  );
  pair(
    "no cache",
    [process.execPath, ["dist/app.bundle.js"], { CDKTF_OUTDIR: out }],
    [process.execPath, ["-e", "require('cdktf')"]],
  );
  pair(
    "unbundled",
    [process.execPath, ["dist/main.js"], { CDKTF_OUTDIR: out }],
    [process.execPath, ["-e", "require('cdktf')"]],
  );
  pair("dmsctl", [process.execPath, ["bin/dmsctl.js", "--help"]], [process.execPath, ["-e", "0"]], 1.3);
  pair("bin", [path.join(root, "bin", "dmsctl.js"), ["--help"]], [process.execPath, ["-e", "0"]], 1.3);
  pair("npx", ["npx", ["--no-install", "dmsctl", "--help"]], [process.execPath, ["-e", "0"]]);
} finally {
  fs.rmSync(out, { recursive: true, force: true });
}
if (withTests) {
  const r = spawnSync(process.execPath, [path.join(__dirname, "tree-rss.js"), "npm test", "npm", "test"], {
    cwd: root,
    encoding: "utf8",
  });
  const line = (r.stdout + r.stderr)
    .split("\n")
    .filter((l) => l.startsWith("npm test:"))
    .pop();
  console.log(`test    ${line ?? `npm test exited ${r.status}`}  goal < 30 s wall, < 1 GB`);
}
