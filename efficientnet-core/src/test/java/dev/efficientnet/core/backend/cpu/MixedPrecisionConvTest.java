package dev.efficientnet.core.backend.cpu;

import dev.efficientnet.core.backend.Backend;
import dev.efficientnet.core.backend.ConvGeometry;
import dev.efficientnet.core.backend.MixedPrecision;
import dev.efficientnet.core.ops.Conv2dOptions;
import dev.efficientnet.core.tensor.DType;
import dev.efficientnet.core.tensor.Rng;
import dev.efficientnet.core.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * bfloat16 training convolutions ({@link MixedPrecision}, decision D28): forward, backward-data and
 * backward-weights equal a float64 computation on the inputs rounded to bfloat16 (round to nearest
 * even) within float32 accumulation error, and differ from the float32 path by bfloat16 rounding
 * (so the rounding really happened). Skipped where the CPU has no native bfloat16.
 */
class MixedPrecisionConvTest {
    private final Rng rng = new Rng(5);
    private final Backend b = Backend.current();

    /** {@code v} rounded to the nearest bfloat16 (ties to even), as float. */
    static float bf16(float v) {
        int bits = Float.floatToRawIntBits(v);
        bits += 0x7FFF + ((bits >>> 16) & 1);
        return Float.intBitsToFloat(bits & 0xFFFF0000);
    }

    private static Tensor roundedF64(Tensor t) {
        float[] v = t.toFloatArray();
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) d[i] = bf16(v[i]);
        return Tensor.of(d, t.shape());
    }

    /** Max |want - got| over max |want|. */
    private static double relDiff(Tensor want, Tensor got) {
        double[] w = want.toDoubleArray();
        double[] g = got.toDoubleArray();
        assertEquals(w.length, g.length);
        double scale = 0, worst = 0;
        for (int i = 0; i < w.length; i++) {
            scale = Math.max(scale, Math.abs(w[i]));
            worst = Math.max(worst, Math.abs(w[i] - g[i]));
        }
        assertTrue(scale > 0, "reference is all zeros");
        return worst / scale;
    }

    @Test
    void roundingHelperIsRoundToNearestEven() {
        assertEquals(1.0f, bf16(1.0f + 0x1p-9f));                 // below half an ulp (2^-8): down
        assertEquals(1.0f + 0x1p-7f, bf16(1.0f + 0x1p-7f - 0x1p-10f)); // above half: up
        assertEquals(1.0f, bf16(1.0f + 0x1p-8f));                 // tie, even is 1.0
        assertEquals(1.0f + 0x1p-6f, bf16(1.0f + 0x1p-7f + 0x1p-8f)); // tie, odd mantissa rounds up
    }

    @Test
    void bf16ConvolutionsEqualFloat64OnRoundedInputs() {
        assumeTrue(MixedPrecision.bf16Supported(), "no native bfloat16 on this CPU");
        Object[][] cases = {
                {"pointwise 1x1", 2, 12, 12, 32, 48, 1, Conv2dOptions.valid(1)},
                {"3x3 s1 same", 2, 9, 11, 16, 24, 3, Conv2dOptions.same(1)},
                {"3x3 s2 same", 2, 16, 15, 16, 32, 3, Conv2dOptions.same(2)},
                {"stem 3x3 s2 same, 3 channels", 2, 16, 16, 3, 16, 3, Conv2dOptions.same(2)},
                {"5x5 s2 symmetric", 2, 13, 12, 8, 16, 5, Conv2dOptions.symmetric(2)},
        };
        for (Object[] c : cases) {
            String what = (String) c[0];
            int n = (int) c[1], h = (int) c[2], wd = (int) c[3], cin = (int) c[4], cout = (int) c[5], k = (int) c[6];
            ConvGeometry g = ((Conv2dOptions) c[7]).geometry(h, wd, k, k);
            Tensor x = rng.uniformTensor(DType.FLOAT32, -1, 1, n, h, wd, cin);
            Tensor w = rng.uniformTensor(DType.FLOAT32, -1, 1, k, k, cin, cout);
            Tensor dy = rng.uniformTensor(DType.FLOAT32, -1, 1, n, g.outH(h), g.outW(wd), cout);

            Tensor y32 = Tensor.empty(DType.FLOAT32, dy.shape());
            Tensor gx32 = Tensor.empty(DType.FLOAT32, x.shape()), gw32 = Tensor.empty(DType.FLOAT32, w.shape());
            b.conv2d(x, w, null, g, y32);
            b.conv2dBackward(x, w, dy, g, gx32, gw32, null);

            Tensor y = Tensor.empty(DType.FLOAT32, dy.shape());
            Tensor gx = Tensor.empty(DType.FLOAT32, x.shape()), gw = Tensor.empty(DType.FLOAT32, w.shape());
            try (MixedPrecision p = MixedPrecision.enableBf16()) {
                assertTrue(MixedPrecision.bf16Convolutions());
                b.conv2d(x, w, null, g, y);
                b.conv2dBackward(x, w, dy, g, gx, gw, null);
            }
            assertFalse(MixedPrecision.bf16Convolutions(), "closing the scope restores float32");

            Tensor xr = roundedF64(x), wr = roundedF64(w), dyr = roundedF64(dy);
            Tensor yRef = Tensor.empty(DType.FLOAT64, dy.shape());
            Tensor gxRef = Tensor.empty(DType.FLOAT64, x.shape()), gwRef = Tensor.empty(DType.FLOAT64, w.shape());
            b.conv2d(xr, wr, null, g, yRef);
            b.conv2dBackward(xr, wr, dyr, g, gxRef, gwRef, null);

            assertTrue(relDiff(yRef, y) < 2e-6 * Math.sqrt(k * k * cin), what + " forward: " + relDiff(yRef, y));
            assertTrue(relDiff(gxRef, gx) < 2e-6 * Math.sqrt(k * k * cout), what + " gradX: " + relDiff(gxRef, gx));
            assertTrue(relDiff(gwRef, gw) < 2e-6 * Math.sqrt(n * h * wd), what + " gradW: " + relDiff(gwRef, gw));
            // ... and bfloat16 rounding did happen: the float32 path is ~1e-3 away
            assertTrue(relDiff(y32, y) > 3e-5, what + " forward equals float32: no bf16 rounding");
            assertTrue(relDiff(gx32, gx) > 3e-5, what + " gradX equals float32: no bf16 rounding");
            assertTrue(relDiff(gw32, gw) > 3e-5, what + " gradW equals float32: no bf16 rounding");
        }
    }

    @Test
    void depthwiseAndFloat64StayExact() {
        assumeTrue(MixedPrecision.bf16Supported(), "no native bfloat16 on this CPU");
        ConvGeometry g = Conv2dOptions.same(1).geometry(10, 10, 3, 3);
        Tensor x = rng.uniformTensor(DType.FLOAT32, -1, 1, 2, 10, 10, 8);
        Tensor w = rng.uniformTensor(DType.FLOAT32, -1, 1, 3, 3, 8, 1);
        Tensor want = Tensor.empty(DType.FLOAT32, 2, 10, 10, 8), got = Tensor.empty(DType.FLOAT32, 2, 10, 10, 8);
        b.depthwiseConv2d(x, w, null, g, want);
        try (MixedPrecision p = MixedPrecision.enableBf16()) {
            b.depthwiseConv2d(x, w, null, g, got);
        }
        assertEquals(0.0, relDiff(want, got), "depthwise convolutions stay float32");
        Tensor x64 = x.to(DType.FLOAT64), w64 = rng.uniformTensor(DType.FLOAT64, -1, 1, 3, 3, 8, 4);
        Tensor a = Tensor.empty(DType.FLOAT64, 2, 10, 10, 4), c = Tensor.empty(DType.FLOAT64, 2, 10, 10, 4);
        b.conv2d(x64, w64, null, g, a);
        try (MixedPrecision p = MixedPrecision.enableBf16()) {
            b.conv2d(x64, w64, null, g, c);
        }
        assertEquals(0.0, relDiff(a, c), "float64 convolutions are never rounded");
    }

    @Test
    void scopesNestAndRestore() {
        assumeTrue(MixedPrecision.bf16Supported(), "no native bfloat16 on this CPU");
        assertFalse(MixedPrecision.bf16Convolutions());
        try (MixedPrecision outer = MixedPrecision.enableBf16()) {
            try (MixedPrecision inner = MixedPrecision.enableBf16()) {
                assertTrue(MixedPrecision.bf16Convolutions());
            }
            assertTrue(MixedPrecision.bf16Convolutions(), "closing the inner scope keeps the outer one");
        }
        assertFalse(MixedPrecision.bf16Convolutions());
    }

    @Test
    void refusedWithoutNativeBf16() {
        assumeTrue(!MixedPrecision.bf16Supported(), "this CPU has native bfloat16");
        assertThrows(UnsupportedOperationException.class, MixedPrecision::enableBf16);
    }
}
