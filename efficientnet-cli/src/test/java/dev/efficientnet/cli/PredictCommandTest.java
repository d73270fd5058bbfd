package dev.efficientnet.cli;

import dev.efficientnet.core.tensor.MemoryScope;
import dev.efficientnet.core.tensor.Tensor;
import dev.efficientnet.models.EfficientNet;
import dev.efficientnet.models.image.Images;
import dev.efficientnet.models.inference.Classifier;
import dev.efficientnet.models.inference.Prediction;
import dev.efficientnet.models.spec.ModelSpec;
import dev.efficientnet.models.spec.Presets;
import dev.efficientnet.models.weights.Naming;
import dev.efficientnet.models.weights.Weights;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.efficientnet.cli.CliTestSupport.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code efficientnet predict} on a tiny model whose classifier bias makes the answer known. */
class PredictCommandTest {
    static final String[] MODEL = {"efficientnet_b0", "--width-mult", "0.25", "--depth-mult", "0.25", "--num-classes", "4"};
    static final List<String> LABELS = List.of("apple", "banana", "cherry", "date");

    @TempDir
    Path tmp;
    Path weights;
    Path labels;
    Path red;
    Path stripes;
    EfficientNet model;

    @BeforeEach
    void setUp() throws Exception {
        ModelSpec spec = Presets.get("efficientnet_b0", 0.25, 0.25, 4);
        model = EfficientNet.create(spec, 3);
        float[] bias = {0, 0, 12, 11};   // cherry first, date second, for any image
        MemoryScope.outside(() -> model.head().classifier().bias().assign(Tensor.of(bias, 4)));
        weights = tmp.resolve("tiny.safetensors");
        Weights.save(model, weights, Naming.TORCHVISION);
        labels = tmp.resolve("labels.txt");
        Files.write(labels, LABELS);
        red = image("red.png", 70, 50, (x, y) -> 0xC02010 + x);
        stripes = image("stripes.jpg", 40, 90, (x, y) -> (y / 5 % 2 == 0) ? 0xFFFFFF : 0x203040);
    }

    interface Pixel {
        int rgb(int x, int y);
    }

    private Path image(String name, int w, int h, Pixel p) throws Exception {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) img.setRGB(x, y, p.rgb(x, y));
        Path f = tmp.resolve(name);
        assertTrue(ImageIO.write(img, name.endsWith(".jpg") ? "jpg" : "png", f.toFile()));
        return f;
    }

    private static String[] args(String[] head, String... tail) {
        String[] out = new String[head.length + tail.length + 1];
        out[0] = "predict";
        System.arraycopy(head, 0, out, 1, head.length);
        System.arraycopy(tail, 0, out, 1 + head.length, tail.length);
        return out;
    }

    @Test
    @SuppressWarnings("unchecked")
    void jsonTopKMatchesTheClassifier() throws Exception {
        CliTestSupport.Run r = run(args(MODEL, "--weights", weights.toString(), "--labels", labels.toString(), "--top-k", "3", "--json",
                red.toString(), stripes.toString()));
        assertEquals(0, r.code(), r.describe());
        Map<String, Object> json = r.lastJson();
        assertEquals("efficientnet_b0", json.get("arch"));
        assertEquals("torchvision", json.get("naming"));
        assertEquals(3, ((Number) json.get("top_k")).intValue());
        List<Object> images = (List<Object>) json.get("images");
        assertEquals(2, images.size());

        Classifier reference = Classifier.of(model, LABELS);
        Path[] files = {red, stripes};
        for (int i = 0; i < 2; i++) {
            Map<String, Object> img = (Map<String, Object>) images.get(i);
            assertEquals(files[i].toString(), img.get("file"));
            List<Object> preds = (List<Object>) img.get("predictions");
            assertEquals(3, preds.size());
            List<Prediction> expected = reference.topK(Images.read(files[i]), 3);
            for (int k = 0; k < 3; k++) {
                Map<String, Object> p = (Map<String, Object>) preds.get(k);
                assertEquals(expected.get(k).classIndex(), ((Number) p.get("index")).intValue());
                assertEquals(expected.get(k).label(), p.get("label"));
                assertEquals(expected.get(k).probability(), ((Number) p.get("probability")).doubleValue(), 1e-6);
            }
            assertEquals("cherry", ((Map<String, Object>) preds.get(0)).get("label"));
            assertEquals("date", ((Map<String, Object>) preds.get(1)).get("label"));
        }
    }

    @Test
    void textOutputAndDefaults() {
        CliTestSupport.Run r = run(args(MODEL, "--weights", weights.toString(), "--labels", labels.toString(), red.toString()));
        assertEquals(0, r.code(), r.describe());
        String[] lines = r.out().strip().split("\\R");
        assertEquals(1 + 4, lines.length, r.out());   // default --top-k 5 is clamped to the 4 classes
        assertEquals(red.toString(), lines[0]);
        assertTrue(lines[1].matches("\\s+1\\. 0\\.\\d{4}  cherry \\(2\\)"), lines[1]);
        assertTrue(lines[2].contains("date (3)"), lines[2]);

        CliTestSupport.Run unlabelled = run(args(MODEL, "--weights", weights.toString(), "--top-k", "1", "--json", stripes.toString()));
        assertEquals(0, unlabelled.code(), unlabelled.describe());
        @SuppressWarnings("unchecked")
        Map<String, Object> p = (Map<String, Object>) ((List<Object>) ((Map<String, Object>) ((List<Object>) unlabelled.lastJson().get("images"))
                .get(0)).get("predictions")).get(0);
        assertEquals(2, ((Number) p.get("index")).intValue());
        assertNull(p.get("label"));
    }

    private static void assertUsageError(CliTestSupport.Run r, String... parts) {
        assertEquals(2, r.code(), r.describe());
        String err = r.err().strip();
        assertFalse(err.contains("\n"), "one line expected:\n" + r.describe());
        assertFalse(err.contains("Exception") || err.contains("\tat "), "no stack trace:\n" + r.describe());
        for (String p : parts) assertTrue(err.contains(p), "'" + p + "' missing from: " + err);
        assertEquals("", r.out(), r.describe());
    }

    @Test
    void badInputsExitTwoNamingTheProblem() throws Exception {
        Path broken = tmp.resolve("broken.jpg");
        Files.write(broken, new byte[]{(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 1, 2, 3, 4});
        assertUsageError(run(args(MODEL, "--weights", weights.toString(), red.toString(), broken.toString())), "broken.jpg");
        Path text = tmp.resolve("notes.png");
        Files.writeString(text, "not an image");
        assertUsageError(run(args(MODEL, "--weights", weights.toString(), text.toString())), "notes.png");
        assertUsageError(run(args(MODEL, "--weights", weights.toString(), tmp.resolve("gone.png").toString())), "gone.png", "does not exist");
        assertUsageError(run(args(MODEL, red.toString())), "missing --weights");
        assertUsageError(run(args(MODEL, "--weights", tmp.resolve("w.safetensors").toString(), red.toString())), "--weights", "does not exist");
        assertUsageError(run(args(MODEL, "--weights", weights.toString(), "--top-k", "0", red.toString())), "--top-k must be >= 1");
        Path three = tmp.resolve("three.txt");
        Files.write(three, List.of("a", "b", "c"));
        assertUsageError(run(args(MODEL, "--weights", weights.toString(), "--labels", three.toString(), red.toString())),
                "--labels", "3 labels", "4 classes");
        assertUsageError(run(args(MODEL, "--weights", weights.toString(), "--labels", tmp.resolve("nolabels.txt").toString(), red.toString())),
                "--labels", "does not exist");
        String[] wrongWidth = {"predict", "efficientnet_b0", "--width-mult", "0.5", "--depth-mult", "0.25", "--num-classes", "4",
                "--weights", weights.toString(), red.toString()};
        assertUsageError(run(wrongWidth), "--weights", "does not fit", "width_mult=0.25");
        assertUsageError(run("predict", "efficientnet_b42", "--weights", weights.toString(), red.toString()), "unknown architecture");
    }
}
