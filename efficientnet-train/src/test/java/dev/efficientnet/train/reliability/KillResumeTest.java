package dev.efficientnet.train.reliability;

import dev.efficientnet.core.io.Safetensors;
import dev.efficientnet.core.io.SafetensorsFile;
import dev.efficientnet.models.EfficientNet;
import dev.efficientnet.train.TrainConfig;
import dev.efficientnet.train.Trainer;
import dev.efficientnet.train.checkpoint.Checkpoint;
import dev.efficientnet.train.checkpoint.Checkpoints;
import dev.efficientnet.train.data.Dataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Training survives SIGKILL: a child JVM ({@link KillableTraining}) trains a tiny model with a
 * checkpoint after every step and is killed with {@link Process#destroyForcibly()} (SIGKILL on
 * Linux) at seeded random points, possibly in the middle of writing a checkpoint. After every kill
 * the last checkpoint must be complete and loadable into the model; the run is then resumed, and
 * after the last kill it runs to the end. The final checkpoint must be bit-identical (model, EMA,
 * optimizer state) to an uninterrupted in-process run. {@code efficientnet.kill.count} (default 3)
 * and {@code efficientnet.kill.seed} select the kills.
 */
class KillResumeTest {
    private static final int EPOCHS = 2, BATCH = 8, EXAMPLES = 48; // 12 steps

    @Test
    void killedTrainingResumesToTheUninterruptedWeights(@TempDir Path tmp, TestReporter reporter) throws Exception {
        int kills = Integer.getInteger("efficientnet.kill.count", 3);
        long seed = Long.getLong("efficientnet.kill.seed", 42);
        Random random = new Random(seed);
        Path run = tmp.resolve("killed");
        int total = EPOCHS * (EXAMPLES / BATCH);
        List<String> log = new ArrayList<>();
        long lastStep = 0;
        int loaded = 0;
        for (int k = 0; k <= kills; k++) {
            boolean kill = k < kills;
            Process p = start(run);
            int stepsBeforeKill = 1 + random.nextInt(3);
            long delayMs = random.nextInt(150);
            int seen = 0;
            boolean done = false;
            try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                    if (line.startsWith("step ")) seen++;
                    if (line.equals("done")) done = true;
                    if (kill && (seen >= stepsBeforeKill || done)) break;
                }
                if (kill) {
                    Thread.sleep(delayMs);
                    p.destroyForcibly();
                }
                if (!p.waitFor(120, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    fail("child did not finish");
                }
            }
            if (!kill) {
                assertEquals(0, p.exitValue(), "final child run failed: " + Files.readString(run.resolveSibling("child-stderr.txt")));
                assertTrue(done, "the final child run did not finish the training");
            }
            // the last checkpoint must always be complete and loadable
            Path last = run.resolve(Checkpoints.LAST);
            if (Files.exists(last)) {
                Checkpoint c = Checkpoints.read(last);
                EfficientNet m = EfficientNet.create(TrainConfig.fromJson(c.config()).modelSpec(), 0);
                m.loadStateDict(c.model(), true);
                assertTrue(c.state().globalStep() >= lastStep, "checkpoint went backwards: " + c.state().globalStep() + " < " + lastStep);
                lastStep = c.state().globalStep();
                loaded++;
            }
            log.add(String.format(Locale.ROOT, "%s after %d step line(s) + %d ms: last checkpoint at step %d", kill ? "SIGKILL" : "finished",
                    seen, kill ? delayMs : 0, lastStep));
        }
        assertEquals(total, lastStep);
        long leftovers;
        try (Stream<Path> s = Files.list(run)) {
            leftovers = s.filter(f -> f.getFileName().toString().endsWith(".tmp")).count();
        }

        // uninterrupted reference, in this JVM
        Path ref = tmp.resolve("reference");
        TrainConfig cfg = ReliabilityRuns.tinyConfig(EPOCHS, BATCH);
        Dataset train = ReliabilityRuns.tinyData(EXAMPLES);
        new Trainer(cfg, train, null, ref, null).run();
        SafetensorsFile a = Safetensors.read(ref.resolve(Checkpoints.LAST));
        SafetensorsFile b = Safetensors.read(run.resolve(Checkpoints.LAST));
        assertEquals(a.names(), b.names());
        for (String name : a.names()) assertArrayEquals(a.getFloats(name), b.getFloats(name), 0f, name + " differs from the uninterrupted run");
        String report = kills + " kills (seed " + seed + "), " + loaded + " checkpoints loaded, final " + a.names().size()
                + " tensors bit-identical; leftover temporary files: " + leftovers + "\n  " + String.join("\n  ", log);
        System.out.println("[KillResumeTest] " + report);
        reporter.publishEntry("kill", report);
    }

    private static Process start(Path run) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("-Xms") || a.startsWith("-Xmx") || a.equals("-XX:+AlwaysPreTouch") || a.startsWith("-javaagent")
                    || a.startsWith("-agentlib") || a.startsWith("-Djdk.internal")) continue;
            cmd.add(a);
        }
        cmd.add("-Xmx512m");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(KillableTraining.class.getName());
        cmd.add(run.toString());
        cmd.add(String.valueOf(EPOCHS));
        cmd.add(String.valueOf(BATCH));
        cmd.add(String.valueOf(EXAMPLES));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.redirectError(ProcessBuilder.Redirect.appendTo(new File(run.resolveSibling("child-stderr.txt").toString())));
        return pb.start();
    }
}
