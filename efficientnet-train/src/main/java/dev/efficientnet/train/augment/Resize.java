package dev.efficientnet.train.augment;

import dev.efficientnet.core.tensor.Rng;
import dev.efficientnet.train.data.Example;

/**
 * Resizes the whole image to {@code size x size} (antialiased bilinear; non-square images are
 * stretched). Deterministic: the evaluation transform for square datasets such as Fashion-MNIST.
 */
public record Resize() implements Transform {
    @Override
    public Example apply(Example e, int size, Rng rng) {
        if (size < 1) throw new IllegalArgumentException("size must be positive, got " + size);
        if (e.height() == size && e.width() == size) return e;
        float[] out = FloatImages.resize(e.pixels(), e.height(), e.width(), e.channels(), size, size);
        return e.withPixels(FloatImages.clamp01(out), size, size, e.channels());
    }
}
