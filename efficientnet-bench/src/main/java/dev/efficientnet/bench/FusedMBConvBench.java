package dev.efficientnet.bench;

import dev.efficientnet.core.tensor.MemoryScope;
import dev.efficientnet.core.tensor.Rng;
import dev.efficientnet.layers.FusedMBConv;
import dev.efficientnet.layers.Module;

/**
 * One Fused-MBConv block from EfficientNetV2-S stage 1 (a repeated, residual block): 3×3 48→192 expand + BN + SiLU, 1×1 project 192→48 + BN, plus the residual, on 96×96 (V2-S @384).
 * Timed as in {@link BlockBench}.
 */
public class FusedMBConvBench extends BlockBench {
    /** Input channels. */
    public static final int IN_C = 48;
    /** Input height and width. */
    public static final int SIZE = 96;
    /** Output channels. */
    public static final int OUT_C = 48;
    /** Convolution multiply-accumulates per image: the 3×3 expand and the 1×1 project. */
    public static final long MACS_PER_IMAGE = 96L * 96 * 9 * 48 * 192 + 96L * 96 * 192 * 48;
    /** Output height and width. */
    public static final int OUT_SIZE = 96;

    @Override
    protected Module create() {
        Rng rng = new Rng(7);
        return MemoryScope.outside(() -> new FusedMBConv(48, 192, 48, 3, 1, 0, 0.0, BenchData.SETTINGS, rng));
    }

    @Override
    protected int[] shapes() {
        return new int[]{SIZE, IN_C, OUT_SIZE, OUT_C};
    }
}
