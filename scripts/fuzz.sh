#!/usr/bin/env bash
# Fuzzes every reader of untrusted input with libFuzzer + AddressSanitizer.
#
#   bash scripts/fuzz.sh [SECONDS] [TARGET ...]
#
# SECONDS (default 60) is the time per target; TARGETs default to all of them:
#   png jpeg cifar10 mnist npy npy-dataset model-json experiment plugin-spec safetensors state-dict
# Each target starts from a seed corpus written by the project's own writers
# (Fuzz/FlensFuzz/FuzzSeeds.swift; for state-dict, real torch.save files written by the venv's
# torch, Fuzz/StateDictFuzz/write_seeds.py) plus whatever earlier runs found
# (.build-fuzz/corpus/, not committed). A crash, leak, timeout or out-of-memory stops the target and leaves the
# input in .build-fuzz/findings/<target>/; turn it into a regression test (see
# Tests/FourierLensTests/FuzzRegressionTests.swift) and fix it. Exit status: 0 when every
# target ran clean, 1 otherwise. The executions reached per target are printed at the end
# and written to .build-fuzz/fuzz-summary.txt.
#
# Environment: FLENS_FUZZ_JOBS (parallel targets, default 1), FLENS_FUZZ_FLAGS (extra
# libFuzzer flags), FLENS_FUZZ_RSS_MB (memory limit per input run, default 2048).
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_TARGET="${1:-60}"
shift || true
ALL_TARGETS=(png jpeg cifar10 mnist npy npy-dataset model-json experiment plugin-spec safetensors state-dict)
if [ "$#" -gt 0 ]; then TARGETS=("$@"); else TARGETS=("${ALL_TARGETS[@]}"); fi

BUILD=.build-fuzz
mkdir -p "$BUILD"
# Reuse the dependency checkouts of the normal build, so no network is needed when it exists.
for d in checkouts repositories; do
  if [ -d ".build/$d" ] && [ ! -e "$BUILD/$d" ]; then cp -r ".build/$d" "$BUILD/$d"; fi
done
if [ -f .build/workspace-state.json ] && [ ! -f "$BUILD/workspace-state.json" ]; then
  cp .build/workspace-state.json "$BUILD/"
fi

# The Swift readers: one binary, in the release configuration as `swift build -c release`
# builds flens (the same optimisation and the same checks: what is fuzzed is what ships),
# plus the sanitizers. Built only when a Swift target is asked for.
BIN=""
if printf '%s\n' "${TARGETS[@]}" | grep -qvx state-dict; then
  FUZZ_BUILD=(--scratch-path "$BUILD" --product flens-fuzz -c release
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld -Xcc -fsanitize=fuzzer-no-link,address)
  echo "fuzz: building flens-fuzz (release, libFuzzer + AddressSanitizer) in $BUILD" >&2
  FLENS_FUZZ=1 bash scripts/build-without-warnings.sh "${FUZZ_BUILD[@]}" >&2
  BIN="$(FLENS_FUZZ=1 swift build "${FUZZ_BUILD[@]}" --show-bin-path)/flens-fuzz"
fi
# The C++ state-dict reader (Sources/CTorchShim/fl_state_dict_reader.hpp): a header without
# libtorch, so its own small binary, built by the Swift toolchain's clang at the shim's
# release optimisation, with UndefinedBehaviorSanitizer too (its bounds arithmetic must
# never overflow).
STATE_DICT_BIN="$BUILD/state-dict-fuzz"
PYTHON="${FLENS_PYTHON:-.venv/bin/python}"
if printf '%s\n' "${TARGETS[@]}" | grep -qx state-dict; then
  echo "fuzz: building $STATE_DICT_BIN (libFuzzer + AddressSanitizer + UBSan)" >&2
  clang++ -std=c++20 -O2 -g -fuse-ld=lld -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    Fuzz/StateDictFuzz/fuzz_state_dict.cpp -o "$STATE_DICT_BIN"
fi

SUMMARY="$BUILD/fuzz-summary.txt"
: > "$SUMMARY"
status=0
run_target() {
  local target="$1"
  local corpus="$BUILD/corpus/$target" seeds="$BUILD/seeds/$target" findings="$BUILD/findings/$target"
  local log="$BUILD/logs/$target.log"
  mkdir -p "$corpus" "$findings" "$BUILD/logs"
  rm -rf "$seeds"
  local bin="$BIN"
  if [ "$target" = state-dict ]; then
    bin="$STATE_DICT_BIN"
    "$PYTHON" Fuzz/StateDictFuzz/write_seeds.py "$seeds"
  else
    FLENS_FUZZ_TARGET="$target" FLENS_FUZZ_WRITE_SEEDS="$seeds" "$BIN"
  fi
  local rc=0
  # -timeout: seconds per input before libFuzzer calls it a hang; leaks are detected by
  # LeakSanitizer at the end of every input run that allocated (-detect_leaks=1).
  # SWIFT_BACKTRACE=enable=no: a Swift runtime trap goes straight to libFuzzer as a deadly
  # signal (the Swift backtracer's own memory reads would trip AddressSanitizer).
  FLENS_FUZZ_TARGET="$target" SWIFT_BACKTRACE=enable=no \
    ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=1" LSAN_OPTIONS="suppressions=$PWD/Fuzz/lsan.supp" "$bin" \
    -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb="${FLENS_FUZZ_RSS_MB:-2048}" \
    -max_len=65536 -detect_leaks=1 -print_final_stats=1 -artifact_prefix="$findings/" \
    ${FLENS_FUZZ_FLAGS:-} "$corpus" "$seeds" > "$log" 2>&1 || rc=$?
  local runs
  runs="$(grep -aE '^stat::number_of_executed_units:' "$log" | tail -1 | awk '{print $2}')"
  if [ "$rc" -eq 0 ]; then
    echo "$target: ${runs:-?} executions, no findings" | tee -a "$SUMMARY"
  else
    echo "$target: FAILED after ${runs:-?} executions (exit $rc); see $log and $findings/" | tee -a "$SUMMARY"
    grep -aE 'ERROR|flens-fuzz:|SUMMARY' "$log" | head -5 >&2 || true
    return 1
  fi
}

jobs="${FLENS_FUZZ_JOBS:-1}"
for t in "${TARGETS[@]}"; do
  if [ "$jobs" -le 1 ]; then
    run_target "$t" || true
  else
    run_target "$t" &
    while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
  fi
done
wait
if grep -q FAILED "$SUMMARY"; then status=1; fi
echo "fuzz: summary in $SUMMARY" >&2
exit $status
