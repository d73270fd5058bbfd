package dev.efficientnet.core.ops;

/**
 * How a 2-D convolution or pooling window is padded. The actual per-side amounts are worked out
 * by {@link #resolve} from the real input size on every call, so one layer can take inputs of any
 * size.
 *
 * <ul>
 *   <li>{@link Mode#SAME} — TensorFlow "SAME": output {@code ceil(in / stride)}, total padding
 *       {@code max((out - 1) * stride + (k - 1) * dilation + 1 - in, 0)}, {@code floor(total / 2)}
 *       before and the rest after (so it is asymmetric when the total is odd).</li>
 *   <li>{@link Mode#SYMMETRIC} — PyTorch style {@code dilation * (k - 1) / 2} on each side.</li>
 *   <li>{@link Mode#VALID} — no padding.</li>
 *   <li>{@link Mode#EXPLICIT} — the given top, bottom, left and right amounts.</li>
 * </ul>
 *
 * @param mode the padding mode
 * @param top the top padding
 * @param bottom the bottom padding
 * @param left the left padding
 * @param right the right padding
 */
public record Padding(Mode mode, int top, int bottom, int left, int right) {

    /** The padding rule. */
    public enum Mode {
        /** TensorFlow SAME (possibly asymmetric, computed from the input size). */
        SAME,
        /** {@code dilation * (k - 1) / 2} on every side. */
        SYMMETRIC,
        /** No padding. */
        VALID,
        /** Fixed per-side amounts. */
        EXPLICIT
    }

    private static final Padding SAME = new Padding(Mode.SAME, 0, 0, 0, 0);
    private static final Padding SYMMETRIC = new Padding(Mode.SYMMETRIC, 0, 0, 0, 0);
    private static final Padding VALID = new Padding(Mode.VALID, 0, 0, 0, 0);

    /**
     * Checks the padding: a mode, and no negative amount.
     *
     * @param mode the mode
     * @param top the top padding
     * @param bottom the bottom padding
     * @param left the left padding
     * @param right the right padding
     */
    public Padding {
        if (mode == null) throw new IllegalArgumentException("padding mode must not be null");
        if (top < 0 || bottom < 0 || left < 0 || right < 0)
            throw new IllegalArgumentException("padding must be >= 0, got top=" + top + " bottom=" + bottom
                    + " left=" + left + " right=" + right);
        if (mode != Mode.EXPLICIT && (top | bottom | left | right) != 0)
            throw new IllegalArgumentException("padding amounts are only allowed with mode EXPLICIT, got " + mode);
    }

    /** {@return TensorFlow SAME padding} */
    public static Padding same() {
        return SAME;
    }

    /** {@return PyTorch-style symmetric padding {@code dilation * (k - 1) / 2}} */
    public static Padding symmetric() {
        return SYMMETRIC;
    }

    /** {@return no padding} */
    public static Padding valid() {
        return VALID;
    }

    /**
     * {@code pad} on every side.
     *
     * @param pad the padding
     * @return {@code pad} on every side
     */
    public static Padding explicit(int pad) {
        return new Padding(Mode.EXPLICIT, pad, pad, pad, pad);
    }

    /**
     * {@code vertical} on top and bottom, {@code horizontal} on left and right.
     *
     * @param vertical the padding at the top and at the bottom
     * @param horizontal the padding at the left and at the right
     * @return {@code vertical} on top and bottom, {@code horizontal} on left and right
     */
    public static Padding explicit(int vertical, int horizontal) {
        return new Padding(Mode.EXPLICIT, vertical, vertical, horizontal, horizontal);
    }

    /**
     * Fixed per-side amounts.
     *
     * @param top the top padding
     * @param bottom the bottom padding
     * @param left the left padding
     * @param right the right padding
     * @return fixed per-side amounts
     */
    public static Padding explicit(int top, int bottom, int left, int right) {
        return new Padding(Mode.EXPLICIT, top, bottom, left, right);
    }

    /**
     * The per-side padding {@code {top, bottom, left, right}} for an input of {@code inH x inW}
     * and the given kernel, stride and dilation.
     *
     * @param inH the input height
     * @param inW the input width
     * @param kH the kernel height
     * @param kW the kernel width
     * @param sH the vertical stride
     * @param sW the horizontal stride
     * @param dH the vertical dilation
     * @param dW the horizontal dilation
     * @return the per-side padding {@code {top, bottom, left, right}} for an input of {@code inH x inW} and the given kernel, stride and dilation
     */
    public int[] resolve(int inH, int inW, int kH, int kW, int sH, int sW, int dH, int dW) {
        return switch (mode) {
            case EXPLICIT -> new int[]{top, bottom, left, right};
            case VALID -> new int[4];
            case SYMMETRIC -> {
                int ph = dH * (kH - 1) / 2;
                int pw = dW * (kW - 1) / 2;
                yield new int[]{ph, ph, pw, pw};
            }
            case SAME -> {
                int th = sameTotal(inH, kH, sH, dH);
                int tw = sameTotal(inW, kW, sW, dW);
                yield new int[]{th / 2, th - th / 2, tw / 2, tw - tw / 2};
            }
        };
    }

    /**
     * TensorFlow SAME output size {@code ceil(in / stride)}.
     *
     * @param in input channels
     * @param stride the stride
     * @return TensorFlow SAME output size {@code ceil(in / stride)}
     */
    public static int sameOutputSize(int in, int stride) {
        return (in + stride - 1) / stride;
    }

    /**
     * TensorFlow SAME total padding along one axis (before + after).
     *
     * @param in input channels
     * @param k the kernel size
     * @param stride the stride
     * @param dilation the dilation
     * @return TensorFlow SAME total padding along one axis (before + after)
     */
    public static int sameTotal(int in, int k, int stride, int dilation) {
        int out = sameOutputSize(in, stride);
        return Math.max((out - 1) * stride + (k - 1) * dilation + 1 - in, 0);
    }

    @Override
    public String toString() {
        return mode == Mode.EXPLICIT
                ? "Padding[" + top + "," + bottom + "," + left + "," + right + "]"
                : "Padding." + mode;
    }
}
