#!/usr/bin/env bash
# CPU time (perf's task-clock) of one command over repeated runs, steadier
# than wall time on a busy machine: the figure to compare before and after a
# change. Needs perf (Debian's linux-perf); run bench/run.sh first.
#   bench/cpu.sh rotate|rotate-noxtls01|dump-json|dump-json-lines|inspect|floor [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
work=bench/scratch
ticketctl="$(swift build -c release --show-bin-path)/ticketctl"
[ -f "$work/standard.pristine" ] || { echo "cpu: run bench/run.sh first" >&2; exit 1; }
store=standard
case "$1" in
  rotate) command=("$ticketctl" rotate) ;;
  rotate-noxtls01) command=("$ticketctl" rotate) store=noxtls01 ;;
  dump-json) command=("$ticketctl" dump-json) ;;
  dump-json-lines) command=("$ticketctl" dump-json --lines) ;;
  inspect) command=("$ticketctl" inspect) ;;
  floor) command=("$work/floor") ;;
  *) echo "cpu: unknown command '$1'" >&2; exit 64 ;;
esac
runs=${2:-20}
if [ "$1" = floor ]; then
  arguments=("$work/bench.key" "$work/cpu.store")
else
  arguments=(--now 1764800000000 --key-file "$work/bench.key" "$work/cpu.store")
fi

for _ in $(seq "$runs"); do
  cp -p "$work/$store.pristine" "$work/cpu.store"
  perf stat -x, -e task-clock -o "$work/cpu.txt" --append "${command[@]}" "${arguments[@]}" >/dev/null
done
median() { sort -n | awk '{ value[NR] = $1 } END { print value[int((NR + 1) / 2)] }'; }
cpu=$(awk -F, '/task-clock/ { print $1 }' "$work/cpu.txt" | median)
echo "$1: median of $runs runs: cpu $cpu ms"
rm -f "$work/cpu.txt" "$work/cpu.store"
