package dev.efficientnet.train.augment;

import dev.efficientnet.core.tensor.Rng;
import dev.efficientnet.train.data.Example;

/**
 * The evaluation crop of timm/automl: the centered square whose side is {@code cropPct} of the
 * shorter image side, resampled to {@code size x size} (equivalent to resizing the shorter side to
 * {@code size / cropPct} and center-cropping {@code size}). Deterministic.
 */
public record CenterCrop(double cropPct) implements Transform {
    /** Validates {@code cropPct}. */
    public CenterCrop {
        if (!(cropPct > 0 && cropPct <= 1)) throw new IllegalArgumentException("cropPct must be in (0, 1], got " + cropPct);
    }

    @Override
    public Example apply(Example e, int size, Rng rng) {
        if (size < 1) throw new IllegalArgumentException("size must be positive, got " + size);
        int h = e.height(), w = e.width();
        double side = cropPct * Math.min(h, w);
        float[] out = FloatImages.resampleBox(e.pixels(), h, w, e.channels(), (h - side) / 2, (w - side) / 2, side, side,
                size, size);
        return e.withPixels(FloatImages.clamp01(out), size, size, e.channels());
    }
}
