package dev.efficientnet.train.augment;

import dev.efficientnet.core.tensor.Rng;
import dev.efficientnet.train.data.Example;

import java.util.SplittableRandom;

/**
 * Random shift without rescaling (the "pad and random crop" of CIFAR and Fashion-MNIST training,
 * torchvision {@code RandomCrop(size, padding)}): the image moves by whole pixels, independently
 * uniform in {@code [-m, m]} across and down with {@code m = round(maxFraction * side)}, and the
 * uncovered border is filled with 0 (black, before normalization). Unlike a random resized crop it
 * keeps the apparent scale of the content, which matters for small images upsampled to the stage size.
 */
public record RandomTranslate(double maxFraction) implements Transform {
    /** Validates the fraction. */
    public RandomTranslate {
        if (!(maxFraction >= 0 && maxFraction < 0.5))
            throw new IllegalArgumentException("translate fraction must be in [0, 0.5), got " + maxFraction);
    }

    @Override
    public Example apply(Example e, int size, Rng rng) {
        int h = e.height(), w = e.width(), c = e.channels();
        int my = (int) Math.round(maxFraction * h), mx = (int) Math.round(maxFraction * w);
        if (mx == 0 && my == 0) return e;
        SplittableRandom r = Rngs.split(rng);
        int dy = r.nextInt(2 * my + 1) - my, dx = r.nextInt(2 * mx + 1) - mx;
        if (dx == 0 && dy == 0) return e;
        // whole-pixel shifts sample the source exactly (zero interpolation weights)
        return e.withPixels(FloatImages.affine(e.pixels(), h, w, c, new double[]{1, 0, -dx, 0, 1, -dy}, 0f));
    }
}
