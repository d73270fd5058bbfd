package dev.efficientnet.models.spec;

/**
 * The channel and depth rounding rules of EfficientNet, named as in torchvision/timm/TF.
 *
 * <p>All arithmetic is IEEE double in the same order as the Python references, so results
 * match them bit for bit (e.g. {@code 3 * 1.1 = 3.3000000000000003} rounds up to 4 repeats
 * in both).
 */
public final class Scaling {
    /** Channel divisor used by every EfficientNet: channels are multiples of 8. */
    public static final int DEFAULT_DIVISOR = 8;
    /** V1 round limit: the "10% rule" (TF {@code round_filters}, Keras V1, timm, torchvision). */
    public static final double V1_ROUND_LIMIT = 0.9;
    /** V2 round limit: no 10% rule (automl {@code round_filters}, Keras V2, timm V2-B*). */
    public static final double V2_ROUND_LIMIT = 0.0;
    /**
     * Largest channel count a scaled layer may have (2^24): far above any real model, and small
     * enough that every derived size (expanded channels, weight shapes) fits an {@code int}.
     */
    public static final int MAX_CHANNELS = 1 << 24;
    /** Largest number of repeats a scaled stage may have (far above any real model). */
    public static final int MAX_REPEATS = 10_000;

    private Scaling() {
    }

    /**
     * Rounds {@code v} to a multiple of {@code divisor} (at least {@code divisor}):
     * {@code new = max(divisor, int(v + divisor / 2) // divisor * divisor)}; then, if
     * {@code new < roundLimit * v}, adds {@code divisor} (with limit 0.9: never lose more than 10%).
     */
    public static int makeDivisible(double v, int divisor, double roundLimit) {
        if (divisor < 1) {
            throw new IllegalArgumentException("divisor must be >= 1, got " + divisor);
        }
        if (!(v > 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException("channels must be positive and finite, got " + v);
        }
        if (v + divisor > MAX_CHANNELS) {
            throw new IllegalArgumentException(String.format(java.util.Locale.ROOT,
                    "a scaled layer would have %.4g channels, above the supported maximum of %,d", v, MAX_CHANNELS));
        }
        int n = Math.max(divisor, (int) (v + divisor / 2.0) / divisor * divisor);
        if (n < roundLimit * v) {
            n += divisor;
        }
        return n;
    }

    /**
     * {@code round_filters}: scales {@code channels} by {@code widthMult} and rounds with
     * {@link #makeDivisible}. V1 uses {@code roundLimit} {@value #V1_ROUND_LIMIT}, automl V2
     * {@value #V2_ROUND_LIMIT}.
     */
    public static int roundFilters(int channels, double widthMult, int divisor, double roundLimit) {
        checkMultiplier("width", widthMult);
        return makeDivisible(channels * widthMult, divisor, roundLimit);
    }

    /** {@code round_filters} with divisor 8. */
    public static int roundFilters(int channels, double widthMult, double roundLimit) {
        return roundFilters(channels, widthMult, DEFAULT_DIVISOR, roundLimit);
    }

    /** {@code round_repeats}: {@code ceil(repeats * depthMult)}. */
    public static int roundRepeats(int repeats, double depthMult) {
        checkMultiplier("depth", depthMult);
        if (repeats < 1) {
            throw new IllegalArgumentException("repeats must be >= 1, got " + repeats);
        }
        double r = Math.ceil(repeats * depthMult);
        if (r > MAX_REPEATS) {
            throw new IllegalArgumentException(String.format(java.util.Locale.ROOT,
                    "a scaled stage would repeat its block %.4g times (%d x depth %s), above the supported maximum of %,d",
                    r, repeats, depthMult, MAX_REPEATS));
        }
        return (int) r;
    }

    static void checkMultiplier(String what, double m) {
        if (!(m > 0) || Double.isInfinite(m)) {
            throw new IllegalArgumentException(what + " multiplier must be positive and finite, got " + m);
        }
    }
}
