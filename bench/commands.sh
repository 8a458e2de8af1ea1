# Sourced by bench/cpu.sh and bench/profile.sh: turns a command name into
# the ticketctl arguments it runs ($subcommand) and the pristine store it
# starts from ($store). Run bench/run.sh first.
work=bench/scratch
ticketctl="$(swift build -c release --show-bin-path)/ticketctl"
[ -f "$work/standard.pristine" ] || { echo "$(basename "$0"): run bench/run.sh first" >&2; exit 1; }

# bench_command NAME: sets subcommand and store, or exits 64.
bench_command() {
  store=standard
  case "$1" in
    rotate) subcommand=(rotate) ;;
    rotate-noxtls01) subcommand=(rotate) store=noxtls01 ;;
    dump-json) subcommand=(dump-json) ;;
    dump-json-lines) subcommand=(dump-json --lines) ;;
    inspect) subcommand=(inspect) ;;
    *) echo "$(basename "$0"): unknown command '$1'" >&2; exit 64 ;;
  esac
}
