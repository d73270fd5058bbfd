package dev.efficientnet.cli;

import dev.efficientnet.core.io.Safetensors;
import dev.efficientnet.core.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code eval}'s top-5, per-class accuracy and confusion PNG, and {@code eval}/{@code predict}/{@code infer}
 * reading a run folder or a training checkpoint directly (issue 20).
 */
class TrainedCheckpointCliTest {
    @TempDir
    static Path tmp;
    static Path data;
    static Path run;

    @BeforeAll
    static void trainTinyRun() throws IOException {
        data = tmp.resolve("idx");
        Files.createDirectories(data);
        Random r = new Random(2);
        write(data, "train", 32, r);
        write(data, "t10k", 20, r);
        run = tmp.resolve("run");
        CliTestSupport.Run t = CliTestSupport.run("train", "tf_efficientnetv2_b0", "--data", data.toString(), "--out", run.toString(),
                "--width-mult", "0.25", "--depth-mult", "0.1", "--epochs", "2", "--batch", "8", "--stages", "2",
                "--min-size", "8", "--max-size", "12", "--workers", "1");
        assertEquals(0, t.code(), t.describe());
    }

    private static void write(Path dir, String prefix, int n, Random r) throws IOException {
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
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(dir.resolve(prefix + "-images-idx3-ubyte.gz")))) {
            o.write(img.toByteArray());
        }
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(dir.resolve(prefix + "-labels-idx1-ubyte.gz")))) {
            o.write(lab.toByteArray());
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void evalOfARunFolderReportsTopFivePerClassAndAConfusionPng() throws IOException {
        CliTestSupport.Run e = CliTestSupport.run("eval", "tf_efficientnetv2_b0", "--weights", run.toString(), "--data", data.toString(), "--json");
        assertEquals(0, e.code(), e.describe());
        assertTrue(e.err().contains("using " + run.resolve("last.safetensors")) && e.err().contains("best.safetensors"), e.err());
        Map<String, Object> j = e.lastJson();
        assertEquals(run.resolve("last.safetensors").toString(), j.get("weights"));
        assertEquals(20L, j.get("examples"));
        double top1 = ((Number) j.get("test_accuracy")).doubleValue();
        assertEquals(1.0, ((Number) j.get("top5_accuracy")).doubleValue(), 0, "4 classes: the label is always in the top 5");
        List<Object> perClass = (List<Object>) j.get("per_class_accuracy");
        List<List<Object>> confusion = (List<List<Object>>) j.get("confusion");
        assertEquals(4, perClass.size());
        assertEquals(4, confusion.size());
        long total = 0;
        long diagonal = 0;
        for (int c = 0; c < 4; c++) {
            long row = 0;
            for (Object v : confusion.get(c)) row += ((Number) v).longValue();
            assertEquals(5, row, "20 test images, labels i % 4");
            long hit = ((Number) confusion.get(c).get(c)).longValue();
            assertEquals(hit / 5.0, ((Number) perClass.get(c)).doubleValue(), 1e-4);
            total += row;
            diagonal += hit;
        }
        assertEquals(top1, diagonal / (double) total, 1e-4);
        Path png = Path.of((String) j.get("confusion_png"));
        assertEquals(run.resolve("eval-last-12px-confusion.png"), png);
        assertTrue(ImageIO.read(png.toFile()).getWidth() > 100);

        CliTestSupport.Run text = CliTestSupport.run("eval", "tf_efficientnetv2_b0", "--weights", run.resolve("best.safetensors").toString(),
                "--data", data.toString(), "--confusion", tmp.resolve("c.png").toString());
        assertEquals(0, text.code(), text.describe());
        assertTrue(text.out().contains("top-5 100.00%") && text.out().contains("per-class accuracy") && text.out().contains("  3: "), text.out());
        assertFalse(text.err().contains("using "), "a file is used as given");
        assertTrue(Files.exists(tmp.resolve("c.png")));

        CliTestSupport.Run none = CliTestSupport.run("eval", "tf_efficientnetv2_b0", "--weights", tmp.resolve("idx").toString(), "--data", data.toString());
        assertEquals(2, none.code(), none.describe());
        assertTrue(none.err().contains("without a checkpoint"), none.err());
    }

    @Test
    @SuppressWarnings("unchecked")
    void predictAndInferReadTheRunWithTheTrainersPreprocessing() throws IOException {
        // a uniform gray 12x12 image: the trainer's test transform (luma, resize to 12 = no-op, (x - 0.5) / 0.5)
        BufferedImage img = new BufferedImage(12, 12, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 12; y++) for (int x = 0; x < 12; x++) img.setRGB(x, y, 0x646464);   // 100
        Path png = tmp.resolve("gray.png");
        ImageIO.write(img, "png", png.toFile());
        CliTestSupport.Run p = CliTestSupport.run("predict", "tf_efficientnetv2_b0", "--weights", run.toString(), "--top-k", "4", "--json",
                png.toString());
        assertEquals(0, p.code(), p.describe());
        assertTrue(p.err().contains("using " + run.resolve("last.safetensors")), p.err());
        List<Object> preds = (List<Object>) ((Map<String, Object>) ((List<Object>) p.lastJson().get("images")).get(0)).get("predictions");
        assertEquals(4, preds.size());
        double[] predicted = new double[4];
        for (Object o : preds) {
            Map<String, Object> m = (Map<String, Object>) o;
            predicted[((Number) m.get("index")).intValue()] = ((Number) m.get("probability")).doubleValue();
        }

        float v = (100f / 255f - 0.5f) / 0.5f;
        float[] x = new float[144];
        Arrays.fill(x, v);
        Path in = tmp.resolve("in.safetensors");
        Safetensors.write(in, Map.of("input", Tensor.of(x, 1, 1, 12, 12)), null);
        Path out = tmp.resolve("out.safetensors");
        CliTestSupport.Run i = CliTestSupport.run("infer", "tf_efficientnetv2_b0", "--weights", run.resolve("last.safetensors").toString(),
                "--input", in.toString(), "--output", out.toString());
        assertEquals(0, i.code(), i.describe());
        float[] logits = Safetensors.read(out).getFloats("logits");
        assertEquals(4, logits.length);
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) max = Math.max(max, l);
        double sum = 0;
        for (float l : logits) sum += Math.exp(l - max);
        for (int c = 0; c < 4; c++)
            assertEquals(Math.exp(logits[c] - max) / sum, predicted[c], 1e-4, "class " + c + " " + p.out());

        CliTestSupport.Run wrong = CliTestSupport.run("predict", "tf_efficientnetv2_b0", "--weights", run.toString(), "--width-mult", "0.5",
                png.toString());
        assertEquals(2, wrong.code(), wrong.describe());
        assertTrue(wrong.err().contains("--width-mult 0.5 but the checkpoint"), wrong.err());
        CliTestSupport.Run arch = CliTestSupport.run("infer", "efficientnet_b0", "--weights", run.toString(), "--input", in.toString(),
                "--output", out.toString());
        assertEquals(2, arch.code(), arch.describe());
        assertTrue(arch.err().contains("is a checkpoint of tf_efficientnetv2_b0, not efficientnet_b0"), arch.err());
    }

    @Test
    void everyRecipeFlagReachesTheConfigAndTheFixResCheckpointIsPickedFromTheFolder() throws IOException {
        Path out = tmp.resolve("recipe");
        CliTestSupport.Run t = CliTestSupport.run("train", "tf_efficientnetv2_b0", "--data", data.toString(), "--out", out.toString(),
                "--width-mult", "0.25", "--depth-mult", "0.1", "--epochs", "2", "--batch", "8", "--progressive", "none",
                "--min-size", "12", "--max-size", "12", "--workers", "1",
                "--cutmix", "1.0", "--mix-switch-prob", "0.5", "--clip-grad", "2.5", "--randaug", "3", "--ra-mstd", "0.5",
                "--lr-schedule", "multistep", "--lr-steps", "1", "--lr-gamma", "0.5",
                "--eval-resolution", "16", "--fixres-steps", "2", "--fixres-classifier", "--json");
        assertEquals(0, t.code(), t.describe());
        String config = Files.readString(out.resolve("config.json"));
        for (String kv : List.of("\"cutmix_alpha\": 1.0", "\"mix_switch_prob\": 0.5", "\"grad_clip\": 2.5", "\"randaug_mstd\": 0.5",
                "\"lr_schedule\": \"multistep\"", "\"lr_gamma\": 0.5", "\"fixres_steps\": 2", "\"fixres_classifier\": true",
                "\"eval_resolution\": 16"))
            assertTrue(config.contains(kv), kv + " in " + config);
        Map<String, Object> j = t.lastJson();
        assertTrue(j.containsKey("fixres_tuned_accuracy"), j.toString());
        assertTrue(Files.exists(out.resolve("fixres.safetensors")));

        CliTestSupport.Run e = CliTestSupport.run("eval", "tf_efficientnetv2_b0", "--weights", out.toString(), "--data", data.toString(), "--json");
        assertEquals(0, e.code(), e.describe());
        assertTrue(e.err().contains("using " + out.resolve("fixres.safetensors")) && e.err().contains("tuned at 16 px"), e.err());
        assertEquals(16L, e.lastJson().get("resolution"));
        assertEquals(((Number) j.get("fixres_tuned_accuracy")).doubleValue(), ((Number) e.lastJson().get("test_accuracy")).doubleValue(), 1e-4,
                "eval of the FixRes checkpoint reproduces the trainer's tuned accuracy");
    }
}
