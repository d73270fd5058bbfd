package dev.efficientnet.train.augment;

import dev.efficientnet.core.tensor.Rng;
import dev.efficientnet.train.data.Example;

import java.util.SplittableRandom;

/**
 * Inception-style random resized crop (torchvision/timm {@code RandomResizedCrop}): a box with
 * area fraction uniform in {@code [scaleMin, scaleMax]} and log-uniform aspect ratio in
 * {@code [ratioMin, ratioMax]} (10 attempts, then a center crop clamped to the ratio range), resized
 * to {@code size x size} with antialiased bilinear filtering in one pass.
 */
public record RandomResizedCrop(double scaleMin, double scaleMax, double ratioMin, double ratioMax) implements Transform {
    /** Validates the ranges. */
    public RandomResizedCrop {
        if (!(scaleMin > 0 && scaleMin <= scaleMax && scaleMax <= 1))
            throw new IllegalArgumentException("scale range must satisfy 0 < scaleMin <= scaleMax <= 1, got ["
                    + scaleMin + ", " + scaleMax + "]");
        if (!(ratioMin > 0 && ratioMin <= ratioMax))
            throw new IllegalArgumentException("ratio range must satisfy 0 < ratioMin <= ratioMax, got ["
                    + ratioMin + ", " + ratioMax + "]");
    }

    /** The standard setting: scale [0.08, 1], ratio [3/4, 4/3]. */
    public RandomResizedCrop() {
        this(0.08, 1.0, 3.0 / 4, 4.0 / 3);
    }

    /** Scale {@code [scaleMin, scaleMax]}, ratio [3/4, 4/3]. */
    public RandomResizedCrop(double scaleMin, double scaleMax) {
        this(scaleMin, scaleMax, 3.0 / 4, 4.0 / 3);
    }

    /** The crop box {@code {top, left, height, width}} chosen for an {@code h x w} image. */
    public int[] box(int h, int w, SplittableRandom r) {
        double area = (double) h * w;
        double logLo = Math.log(ratioMin), logHi = Math.log(ratioMax);
        for (int attempt = 0; attempt < 10; attempt++) {
            double target = area * (scaleMin + (scaleMax - scaleMin) * r.nextDouble());
            double ratio = Math.exp(logLo + (logHi - logLo) * r.nextDouble());
            int cw = (int) Math.round(Math.sqrt(target * ratio));
            int ch = (int) Math.round(Math.sqrt(target / ratio));
            if (cw > 0 && cw <= w && ch > 0 && ch <= h) {
                int top = r.nextInt(h - ch + 1);
                int left = r.nextInt(w - cw + 1);
                return new int[]{top, left, ch, cw};
            }
        }
        double inRatio = (double) w / h;
        int cw, ch;
        if (inRatio < ratioMin) {
            cw = w;
            ch = (int) Math.round(w / ratioMin);
        } else if (inRatio > ratioMax) {
            ch = h;
            cw = (int) Math.round(h * ratioMax);
        } else {
            cw = w;
            ch = h;
        }
        ch = Math.max(1, Math.min(ch, h));
        cw = Math.max(1, Math.min(cw, w));
        return new int[]{(h - ch) / 2, (w - cw) / 2, ch, cw};
    }

    @Override
    public Example apply(Example e, int size, Rng rng) {
        if (size < 1) throw new IllegalArgumentException("size must be positive, got " + size);
        int[] b = box(e.height(), e.width(), Rngs.split(rng));
        float[] out = FloatImages.resampleBox(e.pixels(), e.height(), e.width(), e.channels(), b[0], b[1], b[2], b[3],
                size, size);
        return e.withPixels(FloatImages.clamp01(out), size, size, e.channels());
    }
}
