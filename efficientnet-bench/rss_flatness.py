#!/usr/bin/env python3
"""Resident memory over a long run of training steps (issue 14: "flat over 500 steps").

Runs ``./efficientnet bench ARCH --train --resolution R --batch B --warmup 0 --iters N`` and, after
each step it reports on stderr, reads VmRSS of the Java process from /proc/PID/status (the launcher
execs Java, so its PID is the JVM's).  Prints RSS at a few checkpoints, the peak, and the growth
between the first and last quarter of the steps (the medians of each quarter, in MB per 100 steps),
which is ~0 when memory is flat.

Usage: rss_flatness.py [--arch efficientnet_b0] [--resolution 128] [--batch 16] [--steps 500]
                       [--max-seconds S] [--root REPO] [--json FILE] [-- more bench options]
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time


def vm(pid, key):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return float("nan")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--root", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    p.add_argument("--arch", default="efficientnet_b0")
    p.add_argument("--resolution", type=int, default=128)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--steps", type=int, default=500)
    p.add_argument("--max-seconds", type=float, default=0,
                   help="stop the run after this many seconds (0: never) and report the steps done")
    p.add_argument("--json", dest="json_out")
    p.add_argument("extra", nargs="*", help="more bench options, after --")
    a = p.parse_args()
    cmd = [os.path.join(a.root, "efficientnet"), "bench", a.arch, "--train", "--resolution", str(a.resolution),
           "--batch", str(a.batch), "--warmup", "0", "--iters", str(a.steps)] + a.extra
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
    step_re = re.compile(r"^\s*iter\s+(\d+):\s+([\d.,]+) ms")
    rss, ms = [], []
    t0 = time.monotonic()
    stopped = False
    for line in proc.stdout:
        if a.max_seconds and not stopped and time.monotonic() - t0 > a.max_seconds:
            proc.terminate()
            stopped = True
        m = step_re.match(line)
        if m:
            rss.append(vm(proc.pid, "VmRSS"))
            ms.append(float(m.group(2).replace(",", "")))
            if len(rss) % 50 == 0 or len(rss) == 1:
                print(f"step {len(rss):4d}: RSS {rss[-1]:7.1f} MB, step {ms[-1]:.1f} ms", file=sys.stderr, flush=True)
        elif "median" in line:
            print(line.rstrip(), file=sys.stderr)
    rc = proc.wait()
    if stopped:
        print(f"rss_flatness: stopped after {a.max_seconds:.0f} s and {len(rss)} steps (--max-seconds)", file=sys.stderr)
        rc = 0
    if rc != 0 or len(rss) < 8:
        print(f"rss_flatness: bench exited with {rc} after {len(rss)} steps", file=sys.stderr)
        return 1
    q = len(rss) // 4
    first, last = statistics.median(rss[:q]), statistics.median(rss[-q:])
    span = len(rss) - q
    growth = (last - first) / span * 100.0
    result = {"stopped_early": stopped, "arch": a.arch, "resolution": a.resolution, "batch": a.batch, "steps": len(rss),
              "rss_mb_step1": round(rss[0], 1), "rss_mb_first_quarter_median": round(first, 1),
              "rss_mb_last_quarter_median": round(last, 1), "rss_mb_max": round(max(rss), 1),
              "growth_mb_per_100_steps": round(growth, 2), "step_ms_median": round(statistics.median(ms), 1),
              "rss_mb_every_50": [round(r, 1) for r in rss[49::50]]}
    print(json.dumps(result))
    if a.json_out:
        with open(a.json_out, "w") as f:
            json.dump(result, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
