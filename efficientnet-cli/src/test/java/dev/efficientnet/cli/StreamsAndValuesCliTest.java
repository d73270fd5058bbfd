package dev.efficientnet.cli;

import dev.efficientnet.core.io.Safetensors;
import dev.efficientnet.core.io.SafetensorsFile;
import dev.efficientnet.core.tensor.Tensor;
import dev.efficientnet.models.EfficientNet;
import dev.efficientnet.models.spec.ModelSpec;
import dev.efficientnet.models.spec.Presets;
import dev.efficientnet.models.weights.Naming;
import dev.efficientnet.models.weights.Weights;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.efficientnet.cli.ReliabilityCliTest.assertUsage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 17: {@code predict} streams images in bounded batches; named pipes (and so process
 * substitution) are read once as streams or refused as "not a regular file", never "empty" or a
 * hang; {@code eval} refuses NaN/Inf weights and never reports an accuracy from NaN/Inf logits.
 */
class StreamsAndValuesCliTest {
    @TempDir
    static Path tmp;
    static Path weights;
    static final String[] MODEL = {"efficientnet_b0", "--width-mult", "0.25", "--depth-mult", "0.1", "--num-classes", "5"};

    @BeforeAll
    static void setUp() throws IOException {
        ModelSpec spec = Presets.get("efficientnet_b0", 0.25, 0.1, 5);
        weights = tmp.resolve("tiny.safetensors");
        Weights.save(EfficientNet.create(spec, 1), weights, Naming.TIMM);
    }

    private static Path png(Path dir, String name, int w, int h, int rgb) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) img.setRGB(x, y, rgb + x % 7);
        Path f = dir.resolve(name);
        ImageIO.write(img, "png", f.toFile());
        return f;
    }

    private static String[] predict(String... tail) {
        List<String> a = new ArrayList<>(List.of("predict"));
        a.addAll(List.of(MODEL));
        a.addAll(List.of("--weights", weights.toString()));
        a.addAll(List.of(tail));
        return a.toArray(new String[0]);
    }

    @Test
    void predictStreamsImagesInBoundedBatches() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("many"));
        List<String> files = new ArrayList<>();
        for (int i = 0; i < 41; i++) files.add(png(dir, "img" + i + ".png", 20 + i, 16, 0x102030 * (i % 5)).toString());
        List<String> a = new ArrayList<>(List.of("--top-k", "1", "--json"));
        a.addAll(files);
        CliTestSupport.Run r = CliTestSupport.run(predict(a.toArray(new String[0])));
        assertEquals(0, r.code(), r.describe());
        assertEquals(41, ((List<?>) r.lastJson().get("images")).size());
        assertTrue(PredictCommand.maxDecodedAtOnce >= 1 && PredictCommand.maxDecodedAtOnce <= PredictCommand.BATCH,
                "at most one batch decoded at once, got " + PredictCommand.maxDecodedAtOnce);
    }

    /**
     * The real check: 40 images of 800x800 need ~310 MB of heap decoded at once; a child JVM with a
     * 160 MB heap classifies them all (and so never holds them all).
     */
    @Test
    void predictOnManyLargeImagesRunsInASmallHeap() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("large"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx160m", "-Xss4m", "-cp", System.getProperty("java.class.path"), "dev.efficientnet.cli.Main"));
        cmd.addAll(List.of(predict("--top-k", "1")));
        for (int i = 0; i < 40; i++) cmd.add(png(dir, "big" + i + ".png", 800, 800, 0x405060 + i).toString());
        Path log = tmp.resolve("large.log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "finished");
        String out = Files.readString(log);
        assertEquals(0, p.exitValue(), out);
        assertEquals(40, out.lines().filter(l -> l.contains("big") && l.endsWith(".png")).count(), out);
    }

    private static Path fifo(String name) throws Exception {
        Path f = tmp.resolve(name);
        Process p = new ProcessBuilder("mkfifo", f.toString()).inheritIO().start();
        assertEquals(0, p.waitFor());
        return f;
    }

    /** Writes {@code bytes} into the pipe once a reader opens it (on a daemon thread). */
    private static void feed(Path fifo, byte[] bytes) {
        Thread t = new Thread(() -> {
            try {
                Files.write(fifo, bytes);
            } catch (IOException ignored) {
                // the test fails on the reader's side
            }
        });
        t.setDaemon(true);
        t.start();
    }

    @Test
    @EnabledOnOs({OS.LINUX, OS.MAC})
    void namedPipesAreReadAsStreamsOrRefused() throws Exception {
        Path image = png(tmp, "piped-source.png", 30, 20, 0x806040);
        Path imagePipe = fifo("image.pipe");
        Path weightsPipe = fifo("weights.pipe");
        feed(imagePipe, Files.readAllBytes(image));
        feed(weightsPipe, Files.readAllBytes(weights));
        List<String> a = new ArrayList<>(List.of("predict"));
        a.addAll(List.of(MODEL));
        a.addAll(List.of("--weights", weightsPipe.toString(), "--top-k", "2", imagePipe.toString()));
        CliTestSupport.Run r = CliTestSupport.run(a.toArray(new String[0]));
        assertEquals(0, r.code(), r.describe());
        assertTrue(r.out().contains(imagePipe.toString()), r.describe());
        assertFalse(r.err().contains("empty"), r.describe());

        // a pipe that delivers nothing: one line, not "empty file" and no hang
        Path nothing = fifo("nothing.pipe");
        feed(nothing, new byte[0]);
        a = new ArrayList<>(List.of("predict"));
        a.addAll(List.of(MODEL));
        a.addAll(List.of("--weights", weights.toString(), nothing.toString()));
        assertUsage(CliTestSupport.run(a.toArray(new String[0])), nothing.toString(), "no data (0 bytes)");

        // --data must be a folder or a CSV file: a pipe is refused before anything is read (no writer needed)
        Path dataPipe = fifo("data.pipe");
        assertUsage(CliTestSupport.run("train", "tf_efficientnetv2_b0", "--data", dataPipe.toString(), "--out", tmp.resolve("p").toString()),
                "--data " + dataPipe, "not a regular file");
    }

    private static Path withValues(String name, Map<String, Float> fill) throws IOException {
        SafetensorsFile f = Safetensors.read(weights);
        Map<String, Tensor> t = new LinkedHashMap<>();
        for (String n : f.names()) {
            Tensor x = f.get(n);
            float[] v = x.toFloatArray();
            if (fill.containsKey(n)) java.util.Arrays.fill(v, fill.get(n));
            t.put(n, Tensor.of(v, x.shape()));
        }
        Path out = tmp.resolve(name);
        Safetensors.write(out, t, f.metadata());
        return out;
    }

    private static String[] eval(Path w) throws IOException {
        return new String[]{"eval", "efficientnet_b0", "--width-mult", "0.25", "--depth-mult", "0.1", "--num-classes", "5",
                "--in-channels", "3", "--weights", w.toString(), "--data", ReliabilityDataHolder.data().toString(),
                "--resolution", "24", "--batch", "8", "--no-confusion"};
    }

    @Test
    void evalRefusesNanWeightsAndNeverReportsAccuracyFromNanLogits() throws IOException {
        Path nan = withValues("nan.safetensors", Map.of("conv_stem.weight", Float.NaN));
        CliTestSupport.Run r = CliTestSupport.run(eval(nan));
        assertUsage(r, "invalid values", "NaN/Inf");
        assertFalse(r.out().contains("top-1"), r.describe());

        // finite weights whose logits overflow float32: features of 1000 (head BN gamma 0, beta 1000) x 3e38
        Path huge = withValues("huge.safetensors", Map.of("bn2.weight", 0f, "bn2.bias", 1000f, "classifier.weight", 3e38f));
        r = CliTestSupport.run(eval(huge));
        assertEquals(1, r.code(), r.describe());
        assertTrue(r.err().strip().lines().count() == 1 && r.err().contains("NaN/Inf logits"), r.describe());
        assertFalse(r.out().contains("top-1") || r.out().contains("accuracy"), "no accuracy printed: " + r.describe());

        // the same file's good twin evaluates
        r = CliTestSupport.run(eval(weights));
        assertEquals(0, r.code(), r.describe());
        assertTrue(r.out().contains("top-1"), r.describe());
    }

    /** A small RGB image folder with 5 classes (train/ and test/). */
    static final class ReliabilityDataHolder {
        private static Path data;

        static synchronized Path data() throws IOException {
            if (data == null) data = dataIn(tmp);
            return data;
        }

        /** Writes the folder into {@code dir}/rgb-data. */
        static Path dataIn(Path dir) throws IOException {
            Path d = dir.resolve("rgb-data");
            for (String part : new String[]{"train", "test"}) {
                for (int c = 0; c < 5; c++) {
                    Path cls = Files.createDirectories(d.resolve(part).resolve("c" + c));
                    for (int i = 0; i < 3; i++) png(cls, "i" + i + ".png", 12, 12, 0x203040 * (c + 1) + i);
                }
            }
            return d;
        }

        /** One image of such a folder. */
        static Path anImage(Path data) {
            return data.resolve("test").resolve("c0").resolve("i0.png");
        }
    }
}
