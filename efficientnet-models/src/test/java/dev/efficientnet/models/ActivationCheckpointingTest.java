package dev.efficientnet.models;

import dev.efficientnet.core.autograd.GradMode;
import dev.efficientnet.core.ops.Losses;
import dev.efficientnet.core.tensor.DType;
import dev.efficientnet.core.tensor.MemoryScope;
import dev.efficientnet.core.tensor.Rng;
import dev.efficientnet.core.tensor.Tensor;
import dev.efficientnet.models.spec.ModelSpec;
import dev.efficientnet.models.spec.Presets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link EfficientNet#setActivationCheckpointing}: two training steps with and without it give the
 * same losses, parameter gradients and batch-norm running statistics (drop path and dropout on,
 * so the random masks must be replayed; the running statistics must be updated once).
 */
class ActivationCheckpointingTest {

    @ParameterizedTest
    @ValueSource(strings = {"efficientnet_b0", "efficientnet_v2_s"})
    void sameStepsWithAndWithoutCheckpointing(String name) {
        ModelSpec spec = Presets.get(name, 0.25, 0.2, 5);
        assertTrue(spec.dropPathRate() > 0 && spec.dropoutRate() > 0, "the test needs random masks");
        EfficientNet plain = EfficientNet.create(spec, 4);
        EfficientNet ckpt = EfficientNet.create(spec, 4).setActivationCheckpointing(true);
        assertTrue(ckpt.activationCheckpointing());
        assertFalse(plain.activationCheckpointing());
        plain.train(true);
        ckpt.train(true);
        Rng data = new Rng(9);
        for (int step = 0; step < 2; step++) {
            Tensor x = data.normalTensor(DType.FLOAT32, 0, 1, 4, 3, 40, 36);
            int[] y = {0, 3, 1, 4};
            double lp = step(plain, x, y);
            double lc = step(ckpt, x, y);
            assertEquals(lp, lc, 1e-6 * Math.max(1, Math.abs(lp)), name + " loss at step " + step);
            compare(plain.namedParameters(), ckpt.namedParameters(), true, name + " step " + step);
            compare(plain.namedBuffers(), ckpt.namedBuffers(), false, name + " step " + step);
        }
        // eval and no-grad forwards are unaffected by the setting
        plain.eval();
        ckpt.eval();
        try (MemoryScope s = MemoryScope.open(); GradMode g = GradMode.disabled()) {
            Tensor x = data.normalTensor(DType.FLOAT32, 0, 1, 2, 3, 32, 32);
            float[] a = plain.forward(x).toFloatArray();
            float[] b = ckpt.forward(x).toFloatArray();
            for (int i = 0; i < a.length; i++) assertEquals(a[i], b[i], 1e-6, "eval logit " + i);
        }
    }

    private static double step(EfficientNet m, Tensor x, int[] y) {
        m.zeroGrad();
        try (MemoryScope s = MemoryScope.open()) {
            Tensor loss = Losses.crossEntropy(m.forward(x), y);
            loss.backward();
            return loss.item();
        }
    }

    private static void compare(Map<String, Tensor> a, Map<String, Tensor> b, boolean grads, String what) {
        assertEquals(a.keySet(), b.keySet());
        int checked = 0;
        for (String k : a.keySet()) {
            Tensor ta = grads ? a.get(k).grad() : a.get(k);
            Tensor tb = grads ? b.get(k).grad() : b.get(k);
            if (ta == null && tb == null) continue;
            float[] va = ta.toFloatArray();
            float[] vb = tb.toFloatArray();
            double scale = 0;
            for (float v : va) scale = Math.max(scale, Math.abs(v));
            for (int i = 0; i < va.length; i++)
                assertEquals(va[i], vb[i], 1e-5 * Math.max(scale, 1e-3), what + (grads ? " grad " : " buffer ") + k + " at " + i);
            checked++;
        }
        assertTrue(checked > 10, what + ": compared " + checked + " tensors");
    }
}
