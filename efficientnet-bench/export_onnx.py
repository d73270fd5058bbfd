#!/usr/bin/env python3
"""Exports torchvision EfficientNets to ONNX for the ONNX Runtime comparison (issue 6).

Writes OUT_DIR/efficientnet_b0.onnx and OUT_DIR/efficientnet_v2_s.onnx: torchvision models with
random weights (weights=None, torch.manual_seed(0); nothing is downloaded) in eval mode, opset 13,
input "input" of shape [batch, 3, H, W] with a dynamic batch axis, output "logits" [batch, 1000].
Runs with Debian's python3-torch 1.13 / python3-torchvision 0.14; the `onnx` package is not needed.

Usage: export_onnx.py [OUT_DIR] [--models efficientnet_b0,efficientnet_v2_s] [--force]
       (OUT_DIR defaults to efficientnet-bench/target/onnx/)
"""
import argparse
import os
import sys

# (torchvision name, resolution used for the tracing example input)
MODELS = {
    "efficientnet_b0": 224,
    "efficientnet_v2_s": 384,
}
OPSET = 13


def export(arch, res, path, seed=0):
    import torch
    import torchvision

    torch.manual_seed(seed)
    model = getattr(torchvision.models, arch)(weights=None).eval()
    example = torch.rand(1, 3, res, res) * 2 - 1
    tmp = path + ".tmp"
    with torch.no_grad():
        torch.onnx.export(
            model, example, tmp,
            export_params=True,
            opset_version=OPSET,
            do_constant_folding=True,
            input_names=["input"],
            output_names=["logits"],
            dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
        )
    os.replace(tmp, path)  # never leave a half-written model behind
    return path


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("out_dir", nargs="?", default=os.path.join(here, "target", "onnx"),
                   help="output folder (default: efficientnet-bench/target/onnx/)")
    p.add_argument("--models", default=",".join(MODELS),
                   help="comma-separated torchvision names (default: %(default)s)")
    p.add_argument("--force", action="store_true", help="re-export models that already exist")
    a = p.parse_args()

    try:
        import torch  # noqa: F401
        import torchvision  # noqa: F401
    except ImportError as e:
        print(f"export_onnx: {sys.executable} cannot import torch/torchvision ({e}).\n"
              "  apt-get install -y python3-torch python3-torchvision", file=sys.stderr)
        return 2

    os.makedirs(a.out_dir, exist_ok=True)
    for arch in [m for m in a.models.split(",") if m]:
        if arch not in MODELS:
            p.error(f"unknown model {arch}; known: {', '.join(MODELS)}")
        path = os.path.join(a.out_dir, arch + ".onnx")
        if os.path.exists(path) and not a.force:
            print(f"{path} exists (use --force to re-export)", file=sys.stderr)
            continue
        export(arch, MODELS[arch], path)
        print(f"wrote {path} ({os.path.getsize(path) / 1e6:.1f} MB, opset {OPSET})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
