"""Peak memory (max RSS) of `flens learn-mask` on 10,000 and on 50,000 images.

Writes two .npy datasets under --scratch (uint8 N×3×32×32 images: CIFAR-10's training
images tiled, or seeded random bytes without --cifar; nothing is committed), a fresh
smallcnn model, then runs the same `flens learn-mask` command (1 epoch) on each and reads
the child's own max RSS from os.wait4. Mask learning streams batches from the file, so the
two peaks should differ by a small constant (per-image bookkeeping: a few bytes per image),
not by the size of the data (50,000 float images are 600 MB).

Prints a table and one JSON object (also written to --out).
"""
import argparse
import json
import os
import subprocess
import time

import numpy as np


def make_dataset(path, n, cifar):
    os.makedirs(path, exist_ok=True)
    images_path = os.path.join(path, "images.npy")
    if os.path.exists(images_path) and np.load(images_path, mmap_mode="r").shape[0] == n:
        return
    if cifar:
        raw = np.fromfile(os.path.join(cifar, "data_batch_1.bin"), dtype=np.uint8).reshape(-1, 3073)
        base_x = raw[:, 1:].reshape(-1, 3, 32, 32)
        base_y = raw[:, 0].astype(np.int64)
    else:
        rng = np.random.default_rng(0)
        base_x = rng.integers(0, 256, size=(10000, 3, 32, 32), dtype=np.uint8)
        base_y = rng.integers(0, 10, size=10000).astype(np.int64)
    reps = -(-n // len(base_y))
    np.save(images_path, np.concatenate([base_x] * reps)[:n])
    np.save(os.path.join(path, "labels.npy"), np.concatenate([base_y] * reps)[:n])


def run(cmd):
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise SystemExit(f"failed ({status}): {' '.join(cmd)}")
    return usage.ru_maxrss * 1024, time.perf_counter() - t0, out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--flens", required=True)
    p.add_argument("--scratch", default="/tmp/flens-memory")
    p.add_argument("--cifar", default="", help="CIFAR-10 binary directory to tile (default: random bytes)")
    p.add_argument("--sizes", default="10000,50000")
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--out", default="memory-results.json")
    a = p.parse_args()
    model = os.path.join(a.scratch, "model")
    if not os.path.exists(os.path.join(model, "model.json")):
        subprocess.run([a.flens, "bench", "masked-forward", "--arch", "smallcnn", "--input", "3,32,32", "--batch", "1",
                        "--steps", "1", "--warmup", "0", "--save-model", model, "--json"], check=True, stdout=subprocess.DEVNULL)
    rows = []
    for n in [int(s) for s in a.sizes.split(",")]:
        data = os.path.join(a.scratch, f"data-{n}")
        make_dataset(data, n, a.cifar)
        out = os.path.join(a.scratch, f"mask-{n}")
        cmd = [a.flens, "learn-mask", "--model", model, "--data", data, "--epochs", "1", "--batch", str(a.batch),
               "--threads", str(a.threads), "--out", out, "--json"]
        subprocess.run(["rm", "-rf", out], check=True)
        with open("/proc/loadavg") as f:
            load = [float(v) for v in f.read().split()[:3]]
        rss, seconds, _ = run(cmd)
        rows.append({"images": n, "peak_rss_bytes": rss, "seconds": seconds, "load": load, "command": " ".join(cmd)})
        print(f"{n:>7} images: max RSS {rss / 2**20:7.1f} MiB, {seconds:6.1f} s, load {load}")
    if len(rows) >= 2:
        growth = rows[-1]["peak_rss_bytes"] - rows[0]["peak_rss_bytes"]
        extra = rows[-1]["images"] - rows[0]["images"]
        print(f"growth: {growth / 2**20:.1f} MiB for {extra} more images ({growth / extra:.0f} bytes per image; "
              f"the images themselves are {3 * 32 * 32 * 4} bytes each as float32)")
    result = {"rows": rows}
    with open(a.out, "w") as f:
        json.dump(result, f, indent=1)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
