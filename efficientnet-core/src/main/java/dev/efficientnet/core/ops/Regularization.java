package dev.efficientnet.core.ops;

import dev.efficientnet.core.tensor.DType;
import dev.efficientnet.core.tensor.Rng;
import dev.efficientnet.core.tensor.Tensor;

import java.util.Arrays;

/**
 * Dropout and drop path (stochastic depth). Both are the identity (returning {@code x} itself) in
 * eval mode or with {@code p = 0}. Masks come from the given seeded {@link Rng}, so a run with the
 * same seed drops the same elements; the backward pass multiplies by the same mask.
 */
public final class Regularization {
    private Regularization() {
    }

    /**
     * Inverted dropout: each element is zeroed with probability {@code p} and the kept ones are
     * scaled by {@code 1 / (1 - p)}, so the expectation is unchanged; {@code p = 1} gives zeros.
     *
     * @param x the input
     * @param p the drop probability
     * @param training whether in training mode
     * @param rng the random number generator
     * @return inverted dropout: each element is zeroed with probability {@code p} and the kept ones are scaled by {@code 1 / (1 - p)}, so the expectation is unchanged; {@code p = 1} gives zeros
     */
    public static Tensor dropout(Tensor x, double p, boolean training, Rng rng) {
        checkArgs("dropout", x, p, training, rng);
        if (!training || p == 0) return x;
        double keep = 1 - p;
        double scale = keep > 0 ? 1 / keep : 0;
        double[] u = rng.uniform((int) x.numel(), 0, 1);
        double[] mask = new double[u.length];
        for (int i = 0; i < u.length; i++) mask[i] = u[i] < keep ? scale : 0;
        return Arithmetic.mul(x, maskTensor(x.dtype(), mask, x.shape()));
    }

    /**
     * Drop path: each sample (index along the leading axis) is zeroed with probability {@code p} as
     * a whole, and kept samples are scaled by {@code 1 / (1 - p)}, as timm's {@code drop_path} with
     * {@code scale_by_keep=True}. Used on the residual branch of MBConv blocks.
     *
     * @param x the input
     * @param p the drop probability
     * @param training whether in training mode
     * @param rng the random number generator
     * @return drop path: each sample (index along the leading axis) is zeroed with probability {@code p} as a whole, and kept samples are scaled by {@code 1 / (1 - p)}, as timm's {@code drop_path} with {@code scale_by_keep=True}
     */
    public static Tensor dropPath(Tensor x, double p, boolean training, Rng rng) {
        checkArgs("dropPath", x, p, training, rng);
        if (!training || p == 0) return x;
        if (x.rank() < 1) throw new IllegalArgumentException("dropPath: x must have a leading batch axis, got a scalar");
        double keep = 1 - p;
        double scale = keep > 0 ? 1 / keep : 0;
        int n = x.dim(0);
        double[] u = rng.uniform(n, 0, 1);
        double[] mask = new double[n];
        for (int i = 0; i < n; i++) mask[i] = u[i] < keep ? scale : 0;
        int[] maskShape = new int[x.rank()];
        Arrays.fill(maskShape, 1);
        maskShape[0] = n;
        return Arithmetic.mul(x, maskTensor(x.dtype(), mask, maskShape));
    }

    private static void checkArgs(String op, Tensor x, double p, boolean training, Rng rng) {
        if (x == null) throw new IllegalArgumentException(op + ": x is null");
        if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException(op + ": p must be in [0, 1], got " + p);
        if (training && p > 0 && rng == null) throw new IllegalArgumentException(op + ": rng is required in training mode");
    }

    private static Tensor maskTensor(DType dtype, double[] mask, int[] shape) {
        if (dtype == DType.FLOAT64) return Tensor.of(mask, shape);
        float[] f = new float[mask.length];
        for (int i = 0; i < f.length; i++) f[i] = (float) mask[i];
        return Tensor.of(f, shape);
    }
}
