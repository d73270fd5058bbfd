package dev.efficientnet.layers;

import dev.efficientnet.core.ops.Regularization;
import dev.efficientnet.core.tensor.Rng;
import dev.efficientnet.core.tensor.Tensor;

/** Stochastic depth: in training, zeroes whole samples with probability {@code rate}, scaling the rest by 1/keep. */
public final class DropPath extends Module {
    private double rate;
    private final Rng rng;

    /**
     * Drop path with drop probability {@code rate} (0 ≤ rate &lt; 1), its masks drawn from {@code rng}.
     *
     * @param rate the rate
     * @param rng the random number generator
     */
    public DropPath(double rate, Rng rng) {
        setRate(rate);
        this.rng = rng;
    }

    @Override
    public Tensor forward(Tensor x) {
        return apply(x, isTraining());
    }

    /**
     * Applies the layer in training mode or not, independent of this module's own flag (no shared write).
     *
     * @param x the input
     * @param training whether in training mode
     * @return the output ({@code x} itself when not training or at rate 0)
     */
    public Tensor apply(Tensor x, boolean training) {
        return rate == 0 || !training ? x : Regularization.dropPath(x, rate, true, rng);
    }

    /** {@return the current drop probability} */
    public double rate() {
        return rate;
    }

    /**
     * Changes the drop probability (e.g. for a schedule).
     *
     * @param rate the rate
     */
    public void setRate(double rate) {
        if (!(rate >= 0 && rate < 1)) throw new IllegalArgumentException("drop path rate must be in [0,1), got " + rate);
        this.rate = rate;
    }
}
