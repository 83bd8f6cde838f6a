// Preloaded with `node --require`: prints this process's wall time and peak RSS when it exits.
"use strict";
const start = process.hrtime.bigint();
process.on("exit", () => {
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const rssMb = process.resourceUsage().maxRSS / 1024;
  process.stderr.write(`bench: app ${ms.toFixed(0)} ms, peak RSS ${rssMb.toFixed(0)} MB\n`);
});
