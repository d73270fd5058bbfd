package dev.efficientnet.layers;

import dev.efficientnet.core.ops.Activation;
import dev.efficientnet.core.tensor.Rng;
import dev.efficientnet.core.tensor.Tensor;

/**
 * Mobile inverted bottleneck: 1×1 {@code expand} (absent when mid == in, the expand-ratio-1 form)
 * → k×k depthwise {@code dw} (carrying the stride) → {@code se} (optional) → 1×1 {@code project}
 * without activation; plus the input through drop path when stride is 1 and in == out.
 */
public final class MBConv extends Block {
    private final ConvBnAct expand;
    private final ConvBnAct dw;
    private final SqueezeExcite se;
    private final ConvBnAct project;

    /**
     * An MBConv block from {@code in} to {@code out} channels.
     *
     * @param seChannels reduced SE width (0 for no SE)
     * @param in input channels
     * @param mid the expanded (middle) channels
     * @param out output channels
     * @param kernel the kernel size
     * @param stride the stride
     * @param dropPathRate the drop-path (stochastic depth) rate
     * @param s the model-wide layer settings
     * @param rng the random number generator
     */
    public MBConv(int in, int mid, int out, int kernel, int stride, int seChannels, double dropPathRate,
                  LayerSettings s, Rng rng) {
        super(in, out, stride, dropPathRate, rng);
        Activation act = s.activation();
        this.expand = mid != in ? registerModule("expand", new ConvBnAct(in, mid, 1, 1, 1, s, act, rng)) : null;
        this.dw = registerModule("dw", new ConvBnAct(mid, mid, kernel, stride, mid, s, act, rng));
        this.se = seChannels > 0 ? registerModule("se", new SqueezeExcite(mid, seChannels, act, rng)) : null;
        this.project = registerModule("project", new ConvBnAct(mid, out, 1, 1, 1, s, Activation.IDENTITY, rng));
    }

    @Override
    protected Tensor body(Tensor x) {
        Tensor y = expand == null ? x : expand.forward(x);
        y = dw.forward(y);
        if (se != null) y = se.forward(y);
        y = project.forward(y);
        return y;
    }
}
