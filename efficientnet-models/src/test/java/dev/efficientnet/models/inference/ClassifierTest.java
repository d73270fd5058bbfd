package dev.efficientnet.models.inference;

import dev.efficientnet.core.tensor.DType;
import dev.efficientnet.core.tensor.MemoryScope;
import dev.efficientnet.core.tensor.Rng;
import dev.efficientnet.core.tensor.Tensor;
import dev.efficientnet.core.autograd.GradMode;
import dev.efficientnet.models.EfficientNet;
import dev.efficientnet.models.image.ImageInterpolation;
import dev.efficientnet.models.image.ImagePreprocessing;
import dev.efficientnet.models.image.ImageReadException;
import dev.efficientnet.models.image.Images;
import dev.efficientnet.models.image.RgbImage;
import dev.efficientnet.models.spec.ModelSpec;
import dev.efficientnet.models.spec.Presets;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.function.Executable;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClassifierTest {
    private static final int CLASSES = 7;
    private static ModelSpec spec;
    private static EfficientNet model;

    @TempDir
    Path tmp;

    /** A tiny B0 whose BN statistics and affine parameters are non-trivial, so eval BN matters. */
    @BeforeAll
    static void buildModel() {
        spec = Presets.get("efficientnet_b0", 0.25, 0.25, CLASSES);
        model = EfficientNet.create(spec, 11);
        randomizeBatchNorm(model, 5);
    }

    static void randomizeBatchNorm(EfficientNet m, long seed) {
        Rng rng = new Rng(seed);
        for (Map.Entry<String, Tensor> e : m.stateDict().entrySet()) {
            String k = e.getKey();
            Tensor t = e.getValue();
            int n = (int) t.numel();
            double[] v = null;
            if (k.endsWith("running_var")) v = rng.uniform(n, 0.5, 2.0);
            else if (k.endsWith("running_mean")) v = rng.normal(n, 0, 0.2);
            else if (k.contains("bn.") && k.endsWith("weight")) v = rng.uniform(n, 0.5, 1.5);
            else if (k.endsWith("bias")) v = rng.normal(n, 0, 0.1);
            if (v != null) {
                double[] vals = v;
                MemoryScope.outside(() -> t.assign(Tensor.of(vals, t.shape()).to(DType.FLOAT32)));
            }
        }
    }

    private static float[] random(long seed, int n) {
        double[] d = new Rng(seed).normal(n, 0, 1);
        float[] f = new float[n];
        for (int i = 0; i < n; i++) f[i] = (float) d[i];
        return f;
    }

    private static Tensor input(long seed, int... shape) {
        int n = 1;
        for (int d : shape) n *= d;
        float[] data = random(seed, n);
        return MemoryScope.outside(() -> Tensor.of(data, shape));
    }

    private static boolean bitEqual(float[][] a, float[][] b) {
        if (a.length != b.length) return false;
        for (int i = 0; i < a.length; i++) {
            if (a[i].length != b[i].length) return false;
            for (int j = 0; j < a[i].length; j++)
                if (Float.floatToRawIntBits(a[i][j]) != Float.floatToRawIntBits(b[i][j])) return false;
        }
        return true;
    }

    @Test
    void eightThreadsGiveBitIdenticalResultsToOneThread() throws Exception {
        Classifier c = Classifier.of(model);
        int[][] shapes = {{1, 3, 32, 32}, {2, 3, 32, 32}, {3, 3, 24, 40}, {1, 3, 17, 29}, {2, 3, 48, 16}, {1, 3, 32, 32}};
        List<Tensor> inputs = new ArrayList<>();
        for (int i = 0; i < shapes.length; i++) inputs.add(input(100 + i, shapes[i]));
        Map<String, Tensor> before = snapshot(model);

        // the single-threaded reference: logits and features of each input
        float[][][] refLogits = new float[inputs.size()][][];
        float[][][] refFeatures = new float[inputs.size()][][];
        for (int i = 0; i < inputs.size(); i++) {
            refLogits[i] = c.logits(inputs.get(i));
            refFeatures[i] = c.features(inputs.get(i));
            assertEquals(shapes[i][0], refLogits[i].length);
            assertEquals(CLASSES, refLogits[i][0].length);
            assertEquals(spec.headChannels(), refFeatures[i][0].length);
        }
        // the model's own forward pass agrees (the classifier adds nothing but bookkeeping)
        try (GradMode g = GradMode.disabled(); MemoryScope s = MemoryScope.open()) {
            float[] direct = model.forward(inputs.get(1)).toFloatArray();
            assertArrayEquals(direct, concat(refLogits[1]), 0f);
        }

        int threads = 8;
        int callsPerThread = 30;
        List<String> mismatches = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    start.await();
                    int calls = 0;
                    for (int k = 0; k < callsPerThread; k++) {
                        int i = (thread * 7 + k * 5) % inputs.size();
                        Tensor x = inputs.get(i);
                        switch ((thread + k) % 3) {
                            case 0 -> {
                                if (!bitEqual(refLogits[i], c.logits(x))) mismatches.add("thread " + thread + " call " + k + " logits of input " + i);
                            }
                            case 1 -> {
                                float[][] got = c.logits(x.toFloatArray(), shapes[i][0], shapes[i][2], shapes[i][3]);
                                if (!bitEqual(refLogits[i], got)) mismatches.add("thread " + thread + " call " + k + " array logits of input " + i);
                            }
                            default -> {
                                if (!bitEqual(refFeatures[i], c.features(x))) mismatches.add("thread " + thread + " call " + k + " features of input " + i);
                            }
                        }
                        calls++;
                    }
                    return calls;
                }));
            }
            start.countDown();
            int total = 0;
            for (Future<Integer> f : futures) total += f.get(5, TimeUnit.MINUTES);
            assertEquals(threads * callsPerThread, total);
        } finally {
            pool.shutdownNow();
        }
        assertTrue(mismatches.isEmpty(), mismatches.size() + " concurrent results differ from the single-threaded run: " + mismatches);
        // nothing in the model changed (eval BN does not touch its running statistics)
        Map<String, Tensor> after = snapshot(model);
        for (String k : before.keySet())
            assertArrayEquals(before.get(k).toFloatArray(), after.get(k).toFloatArray(), 0f, k);
        assertTrue(!model.isTraining());
    }

    private static float[] concat(float[][] rows) {
        int n = 0;
        for (float[] r : rows) n += r.length;
        float[] out = new float[n];
        int o = 0;
        for (float[] r : rows) {
            System.arraycopy(r, 0, out, o, r.length);
            o += r.length;
        }
        return out;
    }

    private static Map<String, Tensor> snapshot(EfficientNet m) {
        Map<String, Tensor> out = new java.util.LinkedHashMap<>();
        m.stateDict().forEach((k, v) -> out.put(k, MemoryScope.outside(v::copy)));
        return out;
    }

    @Test
    void probabilitiesAreSoftmaxOfLogits() {
        Classifier c = Classifier.of(model);
        Tensor x = input(3, 2, 3, 32, 32);
        float[][] logits = c.logits(x);
        float[][] probs = c.probabilities(x);
        for (int n = 0; n < 2; n++) {
            double sum = 0;
            double max = Double.NEGATIVE_INFINITY;
            for (float v : logits[n]) max = Math.max(max, v);
            double z = 0;
            for (float v : logits[n]) z += Math.exp(v - max);
            for (int k = 0; k < CLASSES; k++) {
                assertEquals(Math.exp(logits[n][k] - max) / z, probs[n][k], 1e-7);
                sum += probs[n][k];
            }
            assertEquals(1, sum, 1e-6);
        }
        // float64 input gives the same answer as its float32 values
        float[][] fromDouble = c.logits(MemoryScope.outside(() -> x.to(DType.FLOAT64)));
        assertTrue(bitEqual(logits, fromDouble));
        // huge logits do not overflow the softmax
        float[] p = Classifier.softmax(new float[]{1000f, 999f, -1000f});
        assertEquals(1 / (1 + Math.exp(-1)), p[0], 1e-6);
        assertEquals(0, p[2], 0);
    }

    @Test
    void inputValidationNamesTheProblem() {
        Classifier c = Classifier.of(model);
        assertMessage(() -> c.logits((Tensor) null), "nchw is null");
        assertMessage(() -> c.logits(input(1, 3, 32, 32)), "nchw must have rank 4", "[3, 32, 32]");
        assertMessage(() -> c.logits(input(1, 1, 4, 32, 32)), "nchw has 4 channels", "takes 3");
        assertMessage(() -> c.logits(MemoryScope.outside(() -> Tensor.zeros(0, 3, 8, 8))), "nchw has a batch of 0");
        assertMessage(() -> c.logits(MemoryScope.outside(() -> Tensor.zeros(1, 3, 0, 8))), "nchw has an empty image");

        float[] data = random(4, 2 * 3 * 5 * 6);
        data[1 * 90 + 2 * 30 + 3 * 6 + 4] = Float.NaN;
        Tensor withNaN = MemoryScope.outside(() -> Tensor.of(data, 2, 3, 5, 6));
        assertMessage(() -> c.logits(withNaN), "nchw holds NaN at [1, 2, 3, 4]", "must be finite");
        assertMessage(() -> c.probabilities(withNaN), "NaN");
        assertMessage(() -> c.topK(withNaN, 3), "NaN");
        assertMessage(() -> c.logits(data, 2, 5, 6), "nchw holds NaN at [1, 2, 3, 4]");
        float[] inf = random(5, 3 * 4 * 4);
        inf[7] = Float.POSITIVE_INFINITY;
        assertMessage(() -> c.logits(inf, 1, 4, 4), "Infinity");
        double[] dinf = new double[3 * 4 * 4];
        dinf[0] = Double.NEGATIVE_INFINITY;
        assertMessage(() -> c.logits(MemoryScope.outside(() -> Tensor.of(dinf, 1, 3, 4, 4))), "-Infinity at [0, 0, 0, 0]");

        float[] ok = random(6, 3 * 4 * 4);
        assertMessage(() -> c.logits(ok, 0, 4, 4), "batch must be >= 1, got 0");
        assertMessage(() -> c.logits(ok, 1, -4, 4), "height must be >= 1, got -4");
        assertMessage(() -> c.logits(ok, 1, 4, 0), "width must be >= 1, got 0");
        assertMessage(() -> c.logits(ok, 2, 4, 4), "nchw has 48 values", "needs 96");
        assertMessage(() -> c.logits(null, 1, 4, 4), "nchw is null");

        assertMessage(() -> c.topK(input(7, 1, 3, 8, 8), 0), "k must be >= 1, got 0");
        assertMessage(() -> c.topK((RgbImage) null, 3), "image is null");
        assertMessage(() -> c.topKImages(List.of(), 3), "images is empty");
        assertMessage(() -> Classifier.of(model, List.of("a", "b")), "labels has 2 entries", "7 classes");
        assertMessage(() -> Classifier.of(EfficientNet.create(spec.withNumClasses(0))), "has no classifier");
        assertMessage(() -> Classifier.of(null), "model is null");

        // a model put back into training mode is refused instead of updating BN statistics
        EfficientNet other = EfficientNet.create(spec, 2);
        Classifier oc = Classifier.of(other);
        other.train(true);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> oc.logits(input(8, 1, 3, 8, 8)));
        assertTrue(e.getMessage().contains("training mode"), e.getMessage());
    }

    private static void assertMessage(Executable call, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String p : parts) assertTrue(e.getMessage().contains(p), "message '" + e.getMessage() + "' lacks '" + p + "'");
    }

    @Test
    void topKOnSyntheticImagesWithLabels() throws Exception {
        EfficientNet m = EfficientNet.create(spec, 4);
        randomizeBatchNorm(m, 9);
        float[] bias = new float[CLASSES];
        bias[3] = 30f;   // class 3 wins whatever the image
        bias[5] = 29f;   // and class 5 comes second
        MemoryScope.outside(() -> m.head().classifier().bias().assign(Tensor.of(bias, CLASSES)));
        List<String> labels = List.of("zero", "one", "two", "three", "four", "five", "six");
        ImagePreprocessing pre = ImagePreprocessing.imagenet(32, 0.875, ImageInterpolation.BICUBIC);
        Classifier c = Classifier.of(m, pre, labels);

        BufferedImage img = new BufferedImage(50, 40, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 40; y++) for (int x = 0; x < 50; x++) img.setRGB(x, y, (x * 5) << 16 | (y * 6) << 8 | (x + 2 * y));
        Path photo = tmp.resolve("photo.png");
        ImageIO.write(img, "png", photo.toFile());
        RgbImage rgb = Images.read(photo);

        List<Prediction> top = c.topK(photo, 3);
        assertEquals(3, top.size());
        assertEquals(3, top.get(0).classIndex());
        assertEquals("three", top.get(0).label());
        assertEquals(5, top.get(1).classIndex());
        assertEquals("five", top.get(1).label());
        assertTrue(top.get(0).probability() > top.get(1).probability() && top.get(1).probability() >= top.get(2).probability());
        assertEquals(labels.get(top.get(2).classIndex()), top.get(2).label());

        // the same as preprocessing + forward + softmax by hand
        float[] expected;
        try (GradMode g = GradMode.disabled(); MemoryScope s = MemoryScope.open()) {
            expected = m.forward(pre.apply(rgb)).softmax().toFloatArray();
        }
        float[] probs = c.probabilities(rgb);
        assertArrayEquals(expected, probs, 1e-6f);
        for (Prediction p : top) assertEquals(expected[p.classIndex()], p.probability(), 1e-6f);
        assertEquals(top, c.topK(rgb, 3));

        // k above the class count returns every class, sorted
        List<Prediction> all = c.topK(rgb, 100);
        assertEquals(CLASSES, all.size());
        for (int i = 1; i < all.size(); i++) assertTrue(all.get(i - 1).probability() >= all.get(i).probability());

        // batch variants: two files (different sizes) in one call, in input order
        BufferedImage small = new BufferedImage(20, 30, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 30; y++) for (int x = 0; x < 20; x++) small.setRGB(x, y, (255 - x * 9) << 16 | (y * 8) << 8 | 77);
        Path second = tmp.resolve("second.png");
        ImageIO.write(small, "png", second.toFile());
        List<List<Prediction>> batch = c.topKFiles(List.of(photo, second), 2);
        assertEquals(2, batch.size());
        List<Prediction> alone = c.topK(second, 2);
        for (int i = 0; i < 2; i++) {
            assertEquals(alone.get(i).classIndex(), batch.get(1).get(i).classIndex());
            assertEquals(alone.get(i).probability(), batch.get(1).get(i).probability(), 1e-6f);
            assertEquals(top.get(i).classIndex(), batch.get(0).get(i).classIndex());
        }

        // without labels the label is null and displayName falls back to the index
        Prediction unlabelled = Classifier.of(m, pre, null).topK(rgb, 1).get(0);
        assertNull(unlabelled.label());
        assertEquals("class 3", unlabelled.displayName());

        // a bad file is reported by name
        Path broken = tmp.resolve("broken.png");
        Files.write(broken, new byte[]{(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
        ImageReadException e = assertThrows(ImageReadException.class, () -> c.topKFiles(List.of(photo, broken), 1));
        assertTrue(e.getMessage().contains("broken.png"), e.getMessage());
    }

    @Test
    void evalPreprocessingFollowsTheSpec() {
        ModelSpec tf = Presets.get("tf_efficientnetv2_s");
        ImagePreprocessing p = Classifier.evalPreprocessing(tf);
        assertEquals(tf.evalResolution(), p.height());
        assertEquals(tf.evalResolution(), p.width());
        assertEquals(tf.preprocessing().cropFraction(), p.cropFraction());
        assertEquals(tf.preprocessing().interpolation().name(), p.interpolation().name());
        assertArrayEquals(tf.preprocessing().mean().stream().mapToDouble(Double::doubleValue).toArray(), p.mean());
        assertArrayEquals(tf.preprocessing().std().stream().mapToDouble(Double::doubleValue).toArray(), p.std());
        for (var i : dev.efficientnet.models.spec.Interpolation.values())
            assertEquals(i.name(), Classifier.interpolation(i).name());
    }

    @Test
    void labelsFiles() throws Exception {
        Path f = tmp.resolve("labels.txt");
        Files.writeString(f, "\uFEFFtench\r\n goldfish \nwhite shark\n\n\n");
        assertEquals(List.of("tench", "goldfish", "white shark"), Labels.read(f));
        Files.writeString(f, "a\n\nb\n");
        IllegalArgumentException gap = assertThrows(IllegalArgumentException.class, () -> Labels.read(f));
        assertTrue(gap.getMessage().contains("line 2 is empty"), gap.getMessage());
        Files.writeString(f, "\n\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Labels.read(f)).getMessage().contains("no labels"));
        Path missing = tmp.resolve("nope.txt");
        java.io.IOException io = assertThrows(java.io.IOException.class, () -> Labels.read(missing));
        assertTrue(io.getMessage().contains("nope.txt"), io.getMessage());
        assertEquals(Arrays.asList("x"), Labels.parse(List.of("x"), "inline"));
    }
}
