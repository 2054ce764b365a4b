"""Markdown table of compare.py's results (and memory.py's), as in the README.

usage: table.py RESULTS.json [MEMORY.json]
"""
import json
import sys


def mib(b):
    return f"{b / 2**20:.0f} MiB"


def main():
    r = json.load(open(sys.argv[1]))
    m = r["machine"]
    print(f"Machine: {m['cpu']}, {m['cores']} cores (shared), {m['threads']} threads per side, "
          f"{m['blas'].split(' -> ')[-1]}, measured GEMM peak {r['gemm']['gflops']:.1f} GFLOP/s; "
          f"load average {m['load_at_start'][0]:.1f} at start, {m.get('load_at_end', ['?'])[0]} at end; {r['date']}; "
          f"device {m.get('device', 'cpu')}.")
    print()
    print("| workload | model | input, batch | FourierLens img/s | baseline | baseline img/s | ratio | peak RSS flens / baseline | load (1 min) | notes |")
    print("|---|---|---|---:|---|---:|---:|---|---|---|")
    for row in r["rows"]:
        notes = []
        if row.get("frequency_fraction") is not None:
            notes.append(f"frequency stage {100 * row['frequency_fraction']:.1f} % of the step")
        if row.get("roofline_fraction"):
            notes.append(f"{row['flens_gflops']:.1f} GFLOP/s = {100 * row['roofline_fraction']:.0f} % of GEMM peak")
        check = row.get("check") or {}
        diffs = []
        for k, v in check.items():
            if k.endswith("_max_abs_diff"):
                name = k.replace("_max_abs_diff", "")
                scale = check.get(name + "_max_abs")
                diffs.append(f"{name} Δ {v:.1e}" + (f" (largest value {scale:.1e})" if scale else ""))
        notes += diffs
        c, h, w = row["input"].split(",")
        print(f"| {row['workload']} | {row['arch'] or '—'} | {c}×{h}×{w}, {row['batch']} | {row['flens_images_per_s']:.1f} | "
              f"{row['baseline']} | {row['baseline_images_per_s']:.1f} | {row['ratio']:.2f} | "
              f"{mib(row['flens_peak_rss_bytes'])} / {mib(row['baseline_peak_rss_bytes'])} | "
              f"{', '.join(f'{v:.1f}' for v in row['load'])} | {'; '.join(notes)} |")
    if len(sys.argv) > 2:
        mem = json.load(open(sys.argv[2]))
        print()
        print("| `flens learn-mask` (smallcnn, 1 epoch, batch 128) | max RSS | wall time | load |")
        print("|---|---:|---:|---|")
        for row in mem["rows"]:
            print(f"| {row['images']:,} images | {mib(row['peak_rss_bytes'])} | {row['seconds']:.0f} s | {row['load'][0]:.1f} |")


if __name__ == "__main__":
    main()
