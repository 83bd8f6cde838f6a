#!/usr/bin/env bash
# Prints the wall time and peak RSS of the whole `npm test` (goal: < 60 s, < 1 GB on 2 cores).
set -euo pipefail
cd "$(dirname "$0")/.."
node bench/tree-rss.js "npm test" npm test
