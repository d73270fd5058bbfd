package dev.efficientnet.train.augment;

import dev.efficientnet.core.tensor.Rng;
import dev.efficientnet.train.data.Example;

/** Mirrors the image left-right with probability {@code p}. */
public record HorizontalFlip(double p) implements Transform {
    /** Validates {@code p}. */
    public HorizontalFlip {
        if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException("flip probability p must be in [0, 1], got " + p);
    }

    @Override
    public Example apply(Example e, int size, Rng rng) {
        if (rng.nextDouble() >= p) return e;
        return e.withPixels(FloatImages.flipHorizontal(e.pixels(), e.height(), e.width(), e.channels()));
    }
}
