#!/usr/bin/env bash
# Runs the main job on the sample store that ships in examples/: inspect it,
# then dump it as JSON. Works on a private copy, since git keeps no file modes
# and the sample must not change.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
binary="$top/.build/release/ticketctl"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

install -m 600 "$top/examples/sample.store" "$work/sample.store"
install -m 600 "$top/examples/sample.key" "$work/sample.key"
cd "$work"
# The sample was written on 2025-12-03; judge expiry at that moment so the
# output shows live, expired and consumed tickets side by side.
now=2025-12-03T22:13:20Z
set -x
"$binary" inspect --key-file sample.key --now "$now" --tickets sample.store
"$binary" dump-json --key-file sample.key --now "$now" sample.store
