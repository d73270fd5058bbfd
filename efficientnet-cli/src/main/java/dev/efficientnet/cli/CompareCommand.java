package dev.efficientnet.cli;

import dev.efficientnet.core.io.Json;
import dev.efficientnet.models.EfficientNet;
import dev.efficientnet.models.spec.ModelSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code efficientnet compare ARCH...}: params, MACs, default eval resolution and measured
 * single-image CPU latency side by side, with ratios against the first model (the classic
 * "EfficientNet-B7 vs EfficientNetV2-M" table).
 *
 * <p>Latency is the median of {@code --runs} (default 3) eval forward passes at batch 1 on random
 * input, after {@code --warmup} (default 1) untimed passes, each under
 * {@code GradMode.disabled()} in its own {@code MemoryScope}; weights are random (seed 0), which
 * does not change the cost. Models are measured one after another in one JVM.
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
        header = "Compare params, MACs, resolution and CPU latency of several architectures.",
        description = {"Side-by-side params, MACs, default eval resolution and single-image CPU latency,",
                "with ratios against the first model, e.g. efficientnet_b7 efficientnet_v2_m.",
                "Latency: median of --runs eval forward passes at batch 1 on random input after",
                "--warmup passes. Big models take a while; --no-latency skips the measurement."})
public final class CompareCommand extends CliCommand {
    @Parameters(arity = "1..*", paramLabel = "ARCH", completionCandidates = Architectures.class,
            description = "Architectures: ${COMPLETION-CANDIDATES}")
    List<String> archs;

    @Option(names = "--resolution-each", paramLabel = "R",
            description = "Use this square input size for every model instead of each one's eval resolution.")
    Integer resolutionEach;

    @Option(names = "--no-latency", description = "Skip the latency measurement (instant).")
    boolean noLatency;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "1",
            description = "Untimed passes per model before timing (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--runs", paramLabel = "N", defaultValue = "3",
            description = "Timed passes per model; the median is reported (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--json", description = "Print one JSON object (one line) on stdout; progress goes to stderr.")
    boolean json;

    @picocli.CommandLine.Mixin
    PresetFileOption presetFile = new PresetFileOption();

    /** Creates the command. */
    public CompareCommand() {
    }

    /** One compared model. */
    private record Row(ModelSpec spec, int resolution, long params, long macs, Stats latency) {
    }

    @Override
    protected int execute() {
        presetFile.load();
        List<ModelSpec> specs = new ArrayList<>();
        for (String a : archs) specs.add(Architectures.resolve(a));   // all names checked before any work
        if (resolutionEach != null) requireAtLeast("--resolution-each", resolutionEach, 1);
        requireAtLeast("--warmup", warmup, 0);
        requireAtLeast("--runs", runs, 1);

        List<Row> rows = new ArrayList<>();
        for (ModelSpec spec : specs) {
            int res = resolutionEach != null ? resolutionEach : spec.evalResolution();
            long macs;
            try {
                macs = spec.macs(res);
            } catch (IllegalArgumentException e) {
                throw CliException.usage(spec.name() + " at " + res + ": " + e.getMessage());
            }
            rows.add(new Row(spec, res, spec.params(), macs, null));
        }
        if (!noLatency) {
            for (int i = 0; i < rows.size(); i++) {
                Row r = rows.get(i);
                err().printf(Locale.ROOT, "measuring %s at %dx%d (%d warm-up + %d timed passes)...%n",
                        r.spec().name(), r.resolution(), r.resolution(), warmup, runs);
                err().flush();
                rows.set(i, new Row(r.spec(), r.resolution(), r.params(), r.macs(), measure(r.spec(), r.resolution())));
                System.gc();   // let the previous model's weights go before building the next
            }
        }
        if (json) out().println(Json.write(toJson(rows)));
        else printTable(rows);
        return 0;
    }

    private Stats measure(ModelSpec spec, int res) {
        EfficientNet net = EfficientNet.create(spec);
        Benchmark.Config config = new Benchmark.Config(Benchmark.Mode.EVAL, 1, res, warmup, runs, 0);
        return Benchmark.run(net, config, null).stats();
    }

    private void printTable(List<Row> rows) {
        boolean lat = !noLatency;
        int nameWidth = "model".length();
        for (Row r : rows) nameWidth = Math.max(nameWidth, r.spec().name().length());
        String head = "%-" + nameWidth + "s  %-6s  %10s  %10s  %5s";
        StringBuilder h = new StringBuilder(String.format(Locale.ROOT, head, "model", "family", "params", "MACs", "res"));
        if (lat) h.append(String.format(Locale.ROOT, "  %12s  %8s", "latency ms", "img/s"));
        if (rows.size() > 1) {
            h.append(String.format(Locale.ROOT, "  %8s  %8s", "params/1", "MACs/1"));
            if (lat) h.append(String.format(Locale.ROOT, "  %8s", "lat/1"));
        }
        out().println(h);
        Row first = rows.get(0);
        for (Row r : rows) {
            StringBuilder b = new StringBuilder(String.format(Locale.ROOT, head, r.spec().name(),
                    familyLabel(r.spec()), Format.millions(r.params()), Format.giga(r.macs()), r.resolution()));
            if (lat) b.append(String.format(Locale.ROOT, "  %12s  %8.2f", Format.ms(r.latency().median()),
                    1000.0 / r.latency().median()));
            if (rows.size() > 1) {
                b.append(String.format(Locale.ROOT, "  %8s  %8s", Format.ratio((double) r.params() / first.params()),
                        Format.ratio((double) r.macs() / first.macs())));
                if (lat) b.append(String.format(Locale.ROOT, "  %8s",
                        Format.ratio(r.latency().median() / first.latency().median())));
            }
            out().println(b);
        }
        if (rows.size() > 1) out().println("x/1 = ratio to " + first.spec().name() + ".");
        if (lat) {
            out().printf(Locale.ROOT, "latency: median of %d eval forward pass%s at batch 1 after %d warm-up, random input,"
                    + " %d threads, Java %s.%n", runs, runs == 1 ? "" : "es", warmup, SystemInfo.threads(),
                    SystemInfo.javaVersion());
        } else {
            out().println("latency not measured (--no-latency).");
        }
    }

    private static String familyLabel(ModelSpec spec) {
        return switch (spec.family()) {
            case EFFICIENTNET_V1 -> "V1";
            case EFFICIENTNET_V2 -> "V2";
        };
    }

    private Map<String, Object> toJson(List<Row> rows) {
        List<Object> models = new ArrayList<>();
        for (Row r : rows) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("arch", r.spec().name());
            m.put("family", r.spec().family().name());
            m.put("params", r.params());
            m.put("macs", r.macs());
            m.put("resolution", r.resolution());
            m.put("eval_resolution", r.spec().evalResolution());
            m.put("latency_ms", r.latency() == null ? null : Format.round(r.latency().median(), 3));
            m.put("latency_min_ms", r.latency() == null ? null : Format.round(r.latency().min(), 3));
            models.add(m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("models", models);
        out.put("latency_measured", !noLatency);
        out.put("warmup", noLatency ? 0 : warmup);
        out.put("runs", noLatency ? 0 : runs);
        out.put("batch", 1);
        out.put("threads", SystemInfo.threads());
        out.put("java_version", SystemInfo.javaVersion());
        return out;
    }
}
