#!/usr/bin/env bash
# Process start of three tiny programs that read one environment variable:
# Swift runtime and Glibc only, FoundationEssentials, and all of Foundation.
# Called by bench/run.sh with its work folder; prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$1
runs=${BENCH_RUNS:-30}

for program in glibc essentials foundation; do
  swiftc -O "bench/startup/$program.swift" -o "$work/startup-$program" 2>&1 | grep -v '^$' >&2 || true
done
hyperfine -N --warmup 5 --runs "$((runs * 3))" --style basic --export-json "$work/startup.json" \
  --command-name "import Glibc" "$work/startup-glibc" \
  --command-name "import FoundationEssentials" "$work/startup-essentials" \
  --command-name "import Foundation" "$work/startup-foundation" >&2

echo
echo "| tiny program | median | vs Glibc only |"
echo "|---|---|---|"
jq -r '(.results[0].median) as $base | .results[]
  | "| \(.command) | \(.median * 10000 | round / 10) ms | +\((.median - $base) * 10000 | round / 10) ms |"' \
  "$work/startup.json"
