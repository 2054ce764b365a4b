#!/usr/bin/env bash
# Training throughput of `flens train` against PyTorch (python3-torch) on the same
# architecture, batch, step and thread count, measured alternately in the same run so
# that both see the same machine load. See benchmarks/README.md.
#
# usage: benchmarks/train/compare.sh [--arch smallcnn,resnet18] [--batch 128] [--steps 30]
#                                    [--threads 2] [--rounds 3] [--memory-format auto|nchw|nhwc]
#                                    [--data DIR] [--flens PATH]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
archs="smallcnn,resnet18"; batch=128; steps=30; threads=2; rounds=3; format=auto
data="${FLENS_SHARED_DATA:-$root/../shared/data}/cifar10"; flens=""
while (($#)); do
  case "$1" in
    --arch) archs="$2"; shift 2 ;;
    --batch) batch="$2"; shift 2 ;;
    --steps) steps="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --memory-format) format="$2"; shift 2 ;;
    --data) data="$2"; shift 2 ;;
    --flens) flens="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 1 ;;
  esac
done
if [[ -z "$flens" ]]; then
  (cd "$root" && swift build -c release --product flens >&2)
  flens="$root/.build/release/flens"
fi
[[ -d "$data" ]] || { echo "CIFAR-10 not found at $data (set FLENS_SHARED_DATA or --data)" >&2; exit 1; }
# Passive OpenMP waiting: idle threads sleep instead of spinning, so that on a busy machine
# neither side burns CPU (or steals it from its own threads) while waiting.
export OMP_NUM_THREADS="$threads" OPENBLAS_NUM_THREADS="$threads" OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
scratch="$(mktemp -d)"; trap 'rm -rf "$scratch"' EXIT
images=$((batch * steps))
fields() { /usr/bin/python3 -c "import json,sys; d=json.loads(sys.stdin.read()); print(d['images_per_s'], d['cpu_seconds_per_image'])"; }

echo "threads $threads, batch $batch, $steps steps per run, memory format $format, $rounds rounds"
echo "wall: images per second; cpu: process CPU milliseconds per image (all threads; less sensitive to other load)"
echo "arch       round   flens img/s  pytorch img/s  ratio   flens cpu ms  pytorch cpu ms  ratio"
IFS=, read -ra arch_list <<<"$archs"
for arch in "${arch_list[@]}"; do
  results=()
  # The same memory order on both sides (auto: channels-last for smallcnn, as flens chooses).
  python_flags=()
  [[ "$format" == nhwc || ("$format" == auto && "$arch" == smallcnn) ]] && python_flags+=(--channels-last)
  for ((r = 1; r <= rounds; r++)); do
    rm -rf "$scratch/model"
    read -r fw fc < <("$flens" train --arch "$arch" --data "$data" --limit "$images" --epochs 1 --batch "$batch" --max-steps "$steps" \
          --no-eval --threads "$threads" --memory-format "$format" --quiet --json --out "$scratch/model" | fields)
    read -r pw pc < <(/usr/bin/python3 "$root/benchmarks/train/compare.py" --arch "$arch" --data "$data" --batch "$batch" --steps "$steps" \
          --threads "$threads" "${python_flags[@]}" | fields)
    results+=("$fw $pw $fc $pc")
    awk -v a="$arch" -v r="$r" -v fw="$fw" -v pw="$pw" -v fc="$fc" -v pc="$pc" \
      'BEGIN { printf "%-10s %5d  %12.1f  %13.1f  %5.2f  %13.2f  %14.2f  %5.2f\n", a, r, fw, pw, fw / pw, 1000 * fc, 1000 * pc, pc / fc }'
  done
  printf "%s\n" "${results[@]}" | /usr/bin/python3 -c '
import statistics, sys
rows = [[float(v) for v in line.split()] for line in sys.stdin if line.strip()]
fw, pw, fc, pc = (statistics.median(c) for c in zip(*rows))
print(f"{sys.argv[1]:10s} median {fw:12.1f}  {pw:13.1f}  {fw / pw:5.2f}  {1000 * fc:13.2f}  {1000 * pc:14.2f}  {pc / fc:5.2f}   (ratios: flens / pytorch speed)")
' "$arch"
done
