#!/usr/bin/env bash
# Installs the Debian packages FourierLens needs. Idempotent and non-interactive:
# it does nothing when everything is already installed.
set -euo pipefail
packages=(
  libtorch-dev          # neural network compute (libtorch 1.13, C++ API)
  libopenblas0-pthread  # fast BLAS for libtorch (without it: the reference BLAS, ~30x slower)
  libfftw3-dev          # DFT and DCT (single precision, threads)
  libpng-dev            # PNG reading/writing
  libjpeg62-turbo-dev   # JPEG reading
  python3-torch         # interop tests and the PyTorch side of benchmarks
  python3-numpy         # .npy interop tests
  chromium              # headless browser for the report's browser test (Tests/ReportTests/BrowserTests.swift)
)
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
