package dev.efficientnet.core.tensor;

import java.util.SplittableRandom;

/**
 * A seeded, splittable random source for initialisation, dropout masks and data order. Its state
 * is one long, so it can be saved in a checkpoint and restored exactly.
 */
public final class Rng {
    private long state;

    /**
     * A generator starting from {@code seed}.
     *
     * @param seed the seed
     */
    public Rng(long seed) {
        this.state = seed;
    }

    /** {@return the current state (restore with {@link #setState})} */
    public long state() {
        return state;
    }

    /**
     * Restores a state saved by {@link #state()}.
     *
     * @param state the generator state
     */
    public void setState(long state) {
        this.state = state;
    }

    private SplittableRandom next() {
        SplittableRandom r = new SplittableRandom(state);
        state = r.nextLong();
        return r;
    }

    /**
     * Uniform doubles in [lo, hi).
     *
     * @param n how many values
     * @param lo the lower bound
     * @param hi the upper bound
     * @return uniform doubles in [lo, hi)
     */
    public double[] uniform(int n, double lo, double hi) {
        SplittableRandom r = next();
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = r.nextDouble(lo, hi);
        return v;
    }

    /**
     * Normal doubles with the given mean and standard deviation (Box-Muller).
     *
     * @param n how many values
     * @param mean the mean
     * @param std the standard deviation
     * @return normal doubles with the given mean and standard deviation (Box-Muller)
     */
    public double[] normal(int n, double mean, double std) {
        SplittableRandom r = next();
        double[] v = new double[n];
        for (int i = 0; i < n; i += 2) {
            double u1 = 1.0 - r.nextDouble();
            double u2 = r.nextDouble();
            double mag = std * Math.sqrt(-2 * Math.log(u1));
            v[i] = mean + mag * Math.cos(2 * Math.PI * u2);
            if (i + 1 < n) v[i + 1] = mean + mag * Math.sin(2 * Math.PI * u2);
        }
        return v;
    }

    /** {@return one uniform double in [0, 1)} */
    public double nextDouble() {
        return next().nextDouble();
    }

    /**
     * One uniform int in [0, bound).
     *
     * @param bound the exclusive upper bound
     * @return one uniform int in [0, bound)
     */
    public int nextInt(int bound) {
        return next().nextInt(bound);
    }

    /**
     * A float tensor of uniform values in [lo, hi).
     *
     * @param dtype the element type
     * @param lo the lower bound
     * @param hi the upper bound
     * @param shape the shape
     * @return a float tensor of uniform values in [lo, hi)
     */
    public Tensor uniformTensor(DType dtype, double lo, double hi, int... shape) {
        return fromDoubles(dtype, uniform((int) Shapes.numel(shape), lo, hi), shape);
    }

    /**
     * A tensor of normal values.
     *
     * @param dtype the element type
     * @param mean the mean
     * @param std the standard deviation
     * @param shape the shape
     * @return a tensor of normal values
     */
    public Tensor normalTensor(DType dtype, double mean, double std, int... shape) {
        return fromDoubles(dtype, normal((int) Shapes.numel(shape), mean, std), shape);
    }

    private static Tensor fromDoubles(DType dtype, double[] v, int[] shape) {
        if (dtype == DType.FLOAT64) return Tensor.of(v, shape);
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
        return Tensor.of(f, shape);
    }
}
