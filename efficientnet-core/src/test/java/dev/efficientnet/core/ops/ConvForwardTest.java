package dev.efficientnet.core.ops;

import dev.efficientnet.core.backend.ConvGeometry;
import dev.efficientnet.core.tensor.DType;
import dev.efficientnet.core.tensor.Rng;
import dev.efficientnet.core.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Forward values of {@link Convolution} against a naive reference, output sizes and shape errors. */
class ConvForwardTest {

    /** One convolution configuration; {@code depthwiseApi} uses {@link Convolution#depthwiseConv2d}. */
    record Case(String name, int n, int h, int w, int cin, int cout, int kH, int kW, Conv2dOptions options,
                boolean bias, boolean depthwiseApi) {
        int[] xShape() {
            return new int[]{n, h, w, cin};
        }

        int[] wShape() {
            return depthwiseApi ? new int[]{kH, kW, cin, 1} : new int[]{kH, kW, cin / options.groups(), cout};
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static Case c(String name, int n, int h, int w, int cin, int cout, int k, Conv2dOptions o, boolean bias) {
        return new Case(name, n, h, w, cin, cout, k, k, o, bias, false);
    }

    static Case dw(String name, int n, int h, int w, int ch, int k, Conv2dOptions o, boolean bias) {
        return new Case(name, n, h, w, ch, ch, k, k, o, bias, true);
    }

    /** The configurations shared by the forward and gradient tests. */
    static List<Case> cases() {
        List<Case> l = new ArrayList<>();
        l.add(c("1x1 pointwise (GEMM path)", 2, 5, 7, 3, 4, 1, Conv2dOptions.valid(1), false));
        l.add(c("1x1 pointwise + bias", 2, 5, 7, 3, 4, 1, Conv2dOptions.valid(1), true));
        l.add(c("1x1 stride 2", 2, 5, 7, 3, 2, 1, Conv2dOptions.valid(2), false));
        l.add(c("3x3 symmetric s1", 2, 5, 7, 2, 3, 3, Conv2dOptions.symmetric(1), true));
        l.add(c("3x3 symmetric s2", 2, 7, 9, 2, 3, 3, Conv2dOptions.symmetric(2), false));
        l.add(c("3x3 valid s2", 2, 7, 9, 2, 3, 3, Conv2dOptions.valid(2), true));
        l.add(c("5x5 same s1 odd", 2, 5, 7, 2, 3, 5, Conv2dOptions.same(1), false));
        l.add(c("3x3 same s2 odd (symmetric)", 2, 5, 7, 2, 3, 3, Conv2dOptions.same(2), true));
        l.add(c("3x3 same s2 even (asymmetric)", 2, 6, 8, 2, 3, 3, Conv2dOptions.same(2), true));
        l.add(c("5x5 same s2 even (asymmetric)", 2, 8, 6, 2, 2, 5, Conv2dOptions.same(2), false));
        l.add(c("4x4 same s1 (even kernel)", 2, 5, 6, 2, 2, 4, Conv2dOptions.same(1), true));
        l.add(c("3x3 dilation 2 symmetric", 2, 5, 7, 2, 3, 3, Conv2dOptions.symmetric(1).withDilation(2), false));
        l.add(c("3x3 dilation 2 same s2 even", 2, 6, 8, 2, 2, 3, Conv2dOptions.same(2).withDilation(2), true));
        l.add(c("3x3 explicit asymmetric s1", 2, 5, 7, 2, 3, 3, Conv2dOptions.explicit(1, 2, 0, 1, 2), true));
        l.add(c("3x3 explicit asymmetric s2", 2, 7, 8, 2, 3, 3, Conv2dOptions.explicit(2, 0, 1, 1, 0), false));
        l.add(c("groups 2", 2, 4, 5, 4, 2, 3, Conv2dOptions.same(1).withGroups(2), true));
        l.add(c("groups 3 depthwise multiplier 2", 2, 4, 5, 3, 6, 3, Conv2dOptions.same(2).withGroups(3), false));
        l.add(c("groups = channels (depthwise route)", 2, 5, 7, 3, 3, 3, Conv2dOptions.same(1).withGroups(3), true));
        l.add(dw("depthwise 3x3 same s1", 2, 5, 7, 3, 3, Conv2dOptions.same(1), true));
        l.add(dw("depthwise 3x3 same s2 even (asymmetric)", 2, 6, 8, 3, 3, Conv2dOptions.same(2), false));
        l.add(dw("depthwise 5x5 same s2 odd", 2, 7, 5, 2, 5, Conv2dOptions.same(2), true));
        l.add(dw("depthwise 5x5 same s2 even (asymmetric)", 2, 8, 6, 2, 5, Conv2dOptions.same(2), false));
        l.add(dw("depthwise 3x3 dilation 2", 2, 5, 7, 3, 3, Conv2dOptions.symmetric(1).withDilation(2), false));
        l.add(dw("depthwise 3x3 explicit asymmetric s2", 2, 7, 9, 2, 3, Conv2dOptions.explicit(2, 2, 0, 0, 1), true));
        l.add(dw("depthwise 3x3 valid s1", 2, 5, 7, 3, 3, Conv2dOptions.valid(1), false));
        l.add(dw("depthwise 2x2 valid s2 (even kernel)", 2, 5, 7, 3, 2, Conv2dOptions.valid(2), true));
        return l;
    }

    /** Runs the case's op. */
    static Tensor run(Case k, Tensor x, Tensor w, Tensor b) {
        return k.depthwiseApi() ? Convolution.depthwiseConv2d(x, w, b, k.options()) : Convolution.conv2d(x, w, b, k.options());
    }

    /**
     * Naive grouped convolution: x [N,H,W,Cin], w [kH,kW,Cin/groups,Cout] (depthwise [kH,kW,C,1] has
     * the same memory layout as [kH,kW,1,C]), bias [Cout] or null.
     */
    static double[] reference(Case k, double[] x, double[] w, double[] b) {
        ConvGeometry g = k.options().geometry(k.h(), k.w(), k.kH(), k.kW());
        int groups = k.depthwiseApi() ? k.cin() : k.options().groups();
        int cinG = k.cin() / groups;
        int coutG = k.cout() / groups;
        int oh = g.outH(k.h());
        int ow = g.outW(k.w());
        double[] out = new double[k.n() * oh * ow * k.cout()];
        for (int n = 0; n < k.n(); n++)
            for (int y = 0; y < oh; y++)
                for (int xo = 0; xo < ow; xo++)
                    for (int co = 0; co < k.cout(); co++) {
                        int grp = co / coutG;
                        double s = b == null ? 0 : b[co];
                        for (int kh = 0; kh < k.kH(); kh++) {
                            int ih = y * g.strideH() - g.padTop() + kh * g.dilationH();
                            if (ih < 0 || ih >= k.h()) continue;
                            for (int kw = 0; kw < k.kW(); kw++) {
                                int iw = xo * g.strideW() - g.padLeft() + kw * g.dilationW();
                                if (iw < 0 || iw >= k.w()) continue;
                                for (int ci = 0; ci < cinG; ci++)
                                    s += x[((n * k.h() + ih) * k.w() + iw) * k.cin() + grp * cinG + ci]
                                            * w[((kh * k.kW() + kw) * cinG + ci) * k.cout() + co];
                            }
                        }
                        out[((n * oh + y) * ow + xo) * k.cout() + co] = s;
                    }
        return out;
    }

    @Test
    void forwardMatchesNaiveReferenceInFloat64AndFloat32() {
        Rng rng = new Rng(11);
        for (Case k : cases()) {
            Tensor x = rng.uniformTensor(DType.FLOAT64, -1, 1, k.xShape());
            Tensor w = rng.uniformTensor(DType.FLOAT64, -1, 1, k.wShape());
            Tensor b = k.bias() ? rng.uniformTensor(DType.FLOAT64, -1, 1, k.cout()) : null;
            double[] ref = reference(k, x.toDoubleArray(), w.toDoubleArray(), b == null ? null : b.toDoubleArray());
            ConvGeometry g = k.options().geometry(k.h(), k.w(), k.kH(), k.kW());
            int[] expectedShape = {k.n(), g.outH(k.h()), g.outW(k.w()), k.cout()};

            Tensor y64 = run(k, x, w, b);
            assertArrayEquals(expectedShape, y64.shape(), k.name());
            assertArrayEquals(ref, y64.toDoubleArray(), 1e-12, k.name() + " float64");

            Tensor y32 = run(k, x.to(DType.FLOAT32), w.to(DType.FLOAT32), b == null ? null : b.to(DType.FLOAT32));
            assertArrayEquals(expectedShape, y32.shape(), k.name());
            float[] got = y32.toFloatArray();
            double worst = 0;
            for (int i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - ref[i]));
            assertTrue(worst <= 1e-5, k.name() + " float32 max abs error " + worst);
        }
    }

    @Test
    void tfSameOutputIsCeilOfInputOverStrideWithTfPads() {
        for (int in = 1; in <= 12; in++)
            for (int stride = 1; stride <= 3; stride++)
                for (int k = 1; k <= 5; k++)
                    for (int d = 1; d <= 2; d++) {
                        ConvGeometry g = Conv2dOptions.same(stride).withDilation(d).geometry(in, in + 1, k, k);
                        int outH = (in + stride - 1) / stride;
                        int outW = (in + 1 + stride - 1) / stride;
                        assertEquals(outH, g.outH(in), "SAME out for in " + in + " s " + stride + " k " + k + " d " + d);
                        assertEquals(outW, g.outW(in + 1));
                        int totalH = Math.max((outH - 1) * stride + (k - 1) * d + 1 - in, 0);
                        int totalW = Math.max((outW - 1) * stride + (k - 1) * d + 1 - (in + 1), 0);
                        assertEquals(totalH / 2, g.padTop());
                        assertEquals(totalH - totalH / 2, g.padBottom());
                        assertEquals(totalW / 2, g.padLeft());
                        assertEquals(totalW - totalW / 2, g.padRight());
                    }
        // The classic asymmetric case: 224 -> 112 with a 3x3 stride-2 kernel pads 0 on top, 1 below.
        ConvGeometry stem = Conv2dOptions.same(2).geometry(224, 224, 3, 3);
        assertEquals(List.of(0, 1, 0, 1), List.of(stem.padTop(), stem.padBottom(), stem.padLeft(), stem.padRight()));
        Tensor y = Convolution.conv2d(Tensor.zeros(1, 224, 225, 3), Tensor.zeros(3, 3, 3, 8), Conv2dOptions.same(2));
        assertArrayEquals(new int[]{1, 112, 113, 8}, y.shape());
        // SAME is resolved from the actual size on every call.
        Tensor y2 = Convolution.conv2d(Tensor.zeros(1, 7, 7, 3), Tensor.zeros(3, 3, 3, 8), Conv2dOptions.same(2));
        assertArrayEquals(new int[]{1, 4, 4, 8}, y2.shape());
    }

    @Test
    void symmetricPaddingFollowsPytorchRule() {
        ConvGeometry g = Conv2dOptions.symmetric(1).withDilation(2).geometry(10, 10, 5, 3);
        assertEquals(List.of(4, 4, 2, 2), List.of(g.padTop(), g.padBottom(), g.padLeft(), g.padRight()));
        ConvGeometry even = Conv2dOptions.symmetric(1).geometry(10, 10, 4, 4);
        assertEquals(1, even.padTop());
        assertEquals(1, even.padBottom());
    }

    @Test
    void knownValues() {
        // 1x3x3x1 input 1..9, 2x2 all-ones kernel, valid: sums of 2x2 windows.
        Tensor x = Tensor.of(new float[]{1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 3, 3, 1);
        Tensor w = Tensor.of(new float[]{1, 1, 1, 1}, 2, 2, 1, 1);
        assertArrayEquals(new float[]{12, 16, 24, 28}, Convolution.conv2d(x, w, Conv2dOptions.valid(1)).toFloatArray(), 1e-6f);
        // With bias and explicit bottom/right padding of one.
        Tensor b = Tensor.of(new float[]{10}, 1);
        assertArrayEquals(new float[]{22, 26, 19, 34, 38, 25, 25, 27, 19},
                Convolution.conv2d(x, w, b, Conv2dOptions.explicit(1, 0, 1, 0, 1)).toFloatArray(), 1e-6f);
    }

    @Test
    void shapeErrorsNameTheParameterAndShapes() {
        Tensor x = Tensor.zeros(1, 5, 5, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Convolution.conv2d(x, Tensor.zeros(3, 3, 3, 8), Conv2dOptions.same(1)));
        assertTrue(e.getMessage().contains("input channels 4") && e.getMessage().contains("[3, 3, 3, 8]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Convolution.conv2d(x, Tensor.zeros(3, 3, 2, 6), Conv2dOptions.same(1).withGroups(3)));
        assertTrue(e.getMessage().contains("groups 3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Convolution.conv2d(x, Tensor.zeros(3, 3, 4, 8), Tensor.zeros(7), Conv2dOptions.same(1)));
        assertTrue(e.getMessage().contains("bias"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Convolution.conv2d(Tensor.zeros(5, 5, 4), Tensor.zeros(3, 3, 4, 8), Conv2dOptions.same(1)));
        assertTrue(e.getMessage().contains("x must be NHWC"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Convolution.conv2d(x, Tensor.zeros(7, 7, 4, 8), Conv2dOptions.valid(1)));
        assertTrue(e.getMessage().contains("too small"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Convolution.depthwiseConv2d(x, Tensor.zeros(3, 3, 5, 1), null, Conv2dOptions.same(1)));
        assertTrue(e.getMessage().contains("[3, 3, 5, 1]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Convolution.conv2d(x, Tensor.zeros(DType.FLOAT64, 3, 3, 4, 8), Conv2dOptions.same(1)));
        assertTrue(e.getMessage().contains("dtype"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Conv2dOptions.same(0));
        assertThrows(IllegalArgumentException.class, () -> Padding.explicit(-1));
        assertThrows(IllegalArgumentException.class, () -> Conv2dOptions.same(1).withGroups(0));
    }

    @Test
    void caseListCoversTheRequiredConfigurations() {
        // Guards the shared case list used by the gradient test against accidental shrinking.
        List<Case> l = cases();
        assertTrue(l.stream().anyMatch(k -> k.kH() == 5) && l.stream().anyMatch(k -> k.kH() == 1));
        assertTrue(l.stream().anyMatch(k -> k.options().dilationH() == 2));
        assertTrue(l.stream().anyMatch(k -> k.options().groups() == 2));
        assertTrue(l.stream().anyMatch(k -> k.options().padding().mode() == Padding.Mode.EXPLICIT));
        assertTrue(l.stream().anyMatch(k -> {
            ConvGeometry g = k.options().geometry(k.h(), k.w(), k.kH(), k.kW());
            return k.options().padding().mode() == Padding.Mode.SAME && !g.symmetric();
        }), "an asymmetric SAME case: " + Arrays.toString(l.toArray()));
    }
}
