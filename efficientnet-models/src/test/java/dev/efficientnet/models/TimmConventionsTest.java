package dev.efficientnet.models;

import dev.efficientnet.core.autograd.GradMode;
import dev.efficientnet.core.tensor.MemoryScope;
import dev.efficientnet.core.tensor.Rng;
import dev.efficientnet.core.tensor.Tensor;
import dev.efficientnet.models.spec.ModelSpec;
import dev.efficientnet.models.spec.Presets;
import dev.efficientnet.models.weights.InputChannels;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** timm's API conventions (decision D34) on tiny models; the timm values themselves are in TimmConformanceTest. */
class TimmConventionsTest {
    private static ModelSpec tiny(String preset) {
        return Presets.get(preset, 0.25, 0.25, 7);
    }

    private static Tensor input(int n, int c, int size, long seed) {
        double[] d = new Rng(seed).normal(n * c * size * size, 0, 1);
        float[] x = new float[d.length];
        for (int i = 0; i < x.length; i++) x[i] = (float) d[i];
        return Tensor.of(x, n, c, size, size);
    }

    private static void assertClose(float[] a, float[] b, double tol, String what) {
        assertEquals(a.length, b.length, what + ": length");
        for (int i = 0; i < a.length; i++) assertEquals(a[i], b[i], tol * Math.max(1, Math.abs(b[i])), what + " at " + i);
    }

    @Test
    void forwardFeaturesIsUnpooledAndForwardHeadFinishesIt() {
        EfficientNet m = EfficientNet.create(tiny("tf_efficientnet_b0"), 3);
        m.eval();
        Tensor x = input(2, 3, 64, 1);
        try (GradMode g = GradMode.disabled(); MemoryScope s = MemoryScope.open()) {
            Tensor map = m.forwardFeatures(x);
            assertArrayEquals(new int[]{2, m.spec().headChannels(), 2, 2}, map.shape());
            float[] logits = m.forward(x).toFloatArray();
            assertClose(m.forwardHead(map).toFloatArray(), logits, 1e-4, "forwardHead(forwardFeatures)");
            Tensor pre = m.forwardHead(map, true);
            assertArrayEquals(new int[]{2, m.spec().headChannels()}, pre.shape());
            assertClose(pre.toFloatArray(), m.forwardPreLogits(x).toFloatArray(), 1e-4, "pre-logits");
            // the pooled form is still accepted by forwardHead (callers of the pre-D34 API)
            assertClose(m.forwardHead(pre).toFloatArray(), logits, 1e-4, "forwardHead(pooled)");
            assertThrows(IllegalArgumentException.class, () -> m.forwardHead(Tensor.zeros(2, 5)));
        }
    }

    @Test
    void outIndicesSelectTapsAndSkipTheHead() {
        EfficientNet m = EfficientNet.create(tiny("efficientnet_b0"), 4);
        m.eval();
        Tensor x = input(1, 3, 64, 2);
        try (GradMode g = GradMode.disabled(); MemoryScope s = MemoryScope.open()) {
            List<Tensor> all = m.forwardIntermediates(x);
            assertEquals(6, all.size());
            List<Tensor> some = m.forwardIntermediates(x, 4, 1);
            assertEquals(2, some.size());
            assertArrayEquals(all.get(4).toFloatArray(), some.get(0).toFloatArray());
            assertArrayEquals(all.get(1).toFloatArray(), some.get(1).toFloatArray());
            assertArrayEquals(new int[]{1, m.spec().featureInfo().get(1).channels(), 16, 16}, some.get(1).shape());
            // poison the head conv: taps 0..4 must not touch it, tap 5 must
            Tensor hw = m.stateDict().get("head.conv.weight");
            float[] nan = new float[(int) hw.numel()];
            Arrays.fill(nan, Float.NaN);
            hw.assign(Tensor.of(nan, hw.shape()));
            for (Tensor t : m.forwardIntermediates(x, 0, 1, 2, 3, 4))
                for (float v : t.toFloatArray()) assertTrue(Float.isFinite(v), "a tap below the head used the head");
            assertTrue(Float.isNaN(m.forwardIntermediates(x, 5).get(0).toFloatArray()[0]));
            assertThrows(IllegalArgumentException.class, () -> m.forwardIntermediates(x, 6));
        }
    }

    @Test
    void resetClassifierInPlace() {
        EfficientNet m = EfficientNet.create(tiny("tf_efficientnet_b0"), 5);
        m.eval();
        Tensor x = input(1, 3, 64, 3);
        Tensor stemBefore = m.stateDict().get("stem.conv.weight");
        float[] preBefore;
        try (GradMode g = GradMode.disabled(); MemoryScope s = MemoryScope.open()) {
            assertEquals(7, m.forward(x).dim(1));
            preBefore = m.forwardPreLogits(x).toFloatArray();
        }
        m.resetClassifier(3);
        assertEquals(3, m.spec().numClasses());
        assertEquals(3, m.head().classifier().outFeatures());
        assertSame(stemBefore, m.stateDict().get("stem.conv.weight"), "the rest of the model is kept");
        assertEquals(m.spec().params(), m.parameterCount());
        List<String> keys = List.copyOf(m.stateDict().keySet());
        assertEquals("head.classifier.bias", keys.get(keys.size() - 1));
        try (GradMode g = GradMode.disabled(); MemoryScope s = MemoryScope.open()) {
            assertArrayEquals(new int[]{1, 3}, m.forward(x).shape());
            assertClose(m.forwardPreLogits(x).toFloatArray(), preBefore, 1e-5, "features unchanged");
        }
        m.resetClassifier(0);
        assertEquals(null, m.head().classifier());
        try (GradMode g = GradMode.disabled(); MemoryScope s = MemoryScope.open()) {
            assertArrayEquals(new int[]{1, m.spec().headChannels()}, m.forward(x).shape());
        }
        m.resetClassifier(11);
        assertEquals(11, m.head().classifier().outFeatures());
        assertEquals(m.spec().params(), m.parameterCount());
    }

    @Test
    void adaptedInputChannelsKeepTheResponse() {
        EfficientNet rgb = EfficientNet.create(tiny("tf_efficientnet_b0"), 6);
        rgb.eval();
        EfficientNet grey = InputChannels.adapt(rgb, 1);
        assertEquals(1, grey.spec().inChannels());
        assertTrue(!grey.isTraining());
        Tensor g1 = input(2, 1, 48, 7);
        float[] gv = g1.toFloatArray();
        float[] rep = new float[gv.length * 3];
        int plane = 48 * 48;
        for (int n = 0; n < 2; n++)
            for (int c = 0; c < 3; c++) System.arraycopy(gv, n * plane, rep, (n * 3 + c) * plane, plane);
        try (GradMode g = GradMode.disabled(); MemoryScope s = MemoryScope.open()) {
            // summed filters on a grey image == RGB filters on the grey image repeated 3 times
            assertClose(grey.forward(g1).toFloatArray(), rgb.forward(Tensor.of(rep, 2, 3, 48, 48)).toFloatArray(), 1e-4, "1 channel");
            // 6 channels: repeated RGB filters scaled by 3/6 on the RGB image twice == the RGB model
            EfficientNet six = InputChannels.adapt(rgb, 6);
            Tensor x = input(1, 3, 48, 8);
            float[] xv = x.toFloatArray();
            float[] twice = new float[xv.length * 2];
            System.arraycopy(xv, 0, twice, 0, xv.length);
            System.arraycopy(xv, 0, twice, xv.length, xv.length);
            assertClose(six.forward(Tensor.of(twice, 1, 6, 48, 48)).toFloatArray(), rgb.forward(x).toFloatArray(), 1e-4, "6 channels");
        }
        assertThrows(IllegalArgumentException.class, () -> InputChannels.adapt(grey, 5), "only 3 input channels repeat");
    }

    @Test
    void presetsGetAcceptsWhatTheCliAccepts() {
        assertEquals("tf_efficientnet_b0", Presets.get("TF-EfficientNet-B0").name());
        assertEquals("efficientnet_b0", Presets.get(" EfficientNet-B0 ").name());
        assertEquals("tf_efficientnet_lite0", Presets.get("tf_efficientnet_lite0.in1k").name());
        assertEquals("efficientnet_v2_s", Presets.get("EFFICIENTNET_V2_S").name());
        assertEquals("tf_efficientnet_b3", Presets.canonicalName("tf-efficientnet-b3"));
        assertEquals(null, Presets.canonicalName("efficientnet_b9"));
        assertThrows(IllegalArgumentException.class, () -> Presets.get("efficientnet_b9"));
    }

    @Test
    void toStringPrintsTheArchitecture() {
        EfficientNet m = EfficientNet.create(tiny("tf_efficientnet_lite0"));
        String s = m.toString();
        assertTrue(s.startsWith("EfficientNet(tf_efficientnet_lite0: EFFICIENTNET_V1"), s);
        assertTrue(s.contains("TF_SAME padding") && s.contains("RELU6"), s);
        assertTrue(s.contains("stem: Conv 3x3 s2 3->32"), s);
        assertTrue(s.contains("stages.0.0: DepthwiseSeparable k3 s1 e1 32->8"), s);
        assertTrue(!s.contains("SE "), "Lite has no squeeze-excite: " + s);
        assertTrue(s.contains("head: Conv 1x1") && s.contains("Linear 1280->7"), s);
        assertEquals(m.spec().totalBlocks() + 4, s.lines().count(), s);
        String b0 = EfficientNet.create(tiny("efficientnet_b0")).toString();
        assertTrue(b0.contains(", SE ") && b0.contains("residual"), b0);
    }
}
