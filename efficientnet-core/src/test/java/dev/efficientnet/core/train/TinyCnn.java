package dev.efficientnet.core.train;

import dev.efficientnet.core.init.WeightInit;
import dev.efficientnet.core.ops.Activation;
import dev.efficientnet.core.ops.Conv2dOptions;
import dev.efficientnet.core.ops.Convolution;
import dev.efficientnet.core.ops.Linear;
import dev.efficientnet.core.ops.Normalization;
import dev.efficientnet.core.ops.Pooling;
import dev.efficientnet.core.tensor.MemoryScope;
import dev.efficientnet.core.tensor.Rng;
import dev.efficientnet.core.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A small CNN made directly from core ops (no layers module): stem conv 3×3/2 → BN → SiLU →
 * depthwise 3×3 → BN → SiLU → pointwise 1×1 → BN → global pool → linear. NHWC input.
 */
final class TinyCnn {
    final Map<String, Tensor> params = new LinkedHashMap<>();
    final Tensor stemW, bn1g, bn1b, rm1, rv1, dwW, bn2g, bn2b, rm2, rv2, pwW, bn3g, bn3b, rm3, rv3, fcW, fcB;
    boolean training = true;

    TinyCnn(int in, int width, int classes, long seed) {
        Rng rng = new Rng(seed);
        stemW = p("stem", WeightInit.convWeight(Tensor.zeros(3, 3, in, width), rng));
        bn1g = p("bn1.weight", Tensor.ones(width));
        bn1b = p("bn1.bias", Tensor.zeros(width));
        dwW = p("dw", WeightInit.depthwiseWeight(Tensor.zeros(3, 3, width, 1), rng));
        bn2g = p("bn2.weight", Tensor.ones(width));
        bn2b = p("bn2.bias", Tensor.zeros(width));
        pwW = p("pw", WeightInit.convWeight(Tensor.zeros(1, 1, width, 2 * width), rng));
        bn3g = p("bn3.weight", Tensor.ones(2 * width));
        bn3b = p("bn3.bias", Tensor.zeros(2 * width));
        fcW = p("fc.weight", WeightInit.linearWeight(Tensor.zeros(classes, 2 * width), rng));
        fcB = p("fc.bias", Tensor.zeros(classes));
        rm1 = Tensor.zeros(width);
        rv1 = Tensor.ones(width);
        rm2 = Tensor.zeros(width);
        rv2 = Tensor.ones(width);
        rm3 = Tensor.zeros(2 * width);
        rv3 = Tensor.ones(2 * width);
    }

    private Tensor p(String name, Tensor t) {
        Tensor v = MemoryScope.outside(() -> t).requiresGrad(true);
        params.put(name, v);
        return v;
    }

    Tensor forward(Tensor x) {
        Tensor y = Convolution.conv2d(x, stemW, Conv2dOptions.same(2));
        y = Activation.SILU.apply(Normalization.batchNorm(y, bn1g, bn1b, rm1, rv1, training, 0.1, 1e-3));
        y = Convolution.depthwiseConv2d(y, dwW, null, Conv2dOptions.same(1));
        y = Activation.SILU.apply(Normalization.batchNorm(y, bn2g, bn2b, rm2, rv2, training, 0.1, 1e-3));
        y = Convolution.conv2d(y, pwW, Conv2dOptions.valid(1));
        y = Normalization.batchNorm(y, bn3g, bn3b, rm3, rv3, training, 0.1, 1e-3);
        return Linear.linear(Pooling.globalAvgPool(y), fcW, fcB);
    }
}
