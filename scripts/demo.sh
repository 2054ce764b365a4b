#!/usr/bin/env bash
# The main job: installs what it needs, builds a release binary, runs the built-in demo
# (synthetic data, standard vs adversarially trained model, masks, probes, report) and
# prints where the report is.
set -euo pipefail
cd "$(dirname "$0")/.."
# The light install: the torch wheel without its Python dependencies, plus the CUDA runtime and
# CUPTI libtorch_cpu.so links (0.5 GiB to download instead of 2.8, 1.3 GiB on disk instead of 5.5;
# scripts/install-deps.sh).
bash scripts/install-deps.sh light
swift build -c release
out="${1:-demo-run}"
.build/release/flens demo --out "$out"
