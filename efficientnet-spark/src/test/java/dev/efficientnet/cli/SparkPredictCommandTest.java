package dev.efficientnet.cli;

import dev.efficientnet.core.io.Json;
import dev.efficientnet.models.EfficientNet;
import dev.efficientnet.models.spec.Presets;
import dev.efficientnet.models.weights.Naming;
import dev.efficientnet.models.weights.Weights;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code efficientnet spark predict} on the two-executor test cluster against {@code efficientnet predict}. */
class SparkPredictCommandTest {
    static final String[] MODEL = {"efficientnet_b0", "--width-mult", "0.25", "--depth-mult", "0.25", "--num-classes", "4"};

    @TempDir
    static Path tmp;
    static Path weights;
    static Path labels;
    static Path dir;

    record Run(int code, String out, String err) {
        Map<String, Object> lastJson() {
            String[] lines = out.strip().split("\\R");
            return Json.parseObject(lines[lines.length - 1]);
        }

        String describe() {
            return "exit " + code + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
        }
    }

    interface Runner {
        int run(String[] args, PrintStream out, PrintStream err);
    }

    static Run run(Runner r, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = r.run(args, o, e);
        }
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @BeforeAll
    static void setUp() throws Exception {
        dev.efficientnet.spark.TestClusterAccess.start();   // the command reuses the running session
        EfficientNet model = EfficientNet.create(Presets.get("efficientnet_b0", 0.25, 0.25, 4), 5);
        weights = tmp.resolve("tiny.safetensors");
        Weights.save(model, weights, Naming.TORCHVISION);
        labels = tmp.resolve("labels.txt");
        Files.write(labels, List.of("apple", "banana", "cherry", "date"));
        dir = Files.createDirectories(tmp.resolve("imgs"));
        for (int i = 0; i < 6; i++) {
            BufferedImage img = new BufferedImage(40 + i * 9, 60, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < 60; y++) for (int x = 0; x < 40 + i * 9; x++) img.setRGB(x, y, (x * 37 + y * (i + 1) * 13) * 2654435 & 0xFFFFFF);
            ImageIO.write(img, "png", dir.resolve("p" + i + ".png").toFile());
        }
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    @SuppressWarnings("unchecked")
    void imagesOutEqualsPredictJson() throws Exception {
        Path out = tmp.resolve("out.parquet");
        Run s = run(SparkMain::run, concat(concat(new String[]{"predict"}, MODEL), "--weights", weights.toString(),
                "--labels", labels.toString(), "--images", dir.toString(), "--master", dev.efficientnet.spark.TestClusterAccess.MASTER,
                "--output", out.toString(), "--top-k", "3", "--json"));
        assertEquals(0, s.code(), s.describe());
        Map<String, Object> j = s.lastJson();
        assertEquals(6, ((Number) j.get("images")).intValue());
        assertEquals(0, ((Number) j.get("failed")).intValue());
        assertEquals(2, ((Number) j.get("executors")).intValue(), s.describe());
        assertTrue(((Number) j.get("seconds")).doubleValue() > 0);
        assertTrue(Files.isDirectory(out));

        List<String> files = new ArrayList<>();
        try (var st = Files.list(dir)) {
            st.sorted().forEach(p -> files.add(p.toString()));
        }
        Run p = run(Main::run, concat(concat(concat(new String[]{"predict"}, MODEL), "--weights", weights.toString(),
                "--labels", labels.toString(), "--top-k", "3", "--json"), files.toArray(new String[0])));
        assertEquals(0, p.code(), p.describe());
        List<Object> expected = (List<Object>) p.lastJson().get("images");
        List<Object> actual = (List<Object>) j.get("images_out");
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            Map<String, Object> e = (Map<String, Object>) expected.get(i);
            Map<String, Object> a = (Map<String, Object>) actual.get(i);
            assertEquals(e.get("file"), a.get("file"));
            List<Map<String, Object>> ep = (List<Map<String, Object>>) e.get("predictions");
            List<Map<String, Object>> ap = (List<Map<String, Object>>) a.get("predictions");
            assertEquals(ep.get(0).get("index"), ap.get(0).get("index"), "top-1 of " + e.get("file"));
            for (int k = 0; k < ep.size(); k++) {
                assertEquals(ep.get(k).get("label"), ap.get(k).get("label"));
                assertEquals(((Number) ep.get(k).get("probability")).doubleValue(), ((Number) ap.get(k).get("probability")).doubleValue(), 1e-5);
            }
        }

        Run again = run(SparkMain::run, concat(concat(new String[]{"predict"}, MODEL), "--weights", weights.toString(),
                "--images", dir.toString(), "--master", "local[1]", "--output", out.toString()));
        assertEquals(2, again.code(), again.describe());
        assertTrue(again.err().contains("already exists"), again.describe());
        assertFalse(again.err().contains("Exception"), again.describe());
    }

    @Test
    void usageErrorsAreOneLine() {
        Run r = run(SparkMain::run, concat(concat(new String[]{"predict"}, MODEL), "--weights", tmp.resolve("nope.safetensors").toString(),
                "--images", dir.toString(), "--output", tmp.resolve("o2").toString()));
        assertEquals(2, r.code(), r.describe());
        assertTrue(r.err().contains("nope.safetensors"), r.describe());
        Run none = run(SparkMain::run);
        assertEquals(2, none.code(), none.describe());
    }
}
