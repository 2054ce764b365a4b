#!/usr/bin/env python3
"""Prints the README's results tables (markdown) from a run of experiment.yaml.

    python3 examples/paper-comparison/table.py paper-run

Reads only files flens wrote:
- models/<NAME@k>/model.json: each trained network's test accuracy (the test images that
  chose its kept epoch);
- report/retention-<R>/data/summary.csv: per network, the mask's λ, density (sparsity),
  retention on the held-out validation images, whether its λ converged and met R, and the
  difference of the condition's low-frequency share from the baseline's with its 95 %
  hierarchical bootstrap interval (networks, then mask seeds within a network);
- report/retention-<R>/data/bands.json: per condition, the low-frequency share and the
  anisotropy of the grid-normalised angular profile, each with its hierarchical interval.
Robust accuracy is not a probe of this experiment: README measures it with `flens eval --attack`.
"""
import csv
import json
import os
import statistics
import sys


def condition(model):
    return model.split("@")[0]


def spread(values, fmt):
    """mean [min–max] over the networks of a condition."""
    if len(values) == 1:
        return fmt(values[0])
    return f"{fmt(statistics.mean(values))} [{fmt(min(values))}–{fmt(max(values))}]"


def interval(value, ci, fmt):
    if ci is None or ci[0] is None:
        return fmt(value)
    return f"{fmt(value)} [{fmt(ci[0])}, {fmt(ci[1])}]"


def test_accuracy(run, model):
    with open(os.path.join(run, "models", model, "model.json")) as f:
        return float(json.load(f).get("training", {}).get("test_accuracy", "nan"))


def main(run):
    report = os.path.join(run, "report")
    targets = sorted(d for d in os.listdir(report) if d.startswith("retention-"))
    pct = lambda v: f"{100 * v:.1f}"
    num = lambda v: f"{v:.3f}"
    signed = lambda v: f"{v:+.3f}"
    print("| R | training | networks | test acc. % | held-out retention % | density | low-freq. share [95 % CI] "
          "| Δ share vs standard [95 % CI] | anisotropy [95 % CI] | converged, R met |")
    print("|---|---|---:|---:|---:|---:|---:|---|---:|---:|")
    for target in targets:
        data = os.path.join(report, target, "data")
        with open(os.path.join(data, "summary.csv")) as f:
            rows = list(csv.DictReader(f))
        with open(os.path.join(data, "bands.json")) as f:
            bands = {c["name"]: c for c in json.load(f)["conditions"]}
        order = []
        for row in rows:
            if condition(row["model"]) not in order:
                order.append(condition(row["model"]))
        for name in order:
            mine = [r for r in rows if condition(r["model"]) == name]
            accuracy = [test_accuracy(run, r["model"]) for r in mine]
            retention = [float(r["validation_retention"] or r["retention"]) for r in mine]
            density = [float(r["sparsity"]) for r in mine]
            first = mine[0]
            if first["low_frequency_share_difference"]:
                delta = interval(float(first["low_frequency_share_difference"]),
                                 (float(first["ci_low"]), float(first["ci_high"])) if first["ci_low"] else None, signed)
            else:
                delta = "baseline"
            c = bands.get(name, {})
            share = interval(c.get("low_frequency_share", float("nan")), c.get("low_frequency_share_ci"), num)
            anisotropy = interval(c.get("anisotropy", float("nan")), c.get("anisotropy_ci"), num)
            converged = sum(r["converged"] == "yes" for r in mine)
            met = sum(r["target_met"] == "yes" for r in mine)
            print(f"| {target[len('retention-'):]} | {name} | {len(mine)} | {spread(accuracy, pct)} | {spread(retention, pct)} "
                  f"| {spread(density, num)} | {share} | {delta} | {anisotropy} | {converged}/{len(mine)}, {met}/{len(mine)} |")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: table.py RUN_DIR")
    main(sys.argv[1])
