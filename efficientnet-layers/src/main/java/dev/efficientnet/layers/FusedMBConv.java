package dev.efficientnet.layers;

import dev.efficientnet.core.ops.Activation;
import dev.efficientnet.core.tensor.Rng;
import dev.efficientnet.core.tensor.Tensor;

/**
 * Fused MBConv (EfficientNetV2): k×k {@code expand} conv in→mid carrying the stride → optional
 * {@code se} → 1×1 {@code project} without activation. With expand ratio 1 (mid == in) it is a
 * single k×k {@code conv} in→out with BN and activation. Residual with drop path when stride is 1
 * and in == out.
 */
public final class FusedMBConv extends Block {
    private final ConvBnAct expand;
    private final SqueezeExcite se;
    private final ConvBnAct project;
    private final ConvBnAct single;

    public FusedMBConv(int in, int mid, int out, int kernel, int stride, int seChannels, double dropPathRate,
                       LayerSettings s, Rng rng) {
        this(in, mid, out, kernel, stride, seChannels, false, dropPathRate, s, rng);
    }

    /** With {@code noskip}: no residual even when stride is 1 and in == out (EfficientNet-EdgeTPU's first block). */
    public FusedMBConv(int in, int mid, int out, int kernel, int stride, int seChannels, boolean noskip, double dropPathRate,
                       LayerSettings s, Rng rng) {
        super(in, out, stride, noskip, dropPathRate, rng);
        Activation act = s.activation();
        if (mid == in) {
            if (seChannels > 0) throw new IllegalArgumentException("FusedMBConv with expand ratio 1 has no SE (got seChannels=" + seChannels + ")");
            this.single = registerModule("conv", new ConvBnAct(in, out, kernel, stride, 1, s, act, rng));
            this.expand = null;
            this.se = null;
            this.project = null;
        } else {
            this.single = null;
            this.expand = registerModule("expand", new ConvBnAct(in, mid, kernel, stride, 1, s, act, rng));
            this.se = seChannels > 0 ? registerModule("se", new SqueezeExcite(mid, seChannels, act, rng)) : null;
            this.project = registerModule("project", new ConvBnAct(mid, out, 1, 1, 1, s, Activation.IDENTITY, rng));
        }
    }

    @Override
    protected Tensor body(Tensor x) {
        Tensor y;
        if (single != null) {
            y = single.forward(x);
        } else {
            y = expand.forward(x);
            if (se != null) y = se.forward(y);
            y = project.forward(y);
        }
        return y;
    }
}
