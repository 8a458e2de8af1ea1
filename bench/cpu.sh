#!/usr/bin/env bash
# CPU time (perf's task-clock) of one command over repeated runs, steadier
# than wall time on a busy machine: the figure to compare before and after a
# change. Needs perf (Debian's linux-perf); run bench/run.sh first.
#   bench/cpu.sh rotate|rotate-noxtls01|dump-json|dump-json-lines|inspect|floor [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/commands.sh
if [ "$1" = floor ]; then
  store=standard
  command=("$work/floor" "$work/bench.key" "$work/cpu.store")
else
  bench_command "$1"
  command=("$ticketctl" "${subcommand[@]}" --now 1764800000000 --key-file "$work/bench.key" "$work/cpu.store")
fi
runs=${2:-20}

for _ in $(seq "$runs"); do
  cp -p "$work/$store.pristine" "$work/cpu.store"
  perf stat -x, -e task-clock -o "$work/cpu.txt" --append "${command[@]}" >/dev/null
done
median() { sort -n | awk '{ value[NR] = $1 } END { print value[int((NR + 1) / 2)] }'; }
cpu=$(awk -F, '/task-clock/ { print $1 }' "$work/cpu.txt" | median)
echo "$1: median of $runs runs: cpu $cpu ms"
rm -f "$work/cpu.txt" "$work/cpu.store"
