package dev.efficientnet.core.ops;

import dev.efficientnet.core.autograd.GradCheck;
import dev.efficientnet.core.autograd.GradMode;
import dev.efficientnet.core.backend.Backend;
import dev.efficientnet.core.tensor.DType;
import dev.efficientnet.core.tensor.MemoryScope;
import dev.efficientnet.core.tensor.Rng;
import dev.efficientnet.core.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link SqueezeExcitation}: float64 gradient checks of x and the gate parameters, the same values
 * and gradients as the composed ops in float32 and float64, inside a memory scope too.
 */
class SqueezeExcitationTest {
    final Rng rng = new Rng(29);

    /** reduce (linear C→R) → SiLU → expand (linear R→C) → sigmoid, the SE gate on [N,C]. */
    static UnaryOperator<Tensor> gate(Tensor w1, Tensor b1, Tensor w2, Tensor b2) {
        return p -> Activation.SIGMOID.apply(Linear.linear(Activation.SILU.apply(Linear.linear(p, w1, b1)), w2, b2));
    }

    static Tensor composed(Tensor x, UnaryOperator<Tensor> gateOf) {
        return x.mul(gateOf.apply(Pooling.globalAvgPool(x)).reshape(x.dim(0), 1, 1, x.dim(3)));
    }

    Tensor rand(DType t, int... shape) {
        return rng.uniformTensor(t, -1, 1, shape).requiresGrad(true);
    }

    @Test
    void float64GradientCheck() {
        int c = 6;
        int r = 3;
        Tensor[] in = {rand(DType.FLOAT64, 2, 3, 4, c), rand(DType.FLOAT64, r, c), rand(DType.FLOAT64, r),
                rand(DType.FLOAT64, c, r), rand(DType.FLOAT64, c)};
        GradCheck.assertGradients("squeeze-excitation", 1e-6,
                t -> SqueezeExcitation.apply(t[0], gate(t[1], t[2], t[3], t[4])), in);
        // batch 1 and a 1x1 map
        Tensor[] one = {rand(DType.FLOAT64, 1, 1, 1, c), in[1], in[2], in[3], in[4]};
        GradCheck.assertGradients("squeeze-excitation 1x1", 1e-6,
                t -> SqueezeExcitation.apply(t[0], gate(t[1], t[2], t[3], t[4])), one);
    }

    @Test
    void matchesComposedOpsInBothPrecisions() {
        for (DType t : new DType[]{DType.FLOAT64, DType.FLOAT32}) {
            int c = 40;   // several rows per block and more than one block per sample
            Tensor x0 = rng.uniformTensor(t, -1, 1, 3, 9, 7, c);
            Tensor[] p0 = {rng.uniformTensor(t, -1, 1, 5, c), rng.uniformTensor(t, -1, 1, 5),
                    rng.uniformTensor(t, -1, 1, c, 5), rng.uniformTensor(t, -1, 1, c)};
            Tensor g = rng.uniformTensor(t, -1, 1, 3, 9, 7, c);
            double[][] fused = run(x0, p0, g, true);
            double[][] ref = run(x0, p0, g, false);
            double tol = t == DType.FLOAT64 ? 1e-12 : 2e-5;
            for (int k = 0; k < fused.length; k++)
                for (int i = 0; i < fused[k].length; i++)
                    assertTrue(Math.abs(fused[k][i] - ref[k][i]) <= tol * (1 + Math.abs(ref[k][i])),
                            t + " output/gradient " + k + " at " + i + ": " + fused[k][i] + " vs " + ref[k][i]);
        }
    }

    /** Output, then the gradients of x and the four parameters, computed inside a memory scope. */
    private static double[][] run(Tensor x0, Tensor[] p0, Tensor g, boolean fused) {
        Tensor x = x0.copy().requiresGrad(true);
        Tensor[] p = new Tensor[4];
        for (int i = 0; i < 4; i++) p[i] = p0[i].copy().requiresGrad(true);
        double[][] res = new double[6][];
        try (MemoryScope s = MemoryScope.open()) {
            // x enters as a non-leaf activation, as in a network
            Tensor act = x.mul(Tensor.full(x.dtype(), 1, 1));
            UnaryOperator<Tensor> gateOf = gate(p[0], p[1], p[2], p[3]);
            Tensor y = fused ? SqueezeExcitation.apply(act, gateOf) : composed(act, gateOf);
            res[0] = y.toDoubleArray();
            y.backward(g);
            res[1] = x.grad().toDoubleArray();
            for (int i = 0; i < 4; i++) res[2 + i] = p[i].grad().toDoubleArray();
        }
        return res;
    }

    @Test
    void withoutGradientsItIsTheComposedForward() {
        Tensor x = rng.uniformTensor(DType.FLOAT32, -1, 1, 2, 5, 5, 8);
        Tensor[] p = {rng.uniformTensor(DType.FLOAT32, -1, 1, 2, 8), rng.uniformTensor(DType.FLOAT32, -1, 1, 2),
                rng.uniformTensor(DType.FLOAT32, -1, 1, 8, 2), rng.uniformTensor(DType.FLOAT32, -1, 1, 8)};
        UnaryOperator<Tensor> gateOf = gate(p[0], p[1], p[2], p[3]);
        try (GradMode gm = GradMode.disabled()) {
            assertArrayEquals(composed(x, gateOf).toFloatArray(), SqueezeExcitation.apply(x, gateOf).toFloatArray(), 0f);
        }
    }

    @Test
    void multiplyAddMatchesTheDefault() {
        for (DType t : new DType[]{DType.FLOAT64, DType.FLOAT32}) {
            Tensor x = rng.uniformTensor(t, -1, 1, 3, 4, 5, 700);
            Tensor s = rng.uniformTensor(t, -1, 1, 3, 1, 1, 700);
            Tensor h = rng.uniformTensor(t, -1, 1, 3, 1, 1, 700);
            Tensor out = Tensor.empty(t, x.shape());
            Backend.current().multiplyAdd(x, s, h, out);
            double[] xv = x.toDoubleArray(), sv = s.toDoubleArray(), hv = h.toDoubleArray(), ov = out.toDoubleArray();
            for (int i = 0; i < xv.length; i++) {
                int j = (i / (4 * 5 * 700)) * 700 + i % 700;
                assertTrue(Math.abs(ov[i] - (xv[i] * sv[j] + hv[j])) <= 1e-6, t + " at " + i);
            }
        }
    }

    @Test
    void rejectsBadShapes() {
        Tensor x = rng.uniformTensor(DType.FLOAT32, -1, 1, 2, 3, 3, 4);
        assertThrows(IllegalArgumentException.class, () -> SqueezeExcitation.apply(x.reshape(2, 9, 4), p -> p));
        assertThrows(IllegalArgumentException.class, () -> SqueezeExcitation.apply(x, p -> p.sum()));
    }
}
