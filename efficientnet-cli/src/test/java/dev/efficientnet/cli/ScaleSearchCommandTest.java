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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** scale-search on a tiny random IDX set, and its presets in train and summary. */
class ScaleSearchCommandTest {
    @TempDir
    static Path tmp;
    static Path data;

    @BeforeAll
    static void idx() throws IOException {
        data = tmp.resolve("idx");
        Files.createDirectories(data);
        Random r = new Random(2);
        write(data, "train", 24, r);
        write(data, "t10k", 8, r);
    }

    private static void write(Path dir, String prefix, int n, Random r) throws IOException {
        ByteArrayOutputStream img = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(img);
        d.writeInt(0x803);
        d.writeInt(n);
        d.writeInt(8);
        d.writeInt(8);
        byte[] px = new byte[n * 64];
        r.nextBytes(px);
        d.write(px);
        ByteArrayOutputStream lab = new ByteArrayOutputStream();
        DataOutputStream l = new DataOutputStream(lab);
        l.writeInt(0x801);
        l.writeInt(n);
        for (int i = 0; i < n; i++) l.writeByte(i % 3);
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(dir.resolve(prefix + "-images-idx3-ubyte.gz")))) {
            o.write(img.toByteArray());
        }
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(dir.resolve(prefix + "-labels-idx1-ubyte.gz")))) {
            o.write(lab.toByteArray());
        }
    }

    private static CliTestSupport.Run search(Path out, String... extra) {
        List<String> a = new java.util.ArrayList<>(List.of("scale-search", "--data", data.toString(), "--out", out.toString(),
                "--base-width", "0.25", "--base-depth", "0.1", "--resolution", "8", "--epochs", "1",
                "--batch", "8", "--workers", "1", "--inference-runs", "1"));
        a.addAll(List.of(extra));
        return CliTestSupport.run(a.toArray(new String[0]));
    }

    @Test
    void searchResumesAndItsPresetsWorkEverywhere() throws IOException {
        Path out = tmp.resolve("search");
        CliTestSupport.Run r = search(out, "--grid-step", "0.2");
        assertEquals(0, r.code(), r.describe());
        assertTrue(r.out().contains("winner (score)"), r.describe());
        assertTrue(r.err().contains("grid: 6 candidates"), r.describe());
        for (String f : List.of("candidates.csv", "accuracy_vs_macs.png", "presets.json", "summary.json", "results.jsonl")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }

        CliTestSupport.Run again = search(out, "--grid-step", "0.2", "--json");
        assertEquals(0, again.code(), again.describe());
        assertTrue(again.err().contains("6 already done"), again.describe());
        assertFalse(again.err().contains("done: "), "nothing is trained again: " + again.describe());
        Map<String, Object> j = again.lastJson();
        assertEquals(6, ((List<?>) j.get("candidates")).size());
        assertTrue(j.get("alpha") instanceof Number);
        assertEquals(7, ((List<?>) j.get("family")).size());

        String presets = out.resolve("presets.json").toString();
        CliTestSupport.Run summary = CliTestSupport.run("summary", "searched_phi2", "--preset-file", presets, "--json");
        assertEquals(0, summary.code(), summary.describe());
        CliTestSupport.Run train = CliTestSupport.run("train", "searched_phi1", "--preset-file", presets, "--data", data.toString(),
                "--out", tmp.resolve("train-phi1").toString(), "--epochs", "1", "--batch", "8", "--workers", "1",
                "--progressive", "none", "--json");
        assertEquals(0, train.code(), train.describe());
        assertEquals("searched_phi1", train.lastJson().get("arch"));
    }

    @Test
    void badInputIsOneLineAndExitTwo() {
        Path out = tmp.resolve("bad");
        CliTestSupport.Run master = search(out, "--grid-step", "0.2", "--master", "spark://nowhere:7077");
        assertEquals(2, master.code(), master.describe());
        assertTrue(master.err().contains("--master"), master.describe());
        CliTestSupport.Run blocks = search(out, "--grid-step", "0.2", "--base", "ds_r1_k3_s1_e1_c16,ir_r1_k4_s2_e6_c24");
        assertEquals(2, blocks.code(), blocks.describe());
        assertTrue(blocks.err().contains("k4"), blocks.describe());
        assertEquals(2, search(out, "--grid-step", "0").code());
        assertEquals(2, CliTestSupport.run("summary", "x", "--preset-file", tmp.resolve("missing.json").toString()).code());
        assertFalse(master.err().contains("Exception"), master.describe());
    }

    @Test
    void blockStringBaseAndOtherSettingsInTheSameFolder() {
        Path out = tmp.resolve("blocks");
        CliTestSupport.Run r = search(out, "--base", "ds_r1_k3_s1_e1_c16_se0.25,ir_r1_k3_s2_e6_c24_se0.25", "--grid-step", "0.5",
                "--budget-flops", "2.25");
        assertEquals(0, r.code(), r.describe());
        CliTestSupport.Run other = search(out, "--base", "ds_r1_k3_s1_e1_c16_se0.25,ir_r1_k3_s2_e6_c24_se0.25", "--grid-step", "0.5",
                "--budget-flops", "2.0");
        assertEquals(2, other.code(), other.describe());
        assertTrue(other.err().contains("other settings"), other.describe());
    }
}
