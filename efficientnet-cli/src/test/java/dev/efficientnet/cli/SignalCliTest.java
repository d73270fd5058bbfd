package dev.efficientnet.cli;

import dev.efficientnet.cli.safety.TrainingShutdown;
import dev.efficientnet.train.checkpoint.Checkpoint;
import dev.efficientnet.train.checkpoint.Checkpoints;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGTERM to a training process (a child JVM) that writes a checkpoint every step: it stops cleanly
 * with a resumable checkpoint, or (grace period 0) abandons the write; either way no temporary file
 * is left, last.safetensors is a complete checkpoint, stderr says where it is, and the run resumes.
 * While the child runs, a second training into its folder is refused (the lock works across processes).
 */
class SignalCliTest {
    @TempDir
    static Path tmp;
    static Path data;

    @BeforeAll
    static void idx() throws IOException {
        data = tmp.resolve("idx");
        ReliabilityCliTest.writeIdx(data, 64, 16, 4, new Random(2));
    }

    private static Process start(Path out, Path log, String grace) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.efficientnet.cli.Main",
                "train", "tf_efficientnetv2_b0", "--data", data.toString(), "--out", out.toString(),
                "--width-mult", "0.25", "--depth-mult", "0.1", "--epochs", "200", "--batch", "4", "--progressive", "none",
                "--max-size", "12", "--workers", "1", "--checkpoint-every", "1"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put(TrainingShutdown.GRACE_ENV, grace);
        return pb.start();
    }

    private static void terminateDuringWrites(Path out, Path log, String grace, boolean tryLock) throws Exception {
        Process p = start(out, log, grace);
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!Files.exists(out.resolve("last.safetensors")) && System.nanoTime() < deadline && p.isAlive()) Thread.sleep(50);
            assertTrue(Files.exists(out.resolve("last.safetensors")), "a first checkpoint: " + Files.readString(log));
            if (tryLock) {
                CliTestSupport.Run second = CliTestSupport.run("train", "tf_efficientnetv2_b0", "--data", data.toString(),
                        "--out", out.toString(), "--width-mult", "0.25", "--depth-mult", "0.1", "--max-steps", "1", "--overwrite");
                assertEquals(2, second.code(), second.describe());
                assertTrue(second.err().contains("in use by another training process"), second.err());
            }
            Thread.sleep(new Random().nextInt(300));
            p.destroy(); // SIGTERM
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the process ends");
        } finally {
            p.destroyForcibly();
        }
        String text = Files.readString(log);
        try (Stream<Path> files = Files.list(out)) {
            List<String> temps = files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".tmp")).toList();
            assertEquals(List.of(), temps, "no temporary files left: " + text);
        }
        assertTrue(text.contains("interrupted"), text);
        assertTrue(text.contains("resume with: efficientnet train --resume " + out), text);
        assertTrue(!text.contains("\tat "), "no stack trace: " + text);
        Checkpoint c = Checkpoints.read(out.resolve("last.safetensors"));
        assertTrue(c.state().globalStep() > 0, "a complete checkpoint");
    }

    @Test
    void sigtermFinishesTheCheckpointAndTheRunResumes() throws Exception {
        Path out = tmp.resolve("graceful");
        Path log = tmp.resolve("graceful.log");
        terminateDuringWrites(out, log, "60", true);
        assertTrue(Files.readString(log).contains("stopped after"), Files.readString(log));
        long steps = Checkpoints.read(out.resolve("last.safetensors")).state().globalStep();
        CliTestSupport.Run r = CliTestSupport.run("train", "--resume", out.toString(), "--max-steps", Long.toString(steps + 2), "--json");
        assertEquals(0, r.code(), r.describe());
        assertEquals(steps + 2, ((Number) r.lastJson().get("steps")).longValue());
    }

    @Test
    void sigtermWithNoGraceAbandonsTheWriteCleanly() throws Exception {
        Path out = tmp.resolve("abandoned");
        Path log = tmp.resolve("abandoned.log");
        terminateDuringWrites(out, log, "0", false);
        assertTrue(Files.readString(log).contains("the last good checkpoint is " + out.resolve("last.safetensors")), Files.readString(log));
        CliTestSupport.Run r = CliTestSupport.run("train", "--resume", out.toString(), "--max-steps", "1000000", "--epochs", "1");
        // --epochs 1 is below nothing completed yet only if the child finished an epoch; either answer is one line
        assertTrue(r.code() == 0 || r.code() == 2, r.describe());
    }
}
