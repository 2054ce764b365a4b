"""The PyTorch side of benchmarks/train/compare.sh: training throughput (images/s) of the
same architecture and the same step as `flens train` (benchmarks/train/reference_models.py):
per-channel normalisation inside the model, mean cross-entropy, backward, SGD with Nesterov
momentum 0.9 and weight decay 5e-4, a new learning rate every step (one-cycle), batches
drawn in a shuffled order from CIFAR-10 bytes held in memory and scaled to [0, 1].

Prints one JSON object: images_per_s over all `--steps` steps (the first one included, as
flens train counts it), plus the configuration.
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reference_models import Normalized, build  # noqa: E402


def load_cifar(path, grayscale):
    raw = np.fromfile(os.path.join(path, "data_batch_1.bin"), dtype=np.uint8).reshape(-1, 3073)
    labels = torch.from_numpy(raw[:, 0].astype(np.int64))
    images = torch.from_numpy(raw[:, 1:].reshape(-1, 3, 32, 32).copy())
    return images, labels


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--arch", default="smallcnn")
    p.add_argument("--data", required=True)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--steps", type=int, default=30)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--channels-last", action="store_true")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    images, labels = load_cifar(a.data, False)
    mean = (images.float() / 255).mean((0, 2, 3)).tolist()
    std = (images.float() / 255).std((0, 2, 3)).tolist()
    model = Normalized(build(a.arch, 3, 10, 32, 32), mean, std).train()
    if a.channels_last:
        model = model.to(memory_format=torch.channels_last)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4, nesterov=True)
    order = torch.randperm(len(labels))
    seen = 0
    start = time.perf_counter()
    start_cpu = time.process_time()
    for step in range(a.steps):
        idx = order[(step * a.batch) % (len(labels) - a.batch):][: a.batch]
        x = images[idx].float().div_(255)
        y = labels[idx]
        if a.channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        for g in opt.param_groups:
            g["lr"] = 0.004 + 0.096 * (1 - math.cos(math.pi * step / a.steps)) / 2
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        loss.item()
        seen += len(y)
    seconds = time.perf_counter() - start
    cpu = time.process_time() - start_cpu
    print(json.dumps({"images_per_s": seen / seconds, "cpu_seconds_per_image": cpu / seen, "arch": a.arch, "batch": a.batch, "steps": a.steps,
                      "threads": torch.get_num_threads(), "channels_last": a.channels_last, "seconds": seconds}))


if __name__ == "__main__":
    main()
