package dev.efficientnet.cli;

import dev.efficientnet.core.io.Safetensors;
import dev.efficientnet.core.tensor.Tensor;
import dev.efficientnet.models.EfficientNet;
import dev.efficientnet.models.export.OnnxExport;
import dev.efficientnet.models.spec.Presets;
import dev.efficientnet.models.weights.Naming;
import dev.efficientnet.models.weights.Weights;
import dev.efficientnet.train.TrainedModel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code efficientnet export}: ONNX and timm/torchvision/native safetensors, from weights or a checkpoint; bad input. */
class ExportCommandTest {
    static final String[] MODEL = {"tf_efficientnet_b0", "--width-mult", "0.25", "--depth-mult", "0.25", "--num-classes", "4"};

    @TempDir
    Path tmp;
    Path weights;
    EfficientNet model;

    @BeforeEach
    void setUp() throws IOException {
        model = EfficientNet.create(Presets.get("tf_efficientnet_b0", 0.25, 0.25, 4), 9);
        weights = tmp.resolve("w.safetensors");
        Weights.save(model, weights, Naming.TIMM);
    }

    private static String[] args(String... tail) {
        String[] a = new String[1 + MODEL.length + tail.length];
        a[0] = "export";
        System.arraycopy(MODEL, 0, a, 1, MODEL.length);
        System.arraycopy(tail, 0, a, 1 + MODEL.length, tail.length);
        return a;
    }

    @Test
    void onnxIsTheGraphOfTheLoadedWeights() throws IOException {
        Path out = tmp.resolve("m.onnx");
        CliTestSupport.Run r = CliTestSupport.run(args("--weights", weights.toString(), "--format", "onnx", "--output", out.toString(), "--size", "65"));
        assertEquals(0, r.code(), r.describe());
        assertTrue(r.out().contains("65x65, opset " + OnnxExport.OPSET), r.out());
        model.eval();
        assertArrayEquals(OnnxExport.toBytes(model, 65, 65), Files.readAllBytes(out));
        // default size: the preset's eval resolution
        Path def = tmp.resolve("d.onnx");
        assertEquals(0, CliTestSupport.run(args("--weights", weights.toString(), "--format", "ONNX", "--output", def.toString())).code());
        assertArrayEquals(OnnxExport.toBytes(model, 224, 224), Files.readAllBytes(def));
    }

    @Test
    void safetensorsInEachNamingReloadToTheSameWeights() throws IOException {
        for (Naming n : Naming.values()) {
            Path out = tmp.resolve(n.id() + ".safetensors");
            CliTestSupport.Run r = CliTestSupport.run(args("--weights", weights.toString(), "--format", n.id(), "--output", out.toString()));
            assertEquals(0, r.code(), r.describe());
            assertTrue(Safetensors.read(out).names().contains(n.marker()), n + " naming");
            assertEquals("tf_efficientnet_b0", Safetensors.read(out).metadata().get("preset"));
            EfficientNet back = EfficientNet.create(model.spec(), 1);
            Weights.load(back, out);
            for (Map.Entry<String, Tensor> e : model.stateDict().entrySet())
                assertArrayEquals(e.getValue().toFloatArray(), back.stateDict().get(e.getKey()).toFloatArray(), e.getKey());
        }
    }

    @Test
    void aTrainingCheckpointExportsItsEmaWeights() throws IOException {
        Path data = tmp.resolve("data");
        Files.createDirectories(data);
        mnist(data, "train", 16);
        mnist(data, "t10k", 8);
        Path run = tmp.resolve("run");
        CliTestSupport.Run t = CliTestSupport.run("train", "tf_efficientnetv2_b0", "--data", data.toString(), "--out", run.toString(),
                "--width-mult", "0.25", "--depth-mult", "0.1", "--epochs", "1", "--batch", "8", "--max-steps", "1",
                "--progressive", "none", "--min-size", "8", "--max-size", "12", "--workers", "1");
        assertEquals(0, t.code(), t.describe());
        Path out = tmp.resolve("ckpt.safetensors");
        CliTestSupport.Run r = CliTestSupport.run("export", "tf_efficientnetv2_b0", "--weights", run.toString(), "--format", "timm",
                "--output", out.toString());
        assertEquals(0, r.code(), r.describe());
        Path ckpt = run.resolve("last.safetensors");
        TrainedModel trained = TrainedModel.load(ckpt, false);
        Map<String, Tensor> expected = Weights.export(CheckpointWeights.loaded(trained, trained.model().spec()).model(), Naming.TIMM);
        Map<String, Tensor> written = Safetensors.load(out);
        assertEquals(expected.keySet(), written.keySet());
        for (Map.Entry<String, Tensor> e : expected.entrySet())
            assertArrayEquals(e.getValue().toFloatArray(), written.get(e.getKey()).toFloatArray(), e.getKey());
        Path onnx = tmp.resolve("ckpt.onnx");
        assertEquals(0, CliTestSupport.run("export", "tf_efficientnetv2_b0", "--weights", ckpt.toString(), "--format", "onnx",
                "--output", onnx.toString()).code());
        assertTrue(Files.size(onnx) > 1000);
    }

    @Test
    void badInputIsOneLineExitTwoAndNothingIsOverwritten() throws IOException {
        byte[] before = Files.readAllBytes(weights);
        assertUsage(CliTestSupport.run(args("--weights", weights.toString(), "--format", "onnx", "--output", weights.toString())),
                "is the same file as --weights");
        assertArrayEquals(before, Files.readAllBytes(weights), "the input is untouched");
        Path existing = tmp.resolve("existing.onnx");
        Files.writeString(existing, "keep me");
        assertUsage(CliTestSupport.run(args("--weights", weights.toString(), "--format", "onnx", "--output", existing.toString())),
                "pass --overwrite");
        assertEquals("keep me", Files.readString(existing));
        assertEquals(0, CliTestSupport.run(args("--weights", weights.toString(), "--format", "onnx", "--output", existing.toString(),
                "--overwrite", "--size", "32")).code());
        assertUsage(CliTestSupport.run(args("--weights", weights.toString(), "--format", "caffe", "--output", tmp.resolve("x").toString())),
                "expected onnx, timm, torchvision or native");
        assertUsage(CliTestSupport.run(args("--weights", weights.toString(), "--format", "onnx", "--output", tmp.resolve("x").toString(),
                "--size", "0")), "--size must be >= 1");
        assertUsage(CliTestSupport.run(args("--weights", tmp.resolve("missing.safetensors").toString(), "--format", "onnx",
                "--output", tmp.resolve("x").toString())), "does not exist");
        assertUsage(CliTestSupport.run(args("--weights", weights.toString(), "--format", "timm",
                "--output", tmp.resolve("nodir").resolve("x").toString())), "does not exist");
        // weights of another shape
        assertUsage(CliTestSupport.run("export", "efficientnet_b0", "--weights", weights.toString(), "--format", "onnx",
                "--output", tmp.resolve("x").toString()), "--weights");
        assertTrue(!Files.exists(tmp.resolve("x")));
    }

    private static void assertUsage(CliTestSupport.Run r, String needle) {
        assertEquals(2, r.code(), r.describe());
        String err = r.err().strip();
        assertEquals(1, err.lines().count(), "one line: " + err);
        assertTrue(err.contains(needle), err);
        assertTrue(!err.contains("Exception"), err);
    }

    /** A tiny Fashion-MNIST-format data set (random pixels, 4 classes). */
    static void mnist(Path dir, String prefix, int n) throws IOException {
        Random r = new Random(n);
        ByteArrayOutputStream img = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(img);
        d.writeInt(0x803);
        d.writeInt(n);
        d.writeInt(12);
        d.writeInt(12);
        byte[] px = new byte[n * 144];
        r.nextBytes(px);
        d.write(px);
        ByteArrayOutputStream lab = new ByteArrayOutputStream();
        DataOutputStream l = new DataOutputStream(lab);
        l.writeInt(0x801);
        l.writeInt(n);
        for (int i = 0; i < n; i++) l.writeByte(i % 4);
        gz(dir.resolve(prefix + "-images-idx3-ubyte.gz"), img.toByteArray());
        gz(dir.resolve(prefix + "-labels-idx1-ubyte.gz"), lab.toByteArray());
    }

    private static void gz(Path f, byte[] b) throws IOException {
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(f))) {
            o.write(b);
        }
    }
}
