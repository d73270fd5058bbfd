package dev.efficientnet.core.backend.cpu;

import dev.efficientnet.core.tensor.Tensor;

/** Batch-norm kernels over the last axis. TODO(helper): implement. */
final class CpuBatchNorm {
    private CpuBatchNorm() {
    }

    static void stats(Tensor x, Tensor mean, Tensor var) {
        throw new UnsupportedOperationException("batchNormStats");
    }

    static void apply(Tensor x, Tensor mean, Tensor var, Tensor gamma, Tensor beta, double eps, Tensor out) {
        throw new UnsupportedOperationException("batchNormApply");
    }

    static void backward(Tensor x, Tensor mean, Tensor var, Tensor gamma, Tensor gradOut, double eps,
                         boolean batchStats, Tensor gradX, Tensor gradGamma, Tensor gradBeta) {
        throw new UnsupportedOperationException("batchNormBackward");
    }
}
