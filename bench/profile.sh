#!/usr/bin/env bash
# Where a command's CPU time goes: samples perf's cpu-clock over repeated
# runs on a fresh copy of the benchmark store. Run bench/run.sh first.
#   bench/profile.sh rotate|rotate-noxtls01|dump-json|dump-json-lines|inspect [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/commands.sh
bench_command "$1"
runs=${2:-20}

for run in $(seq "$runs"); do
  cp -p "$work/$store.pristine" "$work/profile.store"
  perf record -q -e cpu-clock -F 10000 -g -o "$work/perf.$run.data" -- \
    "$ticketctl" "${subcommand[@]}" --now 1764800000000 --key-file "$work/bench.key" "$work/profile.store" >/dev/null
done
for run in $(seq "$runs"); do
  perf report -i "$work/perf.$run.data" --no-children --sort dso,sym --stdio -g none 2>/dev/null \
    | awk '/^ +[0-9.]+%/ { sub(/%/, "", $1); $2 = ""; name = $0; sub(/^[^ ]+ +/, "", name); share[name] += $1 }
           END { for (name in share) printf "%6.2f%%  %s\n", share[name] / '"$runs"', name }'
done | awk '{ share = $1; sub(/%/, "", share); $1 = ""; total[$0] += share } END { for (n in total) printf "%6.2f%% %s\n", total[n], n }' \
  | sort -rn | head -30
rm -f "$work"/perf.*.data "$work/profile.store"
