#!/usr/bin/env python3
"""Side-by-side timing of efficientnet-java and PyTorch/torchvision (issue 6).

For each configuration, runs back to back (never concurrently):
  * ours:  ./efficientnet bench ARCH --resolution R --batch B [--train] --warmup W --iters N --json
  * torch: this file in worker mode (`--worker`), a fresh python process per configuration.

Both sides use random weights and one fixed random input, `warmup` untimed then `iters` timed
iterations, and report the median wall time per iteration, images/s and the peak RSS of their
process.  PyTorch: torch.set_num_threads(threads) (default 2), torch.set_flush_denormal(True)
(see --no-flush-denormal), torchvision models with random weights; eval runs in channels_last under inference_mode, train runs NCHW and does
forward + cross-entropy + backward + SGD step (lr 0.01, momentum 0.9), as our --train does.

Usage: compare-pytorch.sh [--iters N] [--warmup N] [--threads T] [--only SUBSTR]
                          [--json FILE] [--md FILE]
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

# (name, torchvision / our preset, mode, resolution, batch): the issue-6 configurations.
CONFIGS = [
    ("B0 eval @224 b1", "efficientnet_b0", "eval", 224, 1),
    ("B0 eval @224 b16", "efficientnet_b0", "eval", 224, 16),
    ("V2-S eval @384 b1", "efficientnet_v2_s", "eval", 384, 1),
    ("B0 train @128 b16", "efficientnet_b0", "train", 128, 16),
    ("V2-S train @128 b16", "efficientnet_v2_s", "train", 128, 16),
    ("B0 train @224 b16", "efficientnet_b0", "train", 224, 16),
]


def peak_rss_mb():
    # ru_maxrss is in KiB on Linux.
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1)


def torch_worker(arch, mode, res, batch, warmup, iters, threads, seed, flush_denormal):
    """Times one configuration in PyTorch; returns the result dict (same keys as our --json)."""
    import torch
    import torchvision

    torch.set_num_threads(threads)
    # Without flush-to-zero, training on random data runs into denormal floats and PyTorch's CPU
    # kernels slow down ~15x (V2-S train @128 b16: ~17 s instead of ~1 s per step on this box).
    torch.set_flush_denormal(flush_denormal)
    torch.manual_seed(seed)
    t0 = time.perf_counter()
    model = getattr(torchvision.models, arch)(weights=None)
    build_ms = (time.perf_counter() - t0) * 1e3
    x = torch.rand(batch, 3, res, res) * 2 - 1
    times = []
    loss_value = None
    if mode == "eval":
        model.eval()
        model = model.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)

        def step():
            with torch.inference_mode():
                out = model(x)
            return out
    else:
        model.train()
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        targets = torch.randint(0, 1000, (batch,))
        criterion = torch.nn.CrossEntropyLoss()

        def step():
            opt.zero_grad()
            loss = criterion(model(x), targets)
            loss.backward()
            opt.step()
            return loss

    for i in range(warmup + iters):
        t = time.perf_counter()
        out = step()
        ms = (time.perf_counter() - t) * 1e3
        if i >= warmup:
            times.append(ms)
        if mode == "train":
            loss_value = float(out.item())
        print(f"torch {'warm-up' if i < warmup else 'iter'} {i + 1}: {ms:.1f} ms", file=sys.stderr, flush=True)
    median = statistics.median(times)
    return {
        "arch": arch, "mode": mode, "resolution": res, "batch": batch,
        "warmup": warmup, "iters": iters,
        "ms": [round(t, 3) for t in times],
        "ms_median": round(median, 3), "ms_min": round(min(times), 3),
        "ms_mean": round(statistics.fmean(times), 3), "ms_max": round(max(times), 3),
        "images_per_second": round(batch * 1000.0 / median, 3),
        "loss": loss_value, "build_ms": round(build_ms, 1),
        "peak_rss_mb": peak_rss_mb(), "threads": torch.get_num_threads(),
        "torch_version": torch.__version__, "torchvision_version": torchvision.__version__,
        "memory_format": "channels_last" if mode == "eval" else "NCHW",
        "flush_denormal": flush_denormal,
    }


def run_json(cmd, log):
    """Runs cmd, sends its stderr to log, returns its last stdout line parsed as JSON."""
    print("$ " + " ".join(cmd), file=log, flush=True)
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=log, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[0]} exited with {proc.returncode}; see the log")
    lines = [l for l in proc.stdout.splitlines() if l.strip().startswith("{")]
    if not lines:
        raise RuntimeError(f"no JSON on stdout of: {' '.join(cmd)}")
    return json.loads(lines[-1])


def ratio(a, b):
    return a / b if a and b else float("nan")


def table(rows):
    out = ["| configuration | ours ms (median) | PyTorch ms (median) | time ours/PyTorch | ours/PyTorch (min ms) "
           "| ours img/s | PyTorch img/s | ours peak RSS MB | PyTorch peak RSS MB | RSS ours/PyTorch |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, ours, ref in rows:
        if ours is None or ref is None:
            out.append(f"| {name} | {'failed' if ours is None else ours['ms_median']} | "
                       f"{'failed' if ref is None else ref['ms_median']} | | | | | | | |")
            continue
        out.append("| {} | {:.1f} | {:.1f} | **{:.2f}×** | {:.2f}× | {:.2f} | {:.2f} | {:.0f} | {:.0f} | {:.2f}× |".format(
            name, ours["ms_median"], ref["ms_median"], ratio(ours["ms_median"], ref["ms_median"]),
            ratio(ours["ms_min"], ref["ms_min"]),
            ours["images_per_second"], ref["images_per_second"], ours["peak_rss_mb"], ref["peak_rss_mb"],
            ratio(ours["peak_rss_mb"], ref["peak_rss_mb"])))
    return "\n".join(out) + "\n"


def select(configs, only, error):
    """The configurations named by --only: an exact name selects just that one, other text matches as a substring."""
    names = [c[0] for c in configs]
    chosen = [c for c in configs if not only
              or any(o == c[0] or (o not in names and o.lower() in c[0].lower()) for o in only)]
    if not chosen:
        error("--only matched no configuration; names: " + ", ".join(names))
    return chosen


def measure(name, ours_cmd, ref_cmd, ref_label, log):
    """Runs our side (retried once: a concurrent rebuild of the tree can break a running launcher), then
    the reference side, never concurrently; returns the table row (name, ours, ref), None for a side that failed."""
    ours = ref = None
    for attempt in (1, 2):
        try:
            ours = run_json(ours_cmd, log)
            break
        except Exception as e:  # keep going: one failure should not hide the other rows
            print(f"ours failed (attempt {attempt}): {e}", file=sys.stderr)
    try:
        ref = run_json(ref_cmd, log)
    except Exception as e:
        print(f"{ref_label} failed: {e}", file=sys.stderr)
    if ours and ref:
        print(f"   ours {ours['ms_median']:.1f} ms, {ref_label} {ref['ms_median']:.1f} ms, "
              f"ratio {ratio(ours['ms_median'], ref['ms_median']):.2f}", file=sys.stderr, flush=True)
    return name, ours, ref


def machine_line():
    """The CPU model (lscpu), core count and the 1-minute load, for the header of the results."""
    model = "unknown CPU"
    try:
        out = subprocess.run(["lscpu"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout
        for line in out.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}"


def finish(rows, md, md_path, json_path, ref_key):
    """Prints the Markdown table, writes it and the JSON results when asked; the exit code (1 if a side failed)."""
    print(md, end="")
    if md_path:
        with open(md_path, "w") as f:
            f.write(md)
    if json_path:
        with open(json_path, "w") as f:
            json.dump([{"name": n, "ours": o, ref_key: r} for n, o, r in rows], f, indent=1)
    return 0 if all(o and r for _, o, r in rows) else 1


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--root", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                   help="repository root holding the ./efficientnet launcher")
    p.add_argument("--warmup", type=int, default=2, help="untimed iterations per side (default 2)")
    p.add_argument("--iters", type=int, default=10, help="timed iterations per side (default 10)")
    p.add_argument("--threads", type=int, default=2, help="torch.set_num_threads (default 2)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--no-flush-denormal", action="store_true",
                   help="leave PyTorch's denormal handling alone (default: torch.set_flush_denormal(True))")
    p.add_argument("--only", action="append", default=[],
                   help="run only configurations whose name contains this text (repeatable), e.g. 'B0 eval'")
    p.add_argument("--json", dest="json_out", help="also write all results as JSON to this file")
    p.add_argument("--md", help="also write the Markdown table to this file")
    p.add_argument("--log", default=None, help="progress log (default: stderr)")
    # worker mode (internal)
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--arch", help=argparse.SUPPRESS)
    p.add_argument("--mode", choices=["eval", "train"], help=argparse.SUPPRESS)
    p.add_argument("--resolution", type=int, help=argparse.SUPPRESS)
    p.add_argument("--batch", type=int, help=argparse.SUPPRESS)
    a = p.parse_args()

    if a.worker:
        print(json.dumps(torch_worker(a.arch, a.mode, a.resolution, a.batch, a.warmup, a.iters, a.threads, a.seed,
                                      not a.no_flush_denormal)))
        return 0

    log = open(a.log, "a") if a.log else sys.stderr
    launcher = os.path.join(a.root, "efficientnet")
    configs = select(CONFIGS, a.only, p.error)
    rows = []
    before = machine_line()
    for name, arch, mode, res, batch in configs:
        print(f"== {name}   ({machine_line()})", file=sys.stderr, flush=True)
        common = ["--resolution", str(res), "--batch", str(batch), "--warmup", str(a.warmup),
                  "--iters", str(a.iters), "--seed", str(a.seed)]
        ours_cmd = [launcher, "bench", arch] + common + (["--train"] if mode == "train" else []) + ["--json"]
        torch_cmd = ([sys.executable, os.path.abspath(__file__), "--worker", "--arch", arch, "--mode", mode,
                      "--threads", str(a.threads)] + (["--no-flush-denormal"] if a.no_flush_denormal else []) + common)
        rows.append(measure(name, ours_cmd, torch_cmd, "torch", log))
    header = f"Machine: {before} at the start; load {os.getloadavg()[0]:.2f} at the end.\n\n"
    return finish(rows, header + table(rows), a.md, a.json_out, "pytorch")


if __name__ == "__main__":
    sys.exit(main())
