package dev.efficientnet.core.backend;

/**
 * Resolved geometry of one 2-D convolution call: kernel, stride, dilation and explicit per-side
 * padding (already worked out from the padding mode and the actual input size).
 *
 * @param kernelH the kernel height
 * @param kernelW the kernel width
 * @param strideH the vertical stride
 * @param strideW the horizontal stride
 * @param padTop the top padding
 * @param padBottom the bottom padding
 * @param padLeft the left padding
 * @param padRight the right padding
 * @param dilationH the vertical dilation
 * @param dilationW the horizontal dilation
 */
public record ConvGeometry(int kernelH, int kernelW, int strideH, int strideW,
                           int padTop, int padBottom, int padLeft, int padRight,
                           int dilationH, int dilationW) {

    /**
     * Checks the geometry: kernel, stride and dilation at least 1, padding at least 0.
     *
     * @param kernelH the kernel height
     * @param kernelW the kernel width
     * @param strideH the vertical stride
     * @param strideW the horizontal stride
     * @param padTop the top padding
     * @param padBottom the bottom padding
     * @param padLeft the left padding
     * @param padRight the right padding
     * @param dilationH the vertical dilation
     * @param dilationW the horizontal dilation
     */
    public ConvGeometry {
        if (kernelH < 1 || kernelW < 1) throw new IllegalArgumentException("kernel must be >= 1, got " + kernelH + "x" + kernelW);
        if (strideH < 1 || strideW < 1) throw new IllegalArgumentException("stride must be >= 1, got " + strideH + "x" + strideW);
        if (dilationH < 1 || dilationW < 1) throw new IllegalArgumentException("dilation must be >= 1, got " + dilationH + "x" + dilationW);
        if (padTop < 0 || padBottom < 0 || padLeft < 0 || padRight < 0)
            throw new IllegalArgumentException("padding must be >= 0, got " + padTop + "," + padBottom + "," + padLeft + "," + padRight);
    }

    /**
     * Output height for input height {@code h}.
     *
     * @param h the height
     * @return output height for input height {@code h}
     */
    public int outH(int h) {
        return Math.floorDiv(h + padTop + padBottom - dilationH * (kernelH - 1) - 1, strideH) + 1;
    }

    /**
     * Output width for input width {@code w}.
     *
     * @param w the width
     * @return output width for input width {@code w}
     */
    public int outW(int w) {
        return Math.floorDiv(w + padLeft + padRight - dilationW * (kernelW - 1) - 1, strideW) + 1;
    }

    /** {@return true when top == bottom and left == right} */
    public boolean symmetric() {
        return padTop == padBottom && padLeft == padRight;
    }
}
