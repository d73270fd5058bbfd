package dev.efficientnet.models.spec;

/**
 * How convolutions are padded.
 *
 * <p>For the odd kernels EfficientNet uses, both modes give the same output size,
 * {@code ceil(in / stride)}, so parameter and MAC counts do not depend on the mode; only
 * where the zeros go differs (and with it the numbers a pretrained TF checkpoint produces).
 */
public enum Padding {
    /**
     * PyTorch-native symmetric padding: {@code (k - 1) / 2 * dilation} on each side, fixed
     * whatever the input size (torchvision, timm non-{@code tf_} models).
     */
    SYMMETRIC,
    /**
     * TensorFlow {@code SAME}: output {@code ceil(in / stride)}, total padding
     * {@code max((out - 1) * stride + (k - 1) * dilation + 1 - in, 0)}, the smaller half
     * before and the larger half after. It depends on the actual input size, so it must be
     * worked out at every call (asymmetric for stride 2 on even inputs). timm {@code tf_} models.
     */
    TF_SAME;

    /**
     * Padding before and after along one spatial axis.
     *
     * @param before the padding before the input (top or left)
     * @param after the padding after the input (bottom or right)
     */
    public record Amount(int before, int after) {
        /**
         * Validates that both sides are non-negative.
         *
         * @param before the padding before the input (top or left)
         * @param after the padding after the input (bottom or right)
         */
        public Amount {
            if (before < 0 || after < 0) {
                throw new IllegalArgumentException("negative padding: " + before + ", " + after);
            }
        }

        /** {@return total padding, before + after} */
        public int total() {
            return before + after;
        }
    }

    /**
     * Output size along one axis for dilation 1.
     *
     * @param in input channels
     * @param kernel the kernel size
     * @param stride the stride
     * @return output size along one axis for dilation 1
     */
    public int outputSize(int in, int kernel, int stride) {
        return outputSize(in, kernel, stride, 1);
    }

    /**
     * Output size along one axis of a conv with this padding.
     *
     * @param in input channels
     * @param kernel the kernel size
     * @param stride the stride
     * @param dilation the dilation
     * @return output size along one axis of a conv with this padding
     */
    public int outputSize(int in, int kernel, int stride, int dilation) {
        check(in, kernel, stride, dilation);
        Amount p = amount(in, kernel, stride, dilation);
        int span = in + p.total() - dilation * (kernel - 1) - 1;
        if (span < 0) {
            throw new IllegalArgumentException("input size " + in + " too small for kernel " + kernel
                    + " (dilation " + dilation + ") with " + this + " padding");
        }
        return span / stride + 1;
    }

    /**
     * Padding along one axis for dilation 1.
     *
     * @param in input channels
     * @param kernel the kernel size
     * @param stride the stride
     * @return padding along one axis for dilation 1
     */
    public Amount amount(int in, int kernel, int stride) {
        return amount(in, kernel, stride, 1);
    }

    /**
     * Padding along one axis for the given input size.
     *
     * @param in input channels
     * @param kernel the kernel size
     * @param stride the stride
     * @param dilation the dilation
     * @return padding along one axis for the given input size
     */
    public Amount amount(int in, int kernel, int stride, int dilation) {
        check(in, kernel, stride, dilation);
        switch (this) {
            case SYMMETRIC: {
                int p = (kernel - 1) / 2 * dilation;
                return new Amount(p, p);
            }
            case TF_SAME: {
                int out = (in + stride - 1) / stride;
                int total = Math.max((out - 1) * stride + (kernel - 1) * dilation + 1 - in, 0);
                return new Amount(total / 2, total - total / 2);
            }
            default:
                throw new AssertionError(this);
        }
    }

    private static void check(int in, int kernel, int stride, int dilation) {
        if (in < 1 || kernel < 1 || stride < 1 || dilation < 1) {
            throw new IllegalArgumentException("need in, kernel, stride, dilation >= 1, got "
                    + in + ", " + kernel + ", " + stride + ", " + dilation);
        }
    }
}
