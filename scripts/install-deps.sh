#!/usr/bin/env bash
# Installs what FourierLens needs. Idempotent and non-interactive: it does nothing when
# everything is already installed.
#
#  - Debian packages: FFTW, libpng, libjpeg-turbo, Chromium (the report's browser test).
#  - A project-local Python virtual environment `.venv/` with PyTorch from PyPI, pinned.
#    The `torch` wheel carries libtorch itself (C++ headers, libtorch_cpu.so, libc10.so):
#    the shim compiles against those headers and links those libraries (Package.swift finds
#    them through the link `.venv/libtorch`), and the interop tests and benchmarks run the
#    same torch from Python. The wheel's CUDA libraries are installed with it (pip
#    dependencies); flens loads them only when a GPU is asked for.
#
# FLENS_LIBTORCH=/path/to/torch (a directory with include/ and lib/) makes Package.swift use
# another libtorch; this script still installs the Python side.
set -euo pipefail
cd "$(dirname "$0")/.."

TORCH_VERSION=2.15.0
TORCHVISION_VERSION=0.29.2
NUMPY_VERSION=2.4.6
SAFETENSORS_VERSION=0.8.0

packages=(
  libfftw3-dev          # DFT and DCT (single precision, threads)
  libpng-dev            # PNG reading/writing
  libjpeg62-turbo-dev   # JPEG reading
  chromium              # headless browser for the report's browser test (Tests/ReportTests/BrowserTests.swift)
)
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
want="torch==$TORCH_VERSION torchvision==$TORCHVISION_VERSION numpy==$NUMPY_VERSION safetensors==$SAFETENSORS_VERSION"
stamp="$venv/.flens-installed"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "installing into $venv: $want (PyPI; about 5 GiB with the CUDA libraries)"
  start=$(date +%s)
  [ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check $want
  echo "$want" >"$stamp"
  echo "installed in $(( $(date +%s) - start )) s ($(du -sh "$venv" | cut -f1))"
fi
# The stable path Package.swift links against, whatever the Python version (relative, so the
# checkout can move).
site=$("$venv/bin/python" -c 'import os, sys, sysconfig; print(os.path.relpath(sysconfig.get_paths()["purelib"], sys.argv[1]))' "$venv")
ln -sfn "$site/torch" "$venv/libtorch"
test -f "$venv/libtorch/lib/libtorch_cpu.so" || { echo "install-deps: $venv/libtorch/lib/libtorch_cpu.so is missing" >&2; exit 1; }
