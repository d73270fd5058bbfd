package dev.efficientnet.models.spec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** EfficientNet-Lite presets: exact full-size parameter counts from timm and the Lite structure rules. */
class LitePresetsTest {

    /** {@code sum(p.numel())} of {@code timm.create_model(name)} (src/test/python/timm_fixtures.py --counts). */
    @ParameterizedTest(name = "{0} has {1} params")
    @CsvSource({
            "tf_efficientnet_lite0, 4652008", "tf_efficientnet_lite1, 5416680", "tf_efficientnet_lite2, 6092072",
            "tf_efficientnet_lite3, 8197096", "tf_efficientnet_lite4, 13006568",
            "efficientnet_lite0, 4652008", "efficientnet_lite4, 13006568",
            "efficientnet_es, 5438392", "efficientnet_em, 6899496", "efficientnet_el, 10589712",
            "tf_efficientnet_es, 5438392", "tf_efficientnet_em, 6899496", "tf_efficientnet_el, 10589712",
    })
    void exactParams(String name, long expected) {
        assertEquals(expected, Presets.get(name).params());
    }

    @Test
    void liteRules() {
        ModelSpec lite4 = Presets.get("tf_efficientnet_lite4");
        assertEquals(32, lite4.stemChannels(), "stem not scaled");
        assertEquals(1280, lite4.headChannels(), "head not scaled");
        List<StageSpec> st = lite4.stages();
        assertEquals(1, st.get(0).repeats(), "first stage repeats not scaled");
        assertEquals(1, st.get(st.size() - 1).repeats(), "last stage repeats not scaled");
        assertEquals(4, st.get(1).repeats(), "ceil(2 * 1.8)");
        assertEquals(32, st.get(0).inChannels());
        assertTrue(lite4.blocks().stream().noneMatch(BlockSpec::hasSe));
        assertEquals(Activation.RELU6, lite4.activation());
        assertEquals(Padding.TF_SAME, lite4.padding());
        assertEquals(1e-3, lite4.bnEps());
        assertEquals(Padding.SYMMETRIC, Presets.get("efficientnet_lite0").padding());
        assertEquals(1e-5, Presets.get("efficientnet_lite0").bnEps());
    }

    /** EdgeTPU: the first block expands from a forced width (timm fc24), scaled like every width. */
    @Test
    void edgeTpuForcedInputWidth() {
        BlockSpec first = Presets.get("efficientnet_es").blocks().get(0);
        assertEquals(32, first.inChannels());
        assertEquals(96, first.midChannels(), "24 x 4, not 32 x 4");
        assertEquals(BlockType.FUSED_MBCONV, first.type());
        BlockSpec el = Presets.get("efficientnet_el").blocks().get(0);
        assertEquals(40, el.inChannels());
        assertEquals(128, el.midChannels(), "round(24 x 1.2) = 32, x 4");
        assertEquals(Activation.RELU, Presets.get("tf_efficientnet_em").activation());
        assertEquals("er_r1_k3_s1_e4_c24_fc24", BlockStrings.formatTimm(StageTables.EFFICIENTNET_EDGETPU_S.get(0)));
        assertEquals(StageTables.EFFICIENTNET_EDGETPU_S.get(0), BlockStrings.parseTimm("er_r1_k3_s1_e4_c24_fc24_noskip", 32));
        // timm's first EdgeTPU block is noskip: at width 0.25 it is 8 -> 8 at stride 1 and still has no residual
        BlockSpec tiny = Presets.get("efficientnet_es", 0.25, 0.25, 10).blocks().get(0);
        assertEquals(tiny.inChannels(), tiny.outChannels());
        assertTrue(!tiny.hasResidual());
        ModelSpec es = Presets.get("tf_efficientnet_es");
        assertEquals(es, PresetFile.fromJson(PresetFile.toJson(es)));
    }

    @Test
    void liteRoundTripsThroughAPresetFile() {
        ModelSpec lite = Presets.get("tf_efficientnet_lite3");
        Map<String, Object> json = PresetFile.toJson(lite);
        assertEquals(true, json.get("fixed_stem"));
        assertEquals(lite, PresetFile.fromJson(json));
        assertTrue(!PresetFile.toJson(Presets.get("efficientnet_b0")).containsKey("fixed_stem"));
    }
}
