package dev.efficientnet.core.backend.cpu;

import dev.efficientnet.core.backend.Backend;
import dev.efficientnet.core.backend.ConvGeometry;
import dev.efficientnet.core.tensor.DType;
import dev.efficientnet.core.tensor.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

/**
 * Convolution and pooling kernels (NHWC, weights {@code [kH,kW,inC,outC]}, depthwise {@code [kH,kW,C,1]}).
 *
 * <ul>
 *   <li>Float32 convolutions, forward and backward, run on oneDNN 2.5 ({@link DnnlConvolution}) when
 *       it is loaded, except unfused 1x1 forward convolutions, which OpenBLAS (or the Java GEMM) runs
 *       as fast or faster (JMH, decision D18); the rest of this list is the float64 / fallback path.</li>
 *   <li>Forward convolutions run ND4J's {@code conv2d} / {@code depthwise_conv2d} (oneDNN with NHWC
 *       and weight format 0) into the preallocated output. Symmetric padding is passed as
 *       {@code pH/pW}; asymmetric padding that equals ND4J's SAME split (TF rule, extra row/column at
 *       the bottom/right) uses SAME mode; any other padding is applied explicitly to a pooled copy of
 *       the input, which then runs VALID. Dilated kernels are handed to ND4J expanded to their
 *       dilated extent (zeros between taps), because ND4J's oneDNN path rejects dilation.</li>
 *   <li>1x1, stride-1, unpadded dense convolutions (forward, plus a Java bias add, and backward) are GEMMs on the
 *       {@code [N*H*W, C]} view.</li>
 *   <li>Other dense backward passes are im2col + GEMM ({@link Im2colBackward}; ND4J's {@code conv2d_bp}
 *       stays as the test reference); the depthwise backward pass is the
 *       Java kernel in {@link JavaDepthwiseBackward} (ND4J's is ~50x slower than its forward).</li>
 *   <li>Pooling is Java ({@link CpuPool}).</li>
 * </ul>
 */
final class CpuConvolution {
    private static final int NHWC = 1;
    private static final int WEIGHTS_KKIO = 0;

    private CpuConvolution() {
    }

    // ---- padding plan --------------------------------------------------------------------------

    /** How a geometry is expressed to ND4J: pad args, SAME flag, or an explicitly padded input. */
    record Plan(int pH, int pW, int sameMode, boolean padInput) {
    }

    static Plan plan(ConvGeometry g, int h, int w) {
        if (g.symmetric()) return new Plan(g.padTop(), g.padLeft(), 0, false);
        if (matchesNd4jSame(g.kernelH(), g.strideH(), g.dilationH(), g.padTop(), g.padBottom(), h)
                && matchesNd4jSame(g.kernelW(), g.strideW(), g.dilationW(), g.padLeft(), g.padRight(), w))
            return new Plan(0, 0, 1, false);
        return new Plan(0, 0, 0, true);
    }

    /**
     * True when ND4J's SAME mode (out = ceil(in/s), before = floor(total/2), after = the rest)
     * gives exactly these pads along one axis.
     */
    static boolean matchesNd4jSame(int k, int s, int d, int before, int after, int in) {
        int out = (in + s - 1) / s;
        int total = (out - 1) * s + (k - 1) * d + 1 - in;
        return total >= 0 && before == total / 2 && after == total - total / 2;
    }

    private static int[] iArgs(ConvGeometry g, Plan p) {
        return new int[]{g.kernelH(), g.kernelW(), g.strideH(), g.strideW(), p.pH(), p.pW(),
                g.dilationH(), g.dilationW(), p.sameMode(), NHWC, WEIGHTS_KKIO};
    }

    /** x padded explicitly with zeros per the geometry (a pooled temporary). */
    private static Tensor padded(Tensor x, ConvGeometry g) {
        Tensor xp = Tensor.empty(x.dtype(), x.dim(0), x.dim(1) + g.padTop() + g.padBottom(),
                x.dim(2) + g.padLeft() + g.padRight(), x.dim(3));
        Backend.current().pad(x, new int[]{0, g.padTop(), g.padLeft(), 0}, 0, xp);
        return xp;
    }

    // ---- dilation ----------------------------------------------------------------------------------
    // oneDNN in ND4J 1.0.0-M2.1 cannot build dilated convolutions ("could not create a descriptor for a
    // dilated convolution": its right padding ignores the dilation), so ND4J only ever sees undilated
    // kernels: a dilated kernel is expanded to its (k-1)*d+1 extent with zeros between the taps.

    static boolean dilated(ConvGeometry g) {
        return g.dilationH() > 1 || g.dilationW() > 1;
    }

    /** The same geometry with the kernel expanded to its dilated extent and dilation 1. */
    static ConvGeometry undilated(ConvGeometry g) {
        return new ConvGeometry((g.kernelH() - 1) * g.dilationH() + 1, (g.kernelW() - 1) * g.dilationW() + 1,
                g.strideH(), g.strideW(), g.padTop(), g.padBottom(), g.padLeft(), g.padRight(), 1, 1);
    }

    /** {@code w [kH,kW,I,O]} spread onto the dilated grid, zeros between the taps (a pooled temporary). */
    static Tensor expandKernel(Tensor w, ConvGeometry g) {
        ConvGeometry u = undilated(g);
        int block = w.dim(2) * w.dim(3);
        double[] src = w.toDoubleArray();
        double[] dst = new double[u.kernelH() * u.kernelW() * block];
        for (int kh = 0; kh < g.kernelH(); kh++)
            for (int kw = 0; kw < g.kernelW(); kw++)
                System.arraycopy(src, (kh * g.kernelW() + kw) * block, dst,
                        (kh * g.dilationH() * u.kernelW() + kw * g.dilationW()) * block, block);
        Tensor e = Tensor.empty(w.dtype(), u.kernelH(), u.kernelW(), w.dim(2), w.dim(3));
        Backend.current().write(e.storage(), dst);
        return e;
    }

    /** The gradient of the real taps out of the gradient of an expanded kernel. */
    static void gatherKernel(Tensor expandedGrad, ConvGeometry g, Tensor gradW) {
        ConvGeometry u = undilated(g);
        int block = gradW.dim(2) * gradW.dim(3);
        double[] src = expandedGrad.toDoubleArray();
        double[] dst = new double[g.kernelH() * g.kernelW() * block];
        for (int kh = 0; kh < g.kernelH(); kh++)
            for (int kw = 0; kw < g.kernelW(); kw++)
                System.arraycopy(src, (kh * g.dilationH() * u.kernelW() + kw * g.dilationW()) * block, dst,
                        (kh * g.kernelW() + kw) * block, block);
        Backend.current().write(gradW.storage(), dst);
    }

    static boolean isPointwise(ConvGeometry g) {
        return g.kernelH() == 1 && g.kernelW() == 1 && g.strideH() == 1 && g.strideW() == 1
                && g.padTop() == 0 && g.padBottom() == 0 && g.padLeft() == 0 && g.padRight() == 0;
    }

    private static INDArray view2d(Tensor t, int rows, int cols) {
        return CpuBackend.st(t).view(new int[]{rows, cols});
    }

    // ---- dense -----------------------------------------------------------------------------------

    static void conv2d(Tensor x, Tensor w, Tensor bias, ConvGeometry g, Tensor out) {
        if (isPointwise(g)) {
            int m = x.dim(0) * x.dim(1) * x.dim(2);
            if (CpuSmallGemm.applies(m, x.dim(3), w.dim(3))) {
                CpuSmallGemm.gemm(x, w, bias, out, m, x.dim(3), w.dim(3));
                return;
            }
        }
        if (DnnlConvolution.applies(x) && (!isPointwise(g) || DnnlConvolution.bf16(x, false))) {
            DnnlConvolution.forward(x, w, bias, g, false, out);
            return;
        }
        if (isPointwise(g)) {
            int m = x.dim(0) * x.dim(1) * x.dim(2);
            Nd4j.gemm(view2d(x, m, x.dim(3)), view2d(w, w.dim(2), w.dim(3)), view2d(out, m, out.dim(3)),
                    false, false, 1.0, 0.0);
            if (bias != null) CpuBroadcast.binary(dev.efficientnet.core.backend.BinaryOp.ADD, out, bias, out);
            return;
        }
        if (dilated(g)) {
            conv2d(x, expandKernel(w, g), bias, undilated(g), out);
            return;
        }
        Plan p = plan(g, x.dim(1), x.dim(2));
        Tensor in = p.padInput() ? padded(x, g) : x;
        INDArray[] inputs = bias == null
                ? new INDArray[]{CpuBackend.nd(in), CpuBackend.nd(w)}
                : new INDArray[]{CpuBackend.nd(in), CpuBackend.nd(w), CpuBackend.nd(bias)};
        Nd4jOps.exec("conv2d", inputs, new INDArray[]{CpuBackend.nd(out)}, iArgs(g, p));
    }

    /** An empty batch: nothing flows back, the parameter gradients are zeros. True when that applies. */
    private static boolean emptyBatch(Tensor x, Tensor gradOut, Tensor gradW, Tensor gradB) {
        if (x.numel() > 0 && gradOut.numel() > 0) return false;
        if (gradW != null) CpuBackend.st(gradW).flat.assign(0);
        if (gradB != null) CpuBackend.st(gradB).flat.assign(0);
        return true;
    }

    static void conv2dBackward(Tensor x, Tensor w, Tensor gradOut, ConvGeometry g, Tensor gradX, Tensor gradW, Tensor gradB) {
        if (emptyBatch(x, gradOut, gradW, gradB)) return;
        if (gradB != null) columnSums(gradOut, gradB);
        if (gradX == null && gradW == null) return;
        if (DnnlConvolution.applies(x)) {
            DnnlConvolution.backward(x, w, gradOut, g, false, gradX, gradW);
            return;
        }
        if (isPointwise(g)) {
            int m = x.dim(0) * x.dim(1) * x.dim(2);
            INDArray g2 = view2d(gradOut, m, gradOut.dim(3));
            INDArray w2 = view2d(w, w.dim(2), w.dim(3));
            if (gradW != null) Nd4j.gemm(view2d(x, m, x.dim(3)), g2, view2d(gradW, w.dim(2), w.dim(3)), true, false, 1.0, 0.0);
            if (gradX != null) Nd4j.gemm(g2, w2, view2d(gradX, m, x.dim(3)), false, true, 1.0, 0.0);
            return;
        }
        if (gradX != null && g.strideH() == 1 && g.strideW() == 1) {
            ConvGeometry t = transposedGeometry(g, x.dim(1), x.dim(2), gradOut.dim(1), gradOut.dim(2));
            if (t != null) {
                // gradX of a stride-1 convolution is the (forward, oneDNN) convolution of gradOut
                // with the spatially flipped, in/out-transposed kernel: faster than col2im.
                conv2d(gradOut, flippedTransposed(w), null, t, gradX);
                if (gradW != null) Im2colBackward.backward(x, w, gradOut, g, null, gradW);
                return;
            }
        }
        Im2colBackward.backward(x, w, gradOut, g, gradX, gradW);
    }

    /**
     * The geometry under which convolving the output gradient of a stride-1 convolution with the
     * flipped kernel gives the input gradient (per side: {@code (k-1)*d - pad} before, the rest
     * after), or null when a pad would be negative.
     */
    static ConvGeometry transposedGeometry(ConvGeometry g, int h, int w, int oh, int ow) {
        int eh = (g.kernelH() - 1) * g.dilationH();
        int ew = (g.kernelW() - 1) * g.dilationW();
        int top = eh - g.padTop(), left = ew - g.padLeft();
        int bottom = h - oh + g.padTop(), right = w - ow + g.padLeft();
        if (top < 0 || left < 0 || bottom < 0 || right < 0) return null;
        // output size check: oh + top + bottom - eh == h
        if (oh + top + bottom - eh != h || ow + left + right - ew != w) return null;
        return new ConvGeometry(g.kernelH(), g.kernelW(), 1, 1, top, bottom, left, right, g.dilationH(), g.dilationW());
    }

    /** {@code w [kH,kW,I,O]} flipped in both spatial axes and transposed to {@code [kH,kW,O,I]} (pooled). */
    static Tensor flippedTransposed(Tensor w) {
        int kh = w.dim(0), kw = w.dim(1), ci = w.dim(2), co = w.dim(3);
        double[] src = w.toDoubleArray();
        double[] dst = new double[src.length];
        for (int a = 0; a < kh; a++)
            for (int b = 0; b < kw; b++) {
                int so = ((kh - 1 - a) * kw + (kw - 1 - b)) * ci * co;
                int d0 = (a * kw + b) * co * ci;
                for (int i = 0; i < ci; i++)
                    for (int o = 0; o < co; o++) dst[d0 + o * ci + i] = src[so + i * co + o];
            }
        Tensor t = Tensor.empty(w.dtype(), kh, kw, co, ci);
        Backend.current().write(t.storage(), dst);
        return t;
    }

    /** ND4J's {@code conv2d_bp} (gradients of x and w; absent outputs go to pooled temporaries). */
    static void conv2dBackwardNd4j(Tensor x, Tensor w, Tensor gradOut, ConvGeometry g, Tensor gradX, Tensor gradW) {
        if (dilated(g)) {
            Tensor we = expandKernel(w, g);
            Tensor gwe = gradW == null ? null : Tensor.empty(w.dtype(), we.shape());
            conv2dBackwardNd4j(x, we, gradOut, undilated(g), gradX, gwe);
            if (gradW != null) gatherKernel(gwe, g, gradW);
            return;
        }
        Plan p = plan(g, x.dim(1), x.dim(2));
        Tensor in = p.padInput() ? padded(x, g) : x;
        Tensor gx = p.padInput() || gradX == null ? Tensor.empty(x.dtype(), in.shape()) : gradX;
        Tensor gw = gradW == null ? Tensor.empty(w.dtype(), w.shape()) : gradW;
        Nd4jOps.exec("conv2d_bp",
                new INDArray[]{CpuBackend.nd(in), CpuBackend.nd(w), CpuBackend.nd(gradOut)},
                new INDArray[]{CpuBackend.nd(gx), CpuBackend.nd(gw)}, iArgs(g, p));
        if (p.padInput() && gradX != null)
            Backend.current().slice(gx, new int[]{0, g.padTop(), g.padLeft(), 0}, gradX);
    }

    // ---- depthwise -------------------------------------------------------------------------------

    static void depthwiseConv2d(Tensor x, Tensor w, Tensor bias, ConvGeometry g, Tensor out) {
        if (DnnlConvolution.applies(x)) {
            DnnlConvolution.forward(x, w, bias, g, true, out);
            return;
        }
        if (dilated(g)) {
            depthwiseConv2d(x, expandKernel(w, g), bias, undilated(g), out);
            return;
        }
        Plan p = plan(g, x.dim(1), x.dim(2));
        Tensor in = p.padInput() ? padded(x, g) : x;
        INDArray[] inputs = bias == null
                ? new INDArray[]{CpuBackend.nd(in), CpuBackend.nd(w)}
                : new INDArray[]{CpuBackend.nd(in), CpuBackend.nd(w), CpuBackend.nd(bias)};
        Nd4jOps.exec("depthwise_conv2d", inputs, new INDArray[]{CpuBackend.nd(out)}, iArgs(g, p));
    }

    static void depthwiseConv2dBackward(Tensor x, Tensor w, Tensor gradOut, ConvGeometry g, Tensor gradX, Tensor gradW, Tensor gradB) {
        if (emptyBatch(x, gradOut, gradW, gradB)) return;
        if (gradB != null) columnSums(gradOut, gradB);
        if (gradX == null && gradW == null) return;
        if (DnnlConvolution.applies(x)) DnnlConvolution.backward(x, w, gradOut, g, true, gradX, gradW);
        else JavaDepthwiseBackward.backward(x, w, gradOut, g, gradX, gradW);
    }

    /**
     * ND4J's {@code depthwise_conv2d_bp} (slow; kept as the reference the Java kernel is tested
     * against). Absent outputs go to pooled temporaries.
     */
    static void depthwiseConv2dBackwardNd4j(Tensor x, Tensor w, Tensor gradOut, ConvGeometry g, Tensor gradX, Tensor gradW) {
        if (dilated(g)) {
            Tensor we = expandKernel(w, g);
            Tensor gwe = gradW == null ? null : Tensor.empty(w.dtype(), we.shape());
            depthwiseConv2dBackwardNd4j(x, we, gradOut, undilated(g), gradX, gwe);
            if (gradW != null) gatherKernel(gwe, g, gradW);
            return;
        }
        Plan p = plan(g, x.dim(1), x.dim(2));
        Tensor in = p.padInput() ? padded(x, g) : x;
        Tensor gx = p.padInput() || gradX == null ? Tensor.empty(x.dtype(), in.shape()) : gradX;
        Tensor gw = gradW == null ? Tensor.empty(w.dtype(), w.shape()) : gradW;
        Nd4jOps.exec("depthwise_conv2d_bp",
                new INDArray[]{CpuBackend.nd(in), CpuBackend.nd(w), CpuBackend.nd(gradOut)},
                new INDArray[]{CpuBackend.nd(gx), CpuBackend.nd(gw)}, iArgs(g, p));
        if (p.padInput() && gradX != null)
            Backend.current().slice(gx, new int[]{0, g.padTop(), g.padLeft(), 0}, gradX);
    }

    // ---- pooling ---------------------------------------------------------------------------------

    static void pool2d(Tensor x, boolean max, ConvGeometry g, Tensor out) {
        CpuPool.forward(x, max, g, out);
    }

    static void pool2dBackward(Tensor x, boolean max, ConvGeometry g, Tensor gradOut, Tensor gradX) {
        CpuPool.backward(x, max, g, gradOut, gradX);
    }

    // ---- bias gradient ---------------------------------------------------------------------------

    /** {@code out[c] = sum over all leading positions of g[..., c]} (the bias gradient). */
    static void columnSums(Tensor g, Tensor out) {
        int cols = g.dim(g.rank() - 1);
        int rows = cols == 0 ? 0 : (int) (g.numel() / cols);
        double[] total = new double[cols];
        NdStorage gs = CpuBackend.st(g);
        boolean f64 = g.dtype() == DType.FLOAT64;
        // Rows are summed in blocks into a tile indexed like the block itself, so the inner loop is a
        // plain same-index add the JIT vectorizes; the tile is folded per column at the end.
        int blockRows = Math.max(1, 4096 / Math.max(1, cols));
        int blocks = (rows + blockRows - 1) / Math.max(1, blockRows);
        int grain = Math.max(1, (1 << 16) / Math.max(1, blockRows * cols));
        Parallel.range(blocks, grain, (from, to) -> {
            int tile = blockRows * cols;
            double[] partial = new double[cols];
            if (f64) {
                DoubleBuffer buf = gs.flat.data().asNioDouble();
                double[] blk = new double[tile];
                double[] acc = new double[tile];
                for (int b = from; b < to; b++) {
                    int r0 = b * blockRows;
                    int len = (Math.min(rows, r0 + blockRows) - r0) * cols;
                    buf.get(r0 * cols, blk, 0, len);
                    for (int i = 0; i < len; i++) acc[i] += blk[i];
                }
                for (int i = 0; i < tile; i++) partial[i % cols] += acc[i];
            } else {
                FloatBuffer buf = gs.flat.data().asNioFloat();
                float[] blk = new float[tile];
                float[] acc = new float[tile];
                for (int b = from; b < to; b++) {
                    int r0 = b * blockRows;
                    int len = (Math.min(rows, r0 + blockRows) - r0) * cols;
                    buf.get(r0 * cols, blk, 0, len);
                    for (int i = 0; i < len; i++) acc[i] += blk[i];
                }
                for (int i = 0; i < tile; i++) partial[i % cols] += acc[i];
            }
            synchronized (total) {
                for (int c = 0; c < cols; c++) total[c] += partial[c];
            }
        });
        Backend.current().write(out.storage(), total);
    }
}
