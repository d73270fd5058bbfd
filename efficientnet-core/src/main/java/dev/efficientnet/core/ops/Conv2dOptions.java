package dev.efficientnet.core.ops;

import dev.efficientnet.core.backend.ConvGeometry;

/**
 * Stride, dilation, groups and padding of a 2-D convolution or pooling window (the kernel size
 * comes from the weights, or is passed to the pooling op). Immutable; start from a factory and
 * refine with the {@code with*} methods:
 *
 * <pre>{@code
 * Conv2dOptions.same(2)                         // TF SAME, stride 2
 * Conv2dOptions.symmetric(1).withGroups(32)     // PyTorch padding k/2, grouped
 * Conv2dOptions.explicit(1, 0, 1, 0, 1)         // stride 1, pad bottom and right by one
 * }</pre>
 *
 * @param strideH the vertical stride
 * @param strideW the horizontal stride
 * @param dilationH the vertical dilation
 * @param dilationW the horizontal dilation
 * @param groups the number of groups
 * @param padding the padding rule
 */
public record Conv2dOptions(int strideH, int strideW, int dilationH, int dilationW, int groups, Padding padding) {

    /**
     * Checks the options: strides, dilations and groups at least 1, padding required.
     *
     * @param strideH the vertical stride
     * @param strideW the horizontal stride
     * @param dilationH the vertical dilation
     * @param dilationW the horizontal dilation
     * @param groups the number of groups
     * @param padding the padding rule
     */
    public Conv2dOptions {
        if (strideH < 1 || strideW < 1)
            throw new IllegalArgumentException("stride must be >= 1, got " + strideH + "x" + strideW);
        if (dilationH < 1 || dilationW < 1)
            throw new IllegalArgumentException("dilation must be >= 1, got " + dilationH + "x" + dilationW);
        if (groups < 1) throw new IllegalArgumentException("groups must be >= 1, got " + groups);
        if (padding == null) throw new IllegalArgumentException("padding must not be null");
    }

    /**
     * TensorFlow SAME padding with {@code stride} on both axes.
     *
     * @param stride the stride
     * @return TensorFlow SAME padding with {@code stride} on both axes
     */
    public static Conv2dOptions same(int stride) {
        return of(stride, Padding.same());
    }

    /**
     * PyTorch-style symmetric padding {@code dilation * (k - 1) / 2} with {@code stride}.
     *
     * @param stride the stride
     * @return PyTorch-style symmetric padding {@code dilation * (k - 1) / 2} with {@code stride}
     */
    public static Conv2dOptions symmetric(int stride) {
        return of(stride, Padding.symmetric());
    }

    /**
     * No padding.
     *
     * @param stride the stride
     * @return no padding
     */
    public static Conv2dOptions valid(int stride) {
        return of(stride, Padding.valid());
    }

    /**
     * Fixed per-side padding.
     *
     * @param stride the stride
     * @param top the top padding
     * @param bottom the bottom padding
     * @param left the left padding
     * @param right the right padding
     * @return fixed per-side padding
     */
    public static Conv2dOptions explicit(int stride, int top, int bottom, int left, int right) {
        return of(stride, Padding.explicit(top, bottom, left, right));
    }

    /**
     * {@code stride} on both axes, dilation 1, one group and the given padding.
     *
     * @param stride the stride
     * @param padding the padding rule
     * @return {@code stride} on both axes, dilation 1, one group and the given padding
     */
    public static Conv2dOptions of(int stride, Padding padding) {
        return new Conv2dOptions(stride, stride, 1, 1, 1, padding);
    }

    /**
     * A copy with another stride.
     *
     * @param strideH the vertical stride
     * @param strideW the horizontal stride
     * @return a copy with another stride
     */
    public Conv2dOptions withStride(int strideH, int strideW) {
        return new Conv2dOptions(strideH, strideW, dilationH, dilationW, groups, padding);
    }

    /**
     * A copy with dilation {@code d} on both axes.
     *
     * @param d the dilation on both axes
     * @return a copy with dilation {@code d} on both axes
     */
    public Conv2dOptions withDilation(int d) {
        return withDilation(d, d);
    }

    /**
     * A copy with another dilation.
     *
     * @param dilationH the vertical dilation
     * @param dilationW the horizontal dilation
     * @return a copy with another dilation
     */
    public Conv2dOptions withDilation(int dilationH, int dilationW) {
        return new Conv2dOptions(strideH, strideW, dilationH, dilationW, groups, padding);
    }

    /**
     * A copy with another group count.
     *
     * @param groups the number of groups
     * @return a copy with another group count
     */
    public Conv2dOptions withGroups(int groups) {
        return new Conv2dOptions(strideH, strideW, dilationH, dilationW, groups, padding);
    }

    /**
     * A copy with another padding.
     *
     * @param padding the padding rule
     * @return a copy with another padding
     */
    public Conv2dOptions withPadding(Padding padding) {
        return new Conv2dOptions(strideH, strideW, dilationH, dilationW, groups, padding);
    }

    /**
     * The resolved geometry for an {@code inH x inW} input and a {@code kH x kW} kernel: the padding
     * is worked out from this actual input size.
     *
     * @param inH the input height
     * @param inW the input width
     * @param kH the kernel height
     * @param kW the kernel width
     * @return the resolved geometry for an {@code inH x inW} input and a {@code kH x kW} kernel: the padding is worked out from this actual input size
     */
    public ConvGeometry geometry(int inH, int inW, int kH, int kW) {
        if (kH < 1 || kW < 1) throw new IllegalArgumentException("kernel must be >= 1, got " + kH + "x" + kW);
        int[] p = padding.resolve(inH, inW, kH, kW, strideH, strideW, dilationH, dilationW);
        return new ConvGeometry(kH, kW, strideH, strideW, p[0], p[1], p[2], p[3], dilationH, dilationW);
    }
}
