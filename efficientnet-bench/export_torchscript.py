#!/usr/bin/env python3
"""Exports torchvision EfficientNets to TorchScript for the DJL + libtorch comparison (issue 13).

For each model writes, into OUT_DIR:
  ARCH.cl.pt     traced and frozen (conv+BN folded by torch.jit.freeze), channels_last inside: the
                 wrapper converts the NCHW input to channels_last and the weights are channels_last;
  ARCH.nchw.pt   the same in plain NCHW (the fallback when the channels_last trace gives wrong
                 logits under a libtorch/oneDNN build, see docs/benchmarks.md);
  ARCH.check.bin float32 little-endian: a [1, 3, R, R] input (uniform [-1, 1), seed 1) followed by
                 the eager PyTorch (this Python's torch, NCHW) logits [1, 1000] for it.
torchvision models with random weights (weights=None, torch.manual_seed(0); nothing is downloaded),
their BN running statistics calibrated on 4 random batches in train mode so that activations and
logits have normal magnitudes (with init statistics the logits are ~1e-14), then eval mode.
Runs with Debian's python3-torch 1.13 / python3-torchvision 0.14; libtorch 2.7 loads these files.

Usage: export_torchscript.py [OUT_DIR] [--models efficientnet_b0,efficientnet_v2_s] [--force]
       (OUT_DIR defaults to efficientnet-bench/target/torchscript/)
"""
import argparse
import os
import sys

MODELS = {
    "efficientnet_b0": 224,
    "efficientnet_v2_s": 384,
}


def build(arch, res, seed=0):
    import torch
    import torchvision

    torch.manual_seed(seed)
    model = getattr(torchvision.models, arch)(weights=None)
    model.train()
    with torch.no_grad():
        for _ in range(4):
            model(torch.rand(4, 3, res, res) * 2 - 1)
    return model.eval()


def export(arch, res, out_dir):
    import torch

    class ChannelsLast(torch.nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, x):
            return self.m(x.contiguous(memory_format=torch.channels_last))

    model = build(arch, res)
    gen = torch.Generator().manual_seed(1)
    check_in = torch.rand(1, 3, res, res, generator=gen) * 2 - 1
    with torch.no_grad():
        ref = model(check_in)
        example = torch.rand(1, 3, res, res) * 2 - 1
        nchw = torch.jit.freeze(torch.jit.trace(model, example).eval())
        cl_model = ChannelsLast(model.to(memory_format=torch.channels_last)).eval()
        cl = torch.jit.freeze(torch.jit.trace(cl_model, example).eval())
    written = []
    for suffix, m in (("nchw", nchw), ("cl", cl)):
        path = os.path.join(out_dir, f"{arch}.{suffix}.pt")
        tmp = path + ".tmp"
        m.save(tmp)
        os.replace(tmp, path)
        written.append(path)
    path = os.path.join(out_dir, f"{arch}.check.bin")
    with open(path + ".tmp", "wb") as f:
        f.write(check_in.contiguous().numpy().astype("<f4").tobytes())
        f.write(ref.contiguous().numpy().astype("<f4").tobytes())
    os.replace(path + ".tmp", path)
    written.append(path)
    return written, float(ref.abs().max())


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("out_dir", nargs="?", default=os.path.join(here, "target", "torchscript"))
    p.add_argument("--models", default=",".join(MODELS))
    p.add_argument("--force", action="store_true", help="re-export models that already exist")
    a = p.parse_args()
    try:
        import torch  # noqa: F401
        import torchvision  # noqa: F401
    except ImportError as e:
        print(f"export_torchscript: {sys.executable} cannot import torch/torchvision ({e}).\n"
              "  apt-get install -y python3-torch python3-torchvision", file=sys.stderr)
        return 2
    os.makedirs(a.out_dir, exist_ok=True)
    for arch in [m for m in a.models.split(",") if m]:
        if arch not in MODELS:
            p.error(f"unknown model {arch}; known: {', '.join(MODELS)}")
        if os.path.exists(os.path.join(a.out_dir, arch + ".check.bin")) and not a.force:
            print(f"{arch} exists in {a.out_dir} (use --force to re-export)", file=sys.stderr)
            continue
        files, peak = export(arch, MODELS[arch], a.out_dir)
        print(f"wrote {', '.join(files)} (max |logit| {peak:.3g})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
