#!/usr/bin/env bash
# Prints the wall time and peak RSS and PSS of the whole `npm test` (goal: < 30 s, < 1 GB on 2 cores).
set -euo pipefail
cd "$(dirname "$0")/.."
node bench/tree-rss.js "npm test" npm test
