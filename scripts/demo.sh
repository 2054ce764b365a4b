#!/usr/bin/env bash
# The main job: installs what it needs, builds a release binary, runs the built-in demo
# (synthetic data, standard vs adversarially trained model, masks, probes, report) and
# prints where the report is.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
swift build -c release
out="${1:-demo-run}"
.build/release/flens demo --out "$out"
