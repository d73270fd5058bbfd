package dev.efficientnet.cli;

import dev.efficientnet.cli.safety.MemoryBudget;
import dev.efficientnet.models.spec.Presets;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.regex.Pattern;

import static dev.efficientnet.cli.ReliabilityCliTest.assertUsage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 17, crashes and runaway resources: every value is checked before anything is built or
 * trained, sizes never overflow into negative numbers, a command that cannot fit in memory is
 * refused up front with what it needs and what there is, and labels that cannot train a
 * classifier are refused with the numbers. Each refusal is exit 2 and one line.
 */
class PreflightCliTest {
    @TempDir
    static Path tmp;
    static Path data;

    private static final Pattern NEGATIVE = Pattern.compile("(?<![\\w.])-\\d");

    @BeforeAll
    static void idx() throws IOException {
        data = tmp.resolve("idx");
        ReliabilityCliTest.writeIdx(data, 32, 16, 4, new Random(1));
    }

    private static String[] trainArgs(Path out, String... more) {
        java.util.List<String> a = new java.util.ArrayList<>(java.util.List.of("train", "tf_efficientnetv2_b0", "--data", data.toString(),
                "--out", out.toString()));
        a.addAll(java.util.List.of(ReliabilityCliTest.TINY));
        a.addAll(java.util.List.of(more));
        return a.toArray(new String[0]);
    }

    @Test
    void trainValuesAreCheckedBeforeTheFirstEpoch() {
        // an evaluation size that only runs after the last epoch: refused before training, no run left behind
        Path out = tmp.resolve("late-eval");
        CliTestSupport.Run r = CliTestSupport.run(trainArgs(out, "--eval-resolution", "100000"));
        assertUsage(r, "--eval-resolution 100000", "GB", "available");
        assertFalse(Files.exists(out.resolve("last.safetensors")), "refused before the first epoch: " + r.describe());
        assertFalse(r.err().contains("parameters"), "refused before the model is built: " + r.describe());

        // a batch larger than the data: refused before the model is built
        Path out2 = tmp.resolve("big-batch");
        r = CliTestSupport.run(with(trainArgs(out2), "--batch", "1000"));
        assertUsage(r, "--batch 1000", "exceeds the 32 training examples");
        assertFalse(r.err().contains("parameters"), "refused before the model is built: " + r.describe());
        assertFalse(Files.exists(out2), r.describe());

        // a final size the memory cannot hold
        r = CliTestSupport.run(with(trainArgs(tmp.resolve("big-size")), "--max-size", "60000"));
        assertUsage(r, "training needs at least", "GB", "available");
    }

    @Test
    void sizesNeverOverflowIntoNegativeNumbers() {
        CliTestSupport.Run r = CliTestSupport.run("summary", "efficientnet_b0", "--width-mult", "1e9");
        assertUsage(r, "--width-mult", "channels", "maximum");
        assertFalse(NEGATIVE.matcher(r.err()).find(), r.describe());

        r = CliTestSupport.run("summary", "efficientnet_b0", "--depth-mult", "1e9");
        assertUsage(r, "--depth-mult", "maximum");
        assertFalse(r.err().contains("Capacity"), r.describe());

        r = CliTestSupport.run("summary", "efficientnet_b0", "--resolution", "2147483647");
        assertUsage(r, "--resolution 2147483647", "overflows");
        assertFalse(NEGATIVE.matcher(r.out()).find(), "no negative MACs printed: " + r.describe());

        // large but representable: exact, positive counts
        r = CliTestSupport.run("summary", "efficientnet_b0", "--width-mult", "1000", "--json");
        assertEquals(0, r.code(), r.describe());
        assertTrue(((Number) r.lastJson().get("macs")).doubleValue() > 1e13, r.describe());
        assertTrue(((Number) r.lastJson().get("params")).doubleValue() > 1e12, r.describe());
        r = CliTestSupport.run("summary", "efficientnet_b0", "--resolution", "100000", "--json");
        assertEquals(0, r.code(), r.describe());
        assertTrue(((Number) r.lastJson().get("macs")).doubleValue() > 1e13, r.describe());
    }

    @Test
    void absurdSizesAreRefusedWithTheMemoryTheyNeed() throws IOException {
        // each of these built the model (or its batch) and died with OutOfMemoryError or NegativeArraySizeException
        String[][] cases = {
                {"bench", "efficientnet_b0", "--batch", "100000", "--iters", "1", "--warmup", "0"},
                {"bench", "efficientnet_b0", "--width-mult", "100", "--iters", "1", "--warmup", "0"},
                {"bench", "efficientnet_b0", "--num-classes", "2000000000", "--iters", "1", "--warmup", "0"},
                {"bench", "efficientnet_b0", "--resolution", "50000", "--iters", "1", "--warmup", "0"},
                {"bench", "efficientnet_b0", "--train", "--batch", "5000", "--iters", "1", "--warmup", "0"},
        };
        for (String[] c : cases) {
            CliTestSupport.Run r = CliTestSupport.run(c);
            assertUsage(r, "needs at least", "GB", "available");
            assertFalse(r.out().contains("model built"), "refused before building: " + r.describe());
        }
        // predict and eval refuse before reading the weights (which here are not even weights)
        Path junk = Files.writeString(tmp.resolve("junk.safetensors"), "not weights");
        Path png = tmp.resolve("one.png");
        ImageIO.write(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), "png", png.toFile());
        assertUsage(CliTestSupport.run("predict", "efficientnet_b0", "--width-mult", "100", "--weights", junk.toString(), png.toString()),
                "predict needs at least", "GB");
        assertUsage(CliTestSupport.run("eval", "efficientnet_b0", "--weights", junk.toString(), "--resolution", "60000"),
                "eval needs at least", "GB");
    }

    @Test
    void theEstimateIsBelowWhatARealRunNeedsAndRefusesOnlyWhenItCannotFit() {
        // measured: bench --train efficientnet_b0 @224 batch 64 peaked at 6.2 GB RSS (AMD EPYC, 2 vCPU)
        MemoryBudget.Need n = MemoryBudget.training(Presets.get("efficientnet_b0"), 64, 224, 1, false, false, 1);
        assertTrue(n.offHeapBytes() > 2e9 && n.offHeapBytes() < 6.2e9, n.toString());
        MemoryBudget.Need small = MemoryBudget.inference(Presets.get("efficientnet_b0"), 4, 224);
        assertTrue(small.offHeapBytes() < 0.5e9, small.toString());
        MemoryBudget.Available plenty = new MemoryBudget.Available(1e12, 1e12, "test");
        MemoryBudget.require("x", n, plenty, "hint"); // fits
        CliException e = assertThrows(CliException.class,
                () -> MemoryBudget.require("training", n, new MemoryBudget.Available(1e9, 1e12, "a 1 GB limit"), "use less"));
        assertEquals(2, e.exitCode());
        assertTrue(e.getMessage().contains("1.0 GB available (a 1 GB limit)") && e.getMessage().contains("needs at least 5.2 GB"), e.getMessage());
        // checkpointed activations need less
        assertTrue(MemoryBudget.training(Presets.get("efficientnet_b0"), 64, 224, 1, false, true, 1).offHeapBytes() < n.offHeapBytes());
    }

    @Test
    void labelsThatCannotTrainAClassifierAreRefused() throws IOException {
        // a CSV of 40 images labelled 0/1, one row mistyped as 49999
        Path csvDir = tmp.resolve("csv");
        Files.createDirectories(csvDir);
        StringBuilder rows = new StringBuilder("path,label\n");
        Random rnd = new Random(3);
        for (int i = 0; i < 40; i++) {
            BufferedImage img = new BufferedImage(12, 12, BufferedImage.TYPE_INT_RGB);
            for (int p = 0; p < 144; p++) img.setRGB(p % 12, p / 12, rnd.nextInt());
            ImageIO.write(img, "png", csvDir.resolve("img" + i + ".png").toFile());
            rows.append("img").append(i).append(".png,").append(i == 17 ? 49999 : i % 2).append('\n');
        }
        Path csv = Files.writeString(csvDir.resolve("stray.csv"), rows.toString());
        CliTestSupport.Run r = CliTestSupport.run(with(with(trainArgs(tmp.resolve("stray")), "--batch", "4"), "--data", csv.toString()));
        assertUsage(r, "49999", "50,000-class", "3 distinct labels", "example 18");
        assertFalse(Files.exists(tmp.resolve("stray").resolve("last.safetensors")), r.describe());

        // one class only
        Path one = tmp.resolve("one-class");
        int[] labels = new int[32];
        java.util.Arrays.fill(labels, 3);
        Files.createDirectories(one);
        ReliabilityCliTest.write(one, "train", labels, new Random(2));
        ReliabilityCliTest.write(one, "t10k", new int[]{3, 3, 3, 3}, new Random(2));
        r = CliTestSupport.run(with(with(trainArgs(tmp.resolve("one")), "--batch", "4"), "--data", one.toString()));
        assertUsage(r, "all 32 training examples have the same label (3)", "at least 2 classes");

        // a few empty classes are legitimate: a warning with the numbers, and training runs
        Path gap = tmp.resolve("gap");
        int[] g = new int[32];
        for (int i = 0; i < 32; i++) g[i] = i % 2 == 0 ? 0 : 3;
        Files.createDirectories(gap);
        ReliabilityCliTest.write(gap, "train", g, new Random(4));
        ReliabilityCliTest.write(gap, "t10k", new int[]{0, 3, 0, 3}, new Random(4));
        r = CliTestSupport.run(with(with(trainArgs(tmp.resolve("gap-run")), "--epochs", "1"), "--data", gap.toString()));
        assertEquals(0, r.code(), r.describe());
        assertTrue(r.err().contains("warning: 2 of the 4 classes have no training examples (e.g. 1, 2)"), r.describe());
    }

    /** {@code args} with {@code option}'s value replaced. */
    private static String[] with(String[] args, String option, String value) {
        String[] a = args.clone();
        for (int i = 0; i + 1 < a.length; i++) if (a[i].equals(option)) a[i + 1] = value;
        return a;
    }
}
