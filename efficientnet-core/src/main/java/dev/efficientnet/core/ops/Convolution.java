package dev.efficientnet.core.ops;

import dev.efficientnet.core.autograd.Node;
import dev.efficientnet.core.backend.Backend;
import dev.efficientnet.core.backend.ConvGeometry;
import dev.efficientnet.core.tensor.Tensor;

import java.util.Arrays;

/**
 * 2-D convolutions on NHWC images with their gradients.
 *
 * <p>Input {@code x} is {@code [N, H, W, Cin]}; dense/grouped weights are
 * {@code [kH, kW, Cin / groups, Cout]}; depthwise weights (for {@link #depthwiseConv2d}) are
 * {@code [kH, kW, C, 1]}; the optional bias is {@code [Cout]}. The padding is resolved from the
 * actual input size on every call (see {@link Padding}). A grouped convolution with
 * {@code groups == Cin == Cout} runs as a depthwise convolution; other group counts run one dense
 * convolution per group.
 */
public final class Convolution {
    private Convolution() {
    }

    /**
     * {@link #conv2d(Tensor, Tensor, Tensor, Conv2dOptions)} without a bias.
     *
     * @param x the input
     * @param w the weight
     * @param options stride, dilation, groups and padding
     * @return {@link #conv2d(Tensor, Tensor, Tensor, Conv2dOptions)} without a bias
     */
    public static Tensor conv2d(Tensor x, Tensor w, Conv2dOptions options) {
        return conv2d(x, w, null, options);
    }

    /**
     * Convolution of {@code x [N,H,W,Cin]} with {@code w [kH,kW,Cin/groups,Cout]} plus an optional
     * {@code bias [Cout]}; returns {@code [N,outH,outW,Cout]}.
     *
     * @param x the input
     * @param w the weight
     * @param bias the bias (may be null)
     * @param options stride, dilation, groups and padding
     * @return convolution of {@code x [N,H,W,Cin]} with {@code w [kH,kW,Cin/groups,Cout]} plus an optional {@code bias [Cout]}; returns {@code [N,outH,outW,Cout]}
     */
    public static Tensor conv2d(Tensor x, Tensor w, Tensor bias, Conv2dOptions options) {
        if (options == null) throw new IllegalArgumentException("conv2d: options must not be null");
        checkImageAndWeights("conv2d", x, w, bias);
        int groups = options.groups();
        int cin = x.dim(3);
        int kH = w.dim(0);
        int kW = w.dim(1);
        int cout = w.dim(3);
        checkGroups(x, w, groups);
        ConvGeometry g = geometry("conv2d", x, kH, kW, options);
        if (groups == 1) return dense(x, w, bias, g);
        if (groups == cin && cout == cin) return depthwise(x, w, bias, g);
        return grouped(x, w, bias, options, groups);
    }

    /**
     * Depthwise convolution of {@code x [N,H,W,C]} with {@code w [kH,kW,C,1]} (one filter per
     * channel) plus an optional {@code bias [C]}; returns {@code [N,outH,outW,C]}. Groups in the
     * options must be 1 or C.
     *
     * @param x the input
     * @param w the weight
     * @param bias the bias (may be null)
     * @param options stride, dilation, groups and padding
     * @return depthwise convolution of {@code x [N,H,W,C]} with {@code w [kH,kW,C,1]} (one filter per channel) plus an optional {@code bias [C]}; returns {@code [N,outH,outW,C]}
     */
    public static Tensor depthwiseConv2d(Tensor x, Tensor w, Tensor bias, Conv2dOptions options) {
        if (options == null) throw new IllegalArgumentException("depthwiseConv2d: options must not be null");
        checkImageAndWeights("depthwiseConv2d", x, w, bias);
        int c = x.dim(3);
        if (w.dim(2) != c || w.dim(3) != 1)
            throw new IllegalArgumentException("depthwiseConv2d: weights must be [kH,kW,C,1] with C = input channels " + c
                    + " (x shape " + Arrays.toString(x.shape()) + "), got w shape " + Arrays.toString(w.shape()));
        if (options.groups() != 1 && options.groups() != c)
            throw new IllegalArgumentException("depthwiseConv2d: options.groups must be 1 or the channel count " + c
                    + ", got " + options.groups());
        return depthwise(x, w, bias, geometry("depthwiseConv2d", x, w.dim(0), w.dim(1), options));
    }

    /**
     * Inference form of a conv → batch norm → activation layer:
     * {@code activation(batchNorm(conv(x, w), running statistics))} in one backend call, which may
     * fold the batch norm into the convolution (the CPU backend does, on oneDNN). {@code w} is dense
     * {@code [kH,kW,Cin,Cout]} with {@code options.groups() == 1}, or depthwise {@code [kH,kW,C,1]}
     * with {@code options.groups() == C}. Values equal the composed ops up to float rounding; when
     * autograd would record (an input needs a gradient), or for other group counts, the composed
     * ops run instead, so gradients are those of the composed ops.
     *
     * @param x the input
     * @param w the weight
     * @param options stride, dilation, groups and padding
     * @param gamma the batch-norm scale
     * @param beta the batch-norm shift
     * @param runningMean the running mean
     * @param runningVar the running variance
     * @param eps the epsilon
     * @param activation the activation
     * @return inference form of a conv → batch norm → activation layer: {@code activation(batchNorm(conv(x, w), running statistics))} in one backend call, which may fold the batch norm into the convolution (the CPU backend does, on oneDNN)
     */
    public static Tensor conv2dBatchNormActivation(Tensor x, Tensor w, Conv2dOptions options, Tensor gamma, Tensor beta,
                                                   Tensor runningMean, Tensor runningVar, double eps, Activation activation) {
        if (options == null) throw new IllegalArgumentException("conv2dBatchNormActivation: options must not be null");
        if (activation == null) throw new IllegalArgumentException("conv2dBatchNormActivation: activation is null (use IDENTITY)");
        if (runningMean == null || runningVar == null)
            throw new IllegalArgumentException("conv2dBatchNormActivation: runningMean and runningVar are required");
        checkImageAndWeights("conv2dBatchNormActivation", x, w, null);
        int groups = options.groups();
        boolean depthwise = groups > 1 && w.dim(3) == 1 && w.dim(2) == x.dim(3) && groups == x.dim(3);
        if ((groups > 1 && !depthwise) || x.numel() == 0 || Node.shouldRecord(x, w, gamma, beta)) {
            Tensor y = depthwise ? depthwiseConv2d(x, w, null, options) : conv2d(x, w, null, options);
            return Normalization.batchNormActivation(y, gamma, beta, runningMean, runningVar, eps, activation);
        }
        if (!depthwise) checkGroups(x, w, 1);
        ConvGeometry g = geometry("conv2dBatchNormActivation", x, w.dim(0), w.dim(1), options);
        int cout = depthwise ? x.dim(3) : w.dim(3);
        Tensor out = Tensor.empty(x.dtype(), x.dim(0), g.outH(x.dim(1)), g.outW(x.dim(2)), cout);
        Normalization.validate(out, gamma, beta, runningMean, runningVar, 0, eps);
        Backend.current().convBatchNormActivation(x, w, g, depthwise, runningMean, runningVar, gamma, beta, eps,
                activation.unaryOp(), out);
        return out;
    }

    // ---- validation ----------------------------------------------------------------------------

    private static void checkGroups(Tensor x, Tensor w, int groups) {
        int cin = x.dim(3);
        int cout = w.dim(3);
        if (cin % groups != 0 || cout % groups != 0)
            throw new IllegalArgumentException("conv2d: groups " + groups + " must divide input channels " + cin
                    + " (x shape " + Arrays.toString(x.shape()) + ") and output channels " + cout
                    + " (w shape " + Arrays.toString(w.shape()) + ")");
        if (w.dim(2) * groups != cin)
            throw new IllegalArgumentException("conv2d: input channels " + cin + " (x shape " + Arrays.toString(x.shape())
                    + ") != weight in-channels " + w.dim(2) + " x groups " + groups + " (w shape "
                    + Arrays.toString(w.shape()) + ")");
    }

    private static void checkImageAndWeights(String op, Tensor x, Tensor w, Tensor bias) {
        if (x == null || w == null) throw new IllegalArgumentException(op + ": x and w must not be null");
        if (x.rank() != 4)
            throw new IllegalArgumentException(op + ": x must be NHWC [N,H,W,C], got shape " + Arrays.toString(x.shape()));
        if (w.rank() != 4)
            throw new IllegalArgumentException(op + ": w must be [kH,kW,inC,outC], got shape " + Arrays.toString(w.shape()));
        if (x.dtype() != w.dtype())
            throw new IllegalArgumentException(op + ": dtype mismatch x " + x.dtype() + " vs w " + w.dtype());
        if (bias != null) {
            if (bias.rank() != 1 || bias.dim(0) != w.dim(3) * (op.startsWith("depthwise") ? w.dim(2) : 1))
                throw new IllegalArgumentException(op + ": bias must be [" + (op.startsWith("depthwise") ? w.dim(2) : w.dim(3))
                        + "] to match w shape " + Arrays.toString(w.shape()) + ", got " + Arrays.toString(bias.shape()));
            if (bias.dtype() != x.dtype())
                throw new IllegalArgumentException(op + ": dtype mismatch x " + x.dtype() + " vs bias " + bias.dtype());
        }
    }

    static ConvGeometry geometry(String op, Tensor x, int kH, int kW, Conv2dOptions options) {
        int h = x.dim(1);
        int w = x.dim(2);
        ConvGeometry g = options.geometry(h, w, kH, kW);
        if (g.outH(h) < 1 || g.outW(w) < 1)
            throw new IllegalArgumentException(op + ": input " + h + "x" + w + " (x shape " + Arrays.toString(x.shape())
                    + ") is too small for kernel " + kH + "x" + kW + " with dilation " + g.dilationH() + "x" + g.dilationW()
                    + " and padding " + g.padTop() + "," + g.padBottom() + "," + g.padLeft() + "," + g.padRight()
                    + " (" + options.padding() + ")");
        return g;
    }

    // ---- implementations -----------------------------------------------------------------------

    private static Tensor dense(Tensor x, Tensor w, Tensor bias, ConvGeometry g) {
        int n = x.dim(0);
        Tensor out = Tensor.empty(x.dtype(), n, g.outH(x.dim(1)), g.outW(x.dim(2)), w.dim(3));
        if (out.numel() > 0 && x.numel() > 0) Backend.current().conv2d(x, w, bias, g, out);
        else Backend.current().fill(out, 0);
        if (Node.shouldRecord(x, w, bias)) {
            Node.record(out, new Node(x, w, bias) {
                @Override
                protected Tensor[] backward(Tensor gradOut) {
                    Tensor gx = needsGrad(0) ? Tensor.empty(x.dtype(), x.shape()) : null;
                    Tensor gw = needsGrad(1) ? Tensor.empty(w.dtype(), w.shape()) : null;
                    Tensor gb = needsGrad(2) ? Tensor.empty(bias.dtype(), bias.shape()) : null;
                    Backend.current().conv2dBackward(x, w, gradOut, g, gx, gw, gb);
                    return new Tensor[]{gx, gw, gb};
                }
            });
        }
        return out;
    }

    /** Depthwise with weights of any shape holding kH*kW*C values in [kH,kW,C] order. */
    private static Tensor depthwise(Tensor x, Tensor w, Tensor bias, ConvGeometry g) {
        int n = x.dim(0);
        int c = x.dim(3);
        int kH = g.kernelH();
        int kW = g.kernelW();
        Tensor wk = w.viewAs(kH, kW, c, 1);
        Tensor out = Tensor.empty(x.dtype(), n, g.outH(x.dim(1)), g.outW(x.dim(2)), c);
        if (out.numel() > 0 && x.numel() > 0) Backend.current().depthwiseConv2d(x, wk, bias, g, out);
        else Backend.current().fill(out, 0);
        if (Node.shouldRecord(x, w, bias)) {
            int[] wShape = w.shape();
            Node.record(out, new Node(x, w, bias) {
                @Override
                protected Tensor[] backward(Tensor gradOut) {
                    Tensor gx = needsGrad(0) ? Tensor.empty(x.dtype(), x.shape()) : null;
                    Tensor gw = needsGrad(1) ? Tensor.empty(w.dtype(), kH, kW, c, 1) : null;
                    Tensor gb = needsGrad(2) ? Tensor.empty(bias.dtype(), bias.shape()) : null;
                    Backend.current().depthwiseConv2dBackward(x, wk, gradOut, g, gx, gw, gb);
                    return new Tensor[]{gx, gw == null ? null : gw.viewAs(wShape), gb};
                }
            });
        }
        return out;
    }

    /** One dense convolution per group on channel slices, concatenated (autograd flows through). */
    private static Tensor grouped(Tensor x, Tensor w, Tensor bias, Conv2dOptions options, int groups) {
        int n = x.dim(0);
        int h = x.dim(1);
        int wd = x.dim(2);
        int cinG = x.dim(3) / groups;
        int kH = w.dim(0);
        int kW = w.dim(1);
        int coutG = w.dim(3) / groups;
        Conv2dOptions single = options.withGroups(1);
        Tensor[] outs = new Tensor[groups];
        for (int gi = 0; gi < groups; gi++) {
            Tensor xs = ShapeOps.slice(x, new int[]{0, 0, 0, gi * cinG}, new int[]{n, h, wd, cinG});
            Tensor ws = ShapeOps.slice(w, new int[]{0, 0, 0, gi * coutG}, new int[]{kH, kW, cinG, coutG});
            Tensor bs = bias == null ? null : ShapeOps.slice(bias, new int[]{gi * coutG}, new int[]{coutG});
            outs[gi] = conv2d(xs, ws, bs, single);
        }
        return ShapeOps.concat(3, outs);
    }
}
