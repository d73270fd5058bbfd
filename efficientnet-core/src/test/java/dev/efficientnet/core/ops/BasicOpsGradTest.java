package dev.efficientnet.core.ops;

import dev.efficientnet.core.autograd.GradCheck;
import dev.efficientnet.core.tensor.DType;
import dev.efficientnet.core.tensor.Rng;
import dev.efficientnet.core.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class BasicOpsGradTest {
    static final double TOL = 1e-6;
    final Rng rng = new Rng(7);

    Tensor rand(int... shape) {
        return rng.uniformTensor(DType.FLOAT64, -1, 1, shape).requiresGrad(true);
    }

    Tensor positive(int... shape) {
        return rng.uniformTensor(DType.FLOAT64, 0.5, 2, shape).requiresGrad(true);
    }

    @Test
    void broadcastingArithmetic() {
        GradCheck.assertGradients("add", TOL, in -> Arithmetic.add(in[0], in[1]), rand(2, 3, 5), rand(3, 1));
        GradCheck.assertGradients("sub", TOL, in -> Arithmetic.sub(in[0], in[1]), rand(3, 1), rand(2, 3, 5));
        GradCheck.assertGradients("mul", TOL, in -> Arithmetic.mul(in[0], in[1]), rand(2, 3, 5), rand(5));
        GradCheck.assertGradients("div", TOL, in -> Arithmetic.div(in[0], in[1]), rand(2, 3, 5), positive(2, 1, 5));
        GradCheck.assertGradients("affine", TOL, in -> Arithmetic.affine(in[0], -2.5, 0.3), rand(3, 7));
    }

    @Test
    void reductionsAndShapes() {
        GradCheck.assertGradients("sum axes", TOL, in -> Reductions.sum(in[0], new int[]{0, 2}, false), rand(3, 4, 5));
        GradCheck.assertGradients("mean keep", TOL, in -> Reductions.mean(in[0], new int[]{1}, true), rand(3, 4, 5));
        GradCheck.assertGradients("mean all", TOL, in -> Reductions.mean(in[0]), rand(3, 4));
        GradCheck.assertGradients("permute", TOL, in -> ShapeOps.permute(in[0], 0, 2, 3, 1), rand(2, 3, 4, 5));
        GradCheck.assertGradients("reshape", TOL, in -> ShapeOps.reshape(in[0], 6, -1).mul(in[0].reshape(6, -1)), rand(2, 3, 4));
        GradCheck.assertGradients("concat", TOL, in -> ShapeOps.concat(1, in[0], in[1]), rand(2, 3, 4), rand(2, 5, 4));
        GradCheck.assertGradients("slice", TOL, in -> ShapeOps.slice(in[0], new int[]{1, 0, 2}, new int[]{2, 3, 3}), rand(3, 3, 5));
        GradCheck.assertGradients("pad", TOL, in -> ShapeOps.pad(in[0], new int[]{0, 1, 2}, new int[]{1, 0, 3}, 0.5), rand(2, 3, 4));
    }

    @Test
    void valuesAreRight() {
        Tensor a = Tensor.of(new float[]{1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor b = Tensor.of(new float[]{10, 20, 30}, 3);
        assertArrayEquals(new float[]{11, 22, 33, 14, 25, 36}, a.add(b).toFloatArray());
        assertArrayEquals(new float[]{6, 15}, a.sum(new int[]{1}, false).toFloatArray());
        assertArrayEquals(new float[]{1, 4, 2, 5, 3, 6}, a.permute(1, 0).toFloatArray());
        assertEquals(21, a.sum().item(), 0);
        assertThrows(IllegalArgumentException.class, () -> a.add(Tensor.of(new float[]{1, 2}, 2)));
    }

    @Test
    void gradientsAccumulateWhereATensorIsUsedTwice() {
        Tensor x = Tensor.of(new double[]{1, 2, 3}, 3).requiresGrad(true);
        Tensor y = x.mul(x).add(x).sum();     // d/dx = 2x + 1
        y.backward();
        assertArrayEquals(new double[]{3, 5, 7}, x.grad().toDoubleArray(), 0);
    }
}
