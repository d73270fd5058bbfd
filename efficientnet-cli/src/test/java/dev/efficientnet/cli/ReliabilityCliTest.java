package dev.efficientnet.cli;

import dev.efficientnet.cli.safety.ResumeOptions;
import dev.efficientnet.core.io.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 17, data loss: run folders are never overwritten, one process per run folder, outputs never
 * replace inputs, resume options are checked against the saved run. Every refusal is exit 2 and one line.
 */
class ReliabilityCliTest {
    @TempDir
    static Path tmp;
    static Path data;

    static final String[] TINY = {"--width-mult", "0.25", "--depth-mult", "0.1", "--epochs", "2", "--batch", "8",
            "--stages", "2", "--min-size", "8", "--max-size", "12", "--workers", "1", "--progressive", "none"};

    @BeforeAll
    static void idx() throws IOException {
        data = tmp.resolve("idx");
        writeIdx(data, 32, 16, 4, new Random(1));
    }

    /** A gzip IDX folder of 12x12 random images: {@code nTrain}/{@code nTest} examples, labels i % classes. */
    static void writeIdx(Path dir, int nTrain, int nTest, int classes, Random r) throws IOException {
        Files.createDirectories(dir);
        write(dir, "train", nTrain, classes, r);
        write(dir, "t10k", nTest, classes, r);
    }

    static void write(Path dir, String prefix, int n, int classes, Random r) throws IOException {
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) labels[i] = i % classes;
        write(dir, prefix, labels, r);
    }

    static void write(Path dir, String prefix, int[] labels, Random r) throws IOException {
        int n = labels.length;
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
        for (int v : labels) l.writeByte(v);
        gz(dir.resolve(prefix + "-images-idx3-ubyte.gz"), img.toByteArray());
        gz(dir.resolve(prefix + "-labels-idx1-ubyte.gz"), lab.toByteArray());
    }

    private static void gz(Path f, byte[] b) throws IOException {
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(f))) {
            o.write(b);
        }
    }

    static String[] train(Path out, String... more) {
        List<String> a = new ArrayList<>(List.of("train", "tf_efficientnetv2_b0", "--data", data.toString(), "--out", out.toString()));
        a.addAll(Arrays.asList(TINY));
        a.addAll(Arrays.asList(more));
        return a.toArray(new String[0]);
    }

    /** Exit 2, exactly one line on stderr, no stack trace, containing every {@code needles}. */
    static void assertUsage(CliTestSupport.Run r, String... needles) {
        assertEquals(2, r.code(), r.describe());
        List<String> lines = r.err().strip().lines().toList();
        assertEquals(1, lines.stream().filter(l -> l.startsWith("efficientnet")).count(), "one error line: " + r.describe());
        assertFalse(r.err().contains("\tat ") || r.err().contains("Exception"), "no stack trace: " + r.describe());
        String err = lines.get(lines.size() - 1);
        assertTrue(err.startsWith("efficientnet"), "the error is the last line: " + r.describe());
        for (String n : needles) assertTrue(err.contains(n), "'" + n + "' in: " + err);
    }

    @Test
    void aFolderHoldingARunIsNeverOverwritten() throws IOException {
        Path out = tmp.resolve("kept");
        CliTestSupport.Run first = CliTestSupport.run(train(out, "--max-steps", "2"));
        assertEquals(0, first.code(), first.describe());
        byte[] last = Files.readAllBytes(out.resolve("last.safetensors"));
        byte[] options = Files.readAllBytes(out.resolve(ResumeOptions.FILE));

        CliTestSupport.Run again = CliTestSupport.run(train(out, "--seed", "5"));
        assertUsage(again, out.toString(), "already holds a run", "--resume " + out, "--out", "--overwrite");
        assertArrayEquals(last, Files.readAllBytes(out.resolve("last.safetensors")), "the checkpoint is untouched");
        assertArrayEquals(options, Files.readAllBytes(out.resolve(ResumeOptions.FILE)), "the saved options are untouched");

        CliTestSupport.Run demo = CliTestSupport.run("demo", "--out", out.toString(), "--epochs", "1");
        assertUsage(demo, "already holds a run");
        assertArrayEquals(last, Files.readAllBytes(out.resolve("last.safetensors")));

        CliTestSupport.Run replaced = CliTestSupport.run(train(out, "--max-steps", "1", "--overwrite"));
        assertEquals(0, replaced.code(), replaced.describe());
        assertFalse(Arrays.equals(last, Files.readAllBytes(out.resolve("last.safetensors"))), "--overwrite replaced the run");
    }

    @Test
    void aLockedRunFolderIsRefused() throws IOException {
        Path out = tmp.resolve("locked");
        Files.createDirectories(out);
        try (FileChannel ch = FileChannel.open(out.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock held = ch.lock()) {
            assertUsage(CliTestSupport.run(train(out, "--max-steps", "1")), "in use by another training process", ".lock");
        }
        assertEquals(0, CliTestSupport.run(train(out, "--max-steps", "1")).code(), "free again once released");
        try (FileChannel ch = FileChannel.open(out.resolve(".lock"), StandardOpenOption.WRITE);
             FileLock held = ch.lock()) {
            assertUsage(CliTestSupport.run("train", "--resume", out.toString()), "in use by another training process");
        }
    }

    @Test
    void aFailedStartLeavesNoFolderBehind() {
        Path out = tmp.resolve("never");
        CliTestSupport.Run r = CliTestSupport.run(train(out, "--lr", "-1"));
        assertUsage(r, "lr must be > 0");
        assertFalse(Files.exists(out), "the folder created for the run is removed again");
    }

    @Test
    void outputsNeverReplaceInputs() throws IOException {
        Path w = tmp.resolve("w.safetensors");
        Path in = tmp.resolve("in.safetensors");
        Files.writeString(w, "not really weights");
        Files.writeString(in, "not really an input");
        assertUsage(CliTestSupport.run("infer", "efficientnet_b0", "--weights", w.toString(), "--input", in.toString(),
                "--output", w.toString()), "--output", "same file as --weights");
        Path link = tmp.resolve("link.safetensors");
        Files.createSymbolicLink(link, in);
        assertUsage(CliTestSupport.run("infer", "efficientnet_b0", "--weights", w.toString(), "--input", in.toString(),
                "--output", link.toString()), "same file as --input");
        assertEquals("not really weights", Files.readString(w));
        assertEquals("not really an input", Files.readString(in));

        assertUsage(CliTestSupport.run("train", "tf_efficientnetv2_b0", "--data", data.toString(), "--out", data.toString()),
                "--out", "same file as --data");
        Path run = tmp.resolve("holds-init");
        Files.createDirectories(run);
        Path init = run.resolve("last.safetensors");
        Files.writeString(init, "x");
        assertUsage(CliTestSupport.run(train(run, "--init-weights", init.toString(), "--overwrite")), "holds --init-weights");
        assertEquals("x", Files.readString(init));
    }

    @Test
    void resumeAppliesWhatItCanAndRefusesTheRest() throws IOException {
        Path out = tmp.resolve("resume");
        CliTestSupport.Run first = CliTestSupport.run(train(out, "--max-steps", "2", "--checkpoint-every", "1", "--lr", "0.02"));
        assertEquals(0, first.code(), first.describe());
        Map<String, Object> saved = Json.parseObject(Files.readString(out.resolve(ResumeOptions.FILE)));
        assertEquals("1", saved.get("--checkpoint-every"), "--checkpoint-every is saved with the run");
        assertEquals("0.02", saved.get("--lr"));

        byte[] last = Files.readAllBytes(out.resolve("last.safetensors"));
        CliTestSupport.Run contra = CliTestSupport.run("train", "--resume", out.toString(), "--lr", "0.5", "--seed", "3", "--batch", "8");
        assertUsage(contra, "--lr 0.5 (the run has 0.02)", "--seed 3 (the run has 0)");
        assertFalse(contra.err().contains("--batch"), "--batch 8 agrees with the run: " + contra.err());
        assertUsage(CliTestSupport.run("train", "--resume", out.toString(), "efficientnet_b0"), "ARCH efficientnet_b0");
        assertUsage(CliTestSupport.run("train", "--resume", out.toString(), "--out", tmp.resolve("elsewhere").toString()), "--out");
        assertUsage(CliTestSupport.run("train", "--resume", out.toString(), "--overwrite"), "--overwrite");
        assertArrayEquals(last, Files.readAllBytes(out.resolve("last.safetensors")), "refused resumes leave the run alone");

        CliTestSupport.Run more = CliTestSupport.run("train", "--resume", out.toString(), "--epochs", "3", "--json",
                "tf_efficientnetv2_b0", "--lr", "0.02", "--out", out.toString());
        assertEquals(0, more.code(), more.describe());
        assertTrue(more.err().contains("resume: applying --epochs 3 (was 2)"), more.err());
        assertTrue(more.err().contains("checkpoints every 1 steps"), more.err());
        assertEquals(3L, more.lastJson().get("epochs"));
        assertEquals(12L, more.lastJson().get("steps"), "3 epochs of 4 batches");
        assertEquals("3", Json.parseObject(Files.readString(out.resolve(ResumeOptions.FILE))).get("--epochs"));

        assertUsage(CliTestSupport.run("train", "--resume", out.toString(), "--epochs", "2"), "--epochs 2 is below the 3 epochs");
    }

    @Test
    void resumeOfARunWithoutSavedOptionsRefusesDefiningOptions() throws IOException {
        Path out = tmp.resolve("legacy");
        assertEquals(0, CliTestSupport.run(train(out, "--max-steps", "2")).code());
        Files.delete(out.resolve(ResumeOptions.FILE));
        assertUsage(CliTestSupport.run("train", "--resume", out.toString(), "--lr", "0.3"), "--lr", "no saved options");
        CliTestSupport.Run ok = CliTestSupport.run("train", "--resume", out.toString(), "--max-steps", "3");
        assertEquals(0, ok.code(), ok.describe());
    }

    @Test
    void resumeFailuresAreOneLine() throws IOException {
        assertUsage(CliTestSupport.run("train", "--resume", tmp.resolve("absent").toString()), "no such folder");
        Path file = tmp.resolve("a-file");
        Files.writeString(file, "x");
        assertUsage(CliTestSupport.run("train", "--resume", file.toString()), "is a file");
        Path empty = tmp.resolve("empty-run");
        Files.createDirectories(empty);
        assertUsage(CliTestSupport.run("train", "--resume", empty.toString()), "holds no checkpoint");
        Path broken = tmp.resolve("broken-run");
        Files.createDirectories(broken);
        Files.writeString(broken.resolve("last.safetensors"), "garbage");
        assertUsage(CliTestSupport.run("train", "--resume", broken.toString()), "last.safetensors");
    }

    @Test
    void staleTemporaryFilesAreRemovedOnResume() throws IOException {
        Path out = tmp.resolve("stale");
        assertEquals(0, CliTestSupport.run(train(out, "--max-steps", "1")).code());
        Path stale = out.resolve(".last.safetensors.1a2b3c.tmp");
        Files.writeString(stale, "half a checkpoint");
        CliTestSupport.Run r = CliTestSupport.run("train", "--resume", out.toString(), "--max-steps", "2");
        assertEquals(0, r.code(), r.describe());
        assertFalse(Files.exists(stale));
        assertTrue(r.err().contains("removed an unfinished temporary file"), r.err());
    }
}
