#!/usr/bin/env python3
"""Prints the README's results table (markdown) from a run of experiment.yaml.

    python3 examples/paper-comparison/table.py paper-run

Reads only files flens wrote: models/<m>/model.json (test accuracy) and the report's
retention-<R>/data/summary.csv (retention, lambda, sparsity, target_met, low-frequency share
and its difference from the baseline with the 95 % bootstrap interval over seeds). Robust
accuracy is not a probe of this experiment: README measures it with `flens eval --attack`.
"""
import csv
import functools
import json
import os
import sys


@functools.lru_cache(maxsize=None)
def test_accuracy(run, model):
    with open(os.path.join(run, "models", model, "model.json")) as f:
        return float(json.load(f).get("training", {}).get("test_accuracy", "nan"))


def main(run):
    report = os.path.join(run, "report")
    targets = sorted(d for d in os.listdir(report) if d.startswith("retention-"))
    print("| R | model | test acc. | λ | masked / clean | sparsity | low-freq. share | Δ vs standard [95 % CI] |")
    print("|---|---|---:|---:|---:|---:|---:|---|")
    for target in targets:
        with open(os.path.join(report, target, "data", "summary.csv")) as f:
            rows = list(csv.DictReader(f))
        for row in rows:
            model = row["model"]
            test = test_accuracy(run, model)
            delta = "baseline"
            if row["low_frequency_share_difference"]:
                d, lo, hi = (float(row[k]) for k in ("low_frequency_share_difference", "ci_low", "ci_high"))
                delta = f"{d:+.3f} [{lo:+.3f}, {hi:+.3f}]"
            met = "" if row["target_met"] == "yes" else " (not met)"
            print(f"| {target[len('retention-'):]} | {model} | {100 * test:.1f} % | {float(row['lambda']):.3g} "
                  f"| {100 * float(row['retention']):.1f} %{met} | {float(row['sparsity']):.3f} "
                  f"| {float(row['low_frequency_share']):.3f} | {delta} |")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: table.py RUN_DIR")
    main(sys.argv[1])
