package dev.efficientnet.train.reliability;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Memory stays flat over many inference calls and training steps ({@link SoakRunner}). The CI form
 * runs 1,200 inference calls and 150 training steps and asserts that the process RSS and the
 * backend's pooled bytes grow by less than 5% after a 25% warm-up; {@code -Defficientnet.soak=long}
 * runs 10,000 calls and 1,000 steps. The curve goes to {@code target/reliability/soak-<mode>.csv}.
 * The surefire heap is fixed and pre-touched, so RSS growth is off-heap growth.
 */
class SoakTest {
    @Test
    void rssAndPooledBytesLevelOff(@TempDir Path tmp, TestReporter reporter) throws Exception {
        boolean longMode = "long".equals(System.getProperty("efficientnet.soak"));
        int calls = longMode ? 10_000 : 1_200;
        int steps = longMode ? 1_000 : 150;
        int every = longMode ? 50 : 10;
        SoakRunner.Result r = SoakRunner.run(calls, steps, every, tmp.resolve("run"));
        Path csv = Path.of("target", "reliability", "soak-" + (longMode ? "long" : "short") + ".csv");
        Files.createDirectories(csv.getParent());
        SoakRunner.writeCsv(csv, r.samples());
        String summary = SoakRunner.summary(r);
        System.out.print("[SoakTest] " + summary);
        reporter.publishEntry("soak", summary);
        for (String phase : new String[]{"inference", "train"}) {
            double pooled = r.growth(phase, 0.25, SoakRunner.Sample::pooledBytes);
            assertTrue(pooled < 0.05, phase + ": pooled bytes grew by " + 100 * pooled + "% after warm-up\n" + summary);
            if (SoakRunner.rssKb() > 0) {
                double rss = r.growth(phase, 0.25, SoakRunner.Sample::rssKb);
                assertTrue(rss < 0.05, phase + ": RSS grew by " + 100 * rss + "% after warm-up\n" + summary);
            }
        }
    }
}
