package dev.efficientnet.train;

import dev.efficientnet.core.optim.Optimizer;
import dev.efficientnet.core.optim.Parameter;
import dev.efficientnet.core.tensor.Tensor;

import java.util.List;

/**
 * One data-parallel gradient exchange: the gradients of the optimizer's parameters (each worker's
 * mean over its {@code n} examples, times {@code n}), the loss sum, the correct count and {@code n}
 * in one buffer, summed over the workers, then divided by the global {@code N}: the gradient of the
 * mean loss over the global batch, as one process with the whole batch computes it.
 */
final class GradientSync {
    private GradientSync() {
    }

    /** Sums and writes back the gradients; returns {global mean loss, global correct, global examples}. */
    static double[] allReduce(DataParallel dp, Optimizer optimizer, double loss, int correct, int n) {
        List<Parameter> ps = optimizer.parameters();
        long total = 0;
        for (Parameter p : ps) total += p.value().numel();
        if (total + 3 > Integer.MAX_VALUE - 8) throw new IllegalStateException("too many parameters for one all-reduce: " + total);
        float[] buf = new float[(int) total + 3];
        int off = 0;
        for (Parameter p : ps) {
            Tensor g = p.value().grad();
            int len = (int) p.value().numel();
            if (g != null) {
                float[] a = g.toFloatArray();
                for (int i = 0; i < len; i++) buf[off + i] = a[i] * n;
            }
            off += len;
        }
        buf[off] = (float) (loss * n);
        buf[off + 1] = correct;
        buf[off + 2] = n;
        dp.allReduceSum(buf);
        float globalN = buf[off + 2];
        off = 0;
        for (Parameter p : ps) {
            Tensor g = p.value().grad();
            int len = (int) p.value().numel();
            if (g != null) {
                float[] a = new float[len];
                for (int i = 0; i < len; i++) a[i] = buf[off + i] / globalN;
                g.assign(Tensor.of(a, g.shape()));
            }
            off += len;
        }
        return new double[]{buf[off] / globalN, buf[off + 1], globalN};
    }
}
