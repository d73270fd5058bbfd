package dev.efficientnet.train.data;

/**
 * Derives independent random seeds from a base seed and a tuple of integers (epoch, example index,
 * batch index, ...) with the SplitMix64 finalizer, so that randomness depends only on those
 * numbers and never on thread timing or iteration order.
 */
public final class Seeds {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private Seeds() {
    }

    /** The SplitMix64 finalizer: a bijective, well-mixing 64-bit hash. */
    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A seed derived from {@code seed} and {@code parts} (order matters). */
    public static long derive(long seed, long... parts) {
        long h = mix(seed + GOLDEN);
        for (long p : parts) h = mix(h ^ mix(p * GOLDEN + 0x632BE59BD9B4E019L));
        return h;
    }
}
