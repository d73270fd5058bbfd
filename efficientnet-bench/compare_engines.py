#!/usr/bin/env python3
"""Ours vs ONNX Runtime Java vs DJL + libtorch in one run (issue 13).

Run it through compare-engines.sh, which exports the models and builds the classpath first. For
each configuration, back to back and never concurrently:
  * ours: ./efficientnet bench ARCH --resolution R --batch B --warmup W --iters N --seed S --json
          (plus, with --precision bf16, the same with --precision bf16);
  * ORT:  dev.efficientnet.bench.OnnxRuntimeBench on ONNX_DIR/ARCH.onnx (torchvision, opset 13);
  * DJL:  dev.efficientnet.bench.DjlBench on TS_DIR/ARCH.cl.pt (channels_last TorchScript) after a
          check of its logits against eager PyTorch; when that check fails (a libtorch/oneDNN build
          can compute a layout wrongly on some CPUs), the NCHW trace ARCH.nchw.pt is timed instead
          and the table says so.
Every process is fresh, with the launcher's JVM flags; warm-up iterations are untimed.

Usage: compare-engines.sh [--iters N] [--warmup N] [--threads T] [--only SUBSTR] [--precision bf16]
                          [--json FILE] [--md FILE]
"""
import argparse
import json
import os
import sys

from compare_pytorch import ratio, run_json, select
from compare_onnxruntime import CONFIGS, java_command


def fmt(r, key="ms_median", spec="{:.1f}"):
    return "failed" if r is None else spec.format(r[key])


def table(rows, bf16):
    head = ("| configuration | ours ms | " + ("ours bf16 ms | " if bf16 else "")
            + "ORT ms | DJL ms | ours/ORT | ours/ORT (min ms) | ours/DJL | ours img/s | ORT img/s | DJL img/s | DJL TorchScript |")
    out = [head, "|---|" + "---:|" * (9 + (1 if bf16 else 0)) + "---|"]
    for row in rows:
        name, ours, ob, ort, djl, layout = row
        cells = [name, fmt(ours)] + ([fmt(ob)] if bf16 else []) + [fmt(ort), fmt(djl)]
        cells.append("**{:.2f}×**".format(ratio(ours["ms_median"], ort["ms_median"])) if ours and ort else "")
        cells.append("{:.2f}×".format(ratio(ours["ms_min"], ort["ms_min"])) if ours and ort else "")
        cells.append("**{:.2f}×**".format(ratio(ours["ms_median"], djl["ms_median"])) if ours and djl else "")
        for r in (ours, ort, djl):
            cells.append(fmt(r, "images_per_second", "{:.2f}"))
        cells.append(layout)
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out) + "\n"


def attempt(cmd, label, log):
    try:
        return run_json(cmd, log)
    except Exception as e:  # one failure should not hide the other rows
        print(f"{label} failed: {e}", file=sys.stderr)
        return None


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--root", default=os.path.dirname(here))
    p.add_argument("--classpath-file", default=os.path.join(here, "target", "engines-classpath.txt"))
    p.add_argument("--onnx-dir", default=os.path.join(here, "target", "onnx"))
    p.add_argument("--ts-dir", default=os.path.join(here, "target", "torchscript"))
    p.add_argument("--warmup", type=int, default=3, help="untimed iterations per side (default 3)")
    p.add_argument("--iters", type=int, default=10, help="timed iterations per side (default 10)")
    p.add_argument("--threads", type=int, default=2, help="ORT and libtorch intra-op threads (default 2)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--precision", choices=["fp32", "bf16"], default="fp32",
                   help="bf16: also time ours with --precision bf16")
    p.add_argument("--only", action="append", default=[])
    p.add_argument("--engines", default="ours,ort,djl",
                   help="comma-separated subset of ours,ort,djl to time (default all three)")
    p.add_argument("--json", dest="json_out")
    p.add_argument("--md")
    p.add_argument("--log", default=None)
    a = p.parse_args()

    configs = select(CONFIGS, a.only, p.error)
    engines = set(e.strip() for e in a.engines.split(",") if e.strip())
    if not engines or not engines <= {"ours", "ort", "djl"}:
        p.error("--engines takes a comma-separated subset of ours,ort,djl, got " + a.engines)
    with open(a.classpath_file) as f:
        classpath = os.path.join(here, "target", "classes") + os.pathsep + f.read().strip()
    log = open(a.log, "a") if a.log else sys.stderr
    launcher = os.path.join(a.root, "efficientnet")
    java = java_command() + ["-cp", classpath]
    rows = []
    layouts = {}
    for name, arch, res, batch in configs:
        print(f"== {name}", file=sys.stderr, flush=True)
        common = ["--resolution", str(res), "--batch", str(batch), "--warmup", str(a.warmup),
                  "--iters", str(a.iters), "--seed", str(a.seed)]
        ours = attempt([launcher, "bench", arch] + common + ["--json"], "ours", log) if "ours" in engines else None
        ours_bf16 = None
        if a.precision == "bf16" and "ours" in engines:
            ours_bf16 = attempt([launcher, "bench", arch] + common + ["--precision", "bf16", "--json"], "ours bf16", log)
        ort = None if "ort" not in engines else attempt(java + ["dev.efficientnet.bench.OnnxRuntimeBench", "--model",
                              os.path.join(a.onnx_dir, arch + ".onnx"), "--threads", str(a.threads)] + common + ["--json"],
                      "onnxruntime", log)
        djl = None
        layout = layouts.get(arch)
        for candidate in ([] if "djl" not in engines else [layout] if layout else ["cl", "nchw"]):
            djl = attempt(java + ["dev.efficientnet.bench.DjlBench", "--model",
                                  os.path.join(a.ts_dir, f"{arch}.{candidate}.pt"), "--threads", str(a.threads),
                                  "--check", os.path.join(a.ts_dir, f"{arch}.check.bin")] + common + ["--json"],
                          "djl", log)
            if djl and djl.get("check_ok"):
                layout = candidate
                break
            if djl:
                print(f"   DJL {candidate}: logits differ from eager PyTorch by {djl.get('check_max_abs_diff')}"
                      " -> not timed", file=sys.stderr)
                djl = None
        layouts[arch] = layout
        label = {"cl": "channels_last", "nchw": "NCHW (channels_last gave wrong logits)"}.get(
            layout, "none correct" if "djl" in engines else "not run")
        rows.append((name, ours, ours_bf16, ort, djl, label))
        if ours and ort and djl:
            print(f"   ours {ours['ms_median']:.1f} ms, ORT {ort['ms_median']:.1f} ms, DJL {djl['ms_median']:.1f} ms",
                  file=sys.stderr, flush=True)
    md = table(rows, a.precision == "bf16")
    print(md, end="")
    if a.md:
        with open(a.md, "w") as f:
            f.write(md)
    if a.json_out:
        with open(a.json_out, "w") as f:
            json.dump([{"name": r[0], "ours": r[1], "ours_bf16": r[2], "onnxruntime": r[3], "djl": r[4],
                        "djl_layout": r[5]} for r in rows], f, indent=1)
    wanted = [i for i, e in ((1, "ours"), (3, "ort"), (4, "djl")) if e in engines]
    return 0 if all(r[i] for r in rows for i in wanted) else 1


if __name__ == "__main__":
    sys.exit(main())
