#!/usr/bin/env bash
# Installs the Debian packages ticketctl needs, and only those missing.
#   scripts/install-deps.sh          what building needs
#   scripts/install-deps.sh test     also what the test suite needs
#   scripts/install-deps.sh bench    also what the benchmark needs
set -euo pipefail

packages=(libsodium-dev pkg-config)
case "${1:-build}" in
  build) ;;
  test) packages+=(jq mandoc bash-completion zsh fish time) ;;
  bench) packages+=(hyperfine time gcc jq) ;;
  *) echo "usage: $0 [build|test|bench]" >&2; exit 64 ;;
esac

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' \
    || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
echo "installing: ${missing[*]}" >&2
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
