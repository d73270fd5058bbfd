package dev.efficientnet.core.backend.cpu;

import dev.efficientnet.core.backend.ConvGeometry;
import dev.efficientnet.core.ops.Conv2dOptions;
import dev.efficientnet.core.tensor.DType;
import dev.efficientnet.core.tensor.Rng;
import dev.efficientnet.core.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fast backward paths in float32 against ND4J's own backward ops: oneDNN 2.5 (dense and
 * depthwise, the default float32 route), the GEMM route of small 1x1 convs against
 * {@code conv2d_bp}, and the Java depthwise kernel (the route without oneDNN) against
 * {@code depthwise_conv2d_bp}.
 */
class CpuConvBackwardTest {
    final Rng rng = new Rng(3);

    Tensor rand(DType t, int... shape) {
        return rng.uniformTensor(t, -1, 1, shape);
    }

    static void assertClose(String what, Tensor expected, Tensor actual, double relTol) {
        float[] e = expected.toFloatArray();
        float[] a = actual.toFloatArray();
        assertEquals(e.length, a.length, what);
        double scale = 0;
        double worst = 0;
        for (int i = 0; i < e.length; i++) {
            scale = Math.max(scale, Math.abs(e[i]));
            worst = Math.max(worst, Math.abs(e[i] - a[i]));
        }
        assertTrue(scale > 0, what + ": reference is all zeros");
        assertTrue(worst <= relTol * scale, what + ": max abs diff " + worst + " vs max |ref| " + scale);
    }

    @Test
    void pointwiseGemmBackwardEqualsNd4jConv2dBp() {
        for (int[] s : new int[][]{{2, 7, 9, 16, 24}, {3, 5, 4, 40, 8}, {1, 1, 1, 3, 5}}) {
            Tensor x = rand(DType.FLOAT32, s[0], s[1], s[2], s[3]);
            Tensor w = rand(DType.FLOAT32, 1, 1, s[3], s[4]);
            Tensor g = rand(DType.FLOAT32, s[0], s[1], s[2], s[4]);
            ConvGeometry geo = Conv2dOptions.valid(1).geometry(s[1], s[2], 1, 1);
            assertTrue(CpuConvolution.isPointwise(geo));
            Tensor gx = Tensor.empty(DType.FLOAT32, x.shape());
            Tensor gw = Tensor.empty(DType.FLOAT32, w.shape());
            Tensor gb = Tensor.empty(DType.FLOAT32, s[4]);
            CpuConvolution.conv2dBackward(x, w, g, geo, gx, gw, gb);
            Tensor rx = Tensor.empty(DType.FLOAT32, x.shape());
            Tensor rw = Tensor.empty(DType.FLOAT32, w.shape());
            CpuConvolution.conv2dBackwardNd4j(x, w, g, geo, rx, rw);
            assertClose("gradX", rx, gx, 1e-5);
            assertClose("gradW", rw, gw, 1e-5);
            // Bias gradient: the sum of gradOut over N, H, W.
            Tensor rb = g.sum(new int[]{0, 1, 2}, false);
            assertClose("gradB", rb, gb, 1e-5);
        }
    }

    @Test
    void im2colDenseBackwardEqualsNd4jConv2dBp() {
        Object[][] cases = {
                {"stem 3x3 s2 same, 3 channels", 2, 16, 15, 3, 8, 3, Conv2dOptions.same(2)},
                {"3x3 s1 same", 3, 9, 11, 12, 10, 3, Conv2dOptions.same(1)},
                {"5x5 s2 symmetric", 2, 13, 12, 5, 7, 5, Conv2dOptions.symmetric(2)},
                {"3x3 explicit asymmetric", 2, 8, 9, 7, 4, 3, Conv2dOptions.explicit(1, 2, 0, 0, 1)},
                {"3x3 dilation 2", 2, 9, 9, 6, 5, 3, Conv2dOptions.symmetric(1).withDilation(2)},
                {"3x3 valid stride 3", 1, 10, 11, 4, 6, 3, Conv2dOptions.valid(3)},
                {"several chunks of images", 40, 20, 20, 16, 8, 3, Conv2dOptions.same(1)},
                {"tiny 2x2 s1 same", 2, 2, 2, 4, 5, 3, Conv2dOptions.same(1)},
                {"tiny 1x1 s1 same", 2, 1, 1, 4, 5, 3, Conv2dOptions.same(1)},
                {"tiny 2x2 s2 same", 2, 2, 2, 4, 5, 3, Conv2dOptions.same(2)},
                {"tiny 3x3 s2 same", 2, 3, 3, 4, 5, 3, Conv2dOptions.same(2)},
                {"tiny 1x1 s2 same", 2, 1, 1, 4, 5, 3, Conv2dOptions.same(2)},
                {"4x4 s1 symmetric", 2, 4, 4, 6, 6, 3, Conv2dOptions.symmetric(1)},
        };
        for (Object[] c : cases) {
            String name = (String) c[0];
            int n = (int) c[1], h = (int) c[2], wd = (int) c[3], cin = (int) c[4], cout = (int) c[5], k = (int) c[6];
            Conv2dOptions opt = (Conv2dOptions) c[7];
            ConvGeometry geo = opt.geometry(h, wd, k, k);
            Tensor x = rand(DType.FLOAT32, n, h, wd, cin);
            Tensor w = rand(DType.FLOAT32, k, k, cin, cout);
            Tensor g = rand(DType.FLOAT32, n, geo.outH(h), geo.outW(wd), cout);
            Tensor gx = Tensor.empty(DType.FLOAT32, x.shape());
            Tensor gw = Tensor.empty(DType.FLOAT32, w.shape());
            CpuConvolution.conv2dBackward(x, w, g, geo, gx, gw, null);
            Tensor rx = Tensor.empty(DType.FLOAT32, x.shape());
            Tensor rw = Tensor.empty(DType.FLOAT32, w.shape());
            CpuConvolution.conv2dBackwardNd4j(x, w, g, geo, rx, rw);
            assertClose(name + " gradX", rx, gx, 1e-5);
            assertClose(name + " gradW", rw, gw, 1e-5);
            // each gradient alone gives the same values
            Tensor onlyW = Tensor.empty(DType.FLOAT32, w.shape());
            CpuConvolution.conv2dBackward(x, w, g, geo, null, onlyW, null);
            assertClose(name + " gradW alone", rw, onlyW, 1e-5);
            Tensor onlyX = Tensor.empty(DType.FLOAT32, x.shape());
            CpuConvolution.conv2dBackward(x, w, g, geo, onlyX, null, null);
            assertClose(name + " gradX alone", rx, onlyX, 1e-5);
        }
    }

    @Test
    void javaDepthwiseBackwardEqualsNd4jDepthwiseConv2dBp() {
        Object[][] cases = {
                {"3x3 same s1", 2, 9, 11, 20, 3, Conv2dOptions.same(1)},
                {"3x3 same s2 even (asymmetric, ND4J SAME mode)", 2, 10, 12, 16, 3, Conv2dOptions.same(2)},
                {"3x3 same s2 odd", 3, 9, 7, 5, 3, Conv2dOptions.same(2)},
                {"5x5 same s2 even", 2, 14, 14, 24, 5, Conv2dOptions.same(2)},
                {"5x5 same s1", 2, 7, 7, 33, 5, Conv2dOptions.same(1)},
                {"3x3 explicit asymmetric", 2, 8, 9, 7, 3, Conv2dOptions.explicit(1, 2, 0, 0, 1)},
                {"3x3 dilation 2", 2, 9, 9, 6, 3, Conv2dOptions.symmetric(1).withDilation(2)},
                {"3x3 stride 3 valid", 2, 10, 11, 4, 3, Conv2dOptions.valid(3)},
                {"wide rows over threads", 4, 28, 28, 144, 3, Conv2dOptions.same(1)},
        };
        for (Object[] c : cases) {
            String name = (String) c[0];
            int n = (int) c[1], h = (int) c[2], wd = (int) c[3], ch = (int) c[4], k = (int) c[5];
            ConvGeometry geo = ((Conv2dOptions) c[6]).geometry(h, wd, k, k);
            Tensor x = rand(DType.FLOAT32, n, h, wd, ch);
            Tensor w = rand(DType.FLOAT32, k, k, ch, 1);
            Tensor g = rand(DType.FLOAT32, n, geo.outH(h), geo.outW(wd), ch);
            Tensor gx = Tensor.empty(DType.FLOAT32, x.shape());
            Tensor gw = Tensor.empty(DType.FLOAT32, w.shape());
            Tensor gb = Tensor.empty(DType.FLOAT32, ch);
            CpuConvolution.depthwiseConv2dBackward(x, w, g, geo, gx, gw, gb);
            Tensor rx = Tensor.empty(DType.FLOAT32, x.shape());
            Tensor rw = Tensor.empty(DType.FLOAT32, w.shape());
            CpuConvolution.depthwiseConv2dBackwardNd4j(x, w, g, geo, rx, rw);
            assertClose(name + " gradX", rx, gx, 1e-4);
            assertClose(name + " gradW", rw, gw, 1e-4);
            assertClose(name + " gradB", g.sum(new int[]{0, 1, 2}, false), gb, 1e-4);

            // The Java kernel (the path without oneDNN) agrees too, and each output alone gives the
            // same values as both together.
            Tensor jx = Tensor.empty(DType.FLOAT32, x.shape());
            Tensor jw = Tensor.empty(DType.FLOAT32, w.shape());
            JavaDepthwiseBackward.backward(x, w, g, geo, jx, jw);
            assertClose(name + " Java gradX", rx, jx, 1e-4);
            assertClose(name + " Java gradW", rw, jw, 1e-4);
            Tensor onlyX = Tensor.empty(DType.FLOAT32, x.shape());
            Tensor onlyW = Tensor.empty(DType.FLOAT32, w.shape());
            JavaDepthwiseBackward.backward(x, w, g, geo, onlyX, null);
            JavaDepthwiseBackward.backward(x, w, g, geo, null, onlyW);
            assertClose(name + " Java gradX alone", jx, onlyX, 1e-6);
            assertClose(name + " Java gradW alone", jw, onlyW, 1e-6);
            Tensor dnnlX = Tensor.empty(DType.FLOAT32, x.shape());
            CpuConvolution.depthwiseConv2dBackward(x, w, g, geo, dnnlX, null, null);
            assertClose(name + " gradX alone", gx, dnnlX, 1e-6);
        }
    }

    @Test
    void javaDepthwiseBackwardInFloat64SplitOverThreads() {
        // Wide rows and enough of them that the float64 kernel splits work over threads.
        ConvGeometry geo = Conv2dOptions.same(2).geometry(30, 28, 3, 3);
        Tensor x = rand(DType.FLOAT64, 3, 30, 28, 96);
        Tensor w = rand(DType.FLOAT64, 3, 3, 96, 1);
        Tensor g = rand(DType.FLOAT64, 3, geo.outH(30), geo.outW(28), 96);
        Tensor gx = Tensor.empty(DType.FLOAT64, x.shape());
        Tensor gw = Tensor.empty(DType.FLOAT64, w.shape());
        JavaDepthwiseBackward.backward(x, w, g, geo, gx, gw);
        Tensor rx = Tensor.empty(DType.FLOAT64, x.shape());
        Tensor rw = Tensor.empty(DType.FLOAT64, w.shape());
        CpuConvolution.depthwiseConv2dBackwardNd4j(x, w, g, geo, rx, rw);
        assertClose("float64 gradX", rx, gx, 1e-6);
        assertClose("float64 gradW", rw, gw, 1e-6);
        double[] a = gw.toDoubleArray();
        double[] e = rw.toDoubleArray();
        for (int i = 0; i < a.length; i++) assertEquals(e[i], a[i], 1e-10 * Math.max(1, Math.abs(e[i])), "gradW[" + i + "]");
    }

    @Test
    void nd4jPaddingPlan() {
        // TF SAME with an odd total is ND4J's SAME mode (extra padding at the bottom / right).
        ConvGeometry same = Conv2dOptions.same(2).geometry(224, 224, 3, 3);
        assertEquals(new CpuConvolution.Plan(0, 0, 1, false), CpuConvolution.plan(same, 224, 224));
        // Symmetric pads pass straight through.
        ConvGeometry sym = Conv2dOptions.symmetric(1).geometry(7, 7, 5, 5);
        assertEquals(new CpuConvolution.Plan(2, 2, 0, false), CpuConvolution.plan(sym, 7, 7));
        // Extra padding on top / left (the mirror of SAME) cannot be expressed: the input is padded.
        ConvGeometry mirror = Conv2dOptions.explicit(2, 1, 0, 1, 0).geometry(8, 8, 3, 3);
        assertTrue(CpuConvolution.plan(mirror, 8, 8).padInput());
        assertFalse(CpuConvolution.matchesNd4jSame(3, 2, 1, 1, 0, 8));
        assertTrue(CpuConvolution.matchesNd4jSame(3, 2, 1, 0, 1, 8));
    }
}
