package dev.efficientnet.bench;

import dev.efficientnet.core.ops.Activation;
import dev.efficientnet.core.tensor.MemoryScope;
import dev.efficientnet.core.tensor.Rng;
import dev.efficientnet.layers.Module;
import dev.efficientnet.layers.SqueezeExcite;

/**
 * Squeeze-and-excitation at B0 stage 5 (480 channels @14, reduced to 20 = 80 × 0.25): global average
 * pool, 1×1 480→20 with bias, SiLU, 1×1 20→480 with bias, sigmoid gate, multiply. Timed as in
 * {@link BlockBench}.
 */
public class SqueezeExciteBench extends BlockBench {
    /** Input channels. */
    public static final int IN_C = 480;
    /** Input height and width. */
    public static final int SIZE = 14;
    /** Output channels. */
    public static final int OUT_C = 480;
    /** Output height and width. */
    public static final int OUT_SIZE = 14;

    @Override
    protected Module create() {
        Rng rng = new Rng(7);
        return MemoryScope.outside(() -> new SqueezeExcite(480, 20, Activation.SILU, rng));
    }

    @Override
    protected int[] shapes() {
        return new int[]{SIZE, IN_C, OUT_SIZE, OUT_C};
    }
}
