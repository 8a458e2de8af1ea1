#!/usr/bin/env bash
# Builds the libFuzzer targets in Fuzz/ and runs each for a bounded time,
# starting from the committed seeds in Fuzz/corpus/TARGET. Fails when a
# target crashes, traps, leaks, runs out of memory or hangs on one input;
# the input that did it is kept in .build/fuzz/artifacts/ and printed.
# Once fixed, copy that input into Fuzz/corpus/TARGET/: HostileCorpusTests
# replays the corpora on every test run, so it stays a regression test.
#   scripts/fuzz.sh               every target, FUZZ_SECONDS (default 40) each
#   scripts/fuzz.sh envelope      one target
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
seconds=${FUZZ_SECONDS:-40}
swiftc=${SWIFTC:-swiftc}
out="$top/.build/fuzz"
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(envelope payload import)

mkdir -p "$out/artifacts"
cd "$top"

# Address sanitizer where this toolchain links it, else coverage alone.
sanitizers=fuzzer,address
probe="$out/probe.swift"
printf '@_cdecl("LLVMFuzzerTestOneInput") public func probe(_ d: UnsafePointer<UInt8>?, _ n: Int) -> CInt { 0 }\n' > "$probe"
if ! "$swiftc" -sanitize=$sanitizers -parse-as-library "$probe" -o "$out/probe" >/dev/null 2>&1; then
  sanitizers=fuzzer
  echo "fuzz: address sanitizer unavailable with $swiftc; fuzzing without it" >&2
fi

echo "fuzz: building TicketKit with -sanitize=$sanitizers" >&2
"$swiftc" -module-name TicketKit -parse-as-library -emit-library -static \
  -emit-module -emit-module-path "$out/TicketKit.swiftmodule" \
  -sanitize=$sanitizers -O -I Sources/CSodium \
  Sources/TicketKit/*.swift -o "$out/libTicketKit.a"

status=0
for target in "${targets[@]}"; do
  source="Fuzz/$(tr '[:lower:]' '[:upper:]' <<< "${target:0:1}")${target:1}Fuzz.swift"
  [ -f "$source" ] || { echo "fuzz: no target $target ($source)" >&2; exit 64; }
  # lld, because gold warns about every address-sanitizer helper symbol.
  "$swiftc" -sanitize=$sanitizers -O -parse-as-library -use-ld=lld \
    -I "$out" -I Sources/CSodium -L "$out" -lTicketKit -lsodium \
    "$source" -o "$out/fuzz-$target"

  # libFuzzer adds what it finds to its first corpus folder: work on a
  # copy so that the committed seeds stay as they are.
  corpus="$out/corpus-$target"
  rm -rf "$corpus"
  cp -R "Fuzz/corpus/$target" "$corpus"

  echo "fuzz: $target for ${seconds}s" >&2
  log="$out/$target.log"
  # The Swift runtime's own crash backtracer would fight the sanitizer's.
  if SWIFT_BACKTRACE=enable=no "$out/fuzz-$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$out/artifacts/$target-" "$corpus" > "$log" 2>&1; then
    grep -E '^(Done|stat::number_of_executed_units|stat::peak_rss_mb)' "$log" | sed "s/^/fuzz: $target: /" >&2
  else
    status=1
    echo "fuzz: $target FAILED; the end of its log ($log):" >&2
    tail -n 40 "$log" >&2
    ls "$out/artifacts/$target-"* 2>/dev/null | sed 's/^/fuzz: failing input: /' >&2 || true
  fi
done
exit $status
