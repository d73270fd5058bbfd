package dev.efficientnet.models.spec;

/**
 * One row of a stage table: {@code repeats} blocks of one type. Only the first block of a stage
 * has the stride and the in&rarr;out change; the others are stride 1, in = out.
 *
 * <p>In a base table (see {@link StageTables}) the channels and repeats are the unscaled ones;
 * {@link ModelSpec#stages()} returns rows with the scaled values.
 *
 * @param type        block kind
 * @param expandRatio expansion ratio (mid = in &times; expand); 1 means no expand conv
 * @param kernel      odd kernel size of the depthwise (MBConv) or fused (Fused-MBConv) conv
 * @param stride      1 or 2, for the first block of the stage
 * @param inChannels  input channels of the first block
 * @param outChannels output channels of every block
 * @param repeats     number of blocks
 * @param seRatio     squeeze-excite ratio on the block input channels, 0 for none
 * @param forceInChannels 0, or the width the first block's expansion is computed from instead of its
 *                    in channels (timm {@code fc}: EfficientNet-EdgeTPU's first block, 32 in, 24 &times; 4 mid);
 *                    such a stage's blocks have no residual (timm marks it {@code noskip}), which
 *                    matters when a width override makes in == out
 */
public record StageSpec(BlockType type, int expandRatio, int kernel, int stride,
                        int inChannels, int outChannels, int repeats, double seRatio, int forceInChannels) {

    /** A row without a forced input width. */
    public StageSpec(BlockType type, int expandRatio, int kernel, int stride, int inChannels, int outChannels,
                     int repeats, double seRatio) {
        this(type, expandRatio, kernel, stride, inChannels, outChannels, repeats, seRatio, 0);
    }

    /** Validates the row. */
    public StageSpec {
        if (type == null) {
            throw new IllegalArgumentException("block type is required");
        }
        if (expandRatio < 1) {
            throw new IllegalArgumentException("expand ratio must be >= 1, got " + expandRatio);
        }
        if (kernel < 1 || kernel % 2 == 0) {
            throw new IllegalArgumentException("kernel must be odd and >= 1, got " + kernel);
        }
        if (stride != 1 && stride != 2) {
            throw new IllegalArgumentException("stride must be 1 or 2, got " + stride);
        }
        if (inChannels < 1 || outChannels < 1) {
            throw new IllegalArgumentException("channels must be >= 1, got in " + inChannels + ", out " + outChannels);
        }
        if (repeats < 1) {
            throw new IllegalArgumentException("repeats must be >= 1, got " + repeats);
        }
        if (!(seRatio >= 0 && seRatio <= 1)) {
            throw new IllegalArgumentException("SE ratio must be in [0, 1], got " + seRatio);
        }
        if (forceInChannels < 0 || forceInChannels > 0 && (expandRatio == 1 || type != BlockType.FUSED_MBCONV)) {
            throw new IllegalArgumentException("a forced input width needs an expanding Fused-MBConv stage (and must be >= 0), got "
                    + forceInChannels);
        }
        if (type == BlockType.FUSED_MBCONV && expandRatio == 1 && seRatio > 0) {
            throw new IllegalArgumentException("a FUSED_MBCONV with expand 1 is a single conv and has no SE");
        }
    }

    /** An MBConv stage row (SE ratio 0 for none). */
    public static StageSpec mbconv(int expand, int kernel, int stride, int in, int out, int repeats, double seRatio) {
        return new StageSpec(BlockType.MBCONV, expand, kernel, stride, in, out, repeats, seRatio);
    }

    /** A Fused-MBConv stage row without SE (as in every released V2 config). */
    public static StageSpec fused(int expand, int kernel, int stride, int in, int out, int repeats) {
        return new StageSpec(BlockType.FUSED_MBCONV, expand, kernel, stride, in, out, repeats, 0.0);
    }

    /** True when the blocks have a squeeze-excite. */
    public boolean hasSe() {
        return seRatio > 0;
    }

    /**
     * This row with channels scaled by {@link Scaling#roundFilters} and repeats by
     * {@link Scaling#roundRepeats}.
     */
    public StageSpec scaled(double widthMult, double depthMult, int divisor, double roundLimit) {
        return new StageSpec(type, expandRatio, kernel, stride,
                Scaling.roundFilters(inChannels, widthMult, divisor, roundLimit),
                Scaling.roundFilters(outChannels, widthMult, divisor, roundLimit),
                Scaling.roundRepeats(repeats, depthMult), seRatio,
                forceInChannels > 0 ? Scaling.roundFilters(forceInChannels, widthMult, divisor, roundLimit) : 0);
    }

    /** This row with a forced input width for the first block's expansion (0 for none). */
    public StageSpec withForceInChannels(int channels) {
        return new StageSpec(type, expandRatio, kernel, stride, inChannels, outChannels, repeats, seRatio, channels);
    }

    /**
     * Mid (expanded) channels of block {@code blockIndex}: {@code in × expand}, or for the first block
     * of a stage with a forced input width {@code make_divisible(force × expand)} (timm).
     */
    public int midChannels(int blockIndex, int blockIn) {
        if (blockIndex == 0 && forceInChannels > 0)
            return Scaling.makeDivisible(Math.multiplyExact(forceInChannels, expandRatio), Scaling.DEFAULT_DIVISOR, Scaling.V1_ROUND_LIMIT);
        return Math.multiplyExact(blockIn, expandRatio);
    }

    /** This row with other in/out channels. */
    public StageSpec withChannels(int in, int out) {
        return new StageSpec(type, expandRatio, kernel, stride, in, out, repeats, seRatio, forceInChannels);
    }

    /** This row with another repeat count. */
    public StageSpec withRepeats(int newRepeats) {
        return new StageSpec(type, expandRatio, kernel, stride, inChannels, outChannels, newRepeats, seRatio, forceInChannels);
    }
}
