package dev.efficientnet.core.init;

import dev.efficientnet.core.backend.Backend;
import dev.efficientnet.core.tensor.Rng;
import dev.efficientnet.core.tensor.Tensor;

import java.util.Arrays;
import java.util.Objects;

/**
 * Weight initialisation of the reference EfficientNet implementations (TF TPU models, timm's
 * {@code _init_weight_goog}), written in place and reproducible from an {@link Rng}:
 * <ul>
 *   <li>convolution weights: normal(0, sqrt(2 / fan_out)) with the group-corrected
 *       {@code fan_out = kH * kW * outC / groups} (so a depthwise {@code k x k} kernel has
 *       {@code fan_out = k * k});</li>
 *   <li>linear (classifier) weights {@code [out, in]}: uniform(-r, r) with {@code r = 1 / sqrt(out)};</li>
 *   <li>biases 0; batch-norm gamma 1 and beta 0 ({@link #zeros}, {@link #ones}).</li>
 * </ul>
 * Layouts: convolution {@code [kH, kW, inC/groups, outC]}, depthwise {@code [kH, kW, C, multiplier]},
 * linear {@code [out, in]}.
 */
public final class WeightInit {
    private WeightInit() {
    }

    /**
     * {@code kH * kW * outC / groups} (integer division, as timm) for a convolution weight of shape
     * {@code [kH, kW, inC/groups, outC]}.
     *
     * @param shape the shape
     * @param groups the number of groups
     * @return {@code kH * kW * outC / groups} (integer division, as timm) for a convolution weight of shape {@code [kH, kW, inC/groups, outC]}
     */
    public static long convFanOut(int[] shape, int groups) {
        if (shape.length != 4)
            throw new IllegalArgumentException("convolution weight must be [kH, kW, inC/groups, outC], got " + Arrays.toString(shape));
        if (groups <= 0) throw new IllegalArgumentException("groups must be > 0, got " + groups);
        if (shape[3] % groups != 0)
            throw new IllegalArgumentException("outC " + shape[3] + " of weight " + Arrays.toString(shape)
                    + " is not divisible by groups " + groups);
        return (long) shape[0] * shape[1] * shape[3] / groups;
    }

    /**
     * {@code kH * kW * multiplier} for a depthwise weight {@code [kH, kW, C, multiplier]}
     * (groups = C, outC = C * multiplier).
     *
     * @param shape the shape
     * @return {@code kH * kW * multiplier} for a depthwise weight {@code [kH, kW, C, multiplier]} (groups = C, outC = C * multiplier)
     */
    public static long depthwiseFanOut(int[] shape) {
        if (shape.length != 4)
            throw new IllegalArgumentException("depthwise weight must be [kH, kW, C, multiplier], got " + Arrays.toString(shape));
        return (long) shape[0] * shape[1] * shape[3];
    }

    /**
     * Dense or grouped convolution weight {@code [kH, kW, inC/groups, outC]}: normal(0, sqrt(2 / fan_out)).
     *
     * @param w the weight
     * @param groups the number of groups
     * @param rng the random number generator
     * @return dense or grouped convolution weight {@code [kH, kW, inC/groups, outC]}: normal(0, sqrt(2 / fan_out))
     */
    public static Tensor convWeight(Tensor w, int groups, Rng rng) {
        Objects.requireNonNull(w, "w");
        long fanOut = convFanOut(w.shape(), groups);
        return normal(w, 0, Math.sqrt(2.0 / fanOut), rng);
    }

    /**
     * Dense convolution weight ({@code groups = 1}).
     *
     * @param w the weight
     * @param rng the random number generator
     * @return dense convolution weight ({@code groups = 1})
     */
    public static Tensor convWeight(Tensor w, Rng rng) {
        return convWeight(w, 1, rng);
    }

    /**
     * Depthwise weight {@code [kH, kW, C, multiplier]}: normal(0, sqrt(2 / (kH * kW * multiplier))).
     *
     * @param w the weight
     * @param rng the random number generator
     * @return depthwise weight {@code [kH, kW, C, multiplier]}: normal(0, sqrt(2 / (kH * kW * multiplier)))
     */
    public static Tensor depthwiseWeight(Tensor w, Rng rng) {
        Objects.requireNonNull(w, "w");
        long fanOut = depthwiseFanOut(w.shape());
        return normal(w, 0, Math.sqrt(2.0 / fanOut), rng);
    }

    /**
     * Linear weight {@code [out, in]}: uniform(-1/sqrt(out), 1/sqrt(out)).
     *
     * @param w the weight
     * @param rng the random number generator
     * @return linear weight {@code [out, in]}: uniform(-1/sqrt(out), 1/sqrt(out))
     */
    public static Tensor linearWeight(Tensor w, Rng rng) {
        Objects.requireNonNull(w, "w");
        if (w.rank() != 2)
            throw new IllegalArgumentException("linear weight must be [out, in], got " + Arrays.toString(w.shape()));
        double r = 1.0 / Math.sqrt(w.dim(0));
        return uniform(w, -r, r, rng);
    }

    /**
     * Fills with normal(mean, std) values drawn from {@code rng}; returns {@code t}.
     *
     * @param t the tensor
     * @param mean the mean
     * @param std the standard deviation
     * @param rng the random number generator
     * @return {@code t}
     */
    public static Tensor normal(Tensor t, double mean, double std, Rng rng) {
        Objects.requireNonNull(rng, "rng");
        if (!(std >= 0) || Double.isInfinite(std)) throw new IllegalArgumentException("std must be finite and >= 0, got " + std);
        Backend.current().write(t.storage(), rng.normal(checkedSize(t), mean, std));
        return t;
    }

    /**
     * Fills with uniform values in [lo, hi) drawn from {@code rng}; returns {@code t}.
     *
     * @param t the tensor
     * @param lo the lower bound
     * @param hi the upper bound
     * @param rng the random number generator
     * @return {@code t}
     */
    public static Tensor uniform(Tensor t, double lo, double hi, Rng rng) {
        Objects.requireNonNull(rng, "rng");
        if (!(lo < hi)) throw new IllegalArgumentException("uniform needs lo < hi, got [" + lo + ", " + hi + ")");
        Backend.current().write(t.storage(), rng.uniform(checkedSize(t), lo, hi));
        return t;
    }

    /**
     * Fills with 0 (biases, BN beta); returns {@code t}.
     *
     * @param t the tensor
     * @return {@code t}
     */
    public static Tensor zeros(Tensor t) {
        Backend.current().fill(t, 0);
        return t;
    }

    /**
     * Fills with 1 (BN gamma); returns {@code t}.
     *
     * @param t the tensor
     * @return {@code t}
     */
    public static Tensor ones(Tensor t) {
        Backend.current().fill(t, 1);
        return t;
    }

    private static int checkedSize(Tensor t) {
        if (t.numel() > Integer.MAX_VALUE)
            throw new IllegalArgumentException("tensor " + Arrays.toString(t.shape()) + " is too large to initialise");
        return (int) t.numel();
    }
}
