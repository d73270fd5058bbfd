package dev.efficientnet.core.ops;

import dev.efficientnet.core.autograd.GradCheck;
import dev.efficientnet.core.tensor.DType;
import dev.efficientnet.core.tensor.Rng;
import dev.efficientnet.core.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LossTest {
    static final double TOL = 1e-6;
    final Rng rng = new Rng(13);

    Tensor rand(double lo, double hi, int... shape) {
        return rng.uniformTensor(DType.FLOAT64, lo, hi, shape).requiresGrad(true);
    }

    @Test
    void softmaxGradients() {
        GradCheck.assertGradients("softmax", TOL, in -> Losses.softmax(in[0]), rand(-3, 3, 4, 7));
        GradCheck.assertGradients("softmax 3d", TOL, in -> Losses.softmax(in[0]), rand(-3, 3, 2, 3, 5));
        GradCheck.assertGradients("logSoftmax", TOL, in -> Losses.logSoftmax(in[0]), rand(-3, 3, 4, 7));
        GradCheck.assertGradients("logSoftmax 3d", TOL, in -> Losses.logSoftmax(in[0]), rand(-3, 3, 3, 1, 5));
    }

    @Test
    void softmaxValuesAndStability() {
        Tensor x = Tensor.of(new double[]{1, 2, 3, 1000, 1001, 999}, 2, 3);
        double[] p = Losses.softmax(x).toDoubleArray();
        double z = Math.exp(1) + Math.exp(2) + Math.exp(3);
        assertArrayEquals(new double[]{Math.exp(1) / z, Math.exp(2) / z, Math.exp(3) / z}, java.util.Arrays.copyOf(p, 3), 1e-15);
        double z2 = 1 + Math.exp(1) + Math.exp(-1);
        assertEquals(Math.exp(1) / z2, p[4], 1e-15);
        double[] lp = Losses.logSoftmax(x).toDoubleArray();
        assertEquals(-Math.log(z2), lp[3], 1e-12);
        float[] lpf = Losses.logSoftmax(Tensor.of(new float[]{-1e4f, 0, 1e4f}, 1, 3)).toFloatArray();
        assertArrayEquals(new float[]{-2e4f, -1e4f, 0}, lpf, 1e-3f);
    }

    /** Direct formula for mean cross-entropy with label smoothing, computed in double. */
    static double directCrossEntropy(double[] logits, int k, int[] targets, double eps) {
        int n = targets.length;
        double total = 0;
        for (int i = 0; i < n; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) max = Math.max(max, logits[i * k + j]);
            double s = 0;
            for (int j = 0; j < k; j++) s += Math.exp(logits[i * k + j] - max);
            double lse = max + Math.log(s);
            double nll = lse - logits[i * k + targets[i]];
            double smooth = 0;
            for (int j = 0; j < k; j++) smooth += lse - logits[i * k + j];
            total += (1 - eps) * nll + eps * smooth / k;
        }
        return total / n;
    }

    @Test
    void crossEntropyValues() {
        int n = 5, k = 7;
        double[] logits = rng.uniform(n * k, -4, 4);
        int[] t = {0, 6, 3, 3, 1};
        for (double eps : new double[]{0, 0.1, 0.5}) {
            double expect = directCrossEntropy(logits, k, t, eps);
            assertEquals(expect, Losses.crossEntropy(Tensor.of(logits, n, k), t, eps).item(), 1e-12, "eps " + eps);
            double[] tf = {0, 6, 3, 3, 1};
            assertEquals(expect, Losses.crossEntropy(Tensor.of(logits, n, k), Tensor.of(tf, n), eps).item(), 1e-12);
        }
        // K = 1: log-softmax is 0
        assertEquals(0, Losses.crossEntropy(Tensor.of(new double[]{3, -2}, 2, 1), new int[]{0, 0}).item(), 0);
        // hand example: logits [0, ln 3] target 1 -> -log(3/4)
        assertEquals(-Math.log(0.75), Losses.crossEntropy(Tensor.of(new double[]{0, Math.log(3)}, 1, 2), new int[]{1}).item(), 1e-15);
    }

    @Test
    void crossEntropyIsStableForLargeLogitsInFloat32() {
        float[] logits = {1e4f, 0, -1e4f, 50, 60, 70};
        double loss = Losses.crossEntropy(Tensor.of(logits, 2, 3), new int[]{2, 2}).item();
        double expect = (2e4 + directCrossEntropy(new double[]{50, 60, 70}, 3, new int[]{2}, 0)) / 2;
        assertTrue(Double.isFinite(loss));
        assertEquals(expect, loss, 1e-2);
        Tensor x = Tensor.of(logits, 2, 3).requiresGrad(true);
        Losses.crossEntropy(x, new int[]{2, 2}, 0.1).backward();
        for (float g : x.grad().toFloatArray()) assertTrue(Float.isFinite(g));
    }

    @Test
    void softTargets() {
        int n = 3, k = 4;
        double[] logits = rng.uniform(n * k, -2, 2);
        int[] t = {1, 0, 3};
        double[] onehot = new double[n * k];
        for (int i = 0; i < n; i++) onehot[i * k + t[i]] = 1;
        // one-hot soft targets reproduce the index form, with and without smoothing
        for (double eps : new double[]{0, 0.2}) {
            assertEquals(Losses.crossEntropy(Tensor.of(logits, n, k), t, eps).item(),
                    Losses.crossEntropy(Tensor.of(logits, n, k), Tensor.of(onehot, n, k), eps).item(), 1e-12);
        }
        // mixup: lam * CE(y1) + (1 - lam) * CE(y2)
        int[] t2 = {2, 2, 0};
        double lam = 0.3;
        double[] mix = new double[n * k];
        for (int i = 0; i < n; i++) {
            mix[i * k + t[i]] += lam;
            mix[i * k + t2[i]] += 1 - lam;
        }
        double expect = lam * directCrossEntropy(logits, k, t, 0) + (1 - lam) * directCrossEntropy(logits, k, t2, 0);
        assertEquals(expect, Losses.crossEntropy(Tensor.of(logits, n, k), Tensor.of(mix, n, k)).item(), 1e-12);
    }

    @Test
    void crossEntropyGradients() {
        GradCheck.assertGradients("ce", TOL, in -> Losses.crossEntropy(in[0], new int[]{2, 0, 4}), rand(-3, 3, 3, 5));
        GradCheck.assertGradients("ce smooth", TOL, in -> Losses.crossEntropy(in[0], new int[]{2, 0, 4, 4}, 0.1), rand(-3, 3, 4, 5));
        GradCheck.assertGradients("ce float targets", TOL,
                in -> Losses.crossEntropy(in[0], Tensor.of(new double[]{1, 6}, 2), 0.3), rand(-3, 3, 2, 7));
        // soft targets that do not sum to one, gradients to both logits and targets
        GradCheck.assertGradients("ce soft", TOL, in -> Losses.crossEntropy(in[0], in[1]), rand(-3, 3, 3, 5), rand(0, 1, 3, 5));
        GradCheck.assertGradients("ce soft smooth", TOL, in -> Losses.crossEntropy(in[0], in[1], 0.2), rand(-3, 3, 2, 3), rand(0, 1, 2, 3));
        // hand check: d/dz = (softmax - q) / N
        Tensor z = Tensor.of(new double[]{0, Math.log(3)}, 1, 2).requiresGrad(true);
        Losses.crossEntropy(z, new int[]{1}).backward();
        assertArrayEquals(new double[]{0.25, -0.25}, z.grad().toDoubleArray(), 1e-15);
    }

    @Test
    void targetValidation() {
        Tensor logits = Tensor.zeros(DType.FLOAT64, 2, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Losses.crossEntropy(logits, new int[]{0, 3}));
        assertTrue(e.getMessage().contains("target 3") && e.getMessage().contains("[0, 3)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Losses.crossEntropy(logits, new int[]{-1, 0}));
        assertThrows(IllegalArgumentException.class, () -> Losses.crossEntropy(logits, new int[]{0}));
        assertThrows(IllegalArgumentException.class, () -> Losses.crossEntropy(logits, Tensor.of(new double[]{0, 1.5}, 2)));
        assertThrows(IllegalArgumentException.class, () -> Losses.crossEntropy(logits, Tensor.of(new double[]{0, 3}, 2)));
        assertThrows(IllegalArgumentException.class, () -> Losses.crossEntropy(logits, Tensor.zeros(DType.FLOAT64, 2, 4)));
        assertThrows(IllegalArgumentException.class, () -> Losses.crossEntropy(logits, new int[]{0, 1}, 1.5));
        assertThrows(IllegalArgumentException.class, () -> Losses.crossEntropy(Tensor.zeros(DType.FLOAT64, 6), new int[]{0}));
        assertThrows(IllegalArgumentException.class, () -> Losses.mse(Tensor.zeros(2, 3), Tensor.zeros(3, 2)));
    }

    @Test
    void meanSquaredError() {
        Tensor p = Tensor.of(new double[]{1, 2, 3, 4}, 2, 2);
        Tensor t = Tensor.of(new double[]{0, 2, 5, 1}, 2, 2);
        assertEquals((1 + 0 + 4 + 9) / 4.0, Losses.mse(p, t).item(), 1e-15);
        GradCheck.assertGradients("mse", TOL, in -> Losses.mse(in[0], in[1]), rand(-1, 1, 3, 5), rand(-1, 1, 3, 5));
    }
}
