package dev.efficientnet.models.conformance;

import dev.efficientnet.core.autograd.GradMode;
import dev.efficientnet.core.tensor.MemoryScope;
import dev.efficientnet.core.tensor.Tensor;
import dev.efficientnet.models.EfficientNet;
import dev.efficientnet.models.spec.FeatureInfo;
import dev.efficientnet.models.spec.ModelSpec;
import dev.efficientnet.models.weights.Conformance;
import dev.efficientnet.models.weights.ConformanceReport;
import dev.efficientnet.models.weights.InputChannels;
import dev.efficientnet.models.weights.ReferenceFixture;
import dev.efficientnet.models.weights.TensorLayout;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Conformance to timm itself (fixtures written by {@code src/test/python/timm_fixtures.py} from
 * timm's own model code, seeded random weights and BN statistics): the EfficientNet-Lite presets
 * (TF and PyTorch conventions) and timm's PyTorch-native B5&ndash;B7 (BN eps 1e-5), at reduced
 * width/depth. Beyond the logits, pooled features and every block's activation, the timm
 * conventions are checked against timm: {@code forward_features} (unpooled),
 * {@code features_only} taps ({@code out_indices}) and {@code adapt_input_conv}.
 */
class TimmConformanceTest {
    static final String LITE0_TF = "timm_tf_efficientnet_lite0_w0.25_d0.5";

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {LITE0_TF, "timm_tf_efficientnet_lite4_w0.25_d1.8", "timm_efficientnet_lite0_w0.25_d0.5",
            "timm_timm_efficientnet_b5_w0.25_d0.5", "timm_timm_efficientnet_b6_w0.3_d0.3",
            "timm_timm_efficientnet_b7_w0.35_d0.25", "timm_tf_efficientnet_es_w0.25_d0.5", "timm_efficientnet_el_w0.3_d0.3"})
    void evalMatchesTimm(String name) throws IOException {
        ReferenceFixture f = ReferenceConformanceTest.fixture(name);
        ModelSpec spec = f.spec();
        assertEquals(f.paddingMode(), spec.padding(), name + ": padding");
        assertEquals(f.bnEps(), spec.bnEps(), 0, name + ": BN eps");
        assertEquals(f.params(), spec.params(), name + ": parameter count of the spec");
        EfficientNet model = f.loadModel();
        assertEquals(f.params(), model.parameterCount(), name + ": parameters of the built model");
        Map<String, Tensor> io = f.readIo();
        Tensor input = io.get("input");
        Map<String, Tensor> ours = new LinkedHashMap<>(Conformance.evalOutputs(model, input, f.naming()));
        model.eval();
        try (GradMode g = GradMode.disabled(); MemoryScope scope = MemoryScope.open()) {
            Tensor map = model.forwardFeatures(input);
            ours.put("features_map", persist(map));
            ours.put("head_of_map", persist(model.forwardHead(map)));
            List<Tensor> inter = model.forwardIntermediates(input, 0, 1, 2, 3, 4);
            for (int i = 0; i < inter.size(); i++) ours.put("inter." + i, persist(inter.get(i)));
        }
        Map<String, Tensor> ref = new LinkedHashMap<>(io);
        ref.put("head_of_map", io.get("logits"));
        ConformanceReport report = Conformance.compare(ours, ref, f.tolerance());
        assertTrue(report.passed(), name + ": " + report.summary());
        for (String k : List.of("logits", "features", "features_map", "inter.0", "inter.4", "act.stem", "act.head"))
            assertTrue(report.check(k).orElseThrow().passed(), name + ": " + k);
        // timm's features_only taps are our featureInfo 0..4 (the head map is index 5)
        List<FeatureInfo> info = spec.featureInfo();
        for (int i = 0; i < 5; i++) assertEquals(io.get("inter." + i).dim(1), info.get(i).channels(), name + " tap " + i);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {LITE0_TF, "timm_timm_efficientnet_b5_w0.25_d0.5", "timm_tf_efficientnet_es_w0.25_d0.5"})
    void trainStepMatchesTimm(String name) throws IOException {
        ReferenceFixture f = ReferenceConformanceTest.fixture(name);
        Assumptions.assumeTrue(f.hasTrainStep());
        EfficientNet model = f.loadModel();
        Map<String, Tensor> io = f.readIo();
        Map<String, Tensor> ours = Conformance.trainStep(model, io.get("input"), io.get("target"), f.naming());
        ConformanceReport report = Conformance.compare(ours, io, f.tolerance());
        assertTrue(report.passed(), name + " train step: " + report.summary());
        assertTrue(report.check(Conformance.LOSS).orElseThrow().passed());
    }

    /** Our adaptation of a stem to 1 and 5 input channels equals timm's adapt_input_conv. */
    @Test
    void inputChannelAdaptationMatchesTimm() throws IOException {
        ReferenceFixture f = ReferenceConformanceTest.fixture(LITE0_TF);
        Map<String, Tensor> io = f.readIo();
        Tensor torchW = io.get("adapt.w");
        int[] ts = torchW.shape();
        float[] nativeW = TensorLayout.CONV.toNative(torchW.toFloatArray(), ts);
        Tensor w = Tensor.of(nativeW, TensorLayout.CONV.nativeShape(ts));
        for (int n : new int[]{1, 5}) {
            Tensor adapted = InputChannels.adaptConvWeight(w, n);
            float[] torchLayout = TensorLayout.CONV.toTorch(adapted.toFloatArray(), adapted.shape());
            float[] ref = io.get("adapt." + n).toFloatArray();
            assertEquals(ref.length, torchLayout.length);
            for (int i = 0; i < ref.length; i++) assertEquals(ref[i], torchLayout[i], 1e-6, "adapt to " + n + " at " + i);
        }
    }

    private static Tensor persist(Tensor t) {
        float[] d = t.toFloatArray();
        int[] s = t.shape();
        return MemoryScope.outside(() -> Tensor.of(d, s));
    }
}
