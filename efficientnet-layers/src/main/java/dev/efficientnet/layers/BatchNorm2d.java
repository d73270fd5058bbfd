package dev.efficientnet.layers;

import dev.efficientnet.core.ops.Convolution;
import dev.efficientnet.core.ops.Normalization;
import dev.efficientnet.core.tensor.Tensor;

/**
 * Batch norm over the channel (last) axis of NHWC activations, with learnable {@code weight}
 * (gamma) and {@code bias} (beta) and the buffers {@code running_mean} / {@code running_var}.
 * Momentum is in the PyTorch convention (weight of the new batch statistic). In training mode it
 * normalises with batch statistics and updates the running ones (unbiased variance); in eval mode,
 * or when frozen, it uses the running statistics as constants.
 */
public final class BatchNorm2d extends Module {
    private final int channels;
    private final Tensor weight;
    private final Tensor bias;
    private final Tensor runningMean;
    private final Tensor runningVar;
    private double eps;
    private double momentum;

    /**
     * Batch norm over {@code channels} channels, starting at weight 1, bias 0, running mean 0 and running
     * variance 1. {@code eps} is added to the variance; {@code momentum} is the weight of each batch's
     * statistics in the running ones (PyTorch convention).
     *
     * @param channels the number of channels
     * @param eps the epsilon
     * @param momentum the momentum
     */
    public BatchNorm2d(int channels, double eps, double momentum) {
        if (channels < 1) throw new IllegalArgumentException("BatchNorm2d channels must be >= 1, got " + channels);
        this.channels = channels;
        this.weight = registerParameter("weight", persistent(() -> Tensor.ones(channels)));
        this.bias = registerParameter("bias", persistent(() -> Tensor.zeros(channels)));
        this.runningMean = registerBuffer("running_mean", persistent(() -> Tensor.zeros(channels)));
        this.runningVar = registerBuffer("running_var", persistent(() -> Tensor.ones(channels)));
        setEps(eps);
        setMomentum(momentum);
    }

    @Override
    public Tensor forward(Tensor x) {
        if (isFrozen()) return Normalization.frozenBatchNorm(x, weight, bias, runningMean, runningVar, eps);
        return Normalization.batchNorm(x, weight, bias, runningMean, runningVar, isTraining(), momentum, eps);
    }

    /**
     * {@code activation.apply(forward(x))} as one fused op (one kernel pass forward; the backward
     * recomputes the normalized value instead of storing it).
     */
    Tensor forward(Tensor x, dev.efficientnet.core.ops.Activation activation) {
        if (isFrozen()) return Normalization.batchNormActivation(x, weight, bias, runningMean, runningVar, eps, activation);
        return Normalization.batchNormActivation(x, weight, bias, runningMean, runningVar, isTraining(), momentum, eps, activation);
    }

    /**
     * {@code activation.apply(forward(conv.forward(x)))}; when this batch norm uses its running
     * statistics (eval mode or frozen) and the conv has no bias, one fused op that folds the batch
     * norm into the convolution ({@link Convolution#conv2dBatchNormActivation}).
     */
    Tensor forwardAfter(Conv2d conv, Tensor x, dev.efficientnet.core.ops.Activation activation) {
        if ((isFrozen() || !isTraining()) && conv.bias() == null)
            return Convolution.conv2dBatchNormActivation(x, conv.weight(), conv.options(), weight, bias, runningMean,
                    runningVar, eps, activation);
        return forward(conv.forward(x), activation);
    }

    /** {@return the number of channels} */
    public int channels() {
        return channels;
    }

    /** {@return the epsilon added to the variance} */
    public double eps() {
        return eps;
    }

    /** {@return the weight of each batch's statistics in the running ones (PyTorch convention)} */
    public double momentum() {
        return momentum;
    }

    /**
     * Sets the epsilon added to the variance.
     *
     * @param eps the epsilon
     */
    public void setEps(double eps) {
        if (!(eps >= 0)) throw new IllegalArgumentException("BatchNorm2d eps must be >= 0, got " + eps);
        this.eps = eps;
    }

    /**
     * Sets the running-statistics momentum (PyTorch convention, in [0, 1]).
     *
     * @param momentum the momentum
     */
    public void setMomentum(double momentum) {
        if (!(momentum >= 0 && momentum <= 1)) throw new IllegalArgumentException("BatchNorm2d momentum must be in [0,1], got " + momentum);
        this.momentum = momentum;
    }
}
