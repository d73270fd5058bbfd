package dev.efficientnet.core.ops;

import dev.efficientnet.core.autograd.GradCheck;
import dev.efficientnet.core.backend.ConvGeometry;
import dev.efficientnet.core.tensor.DType;
import dev.efficientnet.core.tensor.Rng;
import dev.efficientnet.core.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Pooling}: values against a naive reference, float64 gradient checks, errors. */
class PoolTest {
    static final double TOL = 1e-6;
    final Rng rng = new Rng(17);

    record Case(String name, int n, int h, int w, int c, int kH, int kW, Conv2dOptions options) {
    }

    static Case[] cases() {
        return new Case[]{
                new Case("2x2 valid s2", 2, 6, 8, 3, 2, 2, Conv2dOptions.valid(2)),
                new Case("3x3 same s2 even (asymmetric)", 2, 6, 8, 3, 3, 3, Conv2dOptions.same(2)),
                new Case("3x3 same s2 odd", 2, 7, 9, 2, 3, 3, Conv2dOptions.same(2)),
                new Case("3x3 symmetric s1", 2, 5, 7, 3, 3, 3, Conv2dOptions.symmetric(1)),
                new Case("3x2 explicit asymmetric s1", 2, 5, 6, 2, 3, 2, Conv2dOptions.explicit(1, 2, 0, 1, 0)),
                new Case("3x3 dilation 2", 2, 7, 7, 2, 3, 3, Conv2dOptions.symmetric(1).withDilation(2)),
                new Case("2x3 stride (1,2)", 2, 5, 7, 2, 2, 3, Conv2dOptions.valid(1).withStride(1, 2)),
        };
    }

    static double[] reference(Case k, double[] x, boolean max) {
        ConvGeometry g = k.options().geometry(k.h(), k.w(), k.kH(), k.kW());
        int oh = g.outH(k.h());
        int ow = g.outW(k.w());
        double[] out = new double[k.n() * oh * ow * k.c()];
        for (int n = 0; n < k.n(); n++)
            for (int y = 0; y < oh; y++)
                for (int xo = 0; xo < ow; xo++)
                    for (int c = 0; c < k.c(); c++) {
                        double acc = max ? Double.NEGATIVE_INFINITY : 0;
                        int count = 0;
                        for (int kh = 0; kh < k.kH(); kh++)
                            for (int kw = 0; kw < k.kW(); kw++) {
                                int ih = y * g.strideH() - g.padTop() + kh * g.dilationH();
                                int iw = xo * g.strideW() - g.padLeft() + kw * g.dilationW();
                                if (ih < 0 || ih >= k.h() || iw < 0 || iw >= k.w()) continue;
                                double v = x[((n * k.h() + ih) * k.w() + iw) * k.c() + c];
                                acc = max ? Math.max(acc, v) : acc + v;
                                count++;
                            }
                        out[((n * oh + y) * ow + xo) * k.c() + c] = count == 0 ? 0 : max ? acc : acc / count;
                    }
        return out;
    }

    static Tensor run(Case k, Tensor x, boolean max) {
        return max ? Pooling.maxPool2d(x, k.kH(), k.kW(), k.options()) : Pooling.avgPool2d(x, k.kH(), k.kW(), k.options());
    }

    @Test
    void valuesMatchNaiveReference() {
        for (Case k : cases())
            for (boolean max : new boolean[]{false, true}) {
                Tensor x = rng.uniformTensor(DType.FLOAT64, -1, 1, k.n(), k.h(), k.w(), k.c());
                double[] ref = reference(k, x.toDoubleArray(), max);
                String what = k.name() + (max ? " max" : " avg");
                assertArrayEquals(ref, run(k, x, max).toDoubleArray(), 1e-12, what + " float64");
                float[] got = run(k, x.to(DType.FLOAT32), max).toFloatArray();
                for (int i = 0; i < got.length; i++)
                    assertTrue(Math.abs(got[i] - ref[i]) <= 1e-6, what + " float32 at " + i + ": " + got[i] + " vs " + ref[i]);
            }
    }

    @Test
    void averageExcludesPadding() {
        // 1x2x2x1 input, 3x3 window, stride 1, symmetric padding 1: every window sees all 4 values.
        Tensor x = Tensor.of(new float[]{1, 2, 3, 4}, 1, 2, 2, 1);
        assertArrayEquals(new float[]{2.5f, 2.5f, 2.5f, 2.5f},
                Pooling.avgPool2d(x, 3, Conv2dOptions.symmetric(1)).toFloatArray(), 1e-6f);
        assertArrayEquals(new float[]{4, 4, 4, 4}, Pooling.maxPool2d(x, 3, Conv2dOptions.symmetric(1)).toFloatArray());
        // Negative values: padding must not act as a zero candidate for the max.
        Tensor neg = Tensor.of(new float[]{-1, -2, -3, -4}, 1, 2, 2, 1);
        assertArrayEquals(new float[]{-1, -1, -1, -1}, Pooling.maxPool2d(neg, 3, Conv2dOptions.symmetric(1)).toFloatArray());
    }

    @Test
    void gradients() {
        for (Case k : cases()) {
            GradCheck.assertGradients(k.name() + " avg", TOL, in -> run(k, in[0], false),
                    rng.uniformTensor(DType.FLOAT64, -1, 1, k.n(), k.h(), k.w(), k.c()).requiresGrad(true));
            // Distinct, well separated values so the finite difference never crosses an argmax switch.
            GradCheck.assertGradients(k.name() + " max", TOL, in -> run(k, in[0], true),
                    distinct(k.n(), k.h(), k.w(), k.c()).requiresGrad(true));
        }
    }

    Tensor distinct(int... shape) {
        int size = 1;
        for (int d : shape) size *= d;
        double[] v = new double[size];
        for (int i = 0; i < size; i++) v[i] = i * 0.01;
        for (int i = size - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            double t = v[i];
            v[i] = v[j];
            v[j] = t;
        }
        return Tensor.of(v, shape);
    }

    @Test
    void globalAvgPool() {
        Tensor x = rng.uniformTensor(DType.FLOAT64, -1, 1, 2, 3, 5, 4);
        double[] xv = x.toDoubleArray();
        double[] ref = new double[2 * 4];
        for (int n = 0; n < 2; n++)
            for (int p = 0; p < 15; p++)
                for (int c = 0; c < 4; c++) ref[n * 4 + c] += xv[(n * 15 + p) * 4 + c] / 15;
        Tensor y = Pooling.globalAvgPool(x);
        assertArrayEquals(new int[]{2, 4}, y.shape());
        assertArrayEquals(ref, y.toDoubleArray(), 1e-12);
        GradCheck.assertGradients("globalAvgPool", TOL, in -> Pooling.globalAvgPool(in[0]),
                rng.uniformTensor(DType.FLOAT64, -1, 1, 2, 3, 5, 4).requiresGrad(true));
    }

    @Test
    void errors() {
        Tensor x = Tensor.zeros(1, 4, 4, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Pooling.maxPool2d(Tensor.zeros(4, 4, 2), 2, Conv2dOptions.valid(2)));
        assertTrue(e.getMessage().contains("[4, 4, 2]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Pooling.avgPool2d(x, 5, Conv2dOptions.valid(1)));
        assertTrue(e.getMessage().contains("too small"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Pooling.avgPool2d(x, 2, Conv2dOptions.valid(1).withGroups(2)));
        assertTrue(e.getMessage().contains("groups"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Pooling.globalAvgPool(Tensor.zeros(2, 3)));
    }
}
