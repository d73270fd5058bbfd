package dev.efficientnet.cli;

import dev.efficientnet.train.checkpoint.Checkpoints;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static dev.efficientnet.cli.SparkPredictCommandTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code efficientnet spark train} on the two-executor test cluster: the run folder of {@code train}, read by {@code eval}. */
class SparkTrainCommandTest {
    @TempDir
    static Path tmp;
    static Path data;

    static final String[] TINY = {"tf_efficientnetv2_b0", "--width-mult", "0.25", "--depth-mult", "0.1", "--progressive", "none",
            "--max-size", "12", "--min-size", "12", "--dropout", "0", "--drop-path", "0", "--mixup", "0", "--ema-decay", "0",
            "--optimizer", "sgd", "--lr", "0.05", "--seed", "3"};

    @BeforeAll
    static void setUp() throws Exception {
        dev.efficientnet.spark.TestClusterAccess.start();
        data = tmp.resolve("data");
        for (String split : new String[]{"train", "test"})
            for (int c = 0; c < 2; c++) {
                Path d = Files.createDirectories(data.resolve(split).resolve("class" + c));
                for (int i = 0; i < (split.equals("train") ? 8 : 2); i++) {
                    BufferedImage img = new BufferedImage(10, 10, BufferedImage.TYPE_BYTE_GRAY);
                    for (int y = 0; y < 10; y++)
                        for (int x = 0; x < 10; x++) {
                            int v = c == 0 ? x * 25 : y * 25;
                            img.getRaster().setSample(x, y, 0, (v + i * 7) & 0xFF);
                        }
                    ImageIO.write(img, "png", d.resolve("i" + i + ".png").toFile());
                }
            }
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void writesTheRunFolderOfTrainAndEvalReadsIt() {
        Path out = tmp.resolve("run");
        SparkPredictCommandTest.Run r = run(SparkMain::run, concat(concat(new String[]{"train"}, TINY), "--data", data.toString(),
                "--master", dev.efficientnet.spark.TestClusterAccess.MASTER, "--workers", "2", "--epochs", "2", "--batch", "4",
                "--out", out.toString(), "--json"));
        assertEquals(0, r.code(), r.describe());
        Map<String, Object> j = r.lastJson();
        assertEquals(2, ((Number) j.get("workers")).intValue(), r.describe());
        assertEquals("tf_efficientnetv2_b0", j.get("arch"));
        assertEquals(2, ((Number) j.get("epochs")).intValue());
        assertEquals(8, ((Number) j.get("steps")).intValue(), "16 images / batch 4 x 2 epochs");
        assertTrue(j.get("test_accuracy") instanceof Number, r.describe());
        for (String f : new String[]{"last.safetensors", "best.safetensors", "metrics.csv", "config.json", "loss.png"})
            assertTrue(Files.isRegularFile(out.resolve(f)), f + " missing: " + r.describe());
        assertTrue(Checkpoints.isCheckpoint(out.resolve(Checkpoints.LAST)));

        SparkPredictCommandTest.Run e = run(Main::run, "eval", "tf_efficientnetv2_b0", "--width-mult", "0.25", "--depth-mult", "0.1",
                "--weights", out.resolve("last.safetensors").toString(), "--data", data.toString(), "--json");
        assertEquals(0, e.code(), e.describe());
        assertEquals(((Number) j.get("test_accuracy")).doubleValue(), ((Number) e.lastJson().get("test_accuracy")).doubleValue(), 1e-4,
                e.describe());

        // an existing run is never replaced
        SparkPredictCommandTest.Run again = run(SparkMain::run, concat(concat(new String[]{"train"}, TINY), "--data", data.toString(),
                "--master", dev.efficientnet.spark.TestClusterAccess.MASTER, "--out", out.toString()));
        assertEquals(2, again.code(), again.describe());
    }

    @Test
    void usageErrorsAreOneLine() {
        String master = dev.efficientnet.spark.TestClusterAccess.MASTER;
        for (String[] bad : new String[][]{
                {"--workers", "3", "--batch", "4"},          // more workers than the cluster's 2 slots
                {"--workers", "2", "--batch", "1"},          // fewer examples than workers
                {"--workers", "2", "--lr-schedule", "nope"}, // a train option's own check
                {"--workers", "2", "--no-such-option"}}) {
            SparkPredictCommandTest.Run r = run(SparkMain::run, concat(concat(concat(new String[]{"train"}, TINY), "--data", data.toString(),
                    "--master", master, "--out", tmp.resolve("bad").toString()), bad));
            assertEquals(2, r.code(), String.join(" ", bad) + ": " + r.describe());
            assertFalse(r.err().contains("Exception"), r.describe());
            assertEquals(1, r.err().strip().lines().filter(l -> l.startsWith("efficientnet spark train:")).count(), r.describe());
        }
    }
}
