#!/usr/bin/env bash
# The whole test suite: installs what it needs, builds everything (plugins included), runs the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh full
# A warning from the project's own code fails CI (a clean clone compiles everything).
bash scripts/build-without-warnings.sh --build-tests
# A single-node Slurm cluster for Tests/FlensCLITests/SlurmCommandTests.swift (installs Debian's
# slurmctld, slurmd and munge when missing; needs root). If it cannot start, the suite stops here.
bash scripts/slurm-cluster.sh start
swift test --skip-build
# Every fuzz target briefly (libFuzzer + AddressSanitizer, its own build in .build-fuzz), so a
# reader that starts crashing on its seed corpus or nearby inputs fails CI. Long runs:
# `bash scripts/fuzz.sh 600` (or FLENS_FUZZ_FLAGS=-runs=1000000). FLENS_SKIP_FUZZ=1 skips it.
if [ "${FLENS_SKIP_FUZZ:-0}" != 1 ]; then
  bash scripts/fuzz.sh "${FLENS_FUZZ_SECONDS:-15}"
fi
