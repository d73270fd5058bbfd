package dev.efficientnet.core.ops;

import dev.efficientnet.core.autograd.GradCheck;
import dev.efficientnet.core.tensor.DType;
import dev.efficientnet.core.tensor.Rng;
import dev.efficientnet.core.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LinearTest {
    static final double TOL = 1e-6;
    final Rng rng = new Rng(21);

    Tensor rand(int... shape) {
        return rng.uniformTensor(DType.FLOAT64, -1, 1, shape).requiresGrad(true);
    }

    @Test
    void matmulValues() {
        Tensor a = Tensor.of(new float[]{1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor b = Tensor.of(new float[]{7, 8, 9, 10, 11, 12}, 3, 2);
        assertArrayEquals(new float[]{58, 64, 139, 154}, Linear.matmul(a, b).toFloatArray());
        assertArrayEquals(new float[]{58, 64, 139, 154}, a.matmul(b).toFloatArray());
        Tensor a3 = Tensor.of(new double[]{1, 2, 3, 4, 1, 0, 0, 1}, 2, 2, 2);
        Tensor b3 = Tensor.of(new double[]{1, 0, 0, 1, 5, 6, 7, 8}, 2, 2, 2);
        assertArrayEquals(new double[]{1, 2, 3, 4, 5, 6, 7, 8}, Linear.matmul(a3, b3).toDoubleArray(), 0);
    }

    @Test
    void matmulGradients() {
        GradCheck.assertGradients("matmul", TOL, in -> Linear.matmul(in[0], in[1]), rand(3, 5), rand(5, 4));
        GradCheck.assertGradients("matmul vec", TOL, in -> Linear.matmul(in[0], in[1]), rand(1, 7), rand(7, 1));
        GradCheck.assertGradients("matmul batched", TOL, in -> Linear.matmul(in[0], in[1]), rand(2, 3, 5), rand(2, 5, 3));
        GradCheck.assertGradients("matmul a only", TOL, in -> Linear.matmul(in[0], in[1]), rand(4, 3),
                rng.uniformTensor(DType.FLOAT64, -1, 1, 3, 2));
    }

    @Test
    void linearValuesUsePyTorchWeightLayout() {
        Tensor x = Tensor.of(new double[]{1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor w = Tensor.of(new double[]{1, 0, 0, 0, 1, 1}, 2, 3);   // [out=2, in=3]
        Tensor b = Tensor.of(new double[]{10, 20}, 2);
        assertArrayEquals(new double[]{11, 25, 14, 31}, Linear.linear(x, w, b).toDoubleArray(), 0);
        assertArrayEquals(new double[]{1, 5, 4, 11}, Linear.linear(x, w, null).toDoubleArray(), 0);
        Tensor x3 = Tensor.of(new double[]{1, 2, 3, 4, 5, 6}, 2, 1, 3);
        Tensor y3 = Linear.linear(x3, w, b);
        assertArrayEquals(new int[]{2, 1, 2}, y3.shape());
        assertArrayEquals(new double[]{11, 25, 14, 31}, y3.toDoubleArray(), 0);
        assertArrayEquals(new double[]{11, 25}, Linear.linear(Tensor.of(new double[]{1, 2, 3}, 3), w, b).toDoubleArray(), 0);
    }

    @Test
    void linearGradients() {
        GradCheck.assertGradients("linear", TOL, in -> Linear.linear(in[0], in[1], in[2]), rand(5, 7), rand(3, 7), rand(3));
        GradCheck.assertGradients("linear no bias", TOL, in -> Linear.linear(in[0], in[1], null), rand(4, 3), rand(5, 3));
        GradCheck.assertGradients("linear 3d input", TOL, in -> Linear.linear(in[0], in[1], in[2]), rand(2, 3, 4), rand(5, 4), rand(5));
        GradCheck.assertGradients("linear 1d input", TOL, in -> Linear.linear(in[0], in[1], in[2]), rand(4), rand(3, 4), rand(3));
        GradCheck.assertGradients("linear + silu", TOL, in -> Activations.silu(Linear.linear(in[0], in[1], in[2])), rand(3, 6), rand(2, 6), rand(2));
    }

    @Test
    void badShapes() {
        assertThrows(IllegalArgumentException.class, () -> Linear.matmul(Tensor.zeros(2, 3), Tensor.zeros(2, 3)));
        assertThrows(IllegalArgumentException.class, () -> Linear.matmul(Tensor.zeros(2, 3, 4), Tensor.zeros(3, 4, 2)));
        assertThrows(IllegalArgumentException.class, () -> Linear.matmul(Tensor.zeros(2, 3, 4), Tensor.zeros(4, 2)));
        assertThrows(IllegalArgumentException.class, () -> Linear.matmul(Tensor.zeros(2, 3), Tensor.zeros(DType.FLOAT64, 3, 2)));
        assertThrows(IllegalArgumentException.class, () -> Linear.linear(Tensor.zeros(2, 3), Tensor.zeros(3, 2), null));
        assertThrows(IllegalArgumentException.class, () -> Linear.linear(Tensor.zeros(2, 3), Tensor.zeros(4, 3), Tensor.zeros(3)));
        assertThrows(IllegalArgumentException.class, () -> Linear.linear(Tensor.zeros(2, 3), Tensor.zeros(3), null));
    }
}
