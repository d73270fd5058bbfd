package dev.efficientnet.core.ops;

import dev.efficientnet.core.autograd.Node;
import dev.efficientnet.core.backend.Backend;
import dev.efficientnet.core.backend.BinaryOp;
import dev.efficientnet.core.backend.ConvGeometry;
import dev.efficientnet.core.backend.ReduceOp;
import dev.efficientnet.core.tensor.Tensor;

import java.util.Arrays;

/**
 * Average, max and global average pooling on NHWC images, with their gradients.
 *
 * <p>Window stride, dilation and padding come from a {@link Conv2dOptions} (groups must be 1). Padded
 * positions never take part: average pooling divides by the number of real input elements in the
 * window (TensorFlow SAME / PyTorch {@code count_include_pad=false} semantics), and max pooling
 * ignores them. A window that lies entirely in the padding yields 0 and passes no gradient.
 */
public final class Pooling {
    private Pooling() {
    }

    /**
     * Max pooling with a square {@code kernel x kernel} window.
     *
     * @param x the input
     * @param kernel the kernel size
     * @param options stride, dilation, groups and padding
     * @return max pooling with a square {@code kernel x kernel} window
     */
    public static Tensor maxPool2d(Tensor x, int kernel, Conv2dOptions options) {
        return pool("maxPool2d", x, kernel, kernel, options, true);
    }

    /**
     * Max pooling with a {@code kernelH x kernelW} window: {@code [N,H,W,C] -> [N,outH,outW,C]}.
     *
     * @param x the input
     * @param kernelH the kernel height
     * @param kernelW the kernel width
     * @param options stride, dilation, groups and padding
     * @return max pooling with a {@code kernelH x kernelW} window: {@code [N,H,W,C] -> [N,outH,outW,C]}
     */
    public static Tensor maxPool2d(Tensor x, int kernelH, int kernelW, Conv2dOptions options) {
        return pool("maxPool2d", x, kernelH, kernelW, options, true);
    }

    /**
     * Average pooling (padding excluded from the count) with a square window.
     *
     * @param x the input
     * @param kernel the kernel size
     * @param options stride, dilation, groups and padding
     * @return average pooling (padding excluded from the count) with a square window
     */
    public static Tensor avgPool2d(Tensor x, int kernel, Conv2dOptions options) {
        return pool("avgPool2d", x, kernel, kernel, options, false);
    }

    /**
     * Average pooling (padding excluded from the count): {@code [N,H,W,C] -> [N,outH,outW,C]}.
     *
     * @param x the input
     * @param kernelH the kernel height
     * @param kernelW the kernel width
     * @param options stride, dilation, groups and padding
     * @return average pooling (padding excluded from the count): {@code [N,H,W,C] -> [N,outH,outW,C]}
     */
    public static Tensor avgPool2d(Tensor x, int kernelH, int kernelW, Conv2dOptions options) {
        return pool("avgPool2d", x, kernelH, kernelW, options, false);
    }

    /**
     * Mean over the spatial axes: {@code [N,H,W,C] -> [N,C]}.
     *
     * @param x the input
     * @return mean over the spatial axes: {@code [N,H,W,C] -> [N,C]}
     */
    public static Tensor globalAvgPool(Tensor x) {
        if (x == null || x.rank() != 4)
            throw new IllegalArgumentException("globalAvgPool: x must be NHWC [N,H,W,C], got "
                    + (x == null ? "null" : "shape " + Arrays.toString(x.shape())));
        int n = x.dim(0);
        int h = x.dim(1);
        int w = x.dim(2);
        int c = x.dim(3);
        if (h * w == 0)
            throw new IllegalArgumentException("globalAvgPool: empty spatial size, x shape " + Arrays.toString(x.shape()));
        Backend backend = Backend.current();
        Tensor kept = Tensor.empty(x.dtype(), n, 1, 1, c);
        backend.reduce(ReduceOp.MEAN, x, new int[]{1, 2}, kept);
        Tensor out = kept.viewAs(n, c);
        if (Node.shouldRecord(x)) {
            double scale = 1.0 / ((double) h * w);
            Node.record(out, new Node(x) {
                @Override
                protected Tensor[] backward(Tensor g) {
                    Tensor gx = Tensor.empty(x.dtype(), n, h, w, c);
                    Backend b = Backend.current();
                    b.fill(gx, scale);
                    b.binary(BinaryOp.MUL, gx, g.viewAs(n, 1, 1, c), gx);
                    return new Tensor[]{gx};
                }
            });
        }
        return out;
    }

    private static Tensor pool(String op, Tensor x, int kH, int kW, Conv2dOptions options, boolean max) {
        if (options == null) throw new IllegalArgumentException(op + ": options must not be null");
        if (x == null || x.rank() != 4)
            throw new IllegalArgumentException(op + ": x must be NHWC [N,H,W,C], got "
                    + (x == null ? "null" : "shape " + Arrays.toString(x.shape())));
        if (kH < 1 || kW < 1) throw new IllegalArgumentException(op + ": kernel must be >= 1, got " + kH + "x" + kW);
        if (options.groups() != 1) throw new IllegalArgumentException(op + ": groups must be 1, got " + options.groups());
        ConvGeometry g = Convolution.geometry(op, x, kH, kW, options);
        Tensor out = Tensor.empty(x.dtype(), x.dim(0), g.outH(x.dim(1)), g.outW(x.dim(2)), x.dim(3));
        if (out.numel() > 0) Backend.current().pool2d(x, max, g, out);
        if (Node.shouldRecord(x)) {
            Node.record(out, new Node(x) {
                @Override
                protected Tensor[] backward(Tensor gradOut) {
                    Tensor gx = Tensor.empty(x.dtype(), x.shape());
                    Backend.current().pool2dBackward(x, max, g, gradOut, gx);
                    return new Tensor[]{gx};
                }
            });
        }
        return out;
    }
}
