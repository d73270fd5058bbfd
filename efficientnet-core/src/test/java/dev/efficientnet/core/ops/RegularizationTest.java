package dev.efficientnet.core.ops;

import dev.efficientnet.core.autograd.GradCheck;
import dev.efficientnet.core.tensor.DType;
import dev.efficientnet.core.tensor.Rng;
import dev.efficientnet.core.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RegularizationTest {
    static final double TOL = 1e-6;

    @Test
    void dropoutScalesKeptValuesAndZeroesTheRest() {
        int n = 20000;
        Tensor x = Tensor.full(DType.FLOAT64, 2.0, 4, n / 4);
        double[] y = Regularization.dropout(x, 0.3, true, new Rng(1)).toDoubleArray();
        int kept = 0;
        for (double v : y) {
            if (v != 0) {
                assertEquals(2.0 / 0.7, v, 1e-12);
                kept++;
            }
        }
        // 14000 expected kept; 5 sigma of a binomial(20000, 0.7) is about 324
        assertTrue(Math.abs(kept - 14000) < 324, "kept " + kept);
    }

    @Test
    void evalModeAndZeroProbabilityAreIdentity() {
        Tensor x = Tensor.of(new float[]{1, 2, 3, 4}, 2, 2);
        assertSame(x, Regularization.dropout(x, 0.5, false, new Rng(1)));
        assertSame(x, Regularization.dropout(x, 0, true, new Rng(1)));
        assertSame(x, Regularization.dropPath(x, 0.5, false, new Rng(1)));
        assertSame(x, Regularization.dropPath(x, 0, true, null));
        assertArrayEquals(new float[4], Regularization.dropout(x, 1, true, new Rng(1)).toFloatArray());
        assertArrayEquals(new float[4], Regularization.dropPath(x, 1, true, new Rng(1)).toFloatArray());
    }

    @Test
    void masksAreReproducibleFromTheSeed() {
        Tensor x = Tensor.ones(3, 50);
        float[] a = Regularization.dropout(x, 0.5, true, new Rng(42)).toFloatArray();
        float[] b = Regularization.dropout(x, 0.5, true, new Rng(42)).toFloatArray();
        float[] c = Regularization.dropout(x, 0.5, true, new Rng(43)).toFloatArray();
        assertArrayEquals(a, b);
        assertTrue(!java.util.Arrays.equals(a, c));
        Rng r = new Rng(42);
        float[] first = Regularization.dropout(x, 0.5, true, r).toFloatArray();
        float[] second = Regularization.dropout(x, 0.5, true, r).toFloatArray();
        assertTrue(!java.util.Arrays.equals(first, second), "a generator must advance between calls");
    }

    @Test
    void dropPathZeroesWholeSamples() {
        int n = 64;
        Tensor x = new Rng(3).uniformTensor(DType.FLOAT64, 0.5, 1.5, n, 3, 4, 5);
        double[] xv = x.toDoubleArray();
        double[] y = Regularization.dropPath(x, 0.25, true, new Rng(9)).toDoubleArray();
        int per = 3 * 4 * 5;
        int dropped = 0;
        for (int s = 0; s < n; s++) {
            boolean zero = y[s * per] == 0;
            if (zero) dropped++;
            for (int i = 0; i < per; i++) {
                double expect = zero ? 0 : xv[s * per + i] / 0.75;
                assertEquals(expect, y[s * per + i], 1e-12, "sample " + s);
            }
        }
        assertTrue(dropped > 0 && dropped < n, "dropped " + dropped);
    }

    @Test
    void gradientsUseTheSameMask() {
        Rng init = new Rng(5);
        // a fresh generator with the same seed in every evaluation gives the same mask each time
        GradCheck.assertGradients("dropout", TOL, in -> Regularization.dropout(in[0], 0.4, true, new Rng(77)),
                init.uniformTensor(DType.FLOAT64, -1, 1, 3, 7).requiresGrad(true));
        GradCheck.assertGradients("dropPath", TOL, in -> Regularization.dropPath(in[0], 0.5, true, new Rng(78)),
                init.uniformTensor(DType.FLOAT64, -1, 1, 5, 2, 3, 3).requiresGrad(true));

        Tensor x = Tensor.full(DType.FLOAT64, 1, 2, 50).requiresGrad(true);
        Tensor y = Regularization.dropout(x, 0.5, true, new Rng(8));
        y.sum().backward();
        assertArrayEquals(y.toDoubleArray(), x.grad().toDoubleArray(), 0);   // grad = mask = y for x = 1
    }

    @Test
    void badArguments() {
        Tensor x = Tensor.ones(2, 2);
        assertThrows(IllegalArgumentException.class, () -> Regularization.dropout(x, -0.1, true, new Rng(1)));
        assertThrows(IllegalArgumentException.class, () -> Regularization.dropout(x, 1.1, true, new Rng(1)));
        assertThrows(IllegalArgumentException.class, () -> Regularization.dropPath(x, Double.NaN, true, new Rng(1)));
        assertThrows(IllegalArgumentException.class, () -> Regularization.dropout(x, 0.5, true, null));
    }
}
