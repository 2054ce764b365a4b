#!/usr/bin/env bash
# Fuzzes every reader of untrusted input with libFuzzer + AddressSanitizer.
#
#   bash scripts/fuzz.sh [SECONDS] [TARGET ...]
#
# SECONDS (default 60) is the time per target; TARGETs default to all of them:
#   png jpeg cifar10 mnist npy npy-dataset model-json experiment plugin-spec safetensors
# Each target starts from a seed corpus written by the project's own writers
# (Fuzz/FlensFuzz/FuzzSeeds.swift) plus whatever earlier runs found (.build-fuzz/corpus/,
# not committed). A crash, leak, timeout or out-of-memory stops the target and leaves the
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
ALL_TARGETS=(png jpeg cifar10 mnist npy npy-dataset model-json experiment plugin-spec safetensors)
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

echo "fuzz: building flens-fuzz (libFuzzer + AddressSanitizer) in $BUILD" >&2
FLENS_FUZZ=1 bash scripts/build-without-warnings.sh --scratch-path "$BUILD" --product flens-fuzz \
  -Xswiftc -O -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld \
  -Xcc -fsanitize=fuzzer-no-link,address -Xcc -O1 >&2
BIN="$(FLENS_FUZZ=1 swift build --scratch-path "$BUILD" --product flens-fuzz --show-bin-path \
  -Xswiftc -O -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld -Xcc -fsanitize=fuzzer-no-link,address -Xcc -O1)/flens-fuzz"

SUMMARY="$BUILD/fuzz-summary.txt"
: > "$SUMMARY"
status=0
run_target() {
  local target="$1"
  local corpus="$BUILD/corpus/$target" seeds="$BUILD/seeds/$target" findings="$BUILD/findings/$target"
  local log="$BUILD/logs/$target.log"
  mkdir -p "$corpus" "$findings" "$BUILD/logs"
  rm -rf "$seeds"
  FLENS_FUZZ_TARGET="$target" FLENS_FUZZ_WRITE_SEEDS="$seeds" "$BIN"
  local rc=0
  # -timeout: seconds per input before libFuzzer calls it a hang; leaks are detected by
  # LeakSanitizer at the end of every input run that allocated (-detect_leaks=1).
  # SWIFT_BACKTRACE=enable=no: a Swift runtime trap goes straight to libFuzzer as a deadly
  # signal (the Swift backtracer's own memory reads would trip AddressSanitizer).
  FLENS_FUZZ_TARGET="$target" SWIFT_BACKTRACE=enable=no \
    ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=1" LSAN_OPTIONS="suppressions=$PWD/Fuzz/lsan.supp" "$BIN" \
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
