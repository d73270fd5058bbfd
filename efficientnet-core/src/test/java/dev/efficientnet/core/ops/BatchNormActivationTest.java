package dev.efficientnet.core.ops;

import dev.efficientnet.core.autograd.GradCheck;
import dev.efficientnet.core.tensor.DType;
import dev.efficientnet.core.tensor.Rng;
import dev.efficientnet.core.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The fused {@link Normalization#batchNormActivation} op: float64 gradient checks in training
 * (batch statistics) and eval (running statistics) for several activations, with and without
 * affine parameters, and float32 equality with the composed {@code act(batchNorm(x))} (outputs,
 * gradients and the running-statistics update).
 */
class BatchNormActivationTest {
    private static final double TOL = 1e-6;
    private final Rng rng = new Rng(5);

    private Tensor rand(double lo, double hi, int... shape) {
        return rng.uniformTensor(DType.FLOAT64, lo, hi, shape).requiresGrad(true);
    }

    @Test
    void trainingGradients() {
        for (Activation act : new Activation[]{Activation.SILU, Activation.SIGMOID, Activation.IDENTITY, Activation.TANH}) {
            GradCheck.assertGradients("bn+" + act + " train", TOL,
                    in -> Normalization.batchNormActivation(in[0], in[1], in[2], null, null, true, 0.1, 1e-3, act),
                    rand(-2, 3, 3, 2, 5, 4), rand(0.5, 1.5, 4), rand(-1, 1, 4));
        }
        GradCheck.assertGradients("bn+silu train no affine", TOL,
                in -> Normalization.batchNormActivation(in[0], null, null, null, null, true, 0.1, 1e-5, Activation.SILU),
                rand(-2, 2, 7, 3));
    }

    @Test
    void evalGradients() {
        Tensor rm = rand(-0.5, 0.5, 5).requiresGrad(false);
        Tensor rv = rand(0.5, 2, 5).requiresGrad(false);
        for (Activation act : new Activation[]{Activation.SILU, Activation.SIGMOID, Activation.IDENTITY}) {
            GradCheck.assertGradients("bn+" + act + " eval", TOL,
                    in -> Normalization.batchNormActivation(in[0], in[1], in[2], rm, rv, 1e-3, act),
                    rand(-2, 2, 2, 3, 3, 5), rand(0.5, 1.5, 5), rand(-1, 1, 5));
        }
    }

    @Test
    void float32MatchesComposedOps() {
        Rng r = new Rng(9);
        int c = 37;
        Tensor x0 = r.uniformTensor(DType.FLOAT32, -3, 3, 4, 6, 7, c);
        Tensor seed = r.uniformTensor(DType.FLOAT32, -1, 1, 4, 6, 7, c);
        for (boolean training : new boolean[]{true, false}) {
            Tensor[] got = run(x0, seed, training, true, c);
            Tensor[] want = run(x0, seed, training, false, c);
            for (int i = 0; i < got.length; i++) {
                float[] g = got[i].toFloatArray();
                float[] w = want[i].toFloatArray();
                assertEquals(w.length, g.length);
                double scale = 0;
                for (float v : w) scale = Math.max(scale, Math.abs(v));
                for (int j = 0; j < w.length; j++)
                    assertEquals(w[j], g[j], 2e-5 * scale, "training=" + training + " tensor " + i + " at " + j);
            }
        }
    }

    /** [out, dx, dgamma, dbeta, runningMean, runningVar] of one forward/backward, fused or composed. */
    private static Tensor[] run(Tensor x0, Tensor seed, boolean training, boolean fused, int c) {
        Rng r = new Rng(3);
        Tensor x = x0.copy().requiresGrad(true);
        Tensor gamma = r.uniformTensor(DType.FLOAT32, 0.5, 1.5, c).requiresGrad(true);
        Tensor beta = r.uniformTensor(DType.FLOAT32, -1, 1, c).requiresGrad(true);
        Tensor rm = r.uniformTensor(DType.FLOAT32, -0.3, 0.3, c);
        Tensor rv = r.uniformTensor(DType.FLOAT32, 0.5, 1.5, c);
        Tensor out = fused
                ? Normalization.batchNormActivation(x, gamma, beta, rm, rv, training, 0.1, 1e-3, Activation.SILU)
                : Activations.silu(Normalization.batchNorm(x, gamma, beta, rm, rv, training, 0.1, 1e-3));
        out.backward(seed);
        return new Tensor[]{out.detach(), x.grad(), gamma.grad(), beta.grad(), rm, rv};
    }

    @Test
    void rejectsBadArguments() {
        Tensor x = rand(-1, 1, 2, 3);
        assertThrows(IllegalArgumentException.class,
                () -> Normalization.batchNormActivation(x, null, null, null, null, true, 0.1, 1e-3, null));
        assertThrows(IllegalArgumentException.class,
                () -> Normalization.batchNormActivation(x, rand(1, 2, 4), null, null, null, true, 0.1, 1e-3, Activation.SILU));
        assertThrows(IllegalArgumentException.class,
                () -> Normalization.batchNormActivation(x, null, null, null, null, 1e-3, Activation.SILU));
    }
}
