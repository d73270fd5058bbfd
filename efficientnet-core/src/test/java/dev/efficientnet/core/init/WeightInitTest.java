package dev.efficientnet.core.init;

import dev.efficientnet.core.tensor.Rng;
import dev.efficientnet.core.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WeightInitTest {

    static double mean(float[] v) {
        double s = 0;
        for (float x : v) s += x;
        return s / v.length;
    }

    static double std(float[] v) {
        double m = mean(v);
        double s = 0;
        for (float x : v) s += (x - m) * (x - m);
        return Math.sqrt(s / v.length);
    }

    @Test
    void fanOutIsGroupCorrectedAsInTimm() {
        assertEquals(3 * 3 * 32, WeightInit.convFanOut(new int[]{3, 3, 16, 32}, 1));
        assertEquals(1 * 1 * 1280, WeightInit.convFanOut(new int[]{1, 1, 320, 1280}, 1));
        assertEquals(3 * 3 * 32 / 4, WeightInit.convFanOut(new int[]{3, 3, 4, 32}, 4));
        // a depthwise conv is a grouped conv with groups = outC = C: fan_out = k*k*C/C = k*k
        assertEquals(25, WeightInit.depthwiseFanOut(new int[]{5, 5, 64, 1}));
        assertEquals(WeightInit.convFanOut(new int[]{5, 5, 1, 64}, 64), WeightInit.depthwiseFanOut(new int[]{5, 5, 64, 1}));
        assertThrows(IllegalArgumentException.class, () -> WeightInit.convFanOut(new int[]{3, 3, 4, 30}, 4));
        assertThrows(IllegalArgumentException.class, () -> WeightInit.convFanOut(new int[]{3, 16, 32}, 1));
        assertThrows(IllegalArgumentException.class, () -> WeightInit.convFanOut(new int[]{3, 3, 16, 32}, 0));
    }

    @Test
    void convWeightStatistics() {
        Tensor w = WeightInit.convWeight(Tensor.zeros(3, 3, 64, 128), new Rng(1));
        float[] v = w.toFloatArray();
        double expected = Math.sqrt(2.0 / (3 * 3 * 128));
        assertEquals(expected, std(v), 0.02 * expected);
        assertEquals(0, mean(v), 4 * expected / Math.sqrt(v.length));

        Tensor dw = WeightInit.depthwiseWeight(Tensor.zeros(5, 5, 2048, 1), new Rng(2));
        double dwExpected = Math.sqrt(2.0 / 25);
        assertEquals(dwExpected, std(dw.toFloatArray()), 0.02 * dwExpected);

        Tensor grouped = WeightInit.convWeight(Tensor.zeros(3, 3, 8, 4096), 8, new Rng(3));
        double gExpected = Math.sqrt(2.0 / (3 * 3 * 4096 / 8));
        assertEquals(gExpected, std(grouped.toFloatArray()), 0.02 * gExpected);
    }

    @Test
    void linearWeightIsUniformInOneOverSqrtFanOut() {
        Tensor w = WeightInit.linearWeight(Tensor.zeros(1000, 80), new Rng(4));
        float[] v = w.toFloatArray();
        double r = 1 / Math.sqrt(1000);
        double max = 0;
        for (float x : v) max = Math.max(max, Math.abs(x));
        assertTrue(max <= r, "max " + max + " exceeds " + r);
        assertTrue(max > 0.99 * r, "max " + max + " should approach " + r);
        assertEquals(r / Math.sqrt(3), std(v), 0.02 * r / Math.sqrt(3));
        assertThrows(IllegalArgumentException.class, () -> WeightInit.linearWeight(Tensor.zeros(2, 3, 4), new Rng(4)));
    }

    @Test
    void seededAndReproducible() {
        float[] a = WeightInit.convWeight(Tensor.zeros(3, 3, 4, 8), new Rng(42)).toFloatArray();
        float[] b = WeightInit.convWeight(Tensor.zeros(3, 3, 4, 8), new Rng(42)).toFloatArray();
        float[] c = WeightInit.convWeight(Tensor.zeros(3, 3, 4, 8), new Rng(43)).toFloatArray();
        assertArrayEquals(a, b);
        assertFalse(java.util.Arrays.equals(a, c));
        Rng rng = new Rng(42);
        float[] first = WeightInit.linearWeight(Tensor.zeros(10, 4), rng).toFloatArray();
        float[] second = WeightInit.linearWeight(Tensor.zeros(10, 4), rng).toFloatArray();
        assertFalse(java.util.Arrays.equals(first, second), "successive draws from one Rng differ");
    }

    @Test
    void biasAndBatchNormConstants() {
        assertArrayEquals(new float[]{0, 0, 0}, WeightInit.zeros(Tensor.ones(3)).toFloatArray());
        assertArrayEquals(new float[]{1, 1, 1}, WeightInit.ones(Tensor.zeros(3)).toFloatArray());
    }
}
