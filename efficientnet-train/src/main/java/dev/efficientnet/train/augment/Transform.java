package dev.efficientnet.train.augment;

import dev.efficientnet.core.tensor.Rng;
import dev.efficientnet.train.data.Example;

/**
 * A per-example transformation of a [0, 1] HWC image. Implementations are immutable and thread-safe,
 * never modify the input's pixel array, draw all randomness from {@code rng} (so the same Rng state
 * gives the same output) and keep values in [0, 1].
 */
@FunctionalInterface
public interface Transform {
    /**
     * Transforms {@code e}.
     *
     * @param e    the input example (not modified)
     * @param size the target image size of the current epoch/stage; transforms that produce a fixed
     *             size (crops, resizes) output {@code size x size}, others ignore it
     * @param rng  the random source for this example
     */
    Example apply(Example e, int size, Rng rng);
}
