#!/usr/bin/env python3
"""Side-by-side inference timing of efficientnet-java and ONNX Runtime Java (issue 6).

Run it through compare-onnxruntime.sh, which exports the ONNX models and builds the classpath first.
For each configuration, runs back to back (never concurrently):
  * ours: ./efficientnet bench ARCH --resolution R --batch B --warmup W --iters N --seed S --json
  * ORT:  dev.efficientnet.bench.OnnxRuntimeBench --model ONNX_DIR/ARCH.onnx ... --json, a fresh JVM
          per configuration with the launcher's JVM flags (Java 25 when installed).

Both sides use random weights and a fixed random input, `warmup` untimed then `iters` timed
iterations, and report the median wall time per iteration, images/s and the peak RSS (VmHWM) of
their process. ONNX Runtime: CPU provider, --threads intra-op threads (default 2, the calling
thread included), 1 inter-op thread, all graph optimizations, sequential execution.

Usage: compare-onnxruntime.sh [--iters N] [--warmup N] [--threads T] [--only SUBSTR] [--no-spin]
                              [--json FILE] [--md FILE]
"""
import argparse
import json
import os
import sys

from compare_pytorch import finish, measure, ratio, select

# (name, our preset = torchvision name = ONNX file stem, resolution, batch): issue 6's eval configurations.
CONFIGS = [
    ("B0 eval @224 b1", "efficientnet_b0", 224, 1),
    ("B0 eval @224 b16", "efficientnet_b0", 224, 16),
    ("V2-S eval @384 b1", "efficientnet_v2_s", 384, 1),
]
JAVA25 = "/usr/lib/jvm/temurin-25-jdk-amd64/bin/java"


def java_command():
    """The launcher's JVM and flags (see ./efficientnet)."""
    flags = ["-Xss4m", "-XX:+UseParallelGC", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"]
    if os.access(JAVA25, os.X_OK):
        return [JAVA25] + flags + ["--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"]
    return ["java"] + flags


def table(rows):
    out = ["| configuration | ours ms (median) | ORT ms (median) | time ours/ORT | ours/ORT (min ms) "
           "| ours img/s | ORT img/s | ours peak RSS MB | ORT peak RSS MB |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, ours, ref in rows:
        if ours is None or ref is None:
            out.append(f"| {name} | {'failed' if ours is None else ours['ms_median']} | "
                       f"{'failed' if ref is None else ref['ms_median']} | | | | | | |")
            continue
        out.append("| {} | {:.1f} | {:.1f} | **{:.2f}×** | {:.2f}× | {:.2f} | {:.2f} | {:.0f} | {:.0f} |".format(
            name, ours["ms_median"], ref["ms_median"], ratio(ours["ms_median"], ref["ms_median"]),
            ratio(ours["ms_min"], ref["ms_min"]), ours["images_per_second"], ref["images_per_second"],
            ours["peak_rss_mb"], ref["peak_rss_mb"]))
    return "\n".join(out) + "\n"


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--root", default=os.path.dirname(here), help="repository root holding the ./efficientnet launcher")
    p.add_argument("--classpath-file", default=os.path.join(here, "target", "ort-classpath.txt"),
                   help="classpath of the bench module's dependencies (written by compare-onnxruntime.sh)")
    p.add_argument("--onnx-dir", default=os.path.join(here, "target", "onnx"), help="folder of ARCH.onnx files")
    p.add_argument("--warmup", type=int, default=2, help="untimed iterations per side (default 2)")
    p.add_argument("--iters", type=int, default=10, help="timed iterations per side (default 10)")
    p.add_argument("--threads", type=int, default=2, help="ONNX Runtime intra-op threads (default 2)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--no-spin", action="store_true", help="turn off ONNX Runtime's thread spinning between runs")
    p.add_argument("--only", action="append", default=[],
                   help="run only configurations whose name contains this text (repeatable), e.g. 'B0 eval @224 b1'")
    p.add_argument("--json", dest="json_out", help="also write all results as JSON to this file")
    p.add_argument("--md", help="also write the Markdown table to this file")
    p.add_argument("--log", default=None, help="progress log (default: stderr)")
    a = p.parse_args()

    configs = select(CONFIGS, a.only, p.error)
    if not os.path.isfile(a.classpath_file):
        p.error(f"no {a.classpath_file}; run compare-onnxruntime.sh, which builds it")
    with open(a.classpath_file) as f:
        classpath = os.path.join(here, "target", "classes") + os.pathsep + f.read().strip()

    log = open(a.log, "a") if a.log else sys.stderr
    launcher = os.path.join(a.root, "efficientnet")
    ort_main = java_command() + ["-cp", classpath, "dev.efficientnet.bench.OnnxRuntimeBench"]
    rows = []
    for name, arch, res, batch in configs:
        print(f"== {name}", file=sys.stderr, flush=True)
        common = ["--resolution", str(res), "--batch", str(batch), "--warmup", str(a.warmup),
                  "--iters", str(a.iters), "--seed", str(a.seed)]
        ours_cmd = [launcher, "bench", arch] + common + ["--json"]
        ort_cmd = (ort_main + ["--model", os.path.join(a.onnx_dir, arch + ".onnx"), "--threads", str(a.threads)]
                   + (["--no-spin"] if a.no_spin else []) + common + ["--json"])
        rows.append(measure(name, ours_cmd, ort_cmd, "onnxruntime", log))
    return finish(rows, table(rows), a.md, a.json_out, "onnxruntime")


if __name__ == "__main__":
    sys.exit(main())
