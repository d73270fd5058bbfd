package dev.efficientnet.models.weights;

import dev.efficientnet.core.io.torch.TorchSave;
import dev.efficientnet.models.EfficientNet;
import dev.efficientnet.models.spec.Presets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link EfficientNet#fromWeights} builds the model a file describes: from metadata, else from the shapes. */
class FromWeightsTest {
    @TempDir
    Path tmp;

    private Path pth(EfficientNet m, Naming naming, String name) throws Exception {
        Path p = tmp.resolve(name);
        TorchSave.write(p, Weights.export(m, naming)); // no metadata: only the tensors speak
        return p;
    }

    @Test
    void infersTorchvisionAndTimmPresetsFromTheShapes() throws Exception {
        EfficientNet b1 = EfficientNet.create(Presets.get("efficientnet_b1"), 3);
        EfficientNet got = EfficientNet.fromWeights(pth(b1, Naming.TORCHVISION, "b1.pth"));
        assertEquals("efficientnet_b1", got.spec().name());
        assertEquals(1000, got.spec().numClasses());
        PthWeightsTest.assertSameState(b1, got);

        EfficientNet v2 = EfficientNet.create(Presets.get("tf_efficientnetv2_b0").withNumClasses(7), 4);
        got = EfficientNet.fromWeights(pth(v2, Naming.TIMM, "v2b0.pth"));
        assertEquals("tf_efficientnetv2_b0", got.spec().name());
        assertEquals(7, got.spec().numClasses());
        PthWeightsTest.assertSameState(v2, got);
    }

    @Test
    void sameShapesDifferentConventionsNeedThePreset() throws Exception {
        EfficientNet tf = EfficientNet.create(Presets.get("tf_efficientnet_b0"), 5);
        Path p = pth(tf, Naming.TIMM, "b0_timm.pth");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EfficientNet.fromWeights(p));
        assertTrue(e.getMessage().contains("[efficientnet_b0, tf_efficientnet_b0]"), e.getMessage());
        EfficientNet got = EfficientNet.fromWeights(p, "tf_efficientnet_b0");
        assertEquals("tf_efficientnet_b0", got.spec().name());
        PthWeightsTest.assertSameState(tf, got);
    }

    @Test
    void metadataNamesThePresetAndItsMultipliers() throws Exception {
        EfficientNet small = EfficientNet.create(Presets.get("tf_efficientnet_b0", 0.25, 0.5, 5), 6);
        Path p = tmp.resolve("small.safetensors");
        Weights.save(small, p, Naming.TIMM);
        EfficientNet got = EfficientNet.fromWeights(p);
        assertEquals("tf_efficientnet_b0", got.spec().name());
        assertEquals(0.25, got.spec().widthMult());
        assertEquals(0.5, got.spec().depthMult());
        assertEquals(5, got.spec().numClasses());
        PthWeightsTest.assertSameState(small, got);

        // custom multipliers without metadata: no preset fits, and the message says so
        Path bare = pth(small, Naming.TIMM, "small.pth");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EfficientNet.fromWeights(bare));
        assertTrue(e.getMessage().contains("no preset fits"), e.getMessage());
    }
}
