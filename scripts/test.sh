#!/usr/bin/env bash
# The whole test suite: installs what it needs, builds everything (plugins included), runs the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
swift build --build-tests
swift test --skip-build
