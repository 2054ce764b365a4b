#!/usr/bin/env bash
# Installs what FourierLens needs. Idempotent and non-interactive: it does nothing when
# everything is already installed.
#
#   bash scripts/install-deps.sh [full|light]      (default full)
#
#  - Debian packages: FFTW, libpng, libjpeg-turbo; with `full` also Chromium (the report's
#    browser test).
#  - A project-local Python virtual environment `.venv/` with PyPI's `torch` wheel, pinned.
#    The wheel carries libtorch itself (C++ headers, libtorch_cpu.so, libc10.so): the shim
#    compiles against those headers and links those libraries (Package.swift finds them
#    through the link `.venv/libtorch`).
#    - `full` (scripts/test.sh, GPU users, the benchmarks): torch with all its pip
#      dependencies (the CUDA libraries, triton), torchvision, NumPy and safetensors, so the
#      interop tests and benchmarks can run the same torch from Python. About 2.8 GiB
#      downloaded, 5.5 GiB on disk.
#    - `light` (scripts/demo.sh, `flens` on a CPU): only what flens loads on a CPU: the torch
#      wheel without its dependencies plus the two NVIDIA runtime wheels libtorch_cpu.so
#      needs at load time (libcudart.so.13 and libcupti.so.13, found through its RPATH in
#      nvidia/cu13/lib), at the versions torch 2.15 declares. About 0.5 GiB downloaded,
#      1.3 GiB on disk. Python cannot `import torch` from it, and flens cannot use a GPU
#      with it.
#    A full install satisfies `light`; `full` after `light` upgrades the same venv in place.
#
# FLENS_LIBTORCH=/path/to/torch (a directory with include/ and lib/) makes Package.swift use
# another libtorch; this script still installs the Python side.
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-full}"
case "$mode" in
  full|light) ;;
  *) echo "install-deps: unknown mode '$mode' (full or light)" >&2; exit 2 ;;
esac

TORCH_VERSION=2.15.0
TORCHVISION_VERSION=0.29.2
NUMPY_VERSION=2.4.6
SAFETENSORS_VERSION=0.8.0
# torch 2.15.0's pins of the CUDA runtime and profiler (its `cuda-toolkit[cudart,cupti]==13.2.2`
# requires nvidia-cuda-runtime==13.2.86.* and nvidia-cuda-cupti==13.2.86.*): the two
# libraries libtorch_cpu.so is linked against (`readelf -d`: NEEDED libcudart.so.13,
# libcupti.so.13). Pinned exactly, so the full install later keeps them.
CUDA_RUNTIME_VERSION=13.2.86
CUDA_CUPTI_VERSION=13.2.86

packages=(
  libfftw3-dev          # DFT and DCT (single precision, threads)
  libpng-dev            # PNG reading/writing
  libjpeg62-turbo-dev   # JPEG reading
)
# The headless browser for the report's browser test (Tests/ReportTests/BrowserTests.swift).
[ "$mode" = light ] || packages+=(chromium)
python="${FLENS_BASE_PYTHON:-python3}"
# A Python without the venv module (Debian's bare python3) gets it from Debian.
"$python" -c 'import venv, ensurepip' 2>/dev/null || packages+=(python3-venv)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

venv=.venv
full="torch==$TORCH_VERSION torchvision==$TORCHVISION_VERSION numpy==$NUMPY_VERSION safetensors==$SAFETENSORS_VERSION"
light="torch==$TORCH_VERSION nvidia-cuda-runtime==$CUDA_RUNTIME_VERSION nvidia-cuda-cupti==$CUDA_CUPTI_VERSION"
# The stamp holds what was installed: the full list (the line earlier versions of this script
# wrote, so their venvs stay current) or "light: " and the light list.
stamp="$venv/.flens-installed"
installed="$(cat "$stamp" 2>/dev/null || true)"
if [ "$mode" = full ]; then want="$full"; pip_args=($full); else want="light: $light"; pip_args=(--no-deps $light); fi
if [ "$installed" != "$full" ] && [ "$installed" != "$want" ]; then
  if [ "$mode" = full ]; then
    what="about 2.8 GiB to download, 5.5 GiB on disk with the CUDA libraries${installed:+; upgrading the light install in place}"
  else
    what="about 0.5 GiB to download, 1.3 GiB on disk: torch without its dependencies, the CUDA runtime and CUPTI"
  fi
  echo "installing into $venv ($mode): $want (PyPI; $what)"
  start=$(date +%s)
  [ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check "${pip_args[@]}"
  echo "$want" >"$stamp"
  echo "installed in $(( $(date +%s) - start )) s ($(du -sh "$venv" | cut -f1))"
fi
# The stable path Package.swift links against, whatever the Python version (relative, so the
# checkout can move).
site=$("$venv/bin/python" -c 'import os, sys, sysconfig; print(os.path.relpath(sysconfig.get_paths()["purelib"], sys.argv[1]))' "$venv")
ln -sfn "$site/torch" "$venv/libtorch"
test -f "$venv/libtorch/lib/libtorch_cpu.so" || { echo "install-deps: $venv/libtorch/lib/libtorch_cpu.so is missing" >&2; exit 1; }
