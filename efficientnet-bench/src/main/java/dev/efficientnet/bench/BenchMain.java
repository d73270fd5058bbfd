package dev.efficientnet.bench;

import dev.efficientnet.core.io.Json;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Entry point of {@code target/benchmarks.jar}: runs the JMH benchmarks of this package with short
 * defaults (1 fork, 2 × 1 s warm-up, 3 × 1 s measurement, average time in ms) unless the JMH
 * command line says otherwise, adds the JVM flags the forks need (Java 23+: native access and
 * {@code sun.misc.Unsafe} for JavaCPP), then prints a Markdown table with ms/op and GFLOP/s
 * (see {@link Flops}) against the CPU's fp32 peak, and the backward pass derived as
 * {@code forwardBackward − forward}.
 *
 * <p>Extra options, before the JMH ones: {@code --md FILE} also writes the tables to FILE;
 * {@code --report FILE.json} renders the tables of an earlier {@code -rf json} result without running;
 * {@code --peak-gflops X} sets the fp32 peak (default 330, two AVX-512 cores with 2 FMA units
 * at about 2.6 GHz). Everything else is JMH's ({@code -h} lists them): a regex filter such as
 * {@code Depthwise}, {@code -p batch=16}, {@code -f 2}, {@code -rf json}, ...
 */
public final class BenchMain {
    /** Default fp32 peak of the benchmark machine in GFLOP/s. */
    public static final double DEFAULT_PEAK_GFLOPS = 330;

    private BenchMain() {
    }

    /** Runs the benchmarks; see the class comment for the arguments. */
    public static void main(String[] args) throws Exception {
        Path markdown = null;
        Path report = null;
        double peak = DEFAULT_PEAK_GFLOPS;
        List<String> jmhArgs = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--md") && i + 1 < args.length) {
                markdown = Path.of(args[++i]);
            } else if (args[i].equals("--report") && i + 1 < args.length) {
                report = Path.of(args[++i]);
            } else if (args[i].equals("--peak-gflops") && i + 1 < args.length) {
                peak = Double.parseDouble(args[++i]);
            } else {
                jmhArgs.add(args[i]);
            }
        }
        if (report != null) {
            String text = report(readJson(report), peak, "Results of " + report + " (JMH JSON)");
            System.out.print(text);
            if (markdown != null) Files.writeString(markdown, text, StandardCharsets.UTF_8);
            return;
        }
        CommandLineOptions cmd;
        try {
            cmd = new CommandLineOptions(jmhArgs.toArray(new String[0]));
        } catch (CommandLineOptionException e) {
            System.err.println("Error parsing command line: " + e.getMessage());
            System.exit(1);
            return;
        }
        if (cmd.shouldHelp() || cmd.shouldList() || cmd.shouldListWithParams() || cmd.shouldListProfilers()
                || cmd.shouldListResultFormats()) {
            if (cmd.shouldHelp()) {
                System.out.println("efficientnet-bench: [--md FILE] [--report JMH.json] [--peak-gflops X] [JMH options] [regex...]");
                System.out.println("Defaults: -f 1 -wi 2 -w 1s -i 3 -r 1s -bm avgt -tu ms; all of dev.efficientnet.bench.\n");
            }
            org.openjdk.jmh.Main.main(jmhArgs.toArray(new String[0]));
            return;
        }

        ChainedOptionsBuilder b = new OptionsBuilder().parent(cmd);
        if (cmd.getIncludes().isEmpty()) b.include("dev\\.efficientnet\\.bench\\..*");
        if (!cmd.getForkCount().hasValue()) b.forks(1);
        if (!cmd.getWarmupIterations().hasValue()) b.warmupIterations(2);
        if (!cmd.getWarmupTime().hasValue()) b.warmupTime(TimeValue.seconds(1));
        if (!cmd.getMeasurementIterations().hasValue()) b.measurementIterations(3);
        if (!cmd.getMeasurementTime().hasValue()) b.measurementTime(TimeValue.seconds(1));
        List<String> append = new ArrayList<>(forkFlags());
        append.addAll(cmd.getJvmArgsAppend().orElse(List.of()));
        b.jvmArgsAppend(append.toArray(new String[0]));

        String started = ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        Collection<RunResult> results = new Runner(b.build()).run();
        List<Row> rows = new ArrayList<>();
        for (RunResult r : results) rows.add(Row.of(r));
        String text = report(rows, peak, header(started));
        System.out.println();
        System.out.print(text);
        if (markdown != null) {
            Files.writeString(markdown, text, StandardCharsets.UTF_8);
            System.out.println("(written to " + markdown + ")");
        }
    }

    /**
     * Flags appended to every fork: a 4 MB thread stack and the parallel GC (as the launcher), quiet
     * logs, and on Java 23+ the native-access and Unsafe flags JavaCPP needs; flags the host JVM
     * already has (forks inherit them) are not repeated, nor a GC when the host chose one.
     */
    static List<String> forkFlags() {
        List<String> host = ManagementFactory.getRuntimeMXBean().getInputArguments();
        List<String> flags = new ArrayList<>();
        flags.add("-Xss4m");
        if (host.stream().noneMatch(a -> a.startsWith("-XX:+Use") && a.endsWith("GC"))) flags.add("-XX:+UseParallelGC");
        flags.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        if (Runtime.version().feature() >= 23) {
            flags.add("--enable-native-access=ALL-UNNAMED");
            flags.add("--sun-misc-unsafe-memory-access=allow");
        }
        flags.removeIf(host::contains);
        return flags;
    }

    /**
     * One benchmark result.
     *
     * @param benchmark full JMH name, {@code package.Class.method}
     * @param params    JMH parameters
     * @param meanMs    JMH score (mean time per invocation over the measurement iterations)
     * @param errorMs   99.9% confidence half-width (NaN when not available)
     * @param bestMs    the fastest measurement iteration's mean time per invocation
     */
    record Row(String benchmark, Map<String, String> params, double meanMs, double errorMs, double bestMs) {
        static Row of(RunResult r) {
            Result<?> p = r.getPrimaryResult();
            String unit = p.getScoreUnit();
            double best = Double.NaN;
            for (BenchmarkResult br : r.getBenchmarkResults()) {
                for (IterationResult ir : br.getIterationResults()) {
                    double ms = toMs(ir.getPrimaryResult().getScore(), unit);
                    if (Double.isNaN(best) || ms < best) best = ms;
                }
            }
            Map<String, String> params = new LinkedHashMap<>();
            for (String k : r.getParams().getParamsKeys()) params.put(k, r.getParams().getParam(k));
            return new Row(r.getParams().getBenchmark(), params, toMs(p.getScore(), unit), toMs(p.getScoreError(), unit), best);
        }
    }

    /** Rows of a JMH JSON result file ({@code -rf json}). */
    @SuppressWarnings("unchecked")
    static List<Row> readJson(Path file) throws IOException {
        List<Row> rows = new ArrayList<>();
        for (Object o : (List<Object>) Json.read(file)) {
            Map<String, Object> m = (Map<String, Object>) o;
            Map<String, Object> metric = (Map<String, Object>) m.get("primaryMetric");
            String unit = (String) metric.get("scoreUnit");
            double best = Double.NaN;
            for (Object fork : (List<Object>) metric.get("rawData")) {
                for (Object v : (List<Object>) fork) {
                    double ms = toMs(((Number) v).doubleValue(), unit);
                    if (Double.isNaN(best) || ms < best) best = ms;
                }
            }
            Map<String, String> params = new LinkedHashMap<>();
            Object ps = m.get("params");
            if (ps instanceof Map<?, ?> pm) pm.forEach((k, v) -> params.put(String.valueOf(k), String.valueOf(v)));
            Object err = metric.get("scoreError");
            rows.add(new Row((String) m.get("benchmark"), params, toMs(((Number) metric.get("score")).doubleValue(), unit),
                    err instanceof Number n ? toMs(n.doubleValue(), unit) : Double.NaN, best));
        }
        return rows;
    }

    /** The Markdown report: header line, all results, and the derived backward passes. */
    static String report(List<Row> rows, double peak, String header) {
        StringBuilder sb = new StringBuilder();
        sb.append(header).append("\n\n");
        sb.append(String.format(Locale.ROOT, "| benchmark | params | ms/op (mean) | ± (99.9%%) | best iter ms | GFLOP/s (mean) "
                + "| GFLOP/s (best) | %% of %.0f peak (best) |%n", peak));
        sb.append("|---|---|---:|---:|---:|---:|---:|---:|\n");
        Map<String, Row> byKey = new LinkedHashMap<>();
        for (Row r : rows) {
            double flops = Flops.perInvocation(r.benchmark(), r.params());
            byKey.put(r.benchmark() + "|" + r.params(), r);
            sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s |%n", shortName(r.benchmark()),
                    paramText(r.params()), fmt(r.meanMs()), fmt(r.errorMs()), fmt(r.bestMs()),
                    gflops(flops, r.meanMs()), gflops(flops, r.bestMs()), percent(flops, r.bestMs(), peak)));
        }
        StringBuilder bwd = new StringBuilder();
        for (Map.Entry<String, Row> e : byKey.entrySet()) {
            String key = e.getKey();
            String fwdKey = key.replace(".forwardBackward|", ".forward|").replace(".trainForwardBackward|", ".trainForward|");
            if (fwdKey.equals(key) || !byKey.containsKey(fwdKey)) continue;
            Row both = e.getValue();
            Row fwd = byKey.get(fwdKey);
            double flops = Flops.perInvocation(both.benchmark(), both.params())
                    - Flops.perInvocation(fwd.benchmark(), fwd.params());
            double mean = both.meanMs() - fwd.meanMs();
            double best = both.bestMs() - fwd.bestMs();
            String name = shortName(both.benchmark()).replace("trainForwardBackward", "trainBackward")
                    .replace("forwardBackward", "backward");
            bwd.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s |%n", name, paramText(both.params()),
                    fmt(mean), fmt(best), gflops(flops, mean), gflops(flops, best), percent(flops, best, peak)));
        }
        if (bwd.length() > 0) {
            sb.append("\nBackward alone, derived as forwardBackward − forward (same params; noisy when the two are close):\n\n");
            sb.append(String.format(Locale.ROOT, "| benchmark | params | ms/op (mean) | best iter ms | GFLOP/s (mean) "
                    + "| GFLOP/s (best) | %% of %.0f peak (best) |%n", peak));
            sb.append("|---|---|---:|---:|---:|---:|---:|\n");
            sb.append(bwd);
        }
        return sb.toString();
    }

    /** The header line: start time, CPU, cores, Java, ND4J natives. */
    static String header(String started) {
        return String.format(Locale.ROOT, "Run started %s on %s, %d cores, Java %s (%s); ND4J natives: %s",
                started, cpuModel(), Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                System.getProperty("java.vm.name"), nd4jNatives());
    }

    private static String gflops(double flops, double ms) {
        if (Double.isNaN(flops) || !(ms > 0)) return "–";
        return String.format(Locale.ROOT, "%.1f", flops / (ms * 1e6));
    }

    private static String percent(double flops, double ms, double peak) {
        if (Double.isNaN(flops) || !(ms > 0)) return "–";
        return String.format(Locale.ROOT, "%.1f%%", 100 * flops / (ms * 1e6) / peak);
    }

    private static String paramText(Map<String, String> params) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> e : params.entrySet()) {
            if (sb.length() > 0) sb.append(", ");
            sb.append(e.getKey()).append('=').append(e.getValue());
        }
        return sb.toString();
    }

    private static String fmt(double ms) {
        if (Double.isNaN(ms)) return "n/a";
        double a = Math.abs(ms);
        return String.format(Locale.ROOT, a >= 100 ? "%.1f" : a >= 10 ? "%.2f" : a >= 1 ? "%.3f" : "%.4f", ms);
    }

    private static String shortName(String benchmark) {
        String prefix = "dev.efficientnet.bench.";
        return benchmark.startsWith(prefix) ? benchmark.substring(prefix.length()) : benchmark;
    }

    private static double toMs(double score, String unit) {
        switch (unit) {
            case "ns/op": return score / 1e6;
            case "us/op": return score / 1e3;
            case "ms/op": return score;
            case "s/op": return score * 1e3;
            default: return Double.NaN;
        }
    }

    /** "model name" of /proc/cpuinfo, or os.arch. */
    static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).trim();
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return System.getProperty("os.arch");
    }

    /** The ND4J native builds on the classpath (JavaCPP loads the first that fits the CPU). */
    static String nd4jNatives() {
        List<String> found = new ArrayList<>();
        for (String c : Set.of("linux-x86_64-onednn-avx512", "linux-x86_64-onednn-avx2", "linux-x86_64-onednn",
                "linux-x86_64-avx512", "linux-x86_64-avx2", "linux-x86_64")) {
            String res = "org/nd4j/linalg/cpu/nativecpu/bindings/" + c + "/libjnind4jcpu.so";
            if (ClassLoader.getSystemResource(res) != null) found.add(c);
        }
        found.sort(null);
        return found.isEmpty() ? "unknown" : String.join(", ", found);
    }

}
