package dev.efficientnet.models.infer;

import dev.efficientnet.core.autograd.GradMode;
import dev.efficientnet.core.optim.ParamGroups;
import dev.efficientnet.core.optim.Sgd;
import dev.efficientnet.core.ops.Losses;
import dev.efficientnet.core.tensor.DType;
import dev.efficientnet.core.tensor.MemoryScope;
import dev.efficientnet.core.tensor.Rng;
import dev.efficientnet.core.tensor.Tensor;
import dev.efficientnet.models.EfficientNet;
import dev.efficientnet.models.spec.ModelSpec;
import dev.efficientnet.models.spec.Padding;
import dev.efficientnet.models.spec.Presets;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The compiled inference plan against the eager model: logits and pooled features within 1e-4
 * (relative to the largest logit) on tiny V1 and V2 models of both padding rules, batch 1 and 3,
 * odd sizes; rebuilt after a weight write, a state-dict load and an optimizer step; the eval-mode
 * {@code forward} dispatch rules.
 */
class InferencePlanTest {
    @BeforeAll
    static void needsNatives() {
        Assumptions.assumeTrue(InferencePlan.available(), "oneDNN not available: plans are not used");
    }

    static EfficientNet tiny(String preset, long seed) {
        ModelSpec spec = Presets.get(preset, 0.25, 0.25, 10);
        EfficientNet m = EfficientNet.create(spec, seed);
        randomizeBatchNorm(m, seed + 1);
        m.eval();
        return m;
    }

    /** BN statistics and affine parameters away from 0/1, so that folding them matters. */
    static void randomizeBatchNorm(EfficientNet m, long seed) {
        Rng rng = new Rng(seed);
        for (Map.Entry<String, Tensor> e : m.stateDict().entrySet()) {
            String k = e.getKey();
            Tensor t = e.getValue();
            int n = (int) t.numel();
            double[] v = null;
            if (k.endsWith("running_var")) v = rng.uniform(n, 0.5, 2.0);
            else if (k.endsWith("running_mean")) v = rng.normal(n, 0, 0.2);
            else if (k.contains("bn.") && k.endsWith("weight")) v = rng.uniform(n, 0.5, 1.5);
            else if (k.endsWith("bias")) v = rng.normal(n, 0, 0.1);
            if (v != null) {
                double[] vals = v;
                MemoryScope.outside(() -> t.assign(Tensor.of(vals, t.shape()).to(DType.FLOAT32)));
            }
        }
    }

    static Tensor input(long seed, int... shape) {
        int n = 1;
        for (int s : shape) n *= s;
        double[] d = new Rng(seed).normal(n, 0, 1);
        return Tensor.of(d, shape).to(DType.FLOAT32);
    }

    /** The eager model's output: GradMode enabled inside a scope never uses the plan. */
    static float[] eager(EfficientNet m, Tensor x, boolean features) {
        try (MemoryScope s = MemoryScope.open(); GradMode g = GradMode.enabled()) {
            return (features ? m.forwardPreLogits(x) : m.forward(x)).toFloatArray();
        }
    }

    static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        double max = 1;
        for (float v : expected) max = Math.max(max, Math.abs(v));
        double worst = 0;
        for (int i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
        assertTrue(worst <= 1e-4 * max, what + ": max |plan - eager| = " + worst + " (scale " + max + ")");
    }

    @ParameterizedTest(name = "{0} batch {1} {2}x{3}")
    @CsvSource({"efficientnet_b0,1,64,64", "efficientnet_b0,3,37,45", "tf_efficientnet_b0,2,50,50",
            "efficientnet_v2_s,1,64,64", "tf_efficientnetv2_s,2,41,33", "tf_efficientnetv2_b0,1,48,48"})
    void planMatchesEager(String preset, int batch, int h, int w) {
        EfficientNet m = tiny(preset, 3);
        Tensor x = input(7, batch, 3, h, w);
        float[] logits = eager(m, x, false);
        float[] features = eager(m, x, true);
        try (InferencePlan plan = InferencePlan.compile(m, batch, h, w, Precision.FP32)) {
            plan.run(x);
            assertClose(logits, plan.logits(), preset + " logits");
            assertClose(features, plan.features(), preset + " features");
            plan.run(x.toFloatArray());
            assertClose(logits, plan.logits(), preset + " logits from a float[]");
            assertTrue(plan.arenaBytes() > 0 && plan.weightBytes() > 0, plan.toString());
        }
        // the same values through forward() in eval mode, which dispatches to the plan
        try (GradMode g = GradMode.disabled()) {
            assertClose(logits, m.forward(x).toFloatArray(), preset + " forward()");
            assertClose(features, m.forwardPreLogits(x).toFloatArray(), preset + " forwardPreLogits()");
        }
        assertTrue(m.inferencePlans().compiledCount() >= 1);
    }

    @Test
    void reluSymmetricPaddingWithoutClassifier() {
        ModelSpec spec = Presets.get("efficientnet_b0", 0.25, 0.25, 0).withActivation(
                dev.efficientnet.models.spec.Activation.RELU).withPadding(Padding.SYMMETRIC);
        EfficientNet m = EfficientNet.create(spec, 5);
        randomizeBatchNorm(m, 6);
        m.eval();
        Tensor x = input(8, 2, 3, 40, 40);
        float[] eager = eager(m, x, false);
        try (GradMode g = GradMode.disabled()) {
            Tensor planned = m.forward(x);
            assertEquals(2, planned.dim(0));
            assertClose(eager, planned.toFloatArray(), "relu, symmetric padding, features only");
        }
        assertEquals(1, m.inferencePlans().compiledCount());
    }

    @Test
    void weightWritesRebuildThePlan() {
        EfficientNet m = tiny("efficientnet_b0", 4);
        Tensor x = input(9, 1, 3, 32, 32);
        float[] before;
        try (GradMode g = GradMode.disabled()) {
            before = m.forward(x).toFloatArray();
            assertEquals(1, m.inferencePlans().compiledCount());
            m.forward(x);
            assertEquals(1, m.inferencePlans().compiledCount(), "same weights: plan reused");
        }
        // a Tensor.assign into one weight
        Tensor wt = m.stateDict().get("head.classifier.bias");
        float[] b = wt.toFloatArray();
        b[3] += 1f;
        MemoryScope.outside(() -> wt.assign(Tensor.of(b, wt.shape())));
        float[] after;
        try (GradMode g = GradMode.disabled()) {
            after = m.forward(x).toFloatArray();
        }
        assertEquals(2, m.inferencePlans().compiledCount());
        assertEquals(before[3] + 1f, after[3], 1e-4);
        assertClose(eager(m, x, false), after, "after assign");
        // a state-dict load (BN running variance)
        Map<String, Tensor> sd = m.stateDict();
        Tensor rv = sd.get("stages.1.0.dw.bn.running_var");
        float[] v = rv.toFloatArray();
        for (int i = 0; i < v.length; i++) v[i] *= 3;
        m.loadStateDict(Map.of("stages.1.0.dw.bn.running_var", Tensor.of(v, rv.shape())), false);
        try (GradMode g = GradMode.disabled()) {
            float[] loaded = m.forward(x).toFloatArray();
            assertClose(eager(m, x, false), loaded, "after loadStateDict");
            assertNotEquals(after[0], loaded[0]);
        }
        assertEquals(3, m.inferencePlans().compiledCount());
        // an optimizer step in training mode, then eval again
        m.train(true);
        Sgd sgd = new Sgd(ParamGroups.of(m.namedParameters()), 0.1, 0.9, false, 0);
        try (MemoryScope s = MemoryScope.open()) {
            Losses.crossEntropy(m.forward(input(10, 2, 3, 32, 32)), new int[]{1, 2}).backward();
            sgd.step();
        }
        m.eval();
        try (GradMode g = GradMode.disabled()) {
            assertClose(eager(m, x, false), m.forward(x).toFloatArray(), "after an SGD step");
        }
        assertEquals(4, m.inferencePlans().compiledCount());
    }

    @Test
    void dispatchRules() {
        EfficientNet m = tiny("efficientnet_b0", 12);
        Tensor x = input(13, 1, 3, 32, 32);
        // eval, grad enabled, outside any scope: planned, no graph
        Tensor y = m.forward(x);
        assertNull(y.creator());
        assertTrue(!y.requiresGrad());
        assertEquals(1, m.inferencePlans().compiledCount());
        // eval, grad enabled, inside a scope: eager with a graph (back-propagation in eval mode works)
        try (MemoryScope s = MemoryScope.open()) {
            Tensor z = m.forward(x);
            assertNotNull(z.creator());
            z.sum().backward();
        }
        // training mode: eager
        m.train(true);
        try (GradMode g = GradMode.disabled(); MemoryScope s = MemoryScope.open()) {
            m.forward(input(14, 2, 3, 32, 32));
        }
        m.eval();
        // the input is validated before planning, with the eager path's message
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.forward(input(1, 1, 4, 32, 32)));
        assertTrue(e.getMessage().contains("channels"), e.getMessage());
    }

    /**
     * oneDNN 2.5 fell back to its reference binary kernel for B0's first SE gate (32 channels at
     * 112x112), which cost 58 of 76 ms per call: full-size plans must get jit kernels everywhere.
     */
    @ParameterizedTest
    @CsvSource({"efficientnet_b0, 1, 224", "efficientnet_b0, 2, 224", "efficientnet_v2_s, 1, 384"})
    void fullSizePlansUseNoReferenceKernels(String preset, int batch, int size) {
        EfficientNet m = EfficientNet.create(Presets.get(preset), 3);
        m.eval();
        try (InferencePlan plan = InferencePlan.compile(m, batch, size, size, Precision.FP32)) {
            for (String op : plan.opSummary().keySet()) assertTrue(!op.contains("ref:"), op + " in " + plan.opSummary());
        }
    }

    @Test
    void planShapeIsChecked() {
        EfficientNet m = tiny("efficientnet_b0", 15);
        try (InferencePlan plan = InferencePlan.compile(m, 1, 32, 32, Precision.FP32)) {
            assertThrows(IllegalArgumentException.class, () -> plan.run(input(1, 2, 3, 32, 32)));
            assertThrows(IllegalArgumentException.class, () -> plan.run(new float[5]));
            plan.close();
            assertThrows(IllegalStateException.class, () -> plan.run(new float[3 * 32 * 32]));
        }
    }

    @Test
    void bf16AgreesWithFp32WhereTheCpuHasIt() {
        if (!Precision.BF16.supported()) {
            assertThrows(IllegalArgumentException.class, () -> Precision.parse("bf16"));
            assertEquals(Precision.FP32, Precision.parse("auto"));
            return;
        }
        assertEquals(Precision.BF16, Precision.parse("auto"));
        EfficientNet m = tiny("efficientnet_b0", 21);
        Tensor x = input(22, 8, 3, 48, 48);
        float[] fp32 = eager(m, x, false);
        float[] bf16;
        try (InferencePlan plan = InferencePlan.compile(m, 8, 48, 48, Precision.BF16)) {
            plan.run(x);
            bf16 = plan.logits();
            assertEquals(Precision.BF16, plan.precision());
        }
        double max = 0;
        double worst = 0;
        for (int i = 0; i < fp32.length; i++) {
            max = Math.max(max, Math.abs(fp32[i]));
            worst = Math.max(worst, Math.abs(fp32[i] - bf16[i]));
        }
        // bfloat16 keeps 8 bits of mantissa: ~0.4 % per rounding, a few percent after 20 layers
        assertTrue(worst <= 0.1 * max, "bf16 vs fp32: max diff " + worst + " of " + max);
        assertTrue(worst > 0, "bf16 must actually round (identical logits mean fp32 ran)");
        try (GradMode g = GradMode.disabled()) {
            float[] again = m.inferencePlans().run(x, false, Precision.BF16);
            assertClose(bf16, again, "bf16 through the cache");
        }
    }
}
