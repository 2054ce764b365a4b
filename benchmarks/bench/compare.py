"""Driver of benchmarks/bench/compare.sh: runs `flens bench` and bench_torch.py alternately
(flens, PyTorch, flens, PyTorch, ... for every configuration and round), so both sides see
the same machine load, then prints a table of medians and writes every measurement as JSON.

Each configuration first runs `flens bench --save-model --dump` once (untimed for the
comparison) so that the PyTorch side loads the same weights and the same batch, and
reports in `check` how far its result is from flens's.

`--device cuda` runs both sides' model workloads on the GPU (`flens bench --device`,
bench_torch.py --device); the frequency-stage workload (fft) and the GEMM roofline are
CPU measurements and are left out there.
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))

# (workload, arch, input, batch): the configurations.
DEFAULT_CONFIGS = [
    (w, arch, shape, batch)
    for w in ["mask-step", "attack-step", "train-step", "masked-forward"]
    for arch in ["smallcnn", "resnet18"]
    for shape, batch in [("3,32,32", 128), ("1,128,128", 32)]
] + [("fft", None, "3,32,32", 128), ("fft", None, "1,128,128", 32)]


def run_json(cmd, env):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    if p.returncode != 0:
        raise SystemExit(f"failed ({p.returncode}): {' '.join(cmd)}\n{p.stderr}")
    return json.loads(p.stdout)


def uptime():
    with open("/proc/loadavg") as f:
        return [float(v) for v in f.read().split()[:3]]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--flens", required=True)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--steps", type=int, default=0, help="timed steps per run (0: by workload and size)")
    p.add_argument("--workloads", default="", help="comma-separated subset (default: all)")
    p.add_argument("--archs", default="", help="comma-separated subset (default: smallcnn,resnet18)")
    p.add_argument("--shapes", default="", help="subset of input shapes, e.g. 3,32,32;1,128,128")
    p.add_argument("--out", default="benchmark-results.json")
    p.add_argument("--scratch", default="/tmp/flens-bench")
    p.add_argument("--device", default="cpu", help="cpu or cuda[:i]: where both sides run the model workloads")
    a = p.parse_args()
    env = dict(os.environ)
    on_cpu = a.device == "cpu"
    configs = DEFAULT_CONFIGS if on_cpu else [c for c in DEFAULT_CONFIGS if c[0] != "fft"]
    if a.workloads:
        keep = a.workloads.split(",")
        configs = [c for c in configs if c[0] in keep]
    if a.archs:
        keep = a.archs.split(",")
        configs = [c for c in configs if c[1] is None or c[1] in keep]
    if a.shapes:
        keep = a.shapes.split(";")
        configs = [c for c in configs if c[2] in keep]

    gemm = run_json([a.flens, "bench", "gemm", "--threads", str(a.threads), "--steps", "5", "--json"], env)
    machine = {"cpu": platform.processor() or platform.machine(), "cores": os.cpu_count(), "threads": a.threads,
               "gemm_gflops": gemm["gflops"], "blas": gemm["blas"], "load_at_start": uptime(), "device": a.device}
    try:
        with open("/proc/cpuinfo") as f:
            machine["cpu"] = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    print(f"machine: {machine['cpu']}, {machine['cores']} cores, {a.threads} threads, "
          f"GEMM peak {gemm['gflops']:.1f} GFLOP/s ({gemm['blas'].split(' -> ')[-1]}), load {machine['load_at_start']}, "
          f"device {a.device}")
    rows = []
    for workload, arch, shape, batch in configs:
        # Timed steps: enough for a stable median at the cost of each workload.
        if workload == "fft":
            default = 50
        elif workload == "attack-step":
            default = 1 if arch == "resnet18" else 2
        else:
            default = 2 if arch == "resnet18" else 10
        steps = a.steps or default
        tag = f"{workload}-{arch or 'none'}-{shape.replace(',', 'x')}-b{batch}"
        dump = os.path.join(a.scratch, tag)
        base = [a.flens, "bench", workload, "--input", shape, "--batch", str(batch), "--threads", str(a.threads), "--json"]
        if arch:
            base += ["--arch", arch, "--device", a.device]
        # Same memory order on both sides: flens's choice for the architecture.
        channels_last = arch == "smallcnn" and min(int(v) for v in shape.split(",")[1:]) < 64
        prep = run_json(base + ["--steps", "1", "--warmup", "0", "--dump", dump], env)
        flens_cmd = base + ["--steps", str(steps), "--warmup", "1"]
        if arch:
            flens_cmd += ["--model", os.path.join(dump, "model")]
        impls = {"fft": ["torch-autograd", "torch-rfft", "numpy"], "mask-step": ["torch", "torch-compile"]}.get(workload, ["torch"])
        measurements = {"flens": []}
        for r in range(a.rounds):
            load = uptime()
            f = run_json(flens_cmd, env)
            f["load_average"] = load
            measurements["flens"].append(f)
            for impl in impls:
                cmd = [sys.executable, os.path.join(HERE, "bench_torch.py"), workload, "--dump", dump,
                       "--steps", str(steps), "--warmup", "1", "--threads", str(a.threads), "--device", a.device]
                if workload == "fft":
                    cmd += ["--fft-impl", impl]
                if impl == "torch-compile":
                    cmd.append("--compile")
                if channels_last:
                    cmd.append("--channels-last")
                t = run_json(cmd, env)
                t["load_average"] = uptime()
                measurements.setdefault(impl, []).append(t)
        med = {k: statistics.median(m["images_per_s"] for m in v) for k, v in measurements.items()}
        for impl in impls:
            row = {
                "workload": workload, "arch": arch, "input": shape, "batch": batch, "steps": steps, "device": a.device,
                "baseline": impl, "flens_images_per_s": med["flens"], "baseline_images_per_s": med[impl],
                "ratio": med["flens"] / med[impl],
                "flens_peak_rss_bytes": max(m["peak_rss_bytes"] for m in measurements["flens"]),
                "baseline_peak_rss_bytes": max(m["peak_rss_bytes"] for m in measurements[impl]),
                "flens_gflops": statistics.median(m["gflops"] for m in measurements["flens"]) if "gflops" in prep else None,
                "check": measurements[impl][0].get("check"),
                "load": [m["load_average"][0] for m in measurements["flens"]],
                "command": " ".join(flens_cmd),
            }
            if workload == "mask-step":
                row["frequency_fraction"] = statistics.median(m["frequency_fraction"] for m in measurements["flens"])
            if row["flens_gflops"] and workload != "fft" and on_cpu:
                row["roofline_fraction"] = row["flens_gflops"] / gemm["gflops"]
            rows.append(row)
            print_row(row)
            sys.stdout.flush()
        raw_path = a.out.replace(".json", "") + ".raw.json"
        with open(raw_path, "a") as f:
            f.write(json.dumps({"config": tag, "prep": prep, "measurements": measurements}) + "\n")
        machine["load_at_end"] = uptime()
        # Written after every configuration, so an interrupted run keeps what it measured.
        with open(a.out, "w") as f:
            json.dump({"machine": machine, "gemm": gemm, "rows": rows, "date": time.strftime("%Y-%m-%d %H:%M:%S")}, f, indent=1)
    print(f"load at end {machine['load_at_end']}; results in {a.out}")


def print_row(r):
    cfg = f"{r['workload']:<15}{(r['arch'] or '-'):<9}{r['input']:>10} b{r['batch']:<4}"
    extra = ""
    if "frequency_fraction" in r:
        extra += f"  freq {100 * r['frequency_fraction']:.1f}%"
    if r.get("roofline_fraction"):
        extra += f"  {r['flens_gflops']:.1f} GFLOP/s = {100 * r['roofline_fraction']:.0f}% of GEMM"
    print(f"{cfg} {r['baseline']:<15} flens {r['flens_images_per_s']:9.1f}  base {r['baseline_images_per_s']:9.1f}  "
          f"ratio {r['ratio']:5.2f}  rss {r['flens_peak_rss_bytes'] / 2**20:6.0f}/{r['baseline_peak_rss_bytes'] / 2**20:.0f} MiB  "
          f"load {r['load']}{extra}")


if __name__ == "__main__":
    main()
