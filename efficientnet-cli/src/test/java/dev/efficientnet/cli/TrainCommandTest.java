package dev.efficientnet.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

import static java.nio.file.Files.readString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** train, eval and the demo's configuration, on a tiny random IDX data set. */
class TrainCommandTest {
    @TempDir
    static Path tmp;
    static Path data;

    @BeforeAll
    static void idx() throws IOException {
        data = tmp.resolve("idx");
        Files.createDirectories(data);
        Random r = new Random(1);
        write(data, "train", 32, r);
        write(data, "t10k", 16, r);
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
        gz(dir.resolve(prefix + "-images-idx3-ubyte.gz"), img.toByteArray());
        gz(dir.resolve(prefix + "-labels-idx1-ubyte.gz"), lab.toByteArray());
    }

    private static void gz(Path f, byte[] b) throws IOException {
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(f))) {
            o.write(b);
        }
    }

    private static final String[] TINY = {"--width-mult", "0.25", "--depth-mult", "0.1", "--epochs", "2", "--batch", "8",
            "--stages", "2", "--min-size", "8", "--max-size", "12", "--workers", "1"};

    private static String[] args(String... head) {
        String[] a = new String[head.length + TINY.length];
        System.arraycopy(head, 0, a, 0, head.length);
        System.arraycopy(TINY, 0, a, head.length, TINY.length);
        return a;
    }

    @Test
    void trainJsonThenEval() throws IOException {
        Path out = tmp.resolve("run");
        CliTestSupport.Run r = CliTestSupport.run(args("train", "tf_efficientnetv2_b0", "--data", data.toString(), "--out", out.toString(),
                "--random-erasing", "0.25", "--translate", "0.125", "--json"));
        assertEquals(0, r.code(), r.describe());
        String config = readString(out.resolve("config.json"));
        assertTrue(config.contains("\"random_erasing\": 0.25"), "config.json records --random-erasing");
        assertTrue(config.contains("\"translate\": 0.125"), "config.json records --translate");
        Map<String, Object> j = r.lastJson();
        for (String k : List.of("test_accuracy", "wall_seconds", "images_per_second", "epochs", "out")) assertTrue(j.containsKey(k), k);
        assertEquals(2L, j.get("epochs"));
        assertEquals(out.toString(), j.get("out"));
        assertTrue(r.err().contains("progressive schedule paper-S"), r.err());
        assertTrue(Files.exists(out.resolve("accuracy.png")));

        CliTestSupport.Run e = CliTestSupport.run("eval", "tf_efficientnetv2_b0", "--weights", out.resolve("last.safetensors").toString(),
                "--data", data.toString(), "--json");
        assertEquals(0, e.code(), e.describe());
        Map<String, Object> ej = e.lastJson();
        assertEquals(16L, ej.get("examples"));
        assertEquals(12L, ej.get("resolution"));
        assertEquals("ema", ej.get("which"));
    }

    @Test
    void stopAndResume() {
        Path out = tmp.resolve("resume");
        CliTestSupport.Run r = CliTestSupport.run(args("train", "tf_efficientnetv2_b0", "--data", data.toString(), "--out", out.toString(),
                "--max-steps", "3", "--progressive", "none", "--checkpoint-activations"));
        assertEquals(0, r.code(), r.describe());
        assertTrue(r.out().contains("resume with"), r.out());
        CliTestSupport.Run r2 = CliTestSupport.run("train", "--resume", out.toString(), "--json");
        assertEquals(0, r2.code(), r2.describe());
        assertEquals(8L, r2.lastJson().get("steps"));
        assertTrue(r2.err().contains("resuming at epoch 1"), r2.err());
    }

    @Test
    void trainsInBf16WhereTheCpuHasIt() {
        Path out = tmp.resolve("bf16");
        CliTestSupport.Run r = CliTestSupport.run(args("train", "tf_efficientnetv2_b0", "--data", data.toString(), "--out", out.toString(),
                "--max-steps", "3", "--progressive", "none", "--precision", "bf16", "--json"));
        if (dev.efficientnet.core.backend.MixedPrecision.bf16Supported()) {
            assertEquals(0, r.code(), r.describe());
            assertTrue(r.err().contains("precision bf16: convolutions in bfloat16"), r.err());
            assertEquals(3L, r.lastJson().get("steps"));
        } else {
            assertEquals(2, r.code(), r.describe());
            assertTrue(r.err().contains("--precision bf16 needs a CPU with AVX512-BF16"), r.err());
        }
        CliTestSupport.Run bad = CliTestSupport.run(args("train", "tf_efficientnetv2_b0", "--data", data.toString(),
                "--out", tmp.resolve("fp16").toString(), "--precision", "fp16"));
        assertEquals(2, bad.code(), bad.describe());
        assertTrue(bad.err().contains("unknown precision 'fp16'"), bad.err());
        assertTrue(!Files.exists(tmp.resolve("fp16")), "a refused --precision creates no run folder");
    }

    @Test
    void usageErrors() {
        assertEquals(2, CliTestSupport.run("train", "tf_efficientnetv2_b0").code());
        assertEquals(2, CliTestSupport.run(args("train", "tf_efficientnetv2_b0", "--data", data.toString(), "--progressive", "fast")).code());
        assertEquals(2, CliTestSupport.run(args("train", "nope", "--data", data.toString())).code());
        CliTestSupport.Run erasing = CliTestSupport.run(args("train", "tf_efficientnetv2_b0", "--data", data.toString(), "--random-erasing", "1.5"));
        assertEquals(2, erasing.code());
        assertTrue(erasing.err().contains("random erasing probability must be in [0, 1], got 1.5"), erasing.err());
        CliTestSupport.Run translate = CliTestSupport.run(args("train", "tf_efficientnetv2_b0", "--data", data.toString(), "--translate", "0.5"));
        assertEquals(2, translate.code());
        assertTrue(translate.err().contains("translate fraction must be in [0, 0.5), got 0.5"), translate.err());
        CliTestSupport.Run fixres = CliTestSupport.run(args("train", "tf_efficientnetv2_b0", "--data", data.toString(), "--fixres-steps", "5"));
        assertEquals(2, fixres.code());
        assertTrue(fixres.err().contains("--fixres-steps needs --eval-resolution"), fixres.err());
        CliTestSupport.Run step = CliTestSupport.run(args("train", "tf_efficientnetv2_b0", "--data", data.toString(), "--lr-schedule", "step"));
        assertEquals(2, step.code());
        assertTrue(step.err().contains("needs --lr-steps"), step.err());
        assertEquals(2, CliTestSupport.run(args("train", "tf_efficientnetv2_b0", "--data", data.toString(), "--cutmix", "-1")).code());
        assertEquals(2, CliTestSupport.run(args("train", "tf_efficientnetv2_b0", "--data", data.toString(), "--lr-steps", "3")).code());
        CliTestSupport.Run missing = CliTestSupport.run("train", "tf_efficientnetv2_b0", "--data", tmp.resolve("absent").toString());
        assertEquals(2, missing.code(), "a missing data folder is an input error");
        assertTrue(missing.err().contains("absent"), missing.err());
    }

    @Test
    void demoConfigIsProgressiveAndOffline() {
        var cfg = DemoCommand.config(DemoCommand.EPOCHS, 0, "embedded");
        assertEquals(DemoCommand.STAGES, cfg.schedule().stageCount());
        assertEquals(DemoCommand.MIN_SIZE, cfg.schedule().stages().get(0).imageSize());
        assertEquals(DemoCommand.MAX_SIZE, cfg.finalSize());
        assertTrue(cfg.schedule().last().dropout() > cfg.schedule().stages().get(0).dropout());
        assertEquals(1, cfg.inChannels());
    }
}
