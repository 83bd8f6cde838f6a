#!/usr/bin/env bash
# Prints the synth numbers the foundation issue sets goals for (not asserted anywhere):
#   app time (the node process that runs main.ts, without the cdktf CLI) < 1 s, peak RSS < 200 MB
#   the whole `npm run synth` (tsc build + app) for reference
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
npm run --silent build
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "synth of all environments + state-backend, ${runs} runs of node dist/app.js (the bundled synth app):"
for _ in $(seq 1 "$runs"); do
  CDKTF_OUTDIR="$out" node --require ./bench/report-rss.js dist/app.js 2>&1 >/dev/null | grep '^bench:'
done
start=$(date +%s%N)
npm run --silent synth >/dev/null 2>&1
end=$(date +%s%N)
echo "npm run synth (tsc build + bundle + app + staging swap): $(( (end - start) / 1000000 )) ms"
