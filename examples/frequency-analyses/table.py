#!/usr/bin/env python3
"""Prints the README's result tables (markdown) from a run of experiment.yaml.

    .venv/bin/python examples/frequency-analyses/table.py analyses-run

Reads only files flens wrote (NumPy reads the .npy arrays): models/<m>/model.json,
masks/<m>/retention-<R>/summary.json, adversarial-maps/<m>/adversarial.json and
summary.json, image-masks/<m>/mask.npy, probes/<m>/retention-<R>/*.json and *.npy. Intervals: Wilson 95 % for
accuracies over images; the probes' own 95 % bootstrap intervals (bands, alignment); a
95 % percentile bootstrap over images (2,000 resamples, seed 0) for the median DCT-block
margins; for the heat map's low- and high-frequency error rates a conservative Wilson
interval (see below).
"""
import json
import math
import os
import sys

import numpy as np

RNG = np.random.default_rng(0)


def load(path):
    with open(path) as f:
        return json.load(f)


def wilson(p, n, z=1.96):
    if n == 0:
        return float("nan"), float("nan")
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def pct(p, n=None):
    if n is None:
        return f"{100 * p:.1f} %"
    lo, hi = wilson(p, n)
    return f"{100 * p:.1f} % [{100 * lo:.1f}, {100 * hi:.1f}]"


def ci(value, interval, digits=3):
    if value is None:
        return "n/a"
    if not interval:
        return f"{value:+.{digits}f}"
    return f"{value:+.{digits}f} [{interval[0]:+.{digits}f}, {interval[1]:+.{digits}f}]"


def bootstrap(values, statistic, resamples=2000):
    values = np.asarray(values)
    n = values.shape[-1]
    stats = [statistic(values[..., RNG.integers(0, n, n)]) for _ in range(resamples)]
    return np.percentile(stats, [2.5, 97.5])


def main(run):
    models = sorted(os.listdir(os.path.join(run, "models")))
    target = sorted(d for d in os.listdir(os.path.join(run, "masks", models[0])) if d.startswith("retention-"))[0]
    probes = {m: os.path.join(run, "probes", m, target) for m in models}

    print(f"### Masks at {target} and clean accuracy\n")
    print("| model | test acc. (2,000) | probe images: clean | masked | λ | sparsity | low-freq. share | Δ vs standard [95 % CI] |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for m in models:
        test = float(load(os.path.join(run, "models", m, "model.json"))["training"]["test_accuracy"])
        acc = load(os.path.join(probes[m], "accuracy.json"))
        n = int(acc["count"])
        mask = load(os.path.join(run, "masks", m, target, "summary.json"))
        bands = load(os.path.join(probes[m], "bands.json"))
        delta = ci(bands.get("low_frequency_share_difference"), bands.get("low_frequency_share_difference_ci"))
        print(f"| {m} | {pct(test)} | {pct(acc['clean_accuracy'], n)} | {pct(acc['masked_accuracy'], n)} "
              f"| {mask['lambda']:.3g} | {mask['sparsity']:.3f} | {bands['low_frequency_share']:.3f} "
              f"| {delta if bands.get('low_frequency_share_difference') is not None else 'baseline'} |")

    print("\n### Attacks (probe images, mask-free model)\n")
    print("| model | PGD-10 L∞ 8/255 robust acc. | its mean L2 | DeepFool L2: mean distance | DeepFool robust acc. |")
    print("|---|---:|---:|---:|---:|")
    for m in models:
        files = sorted(os.listdir(probes[m]))
        pgd = load(os.path.join(probes[m], next(f for f in files if f.startswith("attack-pgd-linf") and f.endswith(".json"))))
        df = load(os.path.join(probes[m], next(f for f in files if f.startswith("attack-deepfool") and f.endswith(".json"))))
        n = int(pgd["count"])
        print(f"| {m} | {pct(pgd['robust_accuracy'], n)} | {pgd['mean_perturbation_l2']:.3f} "
              f"| {df['mean_perturbation_l2']:.3f} | {pct(df['robust_accuracy'])} |")

    print("\n### Fourier heat map (error rate under a Fourier basis image of L2 norm 4)\n")
    print("| model | clean error | mean over all frequencies | low (radius ≤ 4) [conservative 95 % CI] | high (radius ≥ 12) [conservative 95 % CI] | low / high minus clean error (points) |")
    print("|---|---:|---:|---:|---:|---|")
    for m in models:
        heat = load(os.path.join(probes[m], "heatmap.json"))
        error = np.load(os.path.join(probes[m], "heatmap.error.npy"))
        h, w = error.shape
        fy, fx = np.meshgrid(np.arange(h) - h // 2, np.arange(w) - w // 2, indexing="ij")
        radius = np.hypot(fy, fx)
        low, high = error[radius <= 4].mean(), error[radius >= 12].mean()
        # Per-image errors are not stored, but a region's rate is the mean over the images of
        # each image's error fraction in the region, a value in [0, 1] whose variance is at
        # most p(1 - p): the Wilson interval over the images is conservative.
        n = int(heat["count"])
        clean_error = 1 - load(os.path.join(probes[m], "accuracy.json"))["clean_accuracy"]
        print(f"| {m} | {pct(clean_error)} | {pct(heat['mean_error_rate'])} | {pct(low, n)} | {pct(high, n)} "
              f"| {100 * (low - clean_error):+.1f} / {100 * (high - clean_error):+.1f} |")

    print("\n### Mask, adversarial map and perturbation spectrum (alignment)\n")
    print("| model | flipped by DeepFool | map sparsity | comparison | units | cosine [95 % CI] | radial-band correlation [95 % CI] |")
    print("|---|---:|---:|---|---:|---|---|")
    for m in models:
        record = load(os.path.join(run, "adversarial-maps", m, "adversarial.json"))
        amap = load(os.path.join(run, "adversarial-maps", m, "summary.json"))
        al = load(os.path.join(probes[m], "alignment.json"))
        for key in ("mask_vs_map", "mask_vs_perturbation", "map_vs_perturbation"):
            part = al[key]
            print(f"| {m} | {pct(record['flipped_fraction'])} | {amap['sparsity']:.3f} | {key} | {int(part['units'])} "
                  f"| {ci(part['cosine'], part.get('cosine_ci'))} | {ci(part['band_correlation'], part.get('band_correlation_ci'))} |")

    print("\nReference and check, recomputed here with NumPy's FFT from perturbation.npy and the masks:")
    print("the cosine of a flat (all-ones) mask with each perturbation's magnitude spectrum (what any")
    print("non-negative mask starts from), and the probe's mask_vs_perturbation cosine recomputed.\n")
    print("| model | flat mask vs perturbation (cosine) | mask vs perturbation, recomputed | flat vs mean map (cosine) | flat vs mask (cosine) |")
    print("|---|---:|---:|---:|---:|")
    for m in models:
        delta = np.load(os.path.join(run, "adversarial-maps", m, "perturbation.npy")).astype(np.float64)
        spectra = np.abs(np.fft.fft2(delta, axes=(-2, -1))).mean(axis=1)  # N × H × W, unshifted, mean over channels
        moved = spectra.reshape(len(spectra), -1).max(axis=1) > 0  # already-misclassified images are not perturbed
        flat_spectra = spectra[moved].reshape(moved.sum(), -1)
        mask = np.load(os.path.join(run, "masks", m, target, "mask.npy")).astype(np.float64).reshape(-1)
        amap = np.load(os.path.join(run, "adversarial-maps", m, "mask.npy")).astype(np.float64)
        mean_map = amap.reshape(amap.shape[0], -1).mean(axis=0)

        def cosine(a, b):
            return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))

        ones = np.ones_like(mask)
        flat = np.mean([cosine(ones, x) for x in flat_spectra])
        recomputed = np.mean([cosine(mask, x) for x in flat_spectra])
        print(f"| {m} | {flat:.3f} | {recomputed:.3f} | {cosine(ones, mean_map):.3f} | {cosine(ones, mask):.3f} |")

    print("\n### Frequency ablation (Wang et al.): class masks of the top k % frequencies\n")
    print("| model | k | mean TPR | mean FPR | classes with TPR > 0.5 |")
    print("|---|---:|---:|---:|---:|")
    for m in models:
        ab = load(os.path.join(probes[m], "ablation.json"))
        for i, k in enumerate(ab["top_k_percent"]):
            tpr = ab["tpr"][i]
            print(f"| {m} | {k:g} | {ab['mean_tpr'][i]:.3f} | {ab['mean_fpr'][i]:.3f} | {sum(t > 0.5 for t in tpr)} / {len(tpr)} |")

    print("\n### DCT-block margins (median L2 over images; 8×8 blocks, [0,0] holds DC)\n")
    print("| model | block [0,0] [95 % CI] | low blocks (i+j ≤ 1) | high blocks (i+j ≥ 5) | highest block [3,3] [95 % CI] | flipped within steps |")
    print("|---|---:|---:|---:|---:|---:|")
    for m in models:
        mg = load(os.path.join(probes[m], "margins.json"))
        margins = np.load(os.path.join(probes[m], "margins.margins.npy"))  # rows × cols × images
        med = np.median(margins, axis=-1)
        rows, cols = med.shape
        i, j = np.meshgrid(np.arange(rows), np.arange(cols), indexing="ij")
        flipped = np.mean(np.isfinite(margins))
        c00 = bootstrap(margins[0, 0], np.median)
        clast = bootstrap(margins[-1, -1], np.median)
        print(f"| {m} | {med[0, 0]:.2f} [{c00[0]:.2f}, {c00[1]:.2f}] | {np.median(med[i + j <= 1]):.2f} "
              f"| {np.median(med[i + j >= 5]):.2f} | {med[-1, -1]:.2f} [{clast[0]:.2f}, {clast[1]:.2f}] | {pct(flipped)} |")

    print("\n### Neural anisotropy directions of the architecture (test accuracy per frequency)\n")
    for m in models[:1] if len(models) else []:
        nad = load(os.path.join(probes[m], "nad.json"))
        n = int(nad["test_images"])
        print(f"{nad['architecture']}, grid {int(nad['grid'])}×{int(nad['grid'])}, {int(nad['networks'])} networks, "
              f"{int(nad['train_images'])} training images, {int(nad['epochs'])} epochs; rows f_y, columns f_x "
              f"(cycles per image); Wilson 95 % intervals over {n} test images:\n")
        print("| f_y \\ f_x | " + " | ".join(f"{x:g}" for x in nad["freq_x"]) + " |")
        print("|---|" + "---:|" * len(nad["freq_x"]))
        for y, row in zip(nad["freq_y"], nad["test_accuracy"]):
            print(f"| {y:g} | " + " | ".join(pct(a, n) for a in row) + " |")
    same = len({json.dumps(load(os.path.join(probes[m], "nad.json"))["test_accuracy"]) for m in models}) == 1
    print(f"\n(The maps of {', '.join(models)} are {'identical' if same else 'different'}.)")

    print("\n### Image masks: PCA and linear probe (the paper's third notebook)\n")
    print("| model | image masks | mean mask value | PC1 / PC2 variance | PC1 / PC2, recomputed | linear probe [95 % CI] | shuffled labels [95 % CI] | chance |")
    print("|---|---:|---:|---:|---:|---|---|---:|")
    for m in models:
        e = load(os.path.join(probes[m], "embedding.json"))
        lp = e["linear_probe"]
        # Independent check: the centred PCA's explained-variance shares from NumPy's SVD of
        # the flattened image masks that the probe read.
        x = np.load(os.path.join(run, "image-masks", m, "mask.npy")).reshape(int(e["images"]), -1).astype(np.float64)
        s = np.linalg.svd(x - x.mean(axis=0), compute_uv=False) ** 2
        share = s[:2] / s.sum()
        acc, shuffled = lp["accuracy"], lp["shuffled_accuracy"]
        print(f"| {m} | {int(e['images'])} | {x.mean():.3f} | {e['pca']['explained_variance'][0]:.3f} / {e['pca']['explained_variance'][1]:.3f} "
              f"| {share[0]:.3f} / {share[1]:.3f} | {pct(acc['mean'])} [{100 * acc['ci'][0]:.1f}, {100 * acc['ci'][1]:.1f}] "
              f"| {pct(shuffled['mean'])} [{100 * shuffled['ci'][0]:.1f}, {100 * shuffled['ci'][1]:.1f}] | {pct(lp['chance'])} |")
    print(f"\n{int(lp['seeds'])} stratified splits of {int(lp['train_images'])} training and {int(lp['test_images'])} held-out "
          "masks; intervals are Student-t over the splits.")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: table.py RUN_DIR")
    main(sys.argv[1])
