package dev.efficientnet.cli;

import dev.efficientnet.cli.safety.Failures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static dev.efficientnet.cli.ReliabilityCliTest.assertUsage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Issue 17, "one line, exit 2": read-only and full disks, {@code --debug} and
 * {@code EFFICIENTNET_DEBUG=1}, and a bad number's pointer to {@code --help}. The disk cases mount
 * small tmpfs file systems (read-only, and 200 kB) and are skipped where that is not allowed
 * (not root, not Linux); {@link #ioFailuresAreUsageErrors} checks the same policy everywhere.
 */
class DiskAndDebugCliTest {
    @TempDir
    static Path tmp;
    private static final List<Path> MOUNTS = new ArrayList<>();

    private static boolean mount(Path dir, String options) throws Exception {
        Files.createDirectories(dir);
        try {
            Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", options, "tmpfs", dir.toString())
                    .redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) return false;
        } catch (IOException e) {
            return false;
        }
        MOUNTS.add(dir);
        return true;
    }

    @AfterAll
    static void unmount() throws Exception {
        for (Path m : MOUNTS) new ProcessBuilder("umount", m.toString()).inheritIO().start().waitFor(20, TimeUnit.SECONDS);
    }

    @Test
    void ioFailuresAreUsageErrors() {
        Failures.Outcome ro = Failures.classify(new RuntimeException(new FileSystemException("/x/run", null, "Read-only file system")));
        assertEquals(2, ro.exitCode());
        assertEquals("Read-only file system (/x/run)", ro.message());
        Failures.Outcome full = Failures.classify(new java.io.UncheckedIOException(new IOException("No space left on device")));
        assertEquals(2, full.exitCode());
        assertTrue(full.message().contains("No space left on device"), full.message());
    }

    @Test
    void readOnlyAndFullDisksAreOneLine() throws Exception {
        Path ro = tmp.resolve("ro");
        Path full = tmp.resolve("full");
        assumeTrue(System.getProperty("os.name").toLowerCase().contains("linux") && mount(ro, "ro,size=64k")
                && mount(full, "size=200k"), "mounting tmpfs is not allowed here");
        Path data = tmp.resolve("idx");
        ReliabilityCliTest.writeIdx(data, 32, 16, 4, new Random(5));
        List<String> a = new ArrayList<>(List.of("train", "tf_efficientnetv2_b0", "--data", data.toString(), "--out", ro.resolve("run").toString()));
        a.addAll(List.of(ReliabilityCliTest.TINY));
        assertUsage(CliTestSupport.run(a.toArray(new String[0])), "Read-only file system");

        a.set(a.indexOf(ro.resolve("run").toString()), full.resolve("run").toString());
        CliTestSupport.Run r = CliTestSupport.run(a.toArray(new String[0]));
        assertUsage(r, "No space left on device", "cannot write", full.resolve("run").toString());
        try (var s = Files.list(full.resolve("run"))) {
            assertFalse(s.anyMatch(f -> f.getFileName().toString().endsWith(".tmp")), "no temporary file left");
        }
    }

    @Test
    void debugShowsTheStackTraceAndABadNumberPointsToHelp() throws Exception {
        String[] absurd = {"bench", "efficientnet_b0", "--batch", "100000", "--iters", "1"};
        CliTestSupport.Run plain = CliTestSupport.run(absurd);
        assertUsage(plain, "needs at least");
        CliTestSupport.Run debug = CliTestSupport.run(concat("--debug", absurd));
        assertEquals(2, debug.code(), debug.describe());
        assertTrue(debug.err().contains("\tat dev.efficientnet."), "--debug prints the stack trace: " + debug.describe());

        // EFFICIENTNET_DEBUG=1 in a child process
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.efficientnet.cli.Main"));
        cmd.addAll(List.of(absurd));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put(Failures.DEBUG_ENV, "1");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(2, p.exitValue(), out);
        assertTrue(out.contains("needs at least") && out.contains("\tat dev.efficientnet."), out);

        CliTestSupport.Run number = CliTestSupport.run("bench", "efficientnet_b0", "--batch", "eight");
        assertEquals(2, number.code(), number.describe());
        assertEquals(1, number.err().strip().lines().count(), "one line, not the usage: " + number.describe());
        assertTrue(number.err().contains("eight") && number.err().contains("'efficientnet bench --help'"), number.describe());
        assertFalse(number.err().contains("Usage:"), number.describe());
    }

    private static String[] concat(String first, String[] rest) {
        String[] a = new String[rest.length + 1];
        a[0] = first;
        System.arraycopy(rest, 0, a, 1, rest.length);
        return a;
    }
}
