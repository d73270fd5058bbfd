package dev.efficientnet.cli;

import dev.efficientnet.core.io.Safetensors;
import dev.efficientnet.core.io.SafetensorsFile;
import dev.efficientnet.core.io.torch.TorchSave;
import dev.efficientnet.core.tensor.Tensor;
import dev.efficientnet.models.EfficientNet;
import dev.efficientnet.models.spec.Presets;
import dev.efficientnet.models.weights.Naming;
import dev.efficientnet.models.weights.Weights;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static dev.efficientnet.cli.CliTestSupport.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code efficientnet convert} and .pth files given to --weights. */
class ConvertCommandTest {
    static final String[] MODEL = {"--width-mult", "0.25", "--depth-mult", "0.25", "--num-classes", "4"};

    @TempDir
    Path tmp;
    Path pth;
    EfficientNet model;

    @BeforeEach
    void setUp() throws Exception {
        model = EfficientNet.create(Presets.get("efficientnet_b0", 0.25, 0.25, 4), 11);
        Map<String, Tensor> tv = Weights.export(model, Naming.TORCHVISION);
        Map<String, Tensor> wrapped = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : tv.entrySet()) wrapped.put("module." + e.getKey(), e.getValue());
        pth = tmp.resolve("tiny.pth");
        TorchSave.write(pth, wrapped);
    }

    private void assertSameAsModel(Path safetensors) throws Exception {
        EfficientNet loaded = EfficientNet.create(model.spec(), 12);
        Weights.load(loaded, safetensors);
        for (Map.Entry<String, Tensor> e : model.stateDict().entrySet())
            assertArrayEquals(e.getValue().toFloatArray(), loaded.stateDict().get(e.getKey()).toFloatArray(), e.getKey());
    }

    @Test
    void convertsPthToSafetensorsKeepingTheNames() throws Exception {
        Path out = tmp.resolve("tiny.safetensors");
        CliTestSupport.Run r = run("convert", pth.toString(), out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("(pytorch, torchvision naming, "), r.out());
        assertTrue(r.out().contains("prefix 'module.' removed"), r.out());
        SafetensorsFile f = Safetensors.read(out);
        assertEquals("torchvision", f.metadata().get("naming"));
        assertTrue(f.names().contains("features.0.0.weight"));
        assertSameAsModel(out);
    }

    @Test
    void withArchChecksTheModelAndWritesThePreset() throws Exception {
        Path out = tmp.resolve("timm.safetensors");
        String[] args = {"convert", pth.toString(), out.toString(), "--arch", "efficientnet_b0", MODEL[0], MODEL[1], MODEL[2], MODEL[3],
                MODEL[4], MODEL[5], "--naming", "timm"};
        CliTestSupport.Run r = run(args);
        assertEquals(0, r.code(), r.err());
        SafetensorsFile f = Safetensors.read(out);
        assertEquals("efficientnet_b0", f.metadata().get("preset"));
        assertTrue(f.names().contains("conv_stem.weight"));
        assertSameAsModel(out);

        // the wrong model: one line, exit 2, nothing written
        Path bad = tmp.resolve("bad.safetensors");
        r = run("convert", pth.toString(), bad.toString(), "--arch", "efficientnet_b1", "--num-classes", "4");
        assertEquals(2, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertFalse(Files.exists(bad));
    }

    @Test
    void refusesToWriteOverTheInputAndBadInputs() throws Exception {
        byte[] before = Files.readAllBytes(pth);
        CliTestSupport.Run r = run("convert", pth.toString(), tmp.resolve(".").resolve("tiny.pth").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("is the same file as IN"), r.err());
        assertArrayEquals(before, Files.readAllBytes(pth));

        r = run("convert", pth.toString(), tmp.resolve("x.onnx").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains(".safetensors, .pth or .pt"), r.err());

        Path junk = Files.write(tmp.resolve("junk.pth"), new byte[]{'P', 'K', 3, 4, 1, 2, 3});
        r = run("convert", junk.toString(), tmp.resolve("o.safetensors").toString());
        assertEquals(2, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains(junk.toString()), r.err());
        assertFalse(r.err().contains("Exception"), r.err());
    }

    @Test
    void inferAndPredictAcceptPthWeights() throws Exception {
        Path img = tmp.resolve("x.png");
        java.awt.image.BufferedImage bi = new java.awt.image.BufferedImage(40, 30, java.awt.image.BufferedImage.TYPE_INT_RGB);
        bi.setRGB(3, 4, 0xFF8800);
        javax.imageio.ImageIO.write(bi, "png", img.toFile());
        String[] args = {"predict", "efficientnet_b0", MODEL[0], MODEL[1], MODEL[2], MODEL[3], MODEL[4], MODEL[5],
                "--weights", pth.toString(), "--json", img.toString()};
        CliTestSupport.Run r = run(args);
        assertEquals(0, r.code(), r.err());
        assertEquals("torchvision", r.lastJson().get("naming"));
    }
}
