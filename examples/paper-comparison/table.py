#!/usr/bin/env python3
"""Prints the README's results table (markdown) from a run of experiment.yaml.

    python3 examples/paper-comparison/table.py paper-run

Reads only files flens wrote: models/<m>/model.json (test accuracy), the report's
retention-<R>/data/summary.csv (retention, lambda, sparsity, low-frequency share and its
difference from the baseline with the 95 % bootstrap interval over seeds, robust accuracy)
and masks/<m>/retention-<R>/summary.json (target_met).
"""
import csv
import json
import os
import sys


def main(run):
    report = os.path.join(run, "report")
    targets = sorted(d for d in os.listdir(report) if d.startswith("retention-"))
    print("| R | model | test acc. | λ | masked / clean | sparsity | low-freq. share | Δ vs standard [95 % CI] | PGD-10 acc. |")
    print("|---|---|---:|---:|---:|---:|---:|---|---:|")
    for target in targets:
        with open(os.path.join(report, target, "data", "summary.csv")) as f:
            rows = list(csv.DictReader(f))
        robust = next((k for k in rows[0] if k.startswith("robust_accuracy")), None)
        for row in rows:
            model = row["model"]
            with open(os.path.join(run, "models", model, "model.json")) as f:
                record = json.load(f).get("training", {})
            test = float(record.get("test_accuracy", "nan"))
            delta = "baseline"
            if row["low_frequency_share_difference"]:
                d, lo, hi = (float(row[k]) for k in ("low_frequency_share_difference", "ci_low", "ci_high"))
                delta = f"{d:+.3f} [{lo:+.3f}, {hi:+.3f}]"
            met = "" if row["target_met"] == "yes" else " (not met)"
            attacked = f"{100 * float(row[robust]):.1f} %" if robust and row[robust] else "n/a"
            print(f"| {target[len('retention-'):]} | {model} | {100 * test:.1f} % | {float(row['lambda']):.3g} "
                  f"| {100 * float(row['retention']):.1f} %{met} | {float(row['sparsity']):.3f} "
                  f"| {float(row['low_frequency_share']):.3f} | {delta} | {attacked} |")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: table.py RUN_DIR")
    main(sys.argv[1])
