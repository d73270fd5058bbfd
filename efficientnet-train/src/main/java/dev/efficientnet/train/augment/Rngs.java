package dev.efficientnet.train.augment;

import dev.efficientnet.core.tensor.Rng;

import java.util.SplittableRandom;

/** Random helpers: one cheap SplittableRandom per transform call, seeded from the example's Rng. */
final class Rngs {
    private Rngs() {
    }

    /** A generator seeded from one draw of {@code rng} (advancing it once). */
    static SplittableRandom split(Rng rng) {
        long bits = (long) (rng.nextDouble() * 0x1p53);
        return new SplittableRandom(bits * 0x9E3779B97F4A7C15L + 0x2545F4914F6CDD1DL);
    }

    /** A standard normal value (Box-Muller). */
    static double normal(SplittableRandom r) {
        double u1 = 1.0 - r.nextDouble();
        double u2 = r.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    /** A Gamma(shape, 1) value (Marsaglia-Tsang, boosted for shape &lt; 1). */
    static double gamma(SplittableRandom r, double shape) {
        if (shape < 1) {
            double u = r.nextDouble();
            return gamma(r, shape + 1) * Math.pow(u, 1 / shape);
        }
        double d = shape - 1.0 / 3, c = 1 / Math.sqrt(9 * d);
        while (true) {
            double x, v;
            do {
                x = normal(r);
                v = 1 + c * x;
            } while (v <= 0);
            v = v * v * v;
            double u = r.nextDouble();
            if (u < 1 - 0.0331 * x * x * x * x) return d * v;
            if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
        }
    }

    /** A Beta(alpha, alpha) value in [0, 1]. */
    static double beta(SplittableRandom r, double alpha) {
        double x = gamma(r, alpha), y = gamma(r, alpha);
        double s = x + y;
        return s > 0 ? x / s : 0.5;
    }
}
