package dev.efficientnet.core.ops;

import dev.efficientnet.core.tensor.DType;
import dev.efficientnet.core.tensor.MemoryScope;
import dev.efficientnet.core.tensor.Rng;
import dev.efficientnet.core.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Convolution#conv2dBatchNormActivation} (BN folded into the conv on oneDNN in float32)
 * against the composed float64 ops, and float32 convolutions of layer-sized shapes (the oneDNN path;
 * the small shapes of {@link ConvForwardTest} mostly take the Java GEMM).
 */
class ConvBatchNormActivationTest {
    private record Case(String name, int n, int h, int w, int cin, int cout, int k, Conv2dOptions options, boolean depthwise) {
        int[] wShape() {
            return depthwise ? new int[]{k, k, cin, 1} : new int[]{k, k, cin, cout};
        }

        Conv2dOptions opts() {
            return depthwise ? options.withGroups(cin) : options;
        }
    }

    private static final List<Case> CASES = List.of(
            new Case("1x1 144 rows", 2, 9, 8, 16, 24, 1, Conv2dOptions.valid(1), false),
            new Case("3x3 same s2 even (asymmetric)", 2, 10, 12, 8, 16, 3, Conv2dOptions.same(2), false),
            new Case("3x3 symmetric s1", 1, 11, 9, 6, 20, 3, Conv2dOptions.symmetric(1), false),
            new Case("3x3 dilation 2", 1, 9, 9, 5, 7, 3, Conv2dOptions.symmetric(1).withDilation(2), false),
            new Case("depthwise 3x3 same s1", 2, 8, 7, 32, 32, 3, Conv2dOptions.same(1), true),
            new Case("depthwise 5x5 same s2 even (asymmetric)", 1, 12, 10, 24, 24, 5, Conv2dOptions.same(2), true),
            new Case("depthwise 3x3 explicit asymmetric s2", 1, 9, 11, 16, 16, 3, Conv2dOptions.explicit(2, 2, 0, 0, 1), true));

    private static Tensor conv(Case k, Tensor x, Tensor w, Tensor b) {
        return k.depthwise() ? Convolution.depthwiseConv2d(x, w, b, k.opts()) : Convolution.conv2d(x, w, b, k.opts());
    }

    private static double maxAbsDiff(Tensor a, Tensor b) {
        double[] x = a.toDoubleArray(), y = b.toDoubleArray();
        assertTrue(x.length == y.length, "lengths " + x.length + " vs " + y.length);
        double worst = 0;
        for (int i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i] - y[i]));
        return worst;
    }

    @Test
    void foldedMatchesComposedFloat64ForEveryActivation() {
        Rng rng = new Rng(5);
        for (Case k : CASES) {
            Tensor x = rng.uniformTensor(DType.FLOAT64, -1, 1, k.n(), k.h(), k.w(), k.cin());
            Tensor w = rng.uniformTensor(DType.FLOAT64, -0.5, 0.5, k.wShape());
            Tensor gamma = rng.uniformTensor(DType.FLOAT64, 0.5, 1.5, k.cout());
            Tensor beta = rng.uniformTensor(DType.FLOAT64, -0.5, 0.5, k.cout());
            Tensor mean = rng.uniformTensor(DType.FLOAT64, -0.3, 0.3, k.cout());
            Tensor var = rng.uniformTensor(DType.FLOAT64, 0.2, 2.0, k.cout());
            for (Activation act : Activation.values()) {
                Tensor expected = Normalization.batchNormActivation(conv(k, x, w, null), gamma, beta, mean, var, 1e-3, act);
                Tensor got = Convolution.conv2dBatchNormActivation(x.to(DType.FLOAT32), w.to(DType.FLOAT32), k.opts(),
                        gamma.to(DType.FLOAT32), beta.to(DType.FLOAT32), mean.to(DType.FLOAT32), var.to(DType.FLOAT32), 1e-3, act);
                assertArrayEquals(expected.shape(), got.shape(), k.name() + " " + act);
                double err = maxAbsDiff(expected, got);
                assertTrue(err < 2e-5, k.name() + " " + act + ": max abs error " + err);
                Tensor got64 = Convolution.conv2dBatchNormActivation(x, w, k.opts(), gamma, beta, mean, var, 1e-3, act);
                assertTrue(maxAbsDiff(expected, got64) < 1e-12, k.name() + " " + act + " float64");
            }
        }
    }

    @Test
    void layerSizedFloat32ConvolutionsMatchFloat64() {
        Rng rng = new Rng(6);
        for (Case k : CASES) {
            Tensor x = rng.uniformTensor(DType.FLOAT64, -1, 1, k.n(), k.h(), k.w(), k.cin());
            Tensor w = rng.uniformTensor(DType.FLOAT64, -0.5, 0.5, k.wShape());
            Tensor b = rng.uniformTensor(DType.FLOAT64, -1, 1, k.cout());
            for (Tensor bias : new Tensor[]{null, b}) {
                Tensor expected = conv(k, x, w, bias);
                Tensor got = conv(k, x.to(DType.FLOAT32), w.to(DType.FLOAT32), bias == null ? null : bias.to(DType.FLOAT32));
                double err = maxAbsDiff(expected, got);
                assertTrue(err < 2e-5, k.name() + (bias == null ? "" : " + bias") + ": max abs error " + err);
            }
        }
    }

    @Test
    void recordsGradientsThroughTheComposedOps() {
        Rng rng = new Rng(7);
        Case k = CASES.get(1);
        Tensor x = rng.uniformTensor(DType.FLOAT32, -1, 1, k.n(), k.h(), k.w(), k.cin());
        Tensor w = rng.uniformTensor(DType.FLOAT32, -0.5, 0.5, k.wShape()).requiresGrad(true);
        Tensor gamma = Tensor.ones(k.cout()).requiresGrad(true);
        Tensor beta = Tensor.zeros(k.cout());
        Tensor mean = Tensor.zeros(k.cout());
        Tensor var = Tensor.ones(k.cout());
        Tensor y = Convolution.conv2dBatchNormActivation(x, w, k.opts(), gamma, beta, mean, var, 1e-5, Activation.SILU);
        Reductions.sum(y).backward();
        assertNotNull(w.grad(), "weight gradient");
        assertNotNull(gamma.grad(), "gamma gradient");
        Tensor wRef = w.detach().requiresGrad(true);
        Reductions.sum(Normalization.batchNormActivation(Convolution.conv2d(x, wRef, k.opts()), gamma.detach(), beta, mean, var,
                1e-5, Activation.SILU)).backward();
        assertTrue(maxAbsDiff(w.grad(), wRef.grad()) < 1e-5, "weight gradient equals the composed ops'");
        assertFalse(x.requiresGrad());
    }

    @Test
    void emptyBatchGivesZeroParameterGradientsEvenInRecycledBuffers() {
        for (boolean depthwise : new boolean[]{false, true}) {
            int[] wShape = depthwise ? new int[]{3, 3, 4, 1} : new int[]{3, 3, 4, 8};
            Tensor w = Tensor.full(DType.FLOAT32, 0.5, wShape).requiresGrad(true);
            int channels = depthwise ? 4 : 8;
            Tensor bias = Tensor.full(DType.FLOAT32, 0.5, channels).requiresGrad(true);
            try (MemoryScope dirty = MemoryScope.open()) {
                Tensor.full(DType.FLOAT32, 7, wShape); // returned to the pool with 7s in it
                Tensor.full(DType.FLOAT32, 7, channels);
            }
            try (MemoryScope s = MemoryScope.open()) {
                Tensor x = Tensor.zeros(0, 6, 6, 4);
                Tensor y = depthwise ? Convolution.depthwiseConv2d(x, w, bias, Conv2dOptions.same(1).withGroups(4))
                        : Convolution.conv2d(x, w, bias, Conv2dOptions.same(2));
                assertArrayEquals(new int[]{0, 6 / (depthwise ? 1 : 2), 6 / (depthwise ? 1 : 2), depthwise ? 4 : 8}, y.shape());
                Reductions.sum(y).backward();
                for (float g : w.grad().toFloatArray()) assertTrue(g == 0f, (depthwise ? "depthwise" : "dense") + " gradient " + g);
                for (float g : bias.grad().toFloatArray()) assertTrue(g == 0f, (depthwise ? "depthwise" : "dense") + " bias gradient " + g);
            }
        }
    }

    @Test
    void badStatisticsNameTheParameter() {
        Tensor x = Tensor.zeros(1, 4, 4, 3);
        Tensor w = Tensor.zeros(1, 1, 3, 5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Convolution.conv2dBatchNormActivation(
                x, w, Conv2dOptions.valid(1), null, null, Tensor.zeros(4), Tensor.ones(5), 1e-5, Activation.SILU));
        assertTrue(e.getMessage().contains("runningMean") && e.getMessage().contains("[5]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Convolution.conv2dBatchNormActivation(
                x, w, Conv2dOptions.valid(1), null, null, null, Tensor.ones(5), 1e-5, Activation.SILU));
        assertTrue(e.getMessage().contains("runningMean and runningVar are required"), e.getMessage());
    }
}
