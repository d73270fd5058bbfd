"""Generates the .pth/.pt fixtures of TorchFileTest (run with PyTorch >= 1.6; made with torch 1.13).

    /usr/bin/python3 make_fixtures.py    # in this directory

Writes the checkpoints and expected.json: for every tensor of every fixture, its shape and the
float32 bit patterns of its values (torch's own conversion, row-major), which the Java reader must
reproduce exactly.
"""
import collections, json, os, struct
import torch

torch.manual_seed(19)
expected = {}


def record(fixture, sd):
    out = collections.OrderedDict()
    for k, v in sd.items():
        f = v.detach().to(torch.float32).contiguous().reshape(-1)
        out[k] = {"shape": list(v.shape), "dtype": str(v.dtype).replace("torch.", ""),
                  "bits": [struct.unpack("<I", struct.pack("<f", x))[0] for x in f.tolist()]}
    expected[fixture] = out


# 1. every accepted dtype, views (transposed, offset slice sharing a storage), scalars, empties
base = torch.arange(24, dtype=torch.float32).reshape(4, 6) / 7
sd = collections.OrderedDict()
sd["f32"] = torch.randn(2, 3)
sd["f16"] = torch.tensor([1.5, -0.0, 65504.0, 6e-8, float("inf"), -2.25], dtype=torch.float16)
sd["bf16"] = torch.tensor([1.0, -3.140625, 1e30, -1e-30], dtype=torch.bfloat16)
sd["f64"] = torch.tensor([[0.1, -2.5]], dtype=torch.float64)
sd["i64"] = torch.tensor(12345)
sd["i32"] = torch.tensor([-7, 8], dtype=torch.int32)
sd["u8"] = torch.tensor([0, 255], dtype=torch.uint8)
sd["bool"] = torch.tensor([True, False])
sd["empty"] = torch.zeros(0, 3)
sd["transposed"] = base.t()
sd["slice"] = base[1:3, 2:5]
sd["whole"] = base
sd["conv"] = torch.randn(4, 2, 3, 3).permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2)  # channels-last layout
torch.save(sd, "dtypes_and_views.pth")
record("dtypes_and_views.pth", sd)

# 2. a real module's state dict (OrderedDict with _metadata, BUILD), float32 + int64
m = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3, bias=False), torch.nn.BatchNorm2d(4), torch.nn.Linear(4, 2))
with torch.no_grad():
    m[1].running_mean.normal_()
    m[1].running_var.uniform_(0.5, 2)
torch.save(m.state_dict(), "module.pt")
record("module.pt", m.state_dict())

# 3. a training checkpoint: {'state_dict': ..., 'state_dict_ema': ..., 'optimizer': ..., 'epoch', 'arch'}
ema = collections.OrderedDict((k, v * 0.5 if v.is_floating_point() else v) for k, v in m.state_dict().items())
opt = torch.optim.SGD(m.parameters(), lr=0.1, momentum=0.9)
torch.save({"epoch": 7, "arch": "efficientnet_b0", "state_dict": m.state_dict(), "state_dict_ema": ema,
            "optimizer": opt.state_dict(), "metric": 0.5, "version": 2}, "checkpoint.pth")
record("checkpoint.pth:state_dict_ema", ema)

# 4. {'model': ...} wrapper of parameters (torch._utils._rebuild_parameter), half precision
params = collections.OrderedDict((k, torch.nn.Parameter(v.half())) for k, v in m.named_parameters())
torch.save({"model": params}, "model_params_fp16.pth")
record("model_params_fp16.pth", params)


# 5. hostile: a global outside the whitelist (os.system); the reader must refuse it without running it
class Evil:
    def __reduce__(self):
        return (os.system, ("touch /tmp/efficientnet-pth-pwned",))


torch.save({"w": torch.ones(1), "evil": Evil()}, "hostile_global.pth")

# 6. the legacy (pre-1.6) format, in which many published weights were saved: the same state dict
torch.save(sd, "legacy.pth", _use_new_zipfile_serialization=False)
record("legacy.pth", sd)

with open("expected.json", "w") as f:
    json.dump(expected, f, indent=0)
print("torch", torch.__version__, "fixtures:", sorted(p for p in os.listdir(".") if p.endswith((".pth", ".pt"))))
