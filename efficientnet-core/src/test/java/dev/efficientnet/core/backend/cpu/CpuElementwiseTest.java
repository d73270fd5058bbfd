package dev.efficientnet.core.backend.cpu;

import dev.efficientnet.core.backend.Backend;
import dev.efficientnet.core.backend.UnaryOp;
import dev.efficientnet.core.tensor.DType;
import dev.efficientnet.core.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The float32 element-wise kernels (chunked, with the polynomial exp for sigmoid and SiLU) against
 * the float64 definitions, over a wide range of inputs, odd lengths (partial chunks, several
 * threads) and the special values.
 */
class CpuElementwiseTest {
    private static final UnaryOp[] OPS = UnaryOp.values();

    private static float[] inputs(int n, double range, long seed) {
        Random r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) ((r.nextDouble() * 2 - 1) * range);
        return x;
    }

    /** Relative error, with values below 1e-30 in magnitude compared absolutely. */
    private static double err(double got, double want) {
        if (Double.isNaN(want)) return Double.isNaN(got) ? 0 : 1;
        if (Double.isInfinite(want)) return got == want ? 0 : 1;
        return Math.abs(got - want) / Math.max(Math.abs(want), 1e-30);
    }

    private static boolean inDomain(UnaryOp op, float v) {
        return switch (op) {
            case LOG, SQRT -> v > 0;
            default -> true;
        };
    }

    @Test
    void float32MatchesFloat64DefinitionsWithin1e6() {
        int n = 3 * CpuElementwise.CHUNK * 17 + 13;     // parallel split, partial last chunk
        for (double range : new double[]{1, 10, 80}) {
            float[] x = inputs(n, range, 7);
            float[] g = inputs(n, 1, 8);
            Tensor xt = Tensor.of(x, n);
            Tensor gt = Tensor.of(g, n);
            for (UnaryOp op : OPS) {
                if (op == UnaryOp.EXP && range > 80) continue;
                Tensor y = Tensor.empty(DType.FLOAT32, n);
                Tensor gx = Tensor.empty(DType.FLOAT32, n);
                Backend.current().unary(op, xt, y);
                Backend.current().unaryGrad(op, xt, null, gt, gx);
                float[] yv = y.toFloatArray();
                float[] gv = gx.toFloatArray();
                double worst = 0, worstGrad = 0;
                for (int i = 0; i < n; i++) {
                    if (!inDomain(op, x[i])) continue;
                    double want = CpuElementwise.apply(op, x[i]);
                    worst = Math.max(worst, err(yv[i], (float) want));
                    double wantG = g[i] * CpuElementwise.derivative(op, x[i], want);
                    if (op == UnaryOp.SIGMOID) {
                        // s(1-s) loses 1-s in double too once s rounds to 1; e/(1+e)^2 does not
                        double e = Math.exp(-Math.abs((double) x[i]));
                        wantG = g[i] * e / ((1 + e) * (1 + e));
                    }
                    // SiLU's derivative s(1 + x(1-s)) crosses zero near x = -1.28, where float cancellation
                    // is inherent: measure its error against the size of the terms, not of the sum
                    double scale = Math.abs(wantG);
                    if (op == UnaryOp.SILU) {
                        double sv = CpuElementwise.sigmoid(x[i]);
                        scale = Math.abs(g[i]) * sv * (1 + Math.abs(x[i]) * (1 - sv));
                    }
                    worstGrad = Math.max(worstGrad, Math.abs(gv[i] - wantG) / Math.max(scale, 1e-30));
                }
                assertTrue(worst <= 1e-6, op + " forward rel err " + worst + " at range " + range);
                assertTrue(worstGrad <= 1e-6, op + " backward rel err " + worstGrad + " at range " + range);
            }
        }
    }

    @Test
    void sigmoidAndSiluSpecialValues() {
        float[] x = {0f, -0f, 1e-30f, -1e-30f, 20f, -20f, 87f, -87f, 88.5f, -88.5f, 100f, -100f, 1e30f, -1e30f,
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN};
        Tensor xt = Tensor.of(x, x.length);
        Tensor s = Tensor.empty(DType.FLOAT32, x.length);
        Tensor y = Tensor.empty(DType.FLOAT32, x.length);
        Backend.current().unary(UnaryOp.SIGMOID, xt, s);
        Backend.current().unary(UnaryOp.SILU, xt, y);
        float[] sv = s.toFloatArray();
        float[] yv = y.toFloatArray();
        for (int i = 0; i < x.length; i++) {
            double want = CpuElementwise.sigmoid(x[i]);
            if (Float.isNaN(x[i])) {
                assertTrue(Float.isNaN(sv[i]) && Float.isNaN(yv[i]), "NaN propagates");
                continue;
            }
            // below 1e-38 (float's normal range) the sigmoid is only required to be tiny
            assertEquals(want, sv[i], Math.max(1e-6 * want, 1e-38), "sigmoid(" + x[i] + ")");
            if (Float.isFinite(x[i])) {
                double wantY = x[i] * want;
                assertEquals(wantY, yv[i], Math.max(1e-6 * Math.abs(wantY), 1e-36), "silu(" + x[i] + ")");
            }
        }
        assertEquals(Float.POSITIVE_INFINITY, yv[14]);
    }

    @Test
    void affineAxpbyAndSumOfSquaresOnOddLengths() {
        int n = CpuElementwise.CHUNK * 40 + 7;
        float[] a = inputs(n, 3, 1);
        float[] b = inputs(n, 3, 2);
        Tensor at = Tensor.of(a, n);
        Tensor bt = Tensor.of(b, n);
        Tensor out = Tensor.empty(DType.FLOAT32, n);
        Backend.current().axpby(0.5, at, -2, bt, out);
        float[] o = out.toFloatArray();
        Backend.current().affine(at, 3, 1, out);
        float[] o2 = out.toFloatArray();
        double ss = 0;
        for (int i = 0; i < n; i++) {
            assertEquals(0.5f * a[i] + -2f * b[i], o[i], 1e-6 * (1 + Math.abs(o[i])));
            assertEquals(a[i] * 3f + 1f, o2[i], 1e-6 * (1 + Math.abs(o2[i])));
            ss += (double) a[i] * a[i];
        }
        assertEquals(ss, Backend.current().sumOfSquares(at), 1e-9 * ss);
    }
}
