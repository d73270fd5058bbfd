package dev.efficientnet.core.autograd;

import dev.efficientnet.core.ops.Activation;
import dev.efficientnet.core.ops.Linear;
import dev.efficientnet.core.ops.Normalization;
import dev.efficientnet.core.ops.Regularization;
import dev.efficientnet.core.tensor.DType;
import dev.efficientnet.core.tensor.MemoryScope;
import dev.efficientnet.core.tensor.Rng;
import dev.efficientnet.core.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Checkpoint}: float64 gradient checks, same gradients as without it, rng replay, BN running stats. */
class CheckpointTest {
    final Rng rng = new Rng(31);

    Tensor rand(int... shape) {
        return rng.uniformTensor(DType.FLOAT64, -1, 1, shape).requiresGrad(true);
    }

    /** linear → SiLU → linear → drop path, drawing from {@code masks}. */
    static UnaryOperator<Tensor> segment(Tensor w1, Tensor w2, Rng masks) {
        return t -> Regularization.dropPath(Linear.linear(Activation.SILU.apply(Linear.linear(t, w1, null)), w2, null), 0.5, true, masks);
    }

    @Test
    void float64GradientCheck() {
        // The drop-path generator is reset before every evaluation so that the function is deterministic.
        Rng masks = new Rng(5);
        long s0 = masks.state();
        GradCheck.assertGradients("checkpoint", 1e-6, in -> {
            masks.setState(s0);
            return Checkpoint.apply(in[0].mul(in[0]), segment(in[1], in[2], masks), masks).add(in[0]);
        }, rand(6, 4), rand(5, 4), rand(4, 5));
    }

    @Test
    void sameGradientsAndMasksAsWithout() {
        Tensor x0 = rand(8, 4);
        Tensor w1 = rand(5, 4);
        Tensor w2 = rand(3, 5);
        double[][] plain = run(x0, w1, w2, false);
        double[][] ckpt = run(x0, w1, w2, true);
        for (int k = 0; k < plain.length; k++) assertArrayEquals(plain[k], ckpt[k], 1e-12, "output/gradient " + k);
        boolean dropped = false;
        for (double v : plain[0]) dropped |= v == 0;
        assertTrue(dropped, "some samples were dropped, so the masks had to be replayed");
    }

    private static double[][] run(Tensor x0, Tensor w1, Tensor w2, boolean checkpoint) {
        Tensor x = x0.copy().requiresGrad(true);
        Tensor a = w1.copy().requiresGrad(true);
        Tensor b = w2.copy().requiresGrad(true);
        Rng masks = new Rng(11);
        try (MemoryScope s = MemoryScope.open()) {
            UnaryOperator<Tensor> f = segment(a, b, masks);
            Tensor h = x.mul(x);
            Tensor y = checkpoint ? Checkpoint.apply(h, f, masks) : f.apply(h);
            double[] out = y.toDoubleArray();
            // draws after the segment must not depend on the recomputation
            double after = masks.nextDouble();
            y.sum().backward();
            return new double[][]{out, x.grad().toDoubleArray(), a.grad().toDoubleArray(), b.grad().toDoubleArray(),
                    {after, masks.nextDouble()}};
        }
    }

    @Test
    void batchNormRunningStatisticsAreUpdatedOnce() {
        Tensor x = rand(6, 3);
        Tensor gamma = rand(3);
        Tensor beta = rand(3);
        double[][] stats = new double[2][];
        for (int k = 0; k < 2; k++) {
            Tensor mean = Tensor.zeros(DType.FLOAT64, 3);
            Tensor var = Tensor.full(DType.FLOAT64, 1, 3);
            UnaryOperator<Tensor> f = t -> Normalization.batchNorm(t, gamma, beta, mean, var, true, 0.1, 1e-5);
            Tensor y = k == 0 ? f.apply(x) : Checkpoint.apply(x, f);
            y.mul(y).sum().backward();
            stats[k] = mean.toDoubleArray();
        }
        assertArrayEquals(stats[0], stats[1], 1e-15);
    }

    @Test
    void withoutGradModeItIsAPlainCall() {
        Tensor x = rand(2, 3);
        try (GradMode g = GradMode.disabled()) {
            Tensor y = Checkpoint.apply(x, t -> t.mul(t));
            assertNull(y.creator());
        }
    }
}
