package dev.efficientnet.core.ops;

import dev.efficientnet.core.autograd.GradCheck;
import dev.efficientnet.core.tensor.DType;
import dev.efficientnet.core.tensor.Rng;
import dev.efficientnet.core.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Float64 finite-difference gradient checks of every {@link ConvForwardTest#cases()} configuration. */
class ConvGradTest {
    static final double TOL = 1e-6;
    final Rng rng = new Rng(5);

    Tensor rand(int... shape) {
        return rng.uniformTensor(DType.FLOAT64, -1, 1, shape).requiresGrad(true);
    }

    @Test
    void allConfigurations() {
        for (ConvForwardTest.Case k : ConvForwardTest.cases()) {
            Tensor x = rand(k.xShape());
            Tensor w = rand(k.wShape());
            if (k.bias()) {
                GradCheck.assertGradients(k.name(), TOL, in -> ConvForwardTest.run(k, in[0], in[1], in[2]),
                        x, w, rand(k.cout()));
            } else {
                GradCheck.assertGradients(k.name(), TOL, in -> ConvForwardTest.run(k, in[0], in[1], null), x, w);
            }
        }
    }

    @Test
    void onlySomeInputsNeedGradients() {
        // Stem-like: the image needs no gradient, only the weights (and bias) do.
        Tensor image = rng.uniformTensor(DType.FLOAT64, -1, 1, 2, 8, 10, 3);
        GradCheck.assertGradients("weights only", TOL,
                in -> Convolution.conv2d(image, in[0], in[1], Conv2dOptions.same(2)), rand(3, 3, 3, 4), rand(4));
        GradCheck.assertGradients("depthwise weights only", TOL,
                in -> Convolution.depthwiseConv2d(image, in[0], null, Conv2dOptions.same(2)), rand(3, 3, 3, 1));
        GradCheck.assertGradients("pointwise weights only", TOL,
                in -> Convolution.conv2d(image, in[0], Conv2dOptions.valid(1)), rand(1, 1, 3, 5));
        // Frozen weights: gradient of the input only.
        Tensor frozen = rng.uniformTensor(DType.FLOAT64, -1, 1, 3, 3, 3, 1);
        GradCheck.assertGradients("depthwise input only", TOL,
                in -> Convolution.depthwiseConv2d(in[0], frozen, null, Conv2dOptions.same(1)), rand(2, 5, 7, 3));
        Tensor frozenDense = rng.uniformTensor(DType.FLOAT64, -1, 1, 1, 1, 3, 4);
        GradCheck.assertGradients("pointwise input only", TOL,
                in -> Convolution.conv2d(in[0], frozenDense, Conv2dOptions.valid(1)), rand(2, 5, 7, 3));
        assertNull(frozen.grad());
    }

    @Test
    void gradientShapesMatchInputs() {
        Tensor x = rand(1, 5, 5, 4);
        Tensor w = rand(3, 3, 1, 4);
        Convolution.conv2d(x, w, Conv2dOptions.same(1).withGroups(4)).sum().backward();
        assertArrayEquals(x.shape(), x.grad().shape());
        assertArrayEquals(w.shape(), w.grad().shape());
    }
}
