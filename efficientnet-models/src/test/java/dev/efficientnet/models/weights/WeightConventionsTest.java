package dev.efficientnet.models.weights;

import dev.efficientnet.core.tensor.Tensor;
import dev.efficientnet.models.EfficientNet;
import dev.efficientnet.models.spec.ModelSpec;
import dev.efficientnet.models.spec.Presets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Weights never load silently into a preset whose padding or BN epsilon differ from their source's. */
class WeightConventionsTest {
    @TempDir
    Path tmp;

    private static EfficientNet small(String preset, long seed) {
        return EfficientNet.create(Presets.get(preset, 0.25, 0.25, 10), seed);
    }

    private static float[] stem(EfficientNet m) {
        return m.stateDict().get("stem.conv.weight").toFloatArray();
    }

    /** Our own file records its preset: an efficientnet_b0 export does not load into tf_efficientnet_b0. */
    @Test
    void ownFileMetadataIsChecked() throws IOException {
        EfficientNet b0 = small("efficientnet_b0", 1);
        for (Naming naming : Naming.values()) {
            Path file = tmp.resolve("b0_" + naming.id() + ".safetensors");
            Weights.save(b0, file, naming);
            EfficientNet tf = small("tf_efficientnet_b0", 2);
            float[] before = stem(tf);
            IncompatibleWeightsException e = assertThrows(IncompatibleWeightsException.class, () -> Weights.load(tf, file));
            assertEquals("efficientnet_b0", e.suggestedPreset());
            assertTrue(e.getMessage().contains("exported from preset efficientnet_b0") && e.getMessage().contains("TF SAME padding")
                    && e.getMessage().contains("load it into efficientnet_b0"), e.getMessage());
            assertArrayEquals(before, stem(tf), "nothing was loaded");
            // the right preset loads it; the check can be switched off deliberately
            EfficientNet ok = small("efficientnet_b0", 3);
            Weights.load(ok, file);
            assertArrayEquals(stem(b0), stem(ok));
            Weights.load(tf, file, LoadOptions.STRICT.ignoringConventions());
            assertArrayEquals(stem(b0), stem(tf));
        }
    }

    /**
     * timm's own efficientnet_b5 (BN eps 1e-5) is not torchvision's (eps 1e-3): timm-named weights
     * without our metadata are refused by efficientnet_b5 and name timm_efficientnet_b5.
     */
    @Test
    void timmNamedB5RefusedByTorchvisionB5() {
        for (String b : new String[]{"b5", "b6", "b7"}) {
            Map<String, Tensor> timm = Weights.export(small("timm_efficientnet_" + b, 4), Naming.TIMM);
            EfficientNet tv = small("efficientnet_" + b, 5);
            IncompatibleWeightsException e = assertThrows(IncompatibleWeightsException.class, () -> Weights.load(tv, timm));
            assertEquals("timm_efficientnet_" + b, e.suggestedPreset());
            assertTrue(e.getMessage().contains("BN eps 1e-3") && e.getMessage().contains("eps 1e-5")
                    && e.getMessage().contains("tf_efficientnet_" + b), e.getMessage());
            Weights.load(small("timm_efficientnet_" + b, 6), timm);
            Weights.load(small("tf_efficientnet_" + b, 6), timm); // timm's TF port has the same names: TF SAME, eps 1e-3
        }
        // timm's B0-B4 equal torchvision's presets of the same name
        Weights.load(small("efficientnet_b4", 7), Weights.export(small("efficientnet_b4", 8), Naming.TIMM));
    }

    /** A file this library wrote keeps loading into its own preset in any naming, B5 included. */
    @Test
    void ownTimmExportOfTorchvisionB5Loads() throws IOException {
        EfficientNet b5 = small("efficientnet_b5", 9);
        Path file = tmp.resolve("b5_timm.safetensors");
        Weights.save(b5, file, Naming.TIMM);
        EfficientNet again = small("efficientnet_b5", 10);
        Weights.load(again, file);
        assertArrayEquals(stem(b5), stem(again));
        EfficientNet timm = small("timm_efficientnet_b5", 10);
        IncompatibleWeightsException e = assertThrows(IncompatibleWeightsException.class, () -> Weights.load(timm, file));
        assertEquals("efficientnet_b5", e.suggestedPreset());
    }

    @Test
    void torchvisionNamedWeightsNeedTorchvisionConventions() {
        Map<String, Tensor> tvB0 = Weights.export(small("efficientnet_b0", 11), Naming.TORCHVISION);
        IncompatibleWeightsException e = assertThrows(IncompatibleWeightsException.class,
                () -> Weights.load(small("tf_efficientnet_b0", 12), tvB0));
        assertEquals("efficientnet_b0", e.suggestedPreset());
        assertTrue(e.getMessage().contains("torchvision-named") && e.getMessage().contains("symmetric padding"), e.getMessage());

        Map<String, Tensor> tvB5 = Weights.export(small("efficientnet_b5", 13), Naming.TORCHVISION);
        assertEquals("efficientnet_b5", assertThrows(IncompatibleWeightsException.class,
                () -> Weights.load(small("timm_efficientnet_b5", 14), tvB5)).suggestedPreset());
        Weights.load(small("efficientnet_b5", 14), tvB5);

    }

    /** Conventions recorded in the metadata win over the preset name (a custom spec under a preset's name). */
    @Test
    void recordedConventionsOfCustomSpecs() throws IOException {
        ModelSpec custom = Presets.get("efficientnet_b0", 0.25, 0.25, 10).withBatchNorm(1e-4, 0.1).withName("my_net");
        EfficientNet a = EfficientNet.create(custom, 19);
        Path file = tmp.resolve("custom.safetensors");
        Weights.save(a, file, Naming.NATIVE);
        IncompatibleWeightsException e = assertThrows(IncompatibleWeightsException.class,
                () -> Weights.load(small("efficientnet_b0", 20), file));
        assertNull(e.suggestedPreset());
        assertTrue(e.getMessage().contains("BN eps 1.0E-4"), e.getMessage());
        EfficientNet b = EfficientNet.create(custom, 21);
        Weights.load(b, file);
        assertArrayEquals(stem(a), stem(b));
        assertFalse(WeightConventions.of(custom).matches(WeightConventions.of(Presets.get("efficientnet_b0"))));
    }

    @Test
    void baseNames() {
        assertEquals("efficientnet_b5", WeightConventions.baseName("timm_efficientnet_b5"));
        assertEquals("efficientnet_b5", WeightConventions.baseName("tf_efficientnet_b5"));
        assertEquals("efficientnet_v2_s", WeightConventions.baseName("tf_efficientnetv2_s"));
        assertEquals("efficientnet_v2_l", WeightConventions.baseName("efficientnet_v2_l"));
        assertNull(WeightConventions.baseName("my_net"));
    }
}
