#!/usr/bin/env bash
# Rebuilds the fuzzers' seed corpora in Fuzz/corpus/ from the conformance
# fixtures: the stores as they are for the envelope target, and their
# decrypted payloads for the payload decoder, and their dump-json documents
# (made by the debug build of ticketctl) for the import target. The corpora are committed, so
# this is only needed when the fixtures change. Needs openssl.
#
# The payloads are recovered with plain AES-256-CTR: GCM's ciphertext is CTR
# from counter block nonce||2, and both seals share it, so this works for
# stores of either seal without checking the tag (the fixtures are trusted).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
fixtures="$top/Tests/Fixtures/conformance"
envelope="$top/Fuzz/corpus/envelope"
payload="$top/Fuzz/corpus/payload"
import="$top/Fuzz/corpus/import"
ticketctl="$top/.build/debug/ticketctl"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

rm -rf "$envelope" "$payload" "$import"
mkdir -p "$envelope" "$payload" "$import"
(cd "$top" && swift build --product ticketctl >/dev/null)

hex() { od -An -v -tx1 | tr -d ' \n'; }
# slice FILE OFFSET COUNT: COUNT bytes of FILE from byte OFFSET.
slice() { dd if="$1" iflag=skip_bytes,count_bytes skip="$2" count="$3" status=none; }

for store in "$fixtures"/stores/*.store; do
  name=$(basename "$store" .store)
  cp "$store" "$envelope/$name"

  key_file=$(sed -n 's/^ *"key": "\(.*\)",$/\1/p' "$fixtures/expected/$name.json")
  [ -s "$fixtures/$key_file" ] || continue
  size=$(stat -c %s "$store")
  [ "$size" -ge 37 ] && [ "$(slice "$store" 0 5 | hex)" = "4e58534501" ] || continue
  length=$((16#$(slice "$store" 17 4 | hex)))
  [ $((length + 37)) -eq "$size" ] || continue

  key=$(hex < "$fixtures/$key_file" | xxd -r -p | openssl dgst -sha256 -binary | hex)
  counter="$(slice "$store" 5 12 | hex)00000002"
  slice "$store" 21 "$length" | openssl enc -d -aes-256-ctr -K "$key" -iv "$counter" > "$payload/$name"

  install -m 600 "$store" "$work/tickets.store"
  install -m 600 "$fixtures/$key_file" "$work/key"
  (cd "$work" && "$ticketctl" dump-json --key-file key --now 1764800000000 tickets.store) \
    > "$import/$name.json" 2>/dev/null || rm -f "$import/$name.json"
done
echo "envelope seeds: $(ls "$envelope" | wc -l), payload seeds: $(ls "$payload" | wc -l)," \
  "import seeds: $(ls "$import" | wc -l)"
