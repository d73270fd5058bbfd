package dev.efficientnet.core.ops;

import dev.efficientnet.core.autograd.Checkpoint;
import dev.efficientnet.core.autograd.Node;
import dev.efficientnet.core.backend.Backend;
import dev.efficientnet.core.tensor.Tensor;

import java.util.Arrays;

/**
 * Batch normalization over the last axis. Activations are NHWC, so the channels are last, and the
 * same op covers {@code [N, C]} inputs: {@code x} is treated as {@code [M, C]} with
 * {@code M = N·H·W}.
 *
 * <p>Semantics follow PyTorch's {@code BatchNorm2d}:
 * <ul>
 *   <li><b>training</b>: normalizes with the batch mean and the biased batch variance; gradients flow
 *       through the statistics. The running statistics (when given) are updated in place:
 *       {@code running = (1 - momentum) * running + momentum * batch}, where the running variance
 *       takes the <em>unbiased</em> batch variance ({@code var * M / (M - 1)}).</li>
 *   <li><b>eval</b>: normalizes with the running statistics, which are constants for backward.
 *       Without running statistics (both null) eval mode uses the batch statistics, as PyTorch does
 *       with {@code track_running_stats=False}, and updates nothing.</li>
 *   <li><b>frozen</b> ({@link #frozenBatchNorm}): the eval computation, used while the rest of the
 *       model trains (fine-tuning with frozen BN): running statistics as constants, never updated,
 *       gradients still flow to {@code x}, {@code gamma} and {@code beta}.</li>
 * </ul>
 * {@code gamma} and {@code beta} may be null (scale 1, shift 0).
 */
public final class Normalization {
    private Normalization() {
    }

    /**
     * Batch norm over the last axis.
     *
     * @param x           input, rank at least 1, channels last ({@code [..., C]})
     * @param gamma       scale {@code [C]} or null
     * @param beta        shift {@code [C]} or null
     * @param runningMean running mean {@code [C]} (updated in place in training) or null
     * @param runningVar  running variance {@code [C]} (updated in place in training) or null
     * @param training    batch statistics (and running-stat update) when true, running stats when false
     * @param momentum    weight of the batch statistic in the running update, in [0, 1] (PyTorch: 0.1)
     * @param eps         added to the variance, at least 0 (PyTorch: 1e-5; TF EfficientNet: 1e-3)
     * @return batch norm over the last axis
     */
    public static Tensor batchNorm(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
                                   boolean training, double momentum, double eps) {
        int c = validate(x, gamma, beta, runningMean, runningVar, momentum, eps);
        Backend backend = Backend.current();
        long m = x.numel() / Math.max(1, c);
        boolean useBatch = training || runningMean == null;
        Tensor mean;
        Tensor var;
        if (useBatch) {
            if (m <= 1)
                throw new IllegalArgumentException("batchNorm: batch statistics need more than 1 value per channel, got input shape "
                        + Arrays.toString(x.shape()));
            mean = Tensor.empty(x.dtype(), c);
            var = Tensor.empty(x.dtype(), c);
            backend.batchNormStats(x, mean, var);
            if (training && runningMean != null && !Checkpoint.isRecomputing()) {
                backend.axpby(1 - momentum, runningMean, momentum, mean, runningMean);
                backend.axpby(1 - momentum, runningVar, momentum * m / (m - 1.0), var, runningVar);
            }
        } else {
            mean = runningMean;
            var = runningVar;
        }
        return normalize(x, gamma, beta, mean, var, eps, useBatch);
    }

    /**
     * Frozen batch norm: normalizes with the running statistics as constants whatever the model's
     * training flag, and never updates them. Gradients flow to {@code x}, {@code gamma} and
     * {@code beta} with {@code dx = dy * gamma / sqrt(runningVar + eps)}. Numerically the same as
     * eval-mode {@link #batchNorm}.
     *
     * @param x the input
     * @param gamma the batch-norm scale
     * @param beta the batch-norm shift
     * @param runningMean the running mean
     * @param runningVar the running variance
     * @param eps the epsilon
     * @return frozen batch norm: normalizes with the running statistics as constants whatever the model's training flag, and never updates them
     */
    public static Tensor frozenBatchNorm(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
                                         double eps) {
        if (runningMean == null || runningVar == null)
            throw new IllegalArgumentException("frozenBatchNorm: runningMean and runningVar are required");
        validate(x, gamma, beta, runningMean, runningVar, 0, eps);
        return normalize(x, gamma, beta, runningMean, runningVar, eps, false);
    }

    /**
     * Batch norm with the running statistics as constants, followed by {@code activation}: the
     * eval-mode (or frozen) {@code act(batchNorm(x))} of a conv-BN-activation layer, as one fused
     * kernel pass. Same values and gradients as {@code activation.apply(frozenBatchNorm(...))}.
     *
     * @param x the input
     * @param gamma the batch-norm scale
     * @param beta the batch-norm shift
     * @param runningMean the running mean
     * @param runningVar the running variance
     * @param eps the epsilon
     * @param activation the activation
     * @return batch norm with the running statistics as constants, followed by {@code activation}: the eval-mode (or frozen) {@code act(batchNorm(x))} of a conv-BN-activation layer, as one fused kernel pass
     */
    public static Tensor batchNormActivation(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
                                             double eps, Activation activation) {
        if (runningMean == null || runningVar == null)
            throw new IllegalArgumentException("batchNormActivation: runningMean and runningVar are required");
        return batchNormActivation(x, gamma, beta, runningMean, runningVar, false, 0, eps, activation);
    }

    /**
     * {@code activation.apply(batchNorm(x, gamma, beta, runningMean, runningVar, training, momentum, eps))}
     * fused: one kernel pass forward, and a backward that recomputes the normalized value instead
     * of storing it (so neither the batch-norm output nor its gradient is materialized). Same
     * semantics, including the running-statistics update in training.
     *
     * @param x the input
     * @param gamma the batch-norm scale
     * @param beta the batch-norm shift
     * @param runningMean the running mean
     * @param runningVar the running variance
     * @param training whether in training mode
     * @param momentum the momentum
     * @param eps the epsilon
     * @param activation the activation
     * @return {@code activation.apply(batchNorm(x, gamma, beta, runningMean, runningVar, training, momentum, eps))} fused: one kernel pass forward, and a backward that recomputes the normalized value instead of storing it (so neither the batch-norm output nor its gradient is materialized)
     */
    public static Tensor batchNormActivation(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
                                             boolean training, double momentum, double eps, Activation activation) {
        if (activation == null) throw new IllegalArgumentException("batchNormActivation: activation is null (use IDENTITY)");
        int c = validate(x, gamma, beta, runningMean, runningVar, momentum, eps);
        Backend backend = Backend.current();
        long m = x.numel() / Math.max(1, c);
        boolean useBatch = training || runningMean == null;
        Tensor mean;
        Tensor var;
        if (useBatch) {
            if (m <= 1)
                throw new IllegalArgumentException("batchNorm: batch statistics need more than 1 value per channel, got input shape "
                        + Arrays.toString(x.shape()));
            mean = Tensor.empty(x.dtype(), c);
            var = Tensor.empty(x.dtype(), c);
            backend.batchNormStats(x, mean, var);
            if (training && runningMean != null && !Checkpoint.isRecomputing()) {
                backend.axpby(1 - momentum, runningMean, momentum, mean, runningMean);
                backend.axpby(1 - momentum, runningVar, momentum * m / (m - 1.0), var, runningVar);
            }
        } else {
            mean = runningMean;
            var = runningVar;
        }
        Tensor out = Tensor.empty(x.dtype(), x.shape());
        backend.batchNormActivation(x, mean, var, gamma, beta, eps, activation.unaryOp(), out);
        if (Node.shouldRecord(x, gamma, beta)) {
            Tensor savedMean = useBatch ? mean : mean.copy();
            Tensor savedVar = useBatch ? var : var.copy();
            Node.record(out, new BatchNormActNode(x, gamma, beta, savedMean, savedVar, eps, useBatch, activation.unaryOp()));
        }
        return out;
    }

    private static final class BatchNormActNode extends Node {
        private Tensor x;
        private Tensor gamma;
        private Tensor beta;
        private Tensor mean;
        private Tensor var;
        private final double eps;
        private final boolean batchStats;
        private final dev.efficientnet.core.backend.UnaryOp act;

        BatchNormActNode(Tensor x, Tensor gamma, Tensor beta, Tensor mean, Tensor var, double eps, boolean batchStats,
                         dev.efficientnet.core.backend.UnaryOp act) {
            super(x, gamma, beta);
            this.x = x;
            this.gamma = gamma;
            this.beta = beta;
            this.mean = mean;
            this.var = var;
            this.eps = eps;
            this.batchStats = batchStats;
            this.act = act;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor gx = needsGrad(0) ? Tensor.empty(x.dtype(), x.shape()) : null;
            Tensor gg = needsGrad(1) ? Tensor.empty(x.dtype(), gamma.shape()) : null;
            Tensor gb = needsGrad(2) ? Tensor.empty(x.dtype(), beta.shape()) : null;
            Backend.current().batchNormActivationBackward(x, mean, var, gamma, beta, g, eps, batchStats, act, gx, gg, gb);
            return new Tensor[]{gx, gg, gb};
        }

        @Override
        protected void releaseSaved() {
            x = null;
            gamma = null;
            beta = null;
            mean = null;
            var = null;
        }
    }

    private static Tensor normalize(Tensor x, Tensor gamma, Tensor beta, Tensor mean, Tensor var, double eps,
                                    boolean batchStats) {
        Tensor out = Tensor.empty(x.dtype(), x.shape());
        Backend.current().batchNormApply(x, mean, var, gamma, beta, eps, out);
        if (Node.shouldRecord(x, gamma, beta)) {
            // Running statistics can change in place before backward runs (another training
            // forward of the same layer), so constant statistics are saved as copies.
            Tensor savedMean = batchStats ? mean : mean.copy();
            Tensor savedVar = batchStats ? var : var.copy();
            Node.record(out, new BatchNormNode(x, gamma, beta, savedMean, savedVar, eps, batchStats));
        }
        return out;
    }

    static int validate(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
                                double momentum, double eps) {
        if (x == null) throw new IllegalArgumentException("batchNorm: x is null");
        if (x.rank() < 1) throw new IllegalArgumentException("batchNorm: x must have rank >= 1 (channels last), got a scalar");
        int c = x.dim(-1);
        checkVector("gamma", gamma, x, c);
        checkVector("beta", beta, x, c);
        checkVector("runningMean", runningMean, x, c);
        checkVector("runningVar", runningVar, x, c);
        if ((runningMean == null) != (runningVar == null))
            throw new IllegalArgumentException("batchNorm: runningMean and runningVar must both be given or both be null");
        if (!(momentum >= 0 && momentum <= 1))
            throw new IllegalArgumentException("batchNorm: momentum must be in [0, 1], got " + momentum);
        if (!(eps >= 0) || Double.isInfinite(eps))
            throw new IllegalArgumentException("batchNorm: eps must be finite and >= 0, got " + eps);
        return c;
    }

    private static void checkVector(String name, Tensor t, Tensor x, int c) {
        if (t == null) return;
        if (t.rank() != 1 || t.dim(0) != c)
            throw new IllegalArgumentException("batchNorm: " + name + " must have shape [" + c + "] for input "
                    + Arrays.toString(x.shape()) + ", got " + Arrays.toString(t.shape()));
        if (t.dtype() != x.dtype())
            throw new IllegalArgumentException("batchNorm: " + name + " dtype " + t.dtype() + " differs from x dtype " + x.dtype());
    }

    private static final class BatchNormNode extends Node {
        private Tensor x;
        private Tensor gamma;
        private Tensor mean;
        private Tensor var;
        private final double eps;
        private final boolean batchStats;

        BatchNormNode(Tensor x, Tensor gamma, Tensor beta, Tensor mean, Tensor var, double eps, boolean batchStats) {
            super(x, gamma, beta);
            this.x = x;
            this.gamma = gamma;
            this.mean = mean;
            this.var = var;
            this.eps = eps;
            this.batchStats = batchStats;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor gx = needsGrad(0) ? Tensor.empty(x.dtype(), x.shape()) : null;
            Tensor gg = needsGrad(1) ? Tensor.empty(x.dtype(), gamma.shape()) : null;
            Tensor gb = needsGrad(2) ? Tensor.empty(x.dtype(), inputs()[2].shape()) : null;
            Backend.current().batchNormBackward(x, mean, var, gamma, g, eps, batchStats, gx, gg, gb);
            return new Tensor[]{gx, gg, gb};
        }

        @Override
        protected void releaseSaved() {
            x = null;
            gamma = null;
            mean = null;
            var = null;
        }
    }
}
