#!/usr/bin/env bash
# The CUDA path in one run, for the first machine with a GPU: builds, runs the GPU tests and
# benchmarks flens against PyTorch 2.15 on the GPU, and prints one table.
#
#   bash scripts/gpu-check.sh [OUT.json]        (default gpu-check-results.json)
#
#  1. the full install (scripts/install-deps.sh full: torch with its CUDA libraries);
#  2. one release build with testability (-enable-testing), used by the tests and the
#     benchmarks alike, so nothing is built twice;
#  3. the GPU tests with FLENS_REQUIRE_GPU=1 (there they fail instead of being skipped when
#     libtorch sees no GPU): the frequency stage on the device against the CPU, mask-learning
#     and training steps on `cuda` (Tests/FourierLensTorchTests/DeviceFrequencyStageTests.swift),
#     and `--device cuda` on the command line (Tests/FlensCLITests/DeviceCommandTests.swift);
#  4. benchmarks/bench/compare.sh --device cuda: the mask-learning step (against eager PyTorch
#     and torch.compile), the training step and PGD-10 (against eager PyTorch), smallcnn and
#     resnet18 at 3×32×32, batch 128, two alternating rounds, and the table of
#     benchmarks/bench/table.py.
#
# Without a GPU it stops at once with exit status 1: it exists to run the GPU path, and a
# run that skipped it would read as a pass. Expected to take under 8 minutes on a machine
# with one GPU and 16 cores (not yet measured: no GPU has been available).
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-gpu-check-results.json}"
refuse() { echo "gpu-check: $*" >&2; exit 1; }

# Before installing or building anything: the driver must list a GPU (nvidia-smi, or the
# driver's /proc entries where the tool is not installed). libtorch's own view is checked
# after the build.
if command -v nvidia-smi >/dev/null 2>&1; then
  gpus="$(nvidia-smi -L 2>&1)" || refuse "nvidia-smi finds no usable GPU: $gpus"
elif compgen -G "/proc/driver/nvidia/gpus/*" >/dev/null; then
  gpus="$(ls /proc/driver/nvidia/gpus)"
else
  refuse "no NVIDIA GPU here (no nvidia-smi, no /proc/driver/nvidia/gpus); this script checks and measures flens on a GPU and does not run without one (the CPU path is scripts/test.sh)"
fi
echo "GPUs: $gpus"

bash scripts/install-deps.sh full
build=(-c release -Xswiftc -enable-testing)
swift build "${build[@]}" --build-tests
flens=.build/release/flens
devices="$("$flens" info --devices --json)"
count="$(.venv/bin/python -c 'import json, sys; print(json.loads(sys.argv[1])["cuda_devices"])' "$devices")"
[ "$count" -gt 0 ] || refuse "libtorch sees no CUDA device although nvidia-smi lists one: $devices"

echo "== GPU tests (FLENS_REQUIRE_GPU=1)"
FLENS_REQUIRE_GPU=1 swift test "${build[@]}" --skip-build --filter 'DeviceFrequencyStageTests|DeviceCommandTests'

echo "== benchmarks on cuda:0 against PyTorch 2.15 (eager and torch.compile)"
threads=$(( $(nproc) < 8 ? $(nproc) : 8 ))
benchmarks/bench/compare.sh --flens "$flens" --device cuda --threads "$threads" --rounds 2 \
  --workloads mask-step,train-step,attack-step --archs smallcnn,resnet18 --shapes '3,32,32' --out "$out"
echo
.venv/bin/python benchmarks/bench/table.py "$out"
