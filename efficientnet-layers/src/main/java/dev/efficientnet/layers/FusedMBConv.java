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

    /**
     * A Fused-MBConv block from {@code in} to {@code out} channels with {@code mid} expanded channels (equal
     * to {@code in} for the single-conv form), a {@code kernel}×{@code kernel} conv carrying {@code stride},
     * an SE of {@code seChannels} reduced channels (0: none), drop path at {@code dropPathRate} when
     * residual, the model-wide settings {@code s} and initialisation randomness {@code rng}.
     *
     * @param in input channels
     * @param mid the expanded (middle) channels
     * @param out output channels
     * @param kernel the kernel size
     * @param stride the stride
     * @param seChannels the squeeze-excite reduced channels (0: no SE)
     * @param dropPathRate the drop-path (stochastic depth) rate
     * @param s the model-wide layer settings
     * @param rng the random number generator
     */
    public FusedMBConv(int in, int mid, int out, int kernel, int stride, int seChannels, double dropPathRate,
                       LayerSettings s, Rng rng) {
        this(in, mid, out, kernel, stride, seChannels, false, dropPathRate, s, rng);
    }

    /**
     * With {@code noskip}: no residual even when stride is 1 and in == out (EfficientNet-EdgeTPU's first block).
     *
     * @param in input channels
     * @param mid the expanded (middle) channels
     * @param out output channels
     * @param kernel the kernel size
     * @param stride the stride
     * @param seChannels the squeeze-excite reduced channels (0: no SE)
     * @param noskip whether the block has no skip connection
     * @param dropPathRate the drop-path (stochastic depth) rate
     * @param s the model-wide layer settings
     * @param rng the random number generator
     */
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
