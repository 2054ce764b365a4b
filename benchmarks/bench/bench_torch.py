"""The PyTorch (and NumPy) side of benchmarks/bench/compare.sh.

Runs the computation of one `flens bench` workload in eager PyTorch, with the same model
weights (the model directory `flens bench --save-model` wrote: model.json + weights.pt, a
plain dict that torch.load reads), the same batch (images.npy / labels.npy from
`flens bench --dump`), the same thread count and the same memory order, and prints one
JSON object: images_per_s, seconds_per_step, cpu_seconds_per_image, peak_rss_bytes, and
`check`: the largest difference between this side's result and the one flens dumped (the
θ-gradient of the first mask step, the logits through the mask, the masked images and the
mask gradient of the frequency stage), so a reader can see both sides compute the same.
`--device cuda` runs the model workloads on the GPU (the batch, weights and mask moved there
once, untimed; every timed step ends with a device synchronisation) and adds
peak_device_bytes.

Workloads (as in `flens bench`):
  mask-step       the paper's loss exp((CE(f(x_M)) - CE(f(x)))^2) + lambda*|M|_1/|M0|_1 with a
                  free mask M on the DFT of the normalised input, x_M = Re(IDFT(M * DFT(x))),
                  backward to M, Adam, clamp to [0, 1]
  attack-step     PGD-10 in an L-inf ball (pixel space, eps 0.03, step eps/8, random start)
  train-step      training mode, mean CE, backward, SGD (Nesterov 0.9, weight decay 5e-4)
                  with a new learning rate each step
  masked-forward  logits through a fixed mask (inference mode)
  fft             the frequency stage alone: T(x), mask, T^-1 and the adjoint dL/dM, in three
                  implementations: torch-autograd (fft2/ifft2 and backward, as mask-learning
                  code in PyTorch is written), torch-rfft (half spectra, adjoint by hand, the
                  algorithm flens uses) and numpy (the same by hand with numpy.fft)
"""
import argparse
import json
import math
import os
import resource
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "train"))
from reference_models import Normalized, build  # noqa: E402


def load_model(directory, channels_last):
    with open(os.path.join(directory, "model.json")) as f:
        d = json.load(f)
    c, h, w = d["input"]
    net = build(d["arch"], c, len(d["classes"]), h, w)
    net.load_state_dict(torch.load(os.path.join(directory, "weights.pt")), strict=True)
    model = Normalized(net, d["mean"], d["std"])
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
    return model, d


def timed(fn, steps, warmup, sync=lambda: None):
    """`sync` waits for queued device work, so a GPU step is timed to its end, not its launch."""
    for _ in range(warmup):
        fn()
    sync()
    best = math.inf
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    for _ in range(steps):
        s = time.perf_counter()
        fn()
        sync()
        best = min(best, time.perf_counter() - s)
    return time.perf_counter() - t0, time.process_time() - cpu0, best


def dft_mask(xn, m):
    """Re(IDFT2(M * DFT2(x))) per plane: the masked input of the paper, as PyTorch code writes it."""
    return torch.fft.ifft2(m * torch.fft.fft2(xn)).real


def main():
    p = argparse.ArgumentParser()
    p.add_argument("workload")
    p.add_argument("--dump", required=True, help="directory written by flens bench --dump (batch, first results)")
    p.add_argument("--model", help="model directory (default: DUMP/model)")
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--channels-last", action="store_true")
    p.add_argument("--device", default="cpu", help="cpu or cuda[:i] (model workloads only; fft runs on the CPU)")
    p.add_argument("--lambda", dest="lam", type=float, default=0.02)
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--eps", type=float, default=0.03)
    p.add_argument("--pgd-steps", type=int, default=10)
    p.add_argument("--fft-impl", default="torch-autograd", choices=["torch-autograd", "torch-rfft", "numpy"])
    p.add_argument("--compile", action="store_true",
                   help="mask-step: the loss under torch.compile (inductor; compilation happens in the untimed warm-up)")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    device = torch.device(a.device)
    if a.workload == "fft" and device.type != "cpu":
        raise SystemExit("bench_torch.py: the fft workload runs on the CPU only (got --device %s)" % a.device)
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    x = torch.from_numpy(np.load(os.path.join(a.dump, "images.npy"))).to(device)
    n = x.shape[0]
    out = {"workload": a.workload, "batch": n, "steps": a.steps, "threads": torch.get_num_threads(),
           "torch": torch.__version__, "channels_last": a.channels_last, "device": str(device)}

    if a.workload == "fft":
        fft_workload(a, x, out)
    else:
        model, d = load_model(a.model or os.path.join(a.dump, "model"), a.channels_last)
        model = model.to(device)
        model.eval()
        y = torch.from_numpy(np.load(os.path.join(a.dump, "labels.npy")).astype(np.int64)).to(device)
        mean = model.mean
        std = model.std
        memory = torch.channels_last if a.channels_last else torch.contiguous_format
        if a.workload == "train-step":
            model.train()
            opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4, nesterov=True)
            state = {"step": 0}

            def step():
                for g in opt.param_groups:
                    g["lr"] = 0.004 + 0.096 * (1 - math.cos(math.pi * (state["step"] % 100) / 100)) / 2
                opt.zero_grad()
                loss = F.cross_entropy(model(x.contiguous(memory_format=memory)), y)
                loss.backward()
                opt.step()
                loss.item()
                state["step"] += 1
        else:
            # Frozen, evaluation-mode model: only input gradients are needed.
            for q in model.parameters():
                q.requires_grad_(False)
            if a.workload == "mask-step":
                h, w = x.shape[2], x.shape[3]
                m = torch.ones(h, w, requires_grad=True, device=device)
                opt = torch.optim.Adam([m], lr=a.lr)
                with torch.no_grad():
                    clean = F.cross_entropy(model(x), y, reduction="none").mean()
                l1_0 = float(h * w)

                def objective():
                    xn = (x - mean) / std
                    xm = dft_mask(xn, m) * std + mean
                    ce = F.cross_entropy(model(xm.contiguous(memory_format=memory)), y, reduction="none")
                    invariance = (ce.mean() - clean) ** 2
                    return torch.exp(invariance) + a.lam * m.abs().sum() / l1_0

                if a.compile:
                    objective = torch.compile(objective)
                    out["compiled"] = "inductor"
                loss = objective()
                loss.backward()
                ref = np.load(os.path.join(a.dump, "theta_gradient.npy"))
                out["check"] = {"theta_gradient_max_abs_diff": float(np.abs(m.grad.cpu().numpy().ravel() - ref).max()),
                                "theta_gradient_max_abs": float(np.abs(ref).max())}
                m.grad = None

                def step():
                    opt.zero_grad()
                    loss = objective()
                    loss.backward()
                    opt.step()
                    with torch.no_grad():
                        m.clamp_(0, 1)
                    loss.item()
            elif a.workload == "masked-forward":
                mask = torch.from_numpy(np.load(os.path.join(a.dump, "mask.npy"))).to(device)

                def logits():
                    xn = (x - mean) / std
                    xm = dft_mask(xn, mask) * std + mean
                    return model(xm.contiguous(memory_format=memory))

                with torch.inference_mode():
                    z = logits()
                ref = np.load(os.path.join(a.dump, "logits.npy"))
                out["check"] = {"logits_max_abs_diff": float(np.abs(z.cpu().numpy() - ref).max()),
                                "logits_max_abs": float(np.abs(ref).max())}

                def step():
                    with torch.inference_mode():
                        logits()
            elif a.workload == "attack-step":
                eps, alpha = a.eps, a.eps / 8

                def step():
                    adv = (x + torch.empty_like(x).uniform_(-eps, eps)).clamp_(0, 1)
                    for _ in range(a.pgd_steps):
                        adv.requires_grad_(True)
                        loss = F.cross_entropy(model(adv.contiguous(memory_format=memory)), y, reduction="sum")
                        (g,) = torch.autograd.grad(loss, adv)
                        with torch.no_grad():
                            adv = adv + alpha * g.sign()
                            adv = torch.min(torch.max(adv, x - eps), x + eps).clamp_(0, 1)
                    return adv.detach()
            else:
                raise SystemExit("unknown workload " + a.workload)
        wall, cpu, best = timed(step, a.steps, a.warmup, sync)
        record(out, n, a.steps, wall, cpu, best)
    out["peak_rss_bytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    if device.type == "cuda":
        out["peak_device_bytes"] = torch.cuda.max_memory_allocated(device)
    print(json.dumps(out, sort_keys=True))


def record(out, n, steps, wall, cpu, best):
    out["seconds"] = wall
    out["seconds_per_step"] = wall / steps
    out["best_seconds_per_step"] = best
    out["images_per_s"] = n * steps / wall
    out["cpu_seconds_per_image"] = cpu / (n * steps)


def fft_workload(a, x, out):
    g = torch.from_numpy(np.load(os.path.join(a.dump, "output_gradient.npy")))
    mask = torch.from_numpy(np.load(os.path.join(a.dump, "mask.npy")))
    n, c, h, w = x.shape
    sw = w // 2 + 1
    # The mask's Hermitian-symmetric half used on half spectra: (M(k) + M(-k)) / 2.
    flipped = torch.roll(torch.flip(mask, (0, 1)), shifts=(1, 1), dims=(0, 1))
    mask_sym_half = ((mask + flipped) / 2)[:, :sw]
    k1 = (-torch.arange(h)) % h
    k2 = (-torch.arange(sw, w)) % w

    def mirror(half):
        full = torch.empty(h, w, dtype=half.dtype)
        full[:, :sw] = half
        full[:, sw:] = half[k1][:, k2]
        return full

    if a.fft_impl == "torch-autograd":
        m = mask.clone().requires_grad_(True)

        def stage():
            m.grad = None
            y = dft_mask(x, m)
            y.backward(g)
            return y.detach(), m.grad
    elif a.fft_impl == "torch-rfft":
        def stage():
            with torch.inference_mode():
                xs = torch.fft.rfft2(x)
                y = torch.fft.irfft2(mask_sym_half * xs, s=(h, w))
                gs = torch.fft.rfft2(g)
                half = (xs.real * gs.real + xs.imag * gs.imag).sum((0, 1))
                return y, mirror(half) / (h * w)
    else:
        xn, gn = x.numpy(), g.numpy()
        msh = mask_sym_half.numpy()
        k1n, k2n = k1.numpy(), k2.numpy()

        def stage():
            xs = np.fft.rfft2(xn)
            y = np.fft.irfft2(msh * xs, s=(h, w))
            gs = np.fft.rfft2(gn)
            half = (xs.real * gs.real + xs.imag * gs.imag).sum((0, 1))
            full = np.empty((h, w), dtype=half.dtype)
            full[:, :sw] = half
            full[:, sw:] = half[k1n][:, k2n]
            return torch.from_numpy(y), torch.from_numpy(full / (h * w))

    y, gm = stage()
    ref_y = np.load(os.path.join(a.dump, "masked.npy"))
    ref_g = np.load(os.path.join(a.dump, "mask_gradient.npy"))
    out["fft_impl"] = a.fft_impl
    out["check"] = {"masked_max_abs_diff": float(np.abs(y.numpy() - ref_y).max()),
                    "mask_gradient_max_abs_diff": float(np.abs(gm.numpy() - ref_g).max()),
                    "mask_gradient_max_abs": float(np.abs(ref_g).max())}
    wall, cpu, best = timed(stage, a.steps, a.warmup)
    record(out, n, a.steps, wall, cpu, best)


if __name__ == "__main__":
    main()
