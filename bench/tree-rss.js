#!/usr/bin/env node
// Runs a command and prints its wall time with the peak memory of its whole process tree (sampled every 100 ms
// from /proc: the sum over all descendants, and the largest single process). Linux only.
// Two sums: RSS, which counts a page shared by several processes (node's and terraform's own code, the provider
// binary) once per process, and PSS (proportional set size, /proc/<pid>/smaps_rollup), which splits each shared page
// among the processes that map it: the memory the tree really holds (sampled every second: reading it is slow).
// Usage: node bench/tree-rss.js <label> <command> [args...]
"use strict";
const { spawn } = require("child_process");
const fs = require("fs");

const [label, cmd, ...args] = process.argv.slice(2);
if (!cmd) {
  console.error("usage: node bench/tree-rss.js <label> <command> [args...]");
  process.exit(2);
}
const pageKb = 4;
let detail = [];
let peakDetail = [];
let pss = [];
// PSS costs a walk of each process's page tables: read every 10th sample (each second), not to slow what is measured
let tick = 0;
let withPss = false;
function pssOf(pid) {
  try {
    const m = /^Pss:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0; // gone, or not ours to read
  }
}
function tree(root) {
  const children = new Map();
  const rss = new Map();
  for (const pid of fs.readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const ppid = Number(fields[1]);
      rss.set(Number(pid), Number(fields[21]) * pageKb);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(pid));
    } catch {
      // the process ended while we read it
    }
  }
  const out = [];
  const stack = [root];
  while (stack.length) {
    const p = stack.pop();
    out.push(rss.get(p) ?? 0);
    if (withPss) pss.push(pssOf(p));
    if (process.env.TREE_RSS_DETAIL) {
      let name = "?";
      try {
        name = fs.readFileSync(`/proc/${p}/cmdline`, "utf8").split("\0").slice(0, 3).join(" ").slice(-60);
      } catch {
        // gone
      }
      detail.push(`${((rss.get(p) ?? 0) / 1024).toFixed(0)} MB ${name}`);
    }
    stack.push(...(children.get(p) ?? []));
  }
  return out;
}
const start = Date.now();
const child = spawn(cmd, args, { stdio: ["ignore", "ignore", "inherit"] });
let peakTotal = 0;
let peakOne = 0;
let peakPss = 0;
const timer = setInterval(() => {
  detail = [];
  pss = [];
  withPss = tick++ % 10 === 0;
  const sizes = tree(child.pid);
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total > peakTotal) peakDetail = detail;
  peakTotal = Math.max(peakTotal, total);
  peakOne = Math.max(peakOne, ...sizes);
  peakPss = Math.max(
    peakPss,
    pss.reduce((a, b) => a + b, 0),
  );
}, 100);
child.on("exit", (code) => {
  clearInterval(timer);
  const s = ((Date.now() - start) / 1000).toFixed(1);
  console.log(
    `${label}: ${s} s wall, peak RSS ${(peakTotal / 1024).toFixed(0)} MB for the whole process tree (largest process ${(peakOne / 1024).toFixed(0)} MB), peak PSS ${(peakPss / 1024).toFixed(0)} MB, exit ${code}`,
  );
  if (process.env.TREE_RSS_DETAIL) console.log(peakDetail.join("\n"));
  process.exitCode = code ?? 1;
});
