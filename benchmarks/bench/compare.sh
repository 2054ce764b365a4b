#!/usr/bin/env bash
# FourierLens (`flens bench`) against the same computation in PyTorch 2.15 eager mode, and for
# the mask-learning step also under torch.compile (inductor, CPU), (and NumPy for
# the frequency stage): mask-learning step, PGD-10 attack step, training step, masked
# forward pass, frequency stage; smallcnn and resnet18 on 3×32×32 (batch 128) and 1×128×128
# (batch 32). Both sides run alternately in the same run with the same weights, batch and
# thread count; prints a table of medians (ratio = flens / baseline images per second) and
# writes JSON. `--device cuda` runs both sides' model workloads on the GPU (scripts/gpu-check.sh).
# See benchmarks/README.md.
#
# usage: benchmarks/bench/compare.sh [--threads 2] [--rounds 3] [--steps N] [--workloads mask-step,...]
#                                    [--archs smallcnn,...] [--shapes '3,32,32;1,128,128']
#                                    [--device cpu|cuda] [--out FILE.json] [--flens PATH]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
threads=2; flens=""; args=()
while (($#)); do
  case "$1" in
    --threads) threads="$2"; args+=("$1" "$2"); shift 2 ;;
    --flens) flens="$2"; shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
if [[ -z "$flens" ]]; then
  (cd "$root" && swift build -c release >&2)  # flens and the plugin libraries
  flens="$root/.build/release/flens"
fi
# Passive OpenMP waiting on both sides: on a busy machine idle threads sleep instead of spinning.
export OMP_NUM_THREADS="$threads" OPENBLAS_NUM_THREADS="$threads" OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
echo "uptime: $(uptime)"
# The PyTorch side is the torch of the project's virtual environment (scripts/install-deps.sh),
# the same release the shim links; FLENS_PYTHON names another Python.
"${FLENS_PYTHON:-$root/.venv/bin/python}" "$root/benchmarks/bench/compare.py" --flens "$flens" --threads "$threads" "${args[@]}"
echo "uptime: $(uptime)"
