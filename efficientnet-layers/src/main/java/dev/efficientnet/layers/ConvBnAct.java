package dev.efficientnet.layers;

import dev.efficientnet.core.ops.Activation;
import dev.efficientnet.core.tensor.Rng;
import dev.efficientnet.core.tensor.Tensor;

/** Convolution (no bias) → batch norm → activation, with children {@code conv} and {@code bn}. */
public final class ConvBnAct extends Module {
    private final Conv2d conv;
    private final BatchNorm2d bn;
    private final Activation activation;

    /**
     * Conv → batch norm → activation, the conv without bias.
     *
     * @param groups     1 for a dense conv, {@code in} for a depthwise one
     * @param activation applied after BN ({@link Activation#IDENTITY} for none)
     * @param in input channels
     * @param out output channels
     * @param kernel the kernel size
     * @param stride the stride
     * @param settings the layer settings
     * @param rng the random number generator
     */
    public ConvBnAct(int in, int out, int kernel, int stride, int groups, LayerSettings settings, Activation activation, Rng rng) {
        this.conv = registerModule("conv", new Conv2d(in, out, kernel, settings.conv(stride, groups), false, rng));
        this.bn = registerModule("bn", new BatchNorm2d(out, settings.bnEps(), settings.bnMomentum()));
        this.activation = activation;
    }

    @Override
    public Tensor forward(Tensor x) {
        return bn.forwardAfter(conv, x, activation);
    }

    /** {@return the convolution} */
    public Conv2d conv() {
        return conv;
    }

    /** {@return the batch norm after the convolution} */
    public BatchNorm2d bn() {
        return bn;
    }

    /** {@return the activation after the batch norm} */
    public Activation activation() {
        return activation;
    }
}
