package dev.efficientnet.layers;

import dev.efficientnet.core.ops.Activation;
import dev.efficientnet.core.ops.Conv2dOptions;
import dev.efficientnet.core.ops.SqueezeExcitation;
import dev.efficientnet.core.tensor.Rng;
import dev.efficientnet.core.tensor.Tensor;

/**
 * Squeeze-and-excitation: global average pool → 1×1 conv ({@code reduce}, with bias) → activation
 * → 1×1 conv ({@code expand}, with bias) → sigmoid gate, multiplied into the input. The reduced
 * width comes from the block's <em>input</em> channels × ratio, as in every EfficientNet reference.
 * In training the whole gate is one autograd node ({@link SqueezeExcitation}, two passes over the
 * activation in backward instead of five).
 */
public final class SqueezeExcite extends Module {
    private final int channels;
    private final Conv2d reduce;
    private final Conv2d expand;
    private final Activation activation;

    /**
     * Squeeze-excite on {@code channels} channels through {@code reducedChannels} (the {@code reduce} conv's
     * output), with {@code activation} between the two convs and initialisation randomness {@code rng}.
     *
     * @param channels the number of channels
     * @param reducedChannels the squeeze-excite reduced channels
     * @param activation the activation
     * @param rng the random number generator
     */
    public SqueezeExcite(int channels, int reducedChannels, Activation activation, Rng rng) {
        this.channels = channels;
        this.reduce = registerModule("reduce", new Conv2d(channels, reducedChannels, 1, Conv2dOptions.valid(1), true, rng));
        this.expand = registerModule("expand", new Conv2d(reducedChannels, channels, 1, Conv2dOptions.valid(1), true, rng));
        this.activation = activation;
    }

    @Override
    public Tensor forward(Tensor x) {
        int n = x.dim(0);
        return SqueezeExcitation.apply(x, pooled ->
                Activation.SIGMOID.apply(expand.forward(activation.apply(reduce.forward(pooled.reshape(n, 1, 1, channels))))));
    }

    /** {@return the 1×1 conv from the block's channels to the reduced width} */
    public Conv2d reduce() {
        return reduce;
    }

    /** {@return the 1×1 conv from the reduced width back to the block's channels} */
    public Conv2d expand() {
        return expand;
    }
}
