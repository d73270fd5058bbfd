#!/usr/bin/env python3
"""Generates the timm reference fixtures of efficientnet-models/src/test/resources/fixtures.

Oracle only: runs timm (a source checkout on PYTHONPATH or --timm) on PyTorch to record what timm
computes; the Java tests read the files and need no Python. Format: fixtures/README.md.

    PYTHONPATH=/path/to/pytorch-image-models python3 timm_fixtures.py OUT_DIR [--counts]

Each fixture is a timm model built by timm's own generator function with width/depth multipliers
overridden (the preset's padding and BN eps kept), seeded random weights, realistic BN affine and
running statistics, and an input of the given size. Besides the keys of the other fixtures the io
file holds `features_map` (timm forward_features, unpooled) and `inter.<i>` (the feature_info
taps, as timm's features_only returns them), and one fixture holds `adapt.w`, `adapt.1`, `adapt.5`
(timm's adapt_input_conv of a stem weight to 1 and 5 channels, in PyTorch layout).
"""
import json
import math
import os
import sys
from functools import partial

import torch
import torch.nn.functional as F

import timm
from timm.models import efficientnet as E
from timm.models._manipulate import adapt_input_conv

TF = dict(bn_eps=1e-3, pad_type='same')

# name -> (our preset, timm generator, timm variant, kwargs, width, depth, classes, input shape, train step)
FIXTURES = {
    'timm_tf_efficientnet_lite0_w0.25_d0.5': ('tf_efficientnet_lite0', E._gen_efficientnet_lite, 'tf_efficientnet_lite0', TF, 0.25, 0.5, 10, (2, 3, 65, 65), True),
    'timm_tf_efficientnet_lite4_w0.25_d1.8': ('tf_efficientnet_lite4', E._gen_efficientnet_lite, 'tf_efficientnet_lite4', TF, 0.25, 1.8, 10, (1, 3, 64, 64), False),
    'timm_efficientnet_lite0_w0.25_d0.5': ('efficientnet_lite0', E._gen_efficientnet_lite, 'efficientnet_lite0', {}, 0.25, 0.5, 10, (2, 3, 64, 64), False),
    'timm_timm_efficientnet_b5_w0.25_d0.5': ('timm_efficientnet_b5', E._gen_efficientnet, 'efficientnet_b5', {}, 0.25, 0.5, 10, (2, 3, 64, 64), True),
    'timm_timm_efficientnet_b6_w0.3_d0.3': ('timm_efficientnet_b6', E._gen_efficientnet, 'efficientnet_b6', {}, 0.3, 0.3, 10, (1, 3, 72, 72), False),
    'timm_tf_efficientnet_es_w0.25_d0.5': ('tf_efficientnet_es', E._gen_efficientnet_edge, 'tf_efficientnet_es', TF, 0.25, 0.5, 10, (2, 3, 65, 65), True),
    'timm_efficientnet_el_w0.3_d0.3': ('efficientnet_el', E._gen_efficientnet_edge, 'efficientnet_el', {}, 0.3, 0.3, 10, (1, 3, 64, 64), False),
    'timm_timm_efficientnet_b7_w0.35_d0.25': ('timm_efficientnet_b7', E._gen_efficientnet, 'efficientnet_b7', {}, 0.35, 0.25, 10, (1, 3, 64, 64), False),
}

# full-size parameter counts (1000 classes) checked by PresetCountsTest
COUNTS = ['tf_efficientnet_lite0', 'tf_efficientnet_lite1', 'tf_efficientnet_lite2', 'tf_efficientnet_lite3',
          'tf_efficientnet_lite4', 'efficientnet_lite0', 'efficientnet_lite4', 'efficientnet_b5', 'efficientnet_b6',
          'efficientnet_b7', 'efficientnet_es', 'efficientnet_em', 'efficientnet_el', 'tf_efficientnet_es',
          'tf_efficientnet_em', 'tf_efficientnet_el']


def randomize(model, gen):
    """Non-trivial weights and BN statistics (seeded)."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.ndim > 1:
                fan_in = p[0].numel()
                p.copy_(torch.randn(p.shape, generator=gen) * math.sqrt(2.0 / fan_in))
            elif 'bn' in name and name.endswith('weight'):
                p.copy_(torch.rand(p.shape, generator=gen) * 0.6 + 0.4)
            else:
                p.copy_(torch.randn(p.shape, generator=gen) * 0.1)
        for name, b in model.named_buffers():
            if name.endswith('running_mean'):
                b.copy_(torch.randn(b.shape, generator=gen) * 0.1)
            elif name.endswith('running_var'):
                b.copy_(torch.rand(b.shape, generator=gen) * 0.6 + 0.7)


def state(model):
    return {k: v.detach().float().contiguous().clone() for k, v in model.state_dict().items()
            if not k.endswith('num_batches_tracked')}


def save(path, tensors, meta=None):
    """A float32 safetensors file (written directly: 8-byte header length, JSON header, data)."""
    header, blobs, offset = {}, [], 0
    for k, v in tensors.items():
        b = v.detach().float().contiguous().numpy().astype('<f4').tobytes()
        header[k] = {'dtype': 'F32', 'shape': list(v.shape), 'data_offsets': [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    if meta:
        header['__metadata__'] = meta
    h = json.dumps(header, separators=(',', ':')).encode()
    h += b' ' * (-len(h) % 8)
    with open(path, 'wb') as f:
        f.write(len(h).to_bytes(8, 'little'))
        f.write(h)
        for b in blobs:
            f.write(b)


def build(gen_fn, variant, kwargs, w, d, classes):
    kw = dict(kwargs)
    return gen_fn(variant, channel_multiplier=w, depth_multiplier=d, pretrained=False, num_classes=classes,
                  drop_rate=0.0, drop_path_rate=0.0, **kw)


def generate(out, name, spec):
    preset, gen_fn, variant, kwargs, w, d, classes, shape, train = spec
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(sum(map(ord, name)))
    model = build(gen_fn, variant, kwargs, w, d, classes)
    randomize(model, gen)
    weights = state(model)
    x = torch.randn(shape, generator=gen)
    target = torch.randint(0, classes, (shape[0],), generator=gen)
    io = {'input': x, 'target': target.float()}
    model.eval()
    acts = {}
    hooks = [model.bn1.register_forward_hook(lambda m, i, o: acts.__setitem__('act.stem', o.detach().clone()))]
    for i, stage in enumerate(model.blocks):
        for j, blk in enumerate(stage):
            hooks.append(blk.register_forward_hook(
                (lambda key: lambda m, i_, o: acts.__setitem__(key, o.detach().clone()))('act.blocks.%d.%d' % (i, j))))
    hooks.append(model.bn2.register_forward_hook(lambda m, i, o: acts.__setitem__('act.head', o.detach().clone())))
    taps = {}
    for k, info in enumerate(model.feature_info):
        mod = model.get_submodule(info['module'])
        hooks.append(mod.register_forward_hook(
            (lambda key: lambda m, i_, o: taps.__setitem__(key, o.detach().clone()))('inter.%d' % k)))
    with torch.no_grad():
        fmap = model.forward_features(x)
        io['features_map'] = fmap
        io['features'] = model.forward_head(fmap, pre_logits=True)
        io['logits'] = model.forward_head(fmap)
    for h in hooks:
        h.remove()
    io.update(acts)
    io.update(taps)
    if train:
        model.train()
        model.zero_grad()
        logits = model(x)
        loss = F.cross_entropy(logits, target)
        loss.backward()
        io['train_logits'] = logits.detach()
        io['loss'] = loss.detach().reshape(1)
        for k, p in model.named_parameters():
            io['grad.' + k] = p.grad.detach().clone()
        for k, b in model.named_buffers():
            if not k.endswith('num_batches_tracked'):
                io['after.' + k] = b.detach().clone()
    if name.startswith('timm_tf_efficientnet_lite0'):
        stem = weights['conv_stem.weight']
        io['adapt.w'] = stem
        io['adapt.1'] = adapt_input_conv(1, stem.clone())
        io['adapt.5'] = adapt_input_conv(5, stem.clone())
    io = {k: v.float().contiguous() for k, v in io.items()}
    save(os.path.join(out, name + '.safetensors'), weights)
    save(os.path.join(out, name + '.io.safetensors'), io)
    bn = next(m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d))
    meta = {
        'arch': preset, 'timm_model': variant, 'width_mult': w, 'depth_mult': d, 'num_classes': classes,
        'padding': 'same' if kwargs.get('pad_type') == 'same' else 'symmetric', 'source': 'timm',
        'input_shape': list(shape), 'bn_eps': bn.eps, 'bn_momentum_torch': bn.momentum,
        'params': sum(p.numel() for p in model.parameters()),
        'train_mode': 'BN batch statistics, no dropout, no drop path; loss = mean cross-entropy(logits, target), '
                      'no label smoothing' if train else 'eval tensors only',
        'tolerance': {'logits_max_abs_rel': 1e-4, 'grad_norm_rel': 1e-3},
        'generator': 'efficientnet-models/src/test/python/timm_fixtures.py, timm ' + timm.__version__
                     + ', torch ' + torch.__version__,
    }
    with open(os.path.join(out, name + '.json'), 'w') as f:
        json.dump(meta, f, indent=1)
    print(name, meta['params'], 'params', sorted(k for k in io if not k.startswith(('act.', 'grad.', 'after.'))))


def counts():
    for n in COUNTS:
        m = timm.create_model(n, pretrained=False)
        print(n, sum(p.numel() for p in m.parameters()))


if __name__ == '__main__':
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    only = [a for a in sys.argv[2:] if not a.startswith('--')]
    for name, spec in FIXTURES.items():
        if not only or name in only:
            generate(out, name, spec)
    if '--counts' in sys.argv:
        counts()
