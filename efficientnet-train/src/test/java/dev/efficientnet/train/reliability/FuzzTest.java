package dev.efficientnet.train.reliability;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Fuzz harness for every file reader: safetensors ({@code Safetensors.read}), IDX raw and gzipped
 * ({@code IdxDataset.load}), PNG/JPEG ({@code Images.read}) and PyTorch {@code .pth}
 * ({@code TorchFile.open}). Valid fixtures are mutated by a
 * seeded generator (truncation, bit flips, insertions, deletions, interesting integers written over
 * sizes and offsets, structured header edits, decompression bombs, deep and enormous JSON). Every
 * case must end in the reader's own checked exception with a message naming the file, or parse to a
 * result that is still valid; anything else — an {@link Error} (an {@link OutOfMemoryError} even
 * when wrapped), a {@link RuntimeException}, a case that runs past its timeout, or an accepted
 * result that is inconsistent with the bytes — fails the test with the seed and case to reproduce.
 *
 * <p>Bounded in time: {@code efficientnet.fuzz.seconds} (default 20) split across the formats;
 * {@code efficientnet.fuzz.seed} picks the sequence (default fixed, so CI is reproducible). Failing
 * inputs are copied to {@code target/fuzz-failures}. Long mode, for example:
 * {@code mvn -B -o -pl efficientnet-train test -Dtest=FuzzTest -Defficientnet.fuzz.seconds=600 -Defficientnet.fuzz.seed=$RANDOM}.
 */
class FuzzTest {
    /** What a case ended in. */
    enum Outcome {
        /** Parsed; the result matches the original fixture (the mutation was in data or was benign). */
        ACCEPTED,
        /** Parsed to a different but well-formed result (e.g. a bit flip inside pixel or tensor data). */
        ACCEPTED_CHANGED,
        /** Rejected with the library's checked exception naming the file. */
        REJECTED
    }

    /** One format under test. */
    interface Target {
        String name();

        /** Builds fixtures in {@code dir} (called once). */
        void prepare(Path dir) throws Exception;

        /** Deterministic hostile cases run first (bombs, giant headers); may be empty. */
        List<String> fixedCases();

        /** Runs fixed case {@code name} in {@code dir}. */
        Outcome runFixed(String name, Path dir) throws Exception;

        /** Runs one random case in {@code dir}; {@code describe} receives what was done. */
        Outcome runRandom(Random r, Path dir, StringBuilder describe) throws Exception;
    }

    static final long DEFAULT_SEED = 0x5EED_F022L;
    private static final long CASE_TIMEOUT_SECONDS = 30;
    private static final boolean VERBOSE = Boolean.getBoolean("efficientnet.fuzz.verbose");

    @Test
    void hostileFilesEndInCheckedExceptionsNamingTheFile(@TempDir Path tmp, TestReporter reporter) throws Exception {
        double seconds = Double.parseDouble(System.getProperty("efficientnet.fuzz.seconds", "20"));
        long seed = Long.getLong("efficientnet.fuzz.seed", DEFAULT_SEED);
        List<Target> targets = List.of(new SafetensorsFuzz(), new IdxFuzz(false), new IdxFuzz(true),
                new ImageFuzz("png"), new ImageFuzz("jpeg"), new PthFuzz());
        double[] share = {0.29, 0.12, 0.12, 0.16, 0.16, 0.15};
        List<String> failures = new ArrayList<>();
        Map<String, EnumMap<Outcome, Integer>> counts = new LinkedHashMap<>();
        Map<String, Long> millis = new LinkedHashMap<>();
        ExecutorService[] exec = {newExecutor()};
        try {
            for (int t = 0; t < targets.size(); t++) {
                Target target = targets.get(t);
                Path base = Files.createDirectories(tmp.resolve(target.name()));
                Path fixtures = Files.createDirectories(base.resolve("fixtures"));
                target.prepare(fixtures);
                EnumMap<Outcome, Integer> c = new EnumMap<>(Outcome.class);
                for (Outcome o : Outcome.values()) c.put(o, 0);
                counts.put(target.name(), c);
                long start = System.nanoTime();
                long deadline = start + (long) (seconds * share[t] * 1e9);
                int index = 0;
                for (String fixed : target.fixedCases()) {
                    Path dir = Files.createDirectories(base.resolve("fixed-" + index));
                    runCase(exec, target.name() + " fixed case '" + fixed + "'", dir, c, failures,
                            sb -> target.runFixed(fixed, dir));
                    index++;
                }
                for (int i = 0; System.nanoTime() < deadline && failures.size() < 50; i++, index++) {
                    long caseSeed = seed * 1_000_003L + t * 7_919L + i;
                    Path dir = Files.createDirectories(base.resolve("case-" + i));
                    String id = target.name() + " random case " + i + " (efficientnet.fuzz.seed=" + seed + ")";
                    runCase(exec, id, dir, c, failures, sb -> target.runRandom(new Random(caseSeed), dir, sb));
                }
                millis.put(target.name(), (System.nanoTime() - start) / 1_000_000);
            }
        } finally {
            exec[0].shutdownNow();
        }
        StringBuilder summary = new StringBuilder(String.format(Locale.ROOT, "fuzz seed %d, %.0f s budget:", seed, seconds));
        int total = 0;
        for (Map.Entry<String, EnumMap<Outcome, Integer>> e : counts.entrySet()) {
            EnumMap<Outcome, Integer> c = e.getValue();
            int n = c.values().stream().mapToInt(Integer::intValue).sum();
            total += n;
            summary.append(String.format(Locale.ROOT, "%n  %-12s %6d cases in %5d ms: %d rejected, %d accepted unchanged, %d accepted changed",
                    e.getKey(), n, millis.get(e.getKey()), c.get(Outcome.REJECTED), c.get(Outcome.ACCEPTED),
                    c.get(Outcome.ACCEPTED_CHANGED)));
        }
        summary.append(String.format(Locale.ROOT, "%n  total %d cases, %d failures", total, failures.size()));
        System.out.println("[FuzzTest] " + summary);
        reporter.publishEntry("fuzz", summary.toString());
        if (!failures.isEmpty())
            fail(failures.size() + " fuzz failures (inputs in target/fuzz-failures):\n" + String.join("\n", failures.subList(0,
                    Math.min(20, failures.size()))));
    }

    @FunctionalInterface
    interface CaseBody {
        Outcome run(StringBuilder describe) throws Exception;
    }

    private static ExecutorService newExecutor() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread th = new Thread(r, "fuzz-case");
            th.setDaemon(true);
            return th;
        });
    }

    private static void runCase(ExecutorService[] exec, String id, Path dir, EnumMap<Outcome, Integer> counts,
                                List<String> failures, CaseBody body) throws IOException {
        StringBuilder describe = new StringBuilder();
        Future<Outcome> f = exec[0].submit(() -> body.run(describe));
        String problem = null;
        try {
            Outcome o = f.get(CASE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            counts.merge(o, 1, Integer::sum);
            if (VERBOSE && o != Outcome.REJECTED) System.out.println("[FuzzTest] " + o + " " + id + " [" + describe + "]");
        } catch (TimeoutException e) {
            problem = "did not finish within " + CASE_TIMEOUT_SECONDS + " s (hang?)";
            f.cancel(true);
            exec[0].shutdownNow();
            exec[0] = newExecutor(); // the stuck thread is abandoned (daemon)
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            problem = (c instanceof AssertionError ? "" : "threw ") + c + (Mutations.hasOom(c) ? " [OutOfMemoryError in the cause chain]" : "")
                    + "\n      at " + firstFrames(c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            problem = "interrupted";
        }
        if (problem != null) {
            failures.add(id + " [" + describe + "]: " + problem);
            saveFailure(id, dir);
        }
        deleteTree(dir);
    }

    private static String firstFrames(Throwable t) {
        StringBuilder sb = new StringBuilder();
        StackTraceElement[] st = t.getStackTrace();
        for (int i = 0; i < Math.min(4, st.length); i++) sb.append(i == 0 ? "" : " < ").append(st[i]);
        return sb.toString();
    }

    private static void saveFailure(String id, Path dir) {
        try {
            Path out = Files.createDirectories(Path.of("target", "fuzz-failures", id.replaceAll("[^A-Za-z0-9_.-]+", "_")));
            try (Stream<Path> s = Files.list(dir)) {
                for (Path p : (Iterable<Path>) s::iterator)
                    if (Files.isRegularFile(p) && Files.size(p) < (64 << 20)) Files.copy(p, out.resolve(p.getFileName()),
                            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            System.err.println("[FuzzTest] could not save failing input: " + e);
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    /** Fails unless {@code message} names {@code file}. */
    static void assertNamesFile(Throwable e, Path file) {
        String m = e.getMessage();
        if (m == null || !m.contains(file.toString()))
            throw new AssertionError("exception does not name the file " + file + ": " + e);
        if (Mutations.hasOom(e)) throw new AssertionError("OutOfMemoryError wrapped in " + e);
    }
}
