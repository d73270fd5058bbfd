package dev.efficientnet.models.weights;

import dev.efficientnet.core.io.Safetensors;
import dev.efficientnet.core.io.SafetensorsFile;
import dev.efficientnet.models.EfficientNet;
import dev.efficientnet.models.spec.Architecture;
import dev.efficientnet.models.spec.BlockStrings;
import dev.efficientnet.models.spec.ModelFamily;
import dev.efficientnet.models.spec.ModelSpec;
import dev.efficientnet.models.spec.Presets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NameMappingTest {

    /**
     * The mapping derived from the model reproduces each fixture's header exactly: every key, in
     * order, with its PyTorch shape — including the cross cases (the timm naming of the
     * torchvision-structured preset and vice versa, whose structures are identical).
     */
    @ParameterizedTest(name = "{0} as {1}")
    @CsvSource({
            "timm_tf_efficientnet_b0_w0.25_d0.5, tf_efficientnet_b0, 0.25, 0.5",
            "timm_tf_efficientnetv2_s_w0.25_d0.25, tf_efficientnetv2_s, 0.25, 0.25",
            "tv_efficientnet_b0_w0.25_d0.5, efficientnet_b0, 0.25, 0.5",
            "timm_tf_efficientnet_b0_w0.25_d0.5, efficientnet_b0, 0.25, 0.5",
            "tv_efficientnet_b0_w0.25_d0.5, tf_efficientnet_b0, 0.25, 0.5",
    })
    void mappingReproducesFixtureHeader(String fixture, String preset, double w, double d) throws IOException {
        SafetensorsFile file = Safetensors.read(Fixtures.dir().resolve(fixture + ".safetensors"));
        Naming naming = Naming.detect(file.names()).naming();
        NameMapping mapping = NameMapping.of(EfficientNet.create(Presets.get(preset, w, d, 10)));
        assertEquals(file.names(), mapping.names(naming), "keys and their order");
        for (NameMapping.Entry e : mapping.entries())
            assertArrayEquals(file.shape(e.name(naming)), e.shape(naming), e.name(naming));
        assertEquals(file.names().size(), mapping.entries().size());
    }

    @Test
    void activationNamesMatchFixtures() throws IOException {
        for (String f : List.of(Fixtures.TIMM_B0, Fixtures.TIMM_V2S, Fixtures.TV_B0)) {
            ReferenceFixture fx = Fixtures.get(f);
            SafetensorsFile io = Safetensors.read(fx.ioFile());
            List<String> acts = new ArrayList<>();
            for (String k : io.names()) if (k.startsWith("act.")) acts.add(k.substring(4));
            NameMapping m = NameMapping.of(EfficientNet.create(fx.spec()));
            assertEquals(acts, m.activationNames(fx.naming()), f);
            assertEquals(m.activationNames(Naming.NATIVE).size(), acts.size());
        }
    }

    /** torchvision V2 (no fixture): Fused e1 is block.0, Fused is block.0/block.1, MBConv numbers SE as block.2. */
    @Test
    void torchvisionV2Names() {
        EfficientNet model = EfficientNet.create(Presets.get("efficientnet_v2_s", 0.25, 0.25, 10));
        NameMapping m = NameMapping.of(model);
        List<String> names = m.names(Naming.TORCHVISION);
        for (String k : List.of("features.0.0.weight", "features.0.1.running_var",
                "features.1.0.block.0.0.weight", "features.1.0.block.0.1.bias",
                "features.2.0.block.0.0.weight", "features.2.0.block.1.0.weight", "features.2.0.block.1.1.running_mean",
                "features.4.0.block.0.0.weight", "features.4.0.block.1.0.weight", "features.4.0.block.2.fc1.weight",
                "features.4.0.block.2.fc2.bias", "features.4.0.block.3.0.weight", "features.4.0.block.3.1.weight",
                "features.7.0.weight", "features.7.1.running_var", "classifier.1.weight", "classifier.1.bias"))
            assertTrue(names.contains(k), k + " in " + names);
        assertFalse(names.contains("features.1.0.block.1.0.weight"), "fused e1 has one conv");
        assertFalse(names.contains("features.8.0.weight"));
        assertArrayEquals(new int[]{model.spec().blocks().get(model.stage(0).size()).midChannels(), 8, 3, 3},
                m.find(Naming.TORCHVISION, "features.2.0.block.0.0.weight").shape(Naming.TORCHVISION));
        NameMapping.Entry dw = m.find(Naming.TORCHVISION, "features.4.0.block.1.0.weight");
        assertEquals(TensorLayout.DEPTHWISE, dw.layout());
        assertEquals(1, dw.shape(Naming.TORCHVISION)[1]);
        assertEquals("blocks.3.0.conv_dw.weight", dw.name(Naming.TIMM));
        assertEquals("stages.3.0.dw.conv.weight", dw.nativeName());
    }

    /** All four block kinds, including a Fused-MBConv with SE (timm "er" + se): BN numbering follows the convs. */
    @Test
    void everyBlockKindInTimmAndTorchvision() {
        ModelSpec spec = ModelSpec.of("mix", Architecture.of(ModelFamily.EFFICIENTNET_V2, 16, BlockStrings.parseTimm(List.of(
                "cn_r1_k3_s1_e1_c16_skip", "er_r1_k3_s2_e4_c24_se0.25", "ds_r1_k3_s1_e1_c24_se0.25", "ir_r1_k5_s2_e6_c32_se0.25"), 16)))
                .withNumClasses(7);
        NameMapping m = NameMapping.of(EfficientNet.create(spec));
        String[][] expected = {
                // native, timm, torchvision
                {"stages.0.0.conv.conv.weight", "blocks.0.0.conv.weight", "features.1.0.block.0.0.weight"},
                {"stages.0.0.conv.bn.bias", "blocks.0.0.bn1.bias", "features.1.0.block.0.1.bias"},
                {"stages.1.0.expand.conv.weight", "blocks.1.0.conv_exp.weight", "features.2.0.block.0.0.weight"},
                {"stages.1.0.expand.bn.weight", "blocks.1.0.bn1.weight", "features.2.0.block.0.1.weight"},
                {"stages.1.0.se.reduce.weight", "blocks.1.0.se.conv_reduce.weight", "features.2.0.block.1.fc1.weight"},
                {"stages.1.0.se.expand.bias", "blocks.1.0.se.conv_expand.bias", "features.2.0.block.1.fc2.bias"},
                {"stages.1.0.project.conv.weight", "blocks.1.0.conv_pwl.weight", "features.2.0.block.2.0.weight"},
                {"stages.1.0.project.bn.running_var", "blocks.1.0.bn2.running_var", "features.2.0.block.2.1.running_var"},
                {"stages.2.0.dw.conv.weight", "blocks.2.0.conv_dw.weight", "features.3.0.block.0.0.weight"},
                {"stages.2.0.dw.bn.weight", "blocks.2.0.bn1.weight", "features.3.0.block.0.1.weight"},
                {"stages.2.0.se.reduce.bias", "blocks.2.0.se.conv_reduce.bias", "features.3.0.block.1.fc1.bias"},
                {"stages.2.0.project.conv.weight", "blocks.2.0.conv_pw.weight", "features.3.0.block.2.0.weight"},
                {"stages.2.0.project.bn.running_mean", "blocks.2.0.bn2.running_mean", "features.3.0.block.2.1.running_mean"},
                {"stages.3.0.expand.conv.weight", "blocks.3.0.conv_pw.weight", "features.4.0.block.0.0.weight"},
                {"stages.3.0.expand.bn.bias", "blocks.3.0.bn1.bias", "features.4.0.block.0.1.bias"},
                {"stages.3.0.dw.conv.weight", "blocks.3.0.conv_dw.weight", "features.4.0.block.1.0.weight"},
                {"stages.3.0.dw.bn.bias", "blocks.3.0.bn2.bias", "features.4.0.block.1.1.bias"},
                {"stages.3.0.se.expand.weight", "blocks.3.0.se.conv_expand.weight", "features.4.0.block.2.fc2.weight"},
                {"stages.3.0.project.conv.weight", "blocks.3.0.conv_pwl.weight", "features.4.0.block.3.0.weight"},
                {"stages.3.0.project.bn.bias", "blocks.3.0.bn3.bias", "features.4.0.block.3.1.bias"},
                {"stem.conv.weight", "conv_stem.weight", "features.0.0.weight"},
                {"stem.bn.running_var", "bn1.running_var", "features.0.1.running_var"},
                {"head.conv.weight", "conv_head.weight", "features.5.0.weight"},
                {"head.bn.weight", "bn2.weight", "features.5.1.weight"},
                {"head.classifier.weight", "classifier.weight", "classifier.1.weight"},
        };
        for (String[] row : expected) {
            NameMapping.Entry e = m.find(Naming.NATIVE, row[0]);
            assertNotNull(e, row[0]);
            assertEquals(row[1], e.name(Naming.TIMM), row[0]);
            assertEquals(row[2], e.name(Naming.TORCHVISION), row[0]);
            assertEquals(e, m.find(Naming.TIMM, row[1]));
            assertEquals(e, m.find(Naming.TORCHVISION, row[2]));
        }
        assertEquals(TensorLayout.CONV, m.find(Naming.NATIVE, "stages.1.0.se.reduce.weight").layout());
        assertEquals(TensorLayout.SAME, m.find(Naming.NATIVE, "head.classifier.weight").layout());
        assertTrue(m.find(Naming.NATIVE, "head.classifier.weight").classifier());
        assertTrue(m.find(Naming.NATIVE, "stem.bn.running_var").buffer());
        assertFalse(m.find(Naming.NATIVE, "stem.bn.weight").buffer());
        assertEquals(List.of("stem", "blocks.0.0", "blocks.1.0", "blocks.2.0", "blocks.3.0", "head"), m.activationNames(Naming.TIMM));
        assertEquals(List.of("features.0", "features.1.0", "features.2.0", "features.3.0", "features.4.0", "features.5"),
                m.activationNames(Naming.TORCHVISION));
    }

    /** Every model tensor is mapped exactly once and the mapping covers the whole state dict, for every stage table. */
    @Test
    void coversTheStateDictOfEveryStageTable() {
        for (String preset : List.of("efficientnet_b0", "efficientnet_v2_s", "efficientnet_v2_m", "efficientnet_v2_l",
                "tf_efficientnet_b3", "tf_efficientnetv2_b1", "tf_efficientnetv2_xl")) {
            EfficientNet model = EfficientNet.create(Presets.get(preset, 0.1, 0.1, 3));
            NameMapping m = NameMapping.of(model);
            Map<String, dev.efficientnet.core.tensor.Tensor> state = model.stateDict();
            assertEquals(new ArrayList<>(state.keySet()), m.names(Naming.NATIVE), preset);
            for (NameMapping.Entry e : m.entries())
                assertArrayEquals(state.get(e.nativeName()).shape(), e.nativeShape(), preset + " " + e.nativeName());
        }
    }

    @Test
    void headlessModelHasNoClassifier() {
        NameMapping m = NameMapping.of(EfficientNet.create(Presets.get("efficientnet_b0", 0.25, 0.25, 0)));
        assertNull(m.find(Naming.TIMM, "classifier.weight"));
        assertTrue(m.entries().stream().noneMatch(NameMapping.Entry::classifier));
        assertTrue(m.names(Naming.TORCHVISION).stream().noneMatch(k -> k.startsWith("classifier")));
    }

    @Test
    void renames() {
        NameMapping m = NameMapping.of(EfficientNet.create(Presets.get("efficientnet_b0", 0.25, 0.25, 10)));
        Map<String, String> r = m.renames(Naming.TIMM, Naming.TORCHVISION);
        assertEquals("features.0.0.weight", r.get("conv_stem.weight"));
        assertEquals("classifier.1.bias", r.get("classifier.bias"));
        assertEquals(m.entries().size(), r.size());
    }
}
