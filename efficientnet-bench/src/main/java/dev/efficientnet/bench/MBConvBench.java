package dev.efficientnet.bench;

import dev.efficientnet.core.tensor.MemoryScope;
import dev.efficientnet.core.tensor.Rng;
import dev.efficientnet.layers.MBConv;
import dev.efficientnet.layers.Module;

/**
 * One MBConv block from B0 stage 2 (a repeated, residual block): 24→144 1×1 expand + BN + SiLU, 3×3 depthwise + BN + SiLU, SE 144→6→144, 1×1 project 144→24 + BN, plus the residual, on 56×56 (B0 @224).
 * Timed as in {@link BlockBench}.
 */
public class MBConvBench extends BlockBench {
    /** Input channels. */
    public static final int IN_C = 24;
    /** Input height and width. */
    public static final int SIZE = 56;
    /** Output channels. */
    public static final int OUT_C = 24;
    /** Convolution multiply-accumulates per image: expand, depthwise (MBConv), SE (at 1×1), project. */
    public static final long MACS_PER_IMAGE = 56L * 56 * 24 * 144 + 56L * 56 * 144 * 9 + 2L * 144 * 6 + 56L * 56 * 144 * 24;
    /** Output height and width. */
    public static final int OUT_SIZE = 56;

    @Override
    protected Module create() {
        Rng rng = new Rng(7);
        return MemoryScope.outside(() -> new MBConv(24, 144, 24, 3, 1, 6, 0.0, BenchData.SETTINGS, rng));
    }

    @Override
    protected int[] shapes() {
        return new int[]{SIZE, IN_C, OUT_SIZE, OUT_C};
    }
}
