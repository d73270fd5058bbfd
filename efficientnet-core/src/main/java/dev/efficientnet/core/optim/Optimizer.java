package dev.efficientnet.core.optim;

import java.util.List;

/**
 * Updates parameters in place from their accumulated gradients. A training step is
 * {@code zeroGrad(); loss.backward(); [GradClip.clipByGlobalNorm(opt, max);] opt.setLearningRate(
 * schedule.lrAtStep(step, stepsPerEpoch)); opt.step();}. Parameters whose gradient is null are
 * skipped. Optimizer state is allocated once, outside any {@link dev.efficientnet.core.tensor.MemoryScope},
 * and can be exported and re-imported for exact resume.
 */
public interface Optimizer {

    /** Applies one update to every parameter that has a gradient. */
    void step();

    /** Zeros the gradient buffers of all parameters (keeping the buffers). */
    void zeroGrad();

    /** {@return the current learning rate} */
    double learningRate();

    /**
     * Sets the learning rate used by the next {@link #step()} (finite, &gt;= 0).
     *
     * @param lr the learning rate
     */
    void setLearningRate(double lr);

    /** {@return number of {@link #step()} calls so far (restored by {@link #loadState})} */
    long stepCount();

    /** {@return the parameters, in the order given at construction} */
    List<Parameter> parameters();

    /** {@return a copy of the full state (buffers and scalars) for checkpointing} */
    OptimizerState state();

    /**
     * Restores a state exported by {@link #state()} of the same optimizer kind over parameters with
     * the same names and shapes; throws {@link IllegalArgumentException} naming any missing,
     * unexpected or mis-shaped entry.
     *
     * @param state the saved optimizer state
     */
    void loadState(OptimizerState state);
}
