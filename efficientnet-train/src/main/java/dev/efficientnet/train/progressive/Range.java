package dev.efficientnet.train.progressive;

/**
 * A value ramped over the stages, from {@code min} (first stage) to {@code max} (last stage).
 *
 * @param min value of the first stage
 * @param max value of the last stage
 */
public record Range(double min, double max) {
    /** Validates the bounds (finite). */
    public Range {
        if (!Double.isFinite(min) || !Double.isFinite(max))
            throw new IllegalArgumentException("range bounds must be finite, got " + min + " -> " + max);
    }

    /** A constant (min = max). */
    public static Range constant(double v) {
        return new Range(v, v);
    }

    /** The value at {@code fraction} in [0, 1] of the way from min to max. */
    public double at(double fraction) {
        return min + (max - min) * fraction;
    }

    @Override
    public String toString() {
        return min == max ? fmt(min) : fmt(min) + "→" + fmt(max);
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
