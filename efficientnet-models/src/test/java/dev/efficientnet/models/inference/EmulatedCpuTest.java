package dev.efficientnet.models.inference;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The library runs on an x86-64 CPU without AVX-512 (issue 18): {@link TinyLogits} runs in a JVM
 * under {@code qemu-x86_64 -cpu Haswell} (AVX2, no AVX-512) with this test's classpath, hence the
 * ND4J native build the POMs select, and its logits must match the ones computed here.
 *
 * <p>Needs Debian's {@code qemu-user} ({@code .ci/run} installs it); without it the test is skipped
 * and says so (unless the environment variable {@code EFFICIENTNET_QEMU_REQUIRED} is set, as in the
 * CI workflow's CPU-fallback job: then it fails). The emulated CPU model can be changed with {@code -Defficientnet.qemu.cpu=...}.
 */
class EmulatedCpuTest {

    static Path qemu() {
        String override = System.getenv("EFFICIENTNET_QEMU");
        if (override != null && !override.isBlank()) return Path.of(override);
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir, "qemu-x86_64");
            if (Files.isExecutable(p)) return p;
        }
        return null;
    }

    @Test
    void tinyInferenceOnAHaswellWithoutAvx512MatchesTheNativeRun() throws Exception {
        Path qemu = qemu();
        // the CI job that exists for this check sets EFFICIENTNET_QEMU_REQUIRED: there, no qemu is a failure
        if (System.getenv("EFFICIENTNET_QEMU_REQUIRED") != null)
            assertTrue(qemu != null, "EFFICIENTNET_QEMU_REQUIRED is set but qemu-x86_64 is not on PATH");
        Assumptions.assumeTrue(qemu != null,
                "qemu-x86_64 not found (Debian package qemu-user): the check on a CPU without AVX-512 did not run");
        String cpu = System.getProperty("efficientnet.qemu.cpu", "Haswell");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");

        List<String> cmd = new ArrayList<>(List.of(qemu.toString(), "-cpu", cpu, java.toString(),
                "-XX:TieredStopAtLevel=1", "-Xss4m", "-Xmx512m", "-XX:+UseSerialGC",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-XX:ErrorFile=" + Path.of(System.getProperty("java.io.tmpdir"), "efficientnet-qemu-hs_err_pid%p.log")));
        if (Runtime.version().feature() >= 23)
            cmd.addAll(List.of("--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"));
        String cacheDir = System.getProperty("org.bytedeco.javacpp.cachedir");
        if (cacheDir != null) cmd.add("-Dorg.bytedeco.javacpp.cachedir=" + cacheDir);
        cmd.addAll(List.of("-cp", classpath(), TinyLogits.class.getName()));

        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("OMP_NUM_THREADS", "1");
        pb.environment().put("OMP_WAIT_POLICY", "PASSIVE");
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out;
        boolean done;
        try (var in = p.getInputStream()) {
            out = in.readAllBytes();
            done = p.waitFor(15, TimeUnit.MINUTES);
        }
        if (!done) p.destroyForcibly();
        String text = new String(out, StandardCharsets.UTF_8);
        assertTrue(done, "the emulated run did not finish");
        assertEquals(0, p.exitValue(), "the JVM under qemu-x86_64 -cpu " + cpu + " failed:\n" + text);

        String line = text.lines().filter(l -> l.startsWith("LOGITS ")).findFirst().orElse(null);
        assertTrue(line != null, "no LOGITS line from the emulated run:\n" + text);
        String[] parts = line.substring("LOGITS ".length()).trim().split(" ");
        float[][] expected = TinyLogits.logits();
        assertEquals(expected.length * expected[0].length, parts.length, "logit count");
        double maxDiff = 0;
        int k = 0;
        for (float[] row : expected)
            for (float v : row) {
                float got = Float.parseFloat(parts[k++]);
                assertTrue(Float.isFinite(got), "non-finite emulated logit " + got);
                maxDiff = Math.max(maxDiff, Math.abs(got - v));
            }
        // different ISAs pick different kernels (summation order), nothing more
        assertTrue(maxDiff < 1e-4, "emulated logits differ from native ones by " + maxDiff + "\n" + text);
        System.out.printf("EmulatedCpuTest: qemu-x86_64 -cpu %s logits match the native run (max |diff| %.2e)%n", cpu, maxDiff);
    }

    /** This JVM's classpath, with a surefire manifest-only booter jar expanded. */
    private static String classpath() throws IOException {
        return GettingStartedDocTest.testClasspath();
    }
}
