package dev.efficientnet.core.ops;

import dev.efficientnet.core.autograd.GradCheck;
import dev.efficientnet.core.tensor.DType;
import dev.efficientnet.core.tensor.Rng;
import dev.efficientnet.core.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ActivationGradTest {
    static final double TOL = 1e-6;
    final Rng rng = new Rng(11);

    Tensor rand(double lo, double hi, int... shape) {
        return rng.uniformTensor(DType.FLOAT64, lo, hi, shape).requiresGrad(true);
    }

    @Test
    void gradientsOfEveryActivation() {
        GradCheck.assertGradients("silu", TOL, in -> Activations.silu(in[0]), rand(-6, 6, 3, 5, 7));
        GradCheck.assertGradients("sigmoid", TOL, in -> Activations.sigmoid(in[0]), rand(-6, 6, 3, 5, 7));
        GradCheck.assertGradients("relu", TOL, in -> Activations.relu(in[0]), rand(-2, 2, 2, 9));
        GradCheck.assertGradients("relu6", TOL, in -> Activations.relu6(in[0]), rand(-2, 8, 2, 3, 9));
        GradCheck.assertGradients("hardSwish", TOL, in -> Activations.hardSwish(in[0]), rand(-5, 5, 3, 11));
        GradCheck.assertGradients("hardSigmoid", TOL, in -> Activations.hardSigmoid(in[0]), rand(-5, 5, 3, 11));
        GradCheck.assertGradients("tanh", TOL, in -> Activations.tanh(in[0]), rand(-3, 3, 4, 5));
        GradCheck.assertGradients("exp", TOL, in -> Activations.exp(in[0]), rand(-3, 3, 4, 5));
        GradCheck.assertGradients("log", TOL, in -> Activations.log(in[0]), rand(0.2, 3, 4, 5));
        GradCheck.assertGradients("sqrt", TOL, in -> Activations.sqrt(in[0]), rand(0.2, 3, 4, 5));
        GradCheck.assertGradients("square", TOL, in -> Activations.square(in[0]), rand(-3, 3, 4, 5));
        GradCheck.assertGradients("abs", TOL, in -> Activations.abs(in[0]), rand(-3, 3, 4, 5));
        GradCheck.assertGradients("silu chain", TOL, in -> Activations.sigmoid(in[0]).mul(Activations.silu(in[0])), rand(-4, 4, 2, 3, 3, 5));
    }

    @Test
    void valuesMatchTheFormulas() {
        double[] xs = {-7, -3, -2.5, -0.5, 0, 0.5, 2.5, 3, 5.5, 6, 7};
        check(Activations::silu, v -> v / (1 + Math.exp(-v)), xs);
        check(Activations::sigmoid, v -> 1 / (1 + Math.exp(-v)), xs);
        check(Activations::relu, v -> Math.max(v, 0), xs);
        check(Activations::relu6, v -> Math.min(Math.max(v, 0), 6), xs);
        check(Activations::hardSwish, v -> v * Math.min(Math.max(v + 3, 0), 6) / 6, xs);
        check(Activations::hardSigmoid, v -> Math.min(Math.max(v + 3, 0), 6) / 6, xs);
        check(Activations::tanh, Math::tanh, xs);
        check(Activations::exp, Math::exp, xs);
        check(Activations::square, v -> v * v, xs);
        check(Activations::abs, Math::abs, xs);
        double[] pos = {0.25, 1, 2, 9};
        check(Activations::log, Math::log, pos);
        check(Activations::sqrt, Math::sqrt, pos);
    }

    private static void check(UnaryOperator<Tensor> op, DoubleUnaryOperator ref, double[] xs) {
        double[] expected = new double[xs.length];
        float[] expectedF = new float[xs.length];
        float[] xf = new float[xs.length];
        for (int i = 0; i < xs.length; i++) {
            expected[i] = ref.applyAsDouble(xs[i]);
            expectedF[i] = (float) expected[i];
            xf[i] = (float) xs[i];
        }
        assertArrayEquals(expected, op.apply(Tensor.of(xs, xs.length)).toDoubleArray(), 1e-15);
        float[] got = op.apply(Tensor.of(xf, xf.length)).toFloatArray();
        for (int i = 0; i < xs.length; i++) assertEquals(expectedF[i], got[i], 1e-6 * Math.max(1, Math.abs(expectedF[i])));
    }

    /** Subgradients at the kinks, as PyTorch defines them. */
    @Test
    void derivativesAtBoundariesFollowPyTorch() {
        assertArrayEquals(new double[]{0, 0, -0.5, 0.5, 1.5, 1, 1}, grad(Activations::hardSwish, -4, -3.0000001, -3, 0, 3, 3.0000001, 4), 1e-6);
        assertArrayEquals(new double[]{0, 1.0 / 6, 0}, grad(Activations::hardSigmoid, -3, 0, 3), 1e-12);
        assertArrayEquals(new double[]{0, 0, 1}, grad(Activations::relu, -1, 0, 1), 0);
        assertArrayEquals(new double[]{0, 1, 0, 0}, grad(Activations::relu6, 0, 3, 6, 7), 0);
        assertArrayEquals(new double[]{-1, 0, 1}, grad(Activations::abs, -2, 0, 2), 0);
        assertArrayEquals(new double[]{0.5}, grad(Activations::silu, 0), 1e-15);
    }

    private static double[] grad(UnaryOperator<Tensor> op, double... xs) {
        Tensor x = Tensor.of(xs, xs.length).requiresGrad(true);
        op.apply(x).sum().backward();
        return x.grad().toDoubleArray();
    }

    @Test
    void extremeInputsStayFinite() {
        float[] big = {-1e4f, -100, 100, 1e4f};
        float[] sil = Activations.silu(Tensor.of(big, 4)).toFloatArray();
        assertArrayEquals(new float[]{-0f, -0f, 100, 1e4f}, sil, 1e-3f);
        float[] sig = Activations.sigmoid(Tensor.of(big, 4)).toFloatArray();
        assertArrayEquals(new float[]{0, 0, 1, 1}, sig, 1e-30f);
        Tensor x = Tensor.of(new double[]{-800, 800}, 2).requiresGrad(true);
        Activations.silu(x).sum().backward();
        assertArrayEquals(new double[]{0, 1}, x.grad().toDoubleArray(), 0);
    }

    @Test
    void activationEnum() {
        Tensor x = Tensor.of(new double[]{-2, -0.5, 0.5, 7}, 4);
        assertSame(x, Activation.IDENTITY.apply(x));
        assertArrayEquals(Activations.silu(x).toDoubleArray(), Activation.SILU.apply(x).toDoubleArray(), 0);
        assertArrayEquals(new double[]{0, 0, 0.5, 6}, Activation.RELU6.apply(x).toDoubleArray(), 0);
        assertArrayEquals(Activations.hardSwish(x).toDoubleArray(), Activation.HARD_SWISH.apply(x).toDoubleArray(), 0);
        assertEquals(Activation.SILU, Activation.parse("swish"));
        assertEquals(Activation.SILU, Activation.parse("SiLU"));
        assertEquals(Activation.HARD_SWISH, Activation.parse("hard-swish"));
        assertEquals(Activation.IDENTITY, Activation.parse("none"));
        assertThrows(IllegalArgumentException.class, () -> Activation.parse("gelu"));
        for (Activation a : Activation.values()) {
            if (a == Activation.IDENTITY) continue;
            GradCheck.assertGradients(a.name(), TOL, in -> a.apply(in[0]), rand(-5, 5, 2, 7));
        }
    }

    @Test
    void tensorShortcuts() {
        Tensor x = Tensor.of(new double[]{0.5, 2}, 2);
        assertArrayEquals(Activations.silu(x).toDoubleArray(), x.silu().toDoubleArray(), 0);
        assertArrayEquals(new double[]{0.25, 4}, x.square().toDoubleArray(), 0);
        assertArrayEquals(new double[]{Math.log(0.5), Math.log(2)}, x.log().toDoubleArray(), 1e-15);
    }
}
