#!/usr/bin/env bash
# `swift build ARGS...`, failing when the compiler warns about the project's own code
# (Sources/, Plugins/, Tests/, Fuzz/; dependencies under .build*/checkouts are theirs).
# Swift and clang print each warning once, when they compile its file, so a clean build (CI's)
# sees them all; an incremental build checks only what it recompiles.
#
#   bash scripts/build-without-warnings.sh --build-tests
set -euo pipefail
cd "$(dirname "$0")/.."
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
swift build "$@" 2>&1 | tee "$log"
own="$(grep -E "^$PWD/(Sources|Plugins|Tests|Fuzz)/[^:]+:[0-9]+(:[0-9]+)?: warning:" "$log" | sort -u || true)"
if [ -n "$own" ]; then
  printf '%s\n' "$own" >&2
  echo "build-without-warnings: swift build $* printed $(printf '%s\n' "$own" | wc -l) warning(s) from the project's code (above); fix them" >&2
  exit 1
fi
