package dev.efficientnet.train.augment;

import dev.efficientnet.core.tensor.Rng;
import dev.efficientnet.train.data.Example;

import java.util.SplittableRandom;

/**
 * Random erasing (Zhong et al., timm {@code RandomErasing} with one box): with probability {@code p}
 * a rectangle with area fraction in {@code [scaleMin, scaleMax]} and log-uniform aspect ratio in
 * {@code [ratioMin, ratioMax]} (up to 10 attempts) is filled with per-pixel uniform random values in
 * [0, 1] (timm's "pixel" mode, applied here before normalization so values stay in [0, 1]).
 */
public record RandomErasing(double p, double scaleMin, double scaleMax, double ratioMin, double ratioMax)
        implements Transform {
    /** Validates the parameters. */
    public RandomErasing {
        if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException("erasing probability p must be in [0, 1], got " + p);
        if (!(scaleMin > 0 && scaleMin <= scaleMax && scaleMax <= 1))
            throw new IllegalArgumentException("scale range must satisfy 0 < scaleMin <= scaleMax <= 1, got ["
                    + scaleMin + ", " + scaleMax + "]");
        if (!(ratioMin > 0 && ratioMin <= ratioMax))
            throw new IllegalArgumentException("ratio range must satisfy 0 < ratioMin <= ratioMax, got ["
                    + ratioMin + ", " + ratioMax + "]");
    }

    /** timm's defaults: area [0.02, 1/3], ratio [0.3, 1/0.3]. */
    public RandomErasing(double p) {
        this(p, 0.02, 1.0 / 3, 0.3, 1 / 0.3);
    }

    @Override
    public Example apply(Example e, int size, Rng rng) {
        if (p == 0 || rng.nextDouble() >= p) return e;
        SplittableRandom r = Rngs.split(rng);
        int h = e.height(), w = e.width(), c = e.channels();
        double area = (double) h * w;
        double logLo = Math.log(ratioMin), logHi = Math.log(ratioMax);
        for (int attempt = 0; attempt < 10; attempt++) {
            double target = area * (scaleMin + (scaleMax - scaleMin) * r.nextDouble());
            double ratio = Math.exp(logLo + (logHi - logLo) * r.nextDouble());
            int eh = (int) Math.round(Math.sqrt(target * ratio));
            int ew = (int) Math.round(Math.sqrt(target / ratio));
            if (eh < h && ew < w && eh > 0 && ew > 0) {
                int top = r.nextInt(h - eh + 1), left = r.nextInt(w - ew + 1);
                float[] out = e.pixels().clone();
                for (int y = top; y < top + eh; y++) {
                    int row = (y * w + left) * c;
                    for (int i = 0; i < ew * c; i++) out[row + i] = (float) r.nextDouble();
                }
                return e.withPixels(out);
            }
        }
        return e;
    }
}
