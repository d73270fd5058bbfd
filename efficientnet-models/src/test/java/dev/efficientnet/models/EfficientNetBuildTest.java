package dev.efficientnet.models;

import dev.efficientnet.core.autograd.GradMode;
import dev.efficientnet.core.tensor.DType;
import dev.efficientnet.core.tensor.MemoryScope;
import dev.efficientnet.core.tensor.Rng;
import dev.efficientnet.core.tensor.Tensor;
import dev.efficientnet.models.spec.FeatureInfo;
import dev.efficientnet.models.spec.ModelSpec;
import dev.efficientnet.models.spec.Presets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every preset builds, runs and has exactly the spec's parameters; B0 and V2-S also at full size. */
class EfficientNetBuildTest {

    static List<String> presets() {
        return Presets.names();
    }

    @ParameterizedTest
    @MethodSource("presets")
    void everyPresetRunsAtTinyWidth(String name) {
        ModelSpec spec = Presets.get(name, 0.1, 0.1, 7);
        EfficientNet model = EfficientNet.create(spec, 1);
        assertEquals(spec.params(), model.parameterCount(), "allocated parameters == spec.params()");
        try (MemoryScope s = MemoryScope.open()) {
            Tensor x = new Rng(2).normalTensor(DType.FLOAT32, 0, 1, 2, 3, 33, 40);
            Tensor logits = model.forward(x);
            assertArrayEquals(new int[]{2, 7}, logits.shape());
            assertFinite(logits.toFloatArray(), name + " train mode");
            model.eval();
            try (GradMode g = GradMode.disabled()) {
                assertFinite(model.forward(x).toFloatArray(), name + " eval mode");
                List<Tensor> maps = model.forwardIntermediates(x);
                List<FeatureInfo> info = spec.featureInfo();
                assertEquals(info.size(), maps.size());
                for (int i = 0; i < maps.size(); i++) {
                    assertEquals(info.get(i).channels(), maps.get(i).dim(1), name + " tap " + i);
                    if (info.get(i).kind() != FeatureInfo.Kind.HEAD)
                        assertEquals((int) Math.ceil(33.0 / info.get(i).reduction()), maps.get(i).dim(2), name + " tap " + i + " height");
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"efficientnet_b0", "efficientnet_v2_s"})
    void fullSizeModelsGiveFiniteLogitsAtTheirDefaultResolution(String name) {
        ModelSpec spec = Presets.get(name);
        EfficientNet model = EfficientNet.create(spec, 3);
        assertEquals(spec.params(), model.parameterCount());
        model.eval();
        int r = spec.evalResolution();
        try (MemoryScope s = MemoryScope.open(); GradMode g = GradMode.disabled()) {
            Tensor logits = model.forward(new Rng(4).normalTensor(DType.FLOAT32, 0, 1, 1, 3, r, r));
            assertArrayEquals(new int[]{1, 1000}, logits.shape());
            assertFinite(logits.toFloatArray(), name);
        }
    }

    @Test
    void badInputsAreRejectedWithTheirShape() {
        EfficientNet model = EfficientNet.create(Presets.get("efficientnet_b0", 0.1, 0.1, 3), 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.forward(Tensor.zeros(1, 4, 16, 16)));
        assertTrue(e.getMessage().contains("4 channels"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> model.forward(Tensor.zeros(3, 16, 16)));
        assertThrows(IllegalArgumentException.class, () -> model.forward(Tensor.zeros(0, 3, 16, 16)));
    }

    @Test
    void singleChannelStem() {
        EfficientNet model = EfficientNet.create(Presets.get("tf_efficientnetv2_b0", 0.25, 0.25, 10).withInChannels(1), 1);
        assertArrayEquals(new int[]{2, 10}, model.forward(Tensor.zeros(2, 1, 28, 28)).shape());
    }

    static void assertFinite(float[] v, String what) {
        for (float f : v) assertTrue(Float.isFinite(f), what + ": non-finite logit " + f);
    }
}
