package dev.efficientnet.models.export;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.efficientnet.core.autograd.GradMode;
import dev.efficientnet.core.tensor.MemoryScope;
import dev.efficientnet.core.tensor.Rng;
import dev.efficientnet.core.tensor.Tensor;
import dev.efficientnet.models.EfficientNet;
import dev.efficientnet.models.spec.ModelSpec;
import dev.efficientnet.models.spec.Presets;
import dev.efficientnet.models.weights.ReferenceFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.URISyntaxException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ONNX graphs {@link OnnxExport} writes run in ONNX Runtime and give our logits within 1e-4
 * (relative to max(1, max|logit|)), at batch 1 and 3 from one file (dynamic batch), for every
 * preset family: torchvision V1 (symmetric), TF V1 (TF SAME, odd and even sizes), V2 (Fused-MBConv),
 * Lite (ReLU6, no SE), timm's B5 convention, no classifier; and with the weights and BN statistics
 * of a timm fixture (non-trivial running statistics, so BN folding is really exercised).
 */
class OnnxExportTest {
    private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

    static float[] input(int n, int c, int h, int w, long seed) {
        double[] d = new Rng(seed).normal(n * c * h * w, 0, 1);
        float[] x = new float[d.length];
        for (int i = 0; i < x.length; i++) x[i] = (float) d[i];
        return x;
    }

    static float[] ours(EfficientNet m, float[] x, int n, int c, int h, int w) {
        m.eval();
        try (GradMode g = GradMode.disabled(); MemoryScope s = MemoryScope.open()) {
            return m.forward(Tensor.of(x, n, c, h, w)).toFloatArray();
        }
    }

    static float[] ort(OrtSession session, float[] x, int n, int c, int h, int w) throws OrtException {
        try (OnnxTensor in = OnnxTensor.createTensor(ENV, FloatBuffer.wrap(x), new long[]{n, c, h, w});
             OrtSession.Result r = session.run(Map.of(OnnxExport.INPUT, in))) {
            OnnxTensor out = (OnnxTensor) r.get(OnnxExport.OUTPUT).orElseThrow();
            FloatBuffer fb = out.getFloatBuffer();
            float[] a = new float[fb.remaining()];
            fb.get(a);
            return a;
        }
    }

    static double relError(float[] a, float[] ref) {
        assertEquals(ref.length, a.length);
        double max = 0;
        double diff = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(ref[i]));
            diff = Math.max(diff, Math.abs(a[i] - ref[i]));
        }
        return diff / Math.max(1, max);
    }

    static void check(EfficientNet m, int h, int w, Path dir) throws Exception {
        Path file = dir.resolve(m.spec().name() + ".onnx");
        OnnxExport.write(m, h, w, file);
        int c = m.spec().inChannels();
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setIntraOpNumThreads(1);
            try (OrtSession session = ENV.createSession(file.toString(), so)) {
                TensorInfo info = (TensorInfo) session.getInputInfo().get(OnnxExport.INPUT).getInfo();
                assertEquals(-1, info.getShape()[0], "dynamic batch");
                for (int n : new int[]{1, 3}) {
                    float[] x = input(n, c, h, w, 11 + n);
                    float[] ref = ours(m, x, n, c, h, w);
                    float[] got = ort(session, x, n, c, h, w);
                    double err = relError(got, ref);
                    assertTrue(err <= 1e-4, m.spec().name() + " batch " + n + " at " + h + "x" + w + ": rel error " + err);
                    assertEquals(n * (m.head().classifier() == null ? m.spec().headChannels() : m.spec().numClasses()), got.length);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0} w{1} d{2} @ {3}x{4}")
    @CsvSource({
            "efficientnet_b0, 0.25, 0.25, 64, 64",
            "tf_efficientnet_b0, 0.25, 0.25, 65, 65",
            "tf_efficientnet_b0, 0.25, 0.25, 64, 48",
            "efficientnet_v2_s, 0.25, 0.2, 64, 64",
            "tf_efficientnetv2_b0, 0.25, 0.25, 57, 57",
            "tf_efficientnet_lite0, 0.25, 0.25, 65, 65",
            "efficientnet_lite0, 0.25, 0.25, 64, 64",
            "timm_efficientnet_b5, 0.25, 0.2, 64, 64",
            "tf_efficientnet_es, 0.25, 0.25, 65, 65",
            "efficientnet_el, 0.3, 0.3, 64, 64",
    })
    void ortMatchesOurLogits(String preset, double w, double d, int h, int wd, @TempDir Path dir) throws Exception {
        ModelSpec spec = Presets.get(preset, w, d, 7);
        EfficientNet m = EfficientNet.create(spec, 17);
        perturbBatchNorm(m, 5);
        check(m, h, wd, dir);
    }

    @Test
    void withoutClassifierTheOutputIsThePooledFeatures(@TempDir Path dir) throws Exception {
        EfficientNet m = EfficientNet.create(Presets.get("tf_efficientnet_b0", 0.25, 0.25, 0), 3);
        check(m, 48, 48, dir);
    }

    @Test
    void timmFixtureWeightsRoundTrip(@TempDir Path dir) throws Exception {
        Path fixtures;
        try {
            fixtures = Path.of(OnnxExportTest.class.getResource("/fixtures/timm_tf_efficientnet_lite0_w0.25_d0.5.json").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        for (String name : new String[]{"timm_tf_efficientnet_lite0_w0.25_d0.5", "timm_tf_efficientnet_b0_w0.25_d0.5"}) {
            ReferenceFixture f = ReferenceFixture.read(fixtures, name);
            EfficientNet m = f.loadModel();
            check(m, 65, 65, dir);
            check(m, f.inputShape().get(2), f.inputShape().get(3), dir);
        }
    }

    /**
     * Full size: timm's tf_efficientnet_b0 fixture (224 px) through our ONNX graph in ONNX Runtime
     * against timm's own logits. Reads {@code -Dshared.fixtures}; skipped without it.
     */
    @Test
    void fullSizeOnnxMatchesTimm(@TempDir Path dir) throws Exception {
        String prop = System.getProperty("shared.fixtures");
        org.junit.jupiter.api.Assumptions.assumeTrue(prop != null && Files.isRegularFile(Path.of(prop, "timm_tf_efficientnet_b0.json")),
                "full-size fixture skipped: set -Dshared.fixtures");
        ReferenceFixture f = ReferenceFixture.read(Path.of(prop), "timm_tf_efficientnet_b0");
        EfficientNet m = f.loadModel();
        Map<String, Tensor> io = f.readIo();
        Tensor x = io.get("input");
        int[] s = x.shape();
        Path file = dir.resolve("b0.onnx");
        OnnxExport.write(m, s[2], s[3], file);
        try (OrtSession session = ENV.createSession(file.toString(), new OrtSession.SessionOptions())) {
            float[] got = ort(session, x.toFloatArray(), s[0], s[1], s[2], s[3]);
            double err = relError(got, io.get("logits").toFloatArray());
            System.out.printf("full-size tf_efficientnet_b0: ONNX %d bytes; ORT vs timm logits rel error %.3e%n", Files.size(file), err);
            assertTrue(err <= 1e-4, "rel error " + err);
        }
    }

    @Test
    void fileIsReplacedAtomicallyAndMetadataIsWritten(@TempDir Path dir) throws Exception {
        EfficientNet m = EfficientNet.create(Presets.get("efficientnet_b0", 0.25, 0.25, 4), 1);
        Path file = dir.resolve("m.onnx");
        Files.writeString(file, "old");
        OnnxExport.write(m, 32, 32, file);
        byte[] bytes = Files.readAllBytes(file);
        assertArrayEquals(OnnxExport.toBytes(m, 32, 32), bytes);
        try (OrtSession session = ENV.createSession(file.toString(), new OrtSession.SessionOptions())) {
            assertEquals("efficientnet_b0", session.getMetadata().getCustomMetadata().get("preset"));
            NodeInfo out = session.getOutputInfo().get(OnnxExport.OUTPUT);
            assertArrayEquals(new long[]{-1, 4}, ((TensorInfo) out.getInfo()).getShape());
        }
        try (var s = Files.list(dir)) {
            assertEquals(1, s.count(), "no temporary file left behind");
        }
    }

    /** Non-trivial BN statistics, so that folding them into the convolutions is tested. */
    static void perturbBatchNorm(EfficientNet m, long seed) {
        Rng rng = new Rng(seed);
        for (Map.Entry<String, Tensor> e : m.stateDict().entrySet()) {
            String k = e.getKey();
            Tensor t = e.getValue();
            int n = (int) t.numel();
            double[] r;
            if (k.endsWith("bn.running_mean")) r = rng.normal(n, 0, 0.1);
            else if (k.endsWith("bn.running_var")) r = rng.uniform(n, 0.5, 1.5);
            else if (k.endsWith("bn.weight")) r = rng.uniform(n, 0.4, 1.0);
            else if (k.endsWith("bn.bias")) r = rng.normal(n, 0, 0.1);
            else continue;
            float[] f = new float[n];
            for (int i = 0; i < n; i++) f[i] = (float) r[i];
            t.assign(Tensor.of(f, t.shape()));
        }
    }
}
