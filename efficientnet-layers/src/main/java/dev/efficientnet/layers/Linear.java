package dev.efficientnet.layers;

import dev.efficientnet.core.init.WeightInit;
import dev.efficientnet.core.tensor.Rng;
import dev.efficientnet.core.tensor.Tensor;

/** Fully connected layer {@code y = x·Wᵀ + b}, weight {@code [out, in]} (PyTorch layout). */
public final class Linear extends Module {
    private final int inFeatures;
    private final int outFeatures;
    private final Tensor weight;
    private final Tensor bias;

    /**
     * A layer from {@code inFeatures} to {@code outFeatures}, weight initialised from {@code rng} as the
     * EfficientNet references do, bias zero.
     *
     * @param inFeatures input features
     * @param outFeatures output features
     * @param rng the random number generator
     */
    public Linear(int inFeatures, int outFeatures, Rng rng) {
        if (inFeatures < 1 || outFeatures < 1)
            throw new IllegalArgumentException("Linear needs positive sizes, got in=" + inFeatures + " out=" + outFeatures);
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        this.weight = registerParameter("weight", persistent(() -> WeightInit.linearWeight(Tensor.zeros(outFeatures, inFeatures), rng)));
        this.bias = registerParameter("bias", persistent(() -> Tensor.zeros(outFeatures)));
    }

    @Override
    public Tensor forward(Tensor x) {
        return dev.efficientnet.core.ops.Linear.linear(x, weight, bias);
    }

    /** {@return input features} */
    public int inFeatures() {
        return inFeatures;
    }

    /** {@return output features} */
    public int outFeatures() {
        return outFeatures;
    }

    /** {@return the weight, {@code [out, in]}} */
    public Tensor weight() {
        return weight;
    }

    /** {@return the bias, {@code [out]}} */
    public Tensor bias() {
        return bias;
    }
}
