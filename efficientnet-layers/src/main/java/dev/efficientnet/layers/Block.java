package dev.efficientnet.layers;

import dev.efficientnet.core.tensor.Rng;
import dev.efficientnet.core.tensor.Tensor;

/**
 * A residual EfficientNet block (MBConv or Fused-MBConv): the block body plus, when stride is 1
 * and in == out channels, the input added back through stochastic depth.
 */
public abstract class Block extends Module {
    private final boolean residual;
    private final DropPath dropPath;

    protected Block(int in, int out, int stride, double dropPathRate, Rng rng) {
        this(in, out, stride, false, dropPathRate, rng);
    }

    /** With {@code noskip}, no residual even when stride is 1 and in == out (timm {@code noskip}). */
    protected Block(int in, int out, int stride, boolean noskip, double dropPathRate, Rng rng) {
        this.residual = stride == 1 && in == out && !noskip;
        this.dropPath = new DropPath(residual ? dropPathRate : 0, rng);
    }

    /** The block without the residual connection. */
    protected abstract Tensor body(Tensor x);

    @Override
    public final Tensor forward(Tensor x) {
        Tensor y = body(x);
        if (!residual) return y;
        return dropPath.apply(y, isTraining()).add(x);
    }

    /** True when the block adds its input back. */
    public final boolean hasResidual() {
        return residual;
    }

    /** The stochastic-depth module (rate 0 without residual). */
    public final DropPath dropPath() {
        return dropPath;
    }
}
