#!/usr/bin/env bash
# Prints the wall time and peak RSS of the whole `npm test` (goal: < 60 s, < 1 GB on 2 cores).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -x /usr/bin/time ]; then
  /usr/bin/time -f "npm test: %e s wall, peak RSS %M KB (largest single process)" npm test >/dev/null 2>/tmp/bench-test.$$ || { cat /tmp/bench-test.$$; exit 1; }
  tail -n 1 /tmp/bench-test.$$
  rm -f /tmp/bench-test.$$
else
  start=$(date +%s%N); npm test >/dev/null 2>&1; end=$(date +%s%N)
  echo "npm test: $(( (end - start) / 1000000 )) ms wall (install GNU time for peak RSS: apt-get install time)"
fi
