package dev.efficientnet.cli;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.efficientnet.cli.CliTestSupport.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchCommandTest {
    private static final String[] TINY = {"--width-mult", "0.1", "--depth-mult", "0.1", "--num-classes", "7",
            "--resolution", "32", "--batch", "2", "--warmup", "1", "--iters", "3", "--json"};

    private static String[] args(String arch, boolean train) {
        String[] a = new String[TINY.length + (train ? 3 : 2)];
        a[0] = "bench";
        a[1] = arch;
        System.arraycopy(TINY, 0, a, 2, TINY.length);
        if (train) a[a.length - 1] = "--train";
        return a;
    }

    private static void assertBenchJson(Map<String, Object> j, String arch, String mode) {
        for (String k : new String[]{"arch", "resolution", "batch", "mode", "ms_median", "images_per_second",
                "peak_rss_mb", "ms_min", "ms_mean", "iters", "threads", "java_version"}) {
            assertTrue(j.containsKey(k), "missing key " + k + " in " + j);
        }
        assertEquals(arch, j.get("arch"));
        assertEquals(mode, j.get("mode"));
        assertEquals(32L, j.get("resolution"));
        assertEquals(2L, j.get("batch"));
        assertEquals(3L, j.get("iters"));
        assertEquals(3, ((List<?>) j.get("ms")).size());
        double median = ((Number) j.get("ms_median")).doubleValue();
        double min = ((Number) j.get("ms_min")).doubleValue();
        assertTrue(min > 0 && min <= median, j.toString());
        assertEquals(2 * 1000.0 / median, ((Number) j.get("images_per_second")).doubleValue(), 0.01 * (2000 / median));
        double rss = ((Number) j.get("peak_rss_mb")).doubleValue();
        assertTrue(rss == -1 || rss > 0, "peak_rss_mb " + rss);
        assertTrue(((Number) j.get("threads")).intValue() >= 1);
        assertEquals(System.getProperty("java.version"), j.get("java_version"));
    }

    @Test
    void evalJsonHasRequiredKeys() {
        CliTestSupport.Run r = run(args("efficientnet_b0", false));
        assertEquals(0, r.code(), r.describe());
        assertEquals(1, r.out().strip().lines().count(), "stdout is only the JSON line:\n" + r.out());
        assertBenchJson(r.lastJson(), "efficientnet_b0", "eval");
        assertTrue(r.err().matches("(?s).*\\biter +3: .*"), "progress on stderr:\n" + r.err());
    }

    @Test
    void trainJsonHasRequiredKeysAndFiniteLoss() {
        CliTestSupport.Run r = run(args("efficientnet_v2_s", true));
        assertEquals(0, r.code(), r.describe());
        Map<String, Object> j = r.lastJson();
        assertBenchJson(j, "efficientnet_v2_s", "train");
        double loss = ((Number) j.get("loss")).doubleValue();
        // A tiny model on random data with random targets may diverge after a few SGD steps, so only
        // the loss being a real, positive cross-entropy is asserted here.
        assertTrue(loss > 0 && Double.isFinite(loss), "loss " + loss);
    }

    @Test
    void textOutputHasPerIterationLinesAndSummary() {
        CliTestSupport.Run r = run("bench", "efficientnet_b0", "--width-mult", "0.1", "--depth-mult", "0.1",
                "--resolution", "32", "--warmup", "0", "--iters", "2");
        assertEquals(0, r.code(), r.describe());
        assertTrue(r.out().matches("(?s).*\\biter +1: .*\\biter +2: .*"), r.out());
        assertTrue(r.out().contains("median") && r.out().contains("images/s"), r.out());
    }

    @Test
    void trainInBf16WhereTheCpuHasItElseAClearRefusal() {
        String[] a = java.util.Arrays.copyOf(args("efficientnet_b0", true), args("efficientnet_b0", true).length + 2);
        a[a.length - 2] = "--precision";
        a[a.length - 1] = "bf16";
        CliTestSupport.Run r = run(a);
        if (dev.efficientnet.core.backend.MixedPrecision.bf16Supported()) {
            assertEquals(0, r.code(), r.describe());
            Map<String, Object> j = r.lastJson();
            assertBenchJson(j, "efficientnet_b0", "train");
            assertEquals("bf16", j.get("precision"));
            assertTrue(r.err().contains("precision bf16"), r.err());
            double loss = ((Number) j.get("loss")).doubleValue();
            assertTrue(loss > 0 && Double.isFinite(loss), "loss " + loss);
        } else {
            assertEquals(2, r.code(), r.describe());
            assertTrue(r.err().contains("AVX512-BF16"), r.err());
        }
        CliTestSupport.Run bad = run("bench", "efficientnet_b0", "--train", "--precision", "fp16");
        assertEquals(2, bad.code(), bad.describe());
        assertTrue(bad.err().contains("unknown precision 'fp16'"), bad.err());
    }

    @Test
    void badArgumentsAreUsageErrors() {
        assertEquals(2, run("bench", "efficientnet_b0", "--iters", "0").code());
        assertEquals(2, run("bench", "efficientnet_b0", "--batch", "0").code());
        assertEquals(2, run("bench", "efficientnet_b0", "--train", "--num-classes", "0").code());
        assertEquals(2, run("bench", "nope").code());
    }
}
