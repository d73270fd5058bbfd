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
 *
 * <p>{@code --measure} adds the training cost: one SGD step (forward, cross-entropy, backward,
 * update, train mode) at the preset's training size and {@code --train-batch} (16), after
 * {@code --warmup} untimed steps, reported as milliseconds per image (median of {@code --train-runs}
 * steps divided by the batch). A first step at batch 2 measures the memory per image (peak resident
 * size, {@link MemoryProbe}); the batch is halved until its projected need is within 60 % of the
 * memory the system has available (not measured at all when one image is projected not to fit),
 * and again on {@link OutOfMemoryError}; the row says so.
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
        header = "Compare params, MACs, resolution and CPU latency of several architectures.",
        description = {"Side-by-side params, MACs, default eval resolution and single-image CPU latency,",
                "with ratios against the first model, e.g. efficientnet_b7 efficientnet_v2_m.",
                "Latency: median of --runs eval forward passes at batch 1 on random input after",
                "--warmup passes. Big models take a while; --no-latency skips the measurement.",
                "--measure also times training: one SGD step at each preset's train size and batch",
                "--train-batch (16; halved while it does not fit in memory, with a note), per image."})
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

    @Option(names = "--measure", description = "Also measure training time per image (one step at the preset's train size).")
    boolean measure;

    @Option(names = "--train-batch", paramLabel = "B", defaultValue = "16",
            description = "Batch of the timed training step (default: ${DEFAULT-VALUE}; halved if it does not fit in memory).")
    int trainBatch;

    @Option(names = "--train-runs", paramLabel = "N", defaultValue = "1",
            description = "Timed training steps per model; the median is reported (default: ${DEFAULT-VALUE}).")
    int trainRuns;

    @Option(names = "--json", description = "Print one JSON object (one line) on stdout; progress goes to stderr.")
    boolean json;

    @picocli.CommandLine.Mixin
    PresetFileOption presetFile = new PresetFileOption();

    /** Share of the available memory a measured training batch may use (projected from a batch-2 probe). */
    static final double FIT_FRACTION = 0.6;

    /** Tests only: the memory the system has available (default: {@link MemoryProbe#availableBytes}). */
    static java.util.function.LongSupplier availableBytes = MemoryProbe::availableBytes;

    /** Tests only: batches that behave as if they ran out of memory. */
    static java.util.function.IntPredicate outOfMemoryAt = b -> false;

    /** Creates the command. */
    public CompareCommand() {
    }

    /** One compared model. */
    private record Row(ModelSpec spec, int resolution, long params, long macs, Stats latency, Train train) {
        Row(ModelSpec spec, int resolution, long params, long macs, Stats latency) {
            this(spec, resolution, params, macs, latency, null);
        }

        Row withTrain(Train t) {
            return new Row(spec, resolution, params, macs, latency, t);
        }
    }

    /** A measured training step: size, the batch that fit, its step times, and a note (or null). */
    record Train(int resolution, int batch, Stats stepMs, String note) {
        /** Median milliseconds per image, or NaN when nothing fit. */
        double msPerImage() {
            return stepMs == null ? Double.NaN : stepMs.median() / batch;
        }
    }

    @Override
    protected int execute() {
        presetFile.load();
        List<ModelSpec> specs = new ArrayList<>();
        for (String a : archs) specs.add(Architectures.resolve(a));   // all names checked before any work
        if (resolutionEach != null) requireAtLeast("--resolution-each", resolutionEach, 1);
        requireAtLeast("--warmup", warmup, 0);
        requireAtLeast("--runs", runs, 1);
        requireAtLeast("--train-batch", trainBatch, 1);
        requireAtLeast("--train-runs", trainRuns, 1);

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
        if (measure) {
            for (int i = 0; i < rows.size(); i++) {
                Row r = rows.get(i);
                rows.set(i, r.withTrain(measureTraining(r.spec(), resolutionEach != null ? resolutionEach : r.spec().trainResolution())));
                System.gc();
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

    /**
     * Times {@code --train-runs} training steps of {@code spec} at {@code res} after {@code --warmup}
     * steps, halving the batch from {@code --train-batch} while it runs out of memory.
     */
    private Train measureTraining(ModelSpec spec, int res) {
        if (spec.numClasses() < 1) return new Train(res, 0, null, "no classifier (0 classes): training not measured");
        String note = null;
        int start = trainBatch;
        if (trainBatch > 2) {
            // Probe: one step at batch 2 (also a JIT warm-up), its memory per image, then the largest batch
            // (halving from --train-batch) whose projected need stays within FIT_FRACTION of what the system
            // has available: a batch that does not fit may be killed by the kernel, not throw OutOfMemoryError.
            err().printf(Locale.ROOT, "probing the memory of a training step of %s at %dx%d, batch 2...%n", spec.name(), res, res);
            err().flush();
            long[] growth = {-1};
            try {
                if (outOfMemoryAt.test(2)) throw new OutOfMemoryError("simulated for batch 2");
                EfficientNet probeNet = EfficientNet.create(spec);
                growth[0] = MemoryProbe.peakGrowth(() -> Benchmark.run(probeNet,
                        new Benchmark.Config(Benchmark.Mode.TRAIN, 2, res, 0, 1, 0), null));
            } catch (IllegalArgumentException | OutOfMemoryError e) {
                growth[0] = -1;   // the loop below finds out
            }
            MemoryProbe.settle();
            long avail = availableBytes.getAsLong();
            if (growth[0] > 0 && avail > 0) {
                double perImage = growth[0] / 2.0;
                err().printf(Locale.ROOT, "  %.0f MB per image at batch 2; %.1f GB available%n", perImage / 1e6, avail / 1e9);
                start = chooseBatch(trainBatch, perImage, avail);
                if (start < 1)   // even batch 1 is projected not to fit: the kernel could kill the process, so do not try
                    return new Train(res, 0, null, String.format(Locale.ROOT, "one image needs ~%.1f GB (measured at batch 2),"
                            + " %.1f GB available: not measured", perImage / 1e9, avail / 1e9));
                if (start < trainBatch)
                    note = String.format(Locale.ROOT, "batch %d would need ~%.1f GB (%.0f MB per image measured at batch 2), %.1f GB"
                                    + " available: batch %d", trainBatch, trainBatch * perImage / 1e9, perImage / 1e6, avail / 1e9, start);
            }
        }
        for (int b = start; b >= 1; b /= 2) {
            err().printf(Locale.ROOT, "measuring training of %s at %dx%d, batch %d (%d warm-up + %d timed steps)...%n",
                    spec.name(), res, res, b, warmup, trainRuns);
            err().flush();
            try {
                if (outOfMemoryAt.test(b)) throw new OutOfMemoryError("simulated for batch " + b);
                EfficientNet net = EfficientNet.create(spec);
                Benchmark.Config config = new Benchmark.Config(Benchmark.Mode.TRAIN, b, res, warmup, trainRuns, 0);
                Stats st = Benchmark.run(net, config, null).stats();
                return new Train(res, b, st, note);
            } catch (IllegalArgumentException e) {   // e.g. batch 1 with a 1x1 last map: BN has 1 value per channel
                String msg = "a training step at batch " + b + " is impossible: " + InferCommand.oneLine(e.getMessage());
                err().println("  " + msg);
                return new Train(res, 0, null, note == null ? msg : note + "; " + msg);
            } catch (OutOfMemoryError e) {
                System.gc();
                String msg = "batch " + b + " did not fit in memory";
                note = note == null ? msg : note + "; " + msg;
                err().println("  " + msg + (b > 1 ? ", trying " + b / 2 : ""));
            }
        }
        return new Train(res, 0, null, note + "; not measured");
    }

    /**
     * The largest of {@code requested}, {@code requested / 2}, ... whose projected need
     * ({@code batch × perImageBytes}) is within {@link #FIT_FRACTION} of {@code availableBytes}; 0 when
     * not even one image fits.
     */
    static int chooseBatch(int requested, double perImageBytes, long availableBytes) {
        double fit = Math.floor(FIT_FRACTION * availableBytes / perImageBytes);
        if (fit < 1) return 0;
        int b = requested;
        while (b > 1 && b > fit) b /= 2;
        return b;
    }

    private void printTable(List<Row> rows) {
        boolean lat = !noLatency;
        int nameWidth = "model".length();
        for (Row r : rows) nameWidth = Math.max(nameWidth, r.spec().name().length());
        String head = "%-" + nameWidth + "s  %-6s  %10s  %10s  %5s";
        StringBuilder h = new StringBuilder(String.format(Locale.ROOT, head, "model", "family", "params", "MACs", "res"));
        if (lat) h.append(String.format(Locale.ROOT, "  %12s  %8s", "latency ms", "img/s"));
        if (measure) h.append(String.format(Locale.ROOT, "  %9s  %5s  %14s", "train res", "batch", "train ms/img"));
        if (rows.size() > 1) {
            h.append(String.format(Locale.ROOT, "  %8s  %8s", "params/1", "MACs/1"));
            if (lat) h.append(String.format(Locale.ROOT, "  %8s", "lat/1"));
            if (measure) h.append(String.format(Locale.ROOT, "  %8s", "train/1"));
        }
        out().println(h);
        Row first = rows.get(0);
        for (Row r : rows) {
            StringBuilder b = new StringBuilder(String.format(Locale.ROOT, head, r.spec().name(),
                    familyLabel(r.spec()), Format.millions(r.params()), Format.giga(r.macs()), r.resolution()));
            if (lat) b.append(String.format(Locale.ROOT, "  %12s  %8.2f", Format.ms(r.latency().median()),
                    1000.0 / r.latency().median()));
            if (measure) b.append(String.format(Locale.ROOT, "  %9d  %5s  %14s", r.train().resolution(),
                    r.train().batch() > 0 ? Integer.toString(r.train().batch()) : "-",
                    Double.isNaN(r.train().msPerImage()) ? "-" : Format.ms(r.train().msPerImage())));
            if (rows.size() > 1) {
                b.append(String.format(Locale.ROOT, "  %8s  %8s", Format.ratio((double) r.params() / first.params()),
                        Format.ratio((double) r.macs() / first.macs())));
                if (lat) b.append(String.format(Locale.ROOT, "  %8s",
                        Format.ratio(r.latency().median() / first.latency().median())));
                if (measure) b.append(String.format(Locale.ROOT, "  %8s",
                        Double.isNaN(r.train().msPerImage()) || Double.isNaN(first.train().msPerImage()) ? "-"
                                : Format.ratio(r.train().msPerImage() / first.train().msPerImage())));
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
        if (measure) {
            out().printf(Locale.ROOT, "train: median of %d SGD step%s (forward, loss, backward, update) after %d warm-up, at each"
                    + " preset's train size%s, random input, per image.%n", trainRuns, trainRuns == 1 ? "" : "s", warmup,
                    resolutionEach != null ? " (here --resolution-each " + resolutionEach + ")" : "");
            for (Row r : rows)
                if (r.train().note() != null) out().println("note: " + r.spec().name() + ": " + r.train().note() + ".");
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
            if (r.train() != null) {
                Train t = r.train();
                m.put("train_resolution", t.resolution());
                m.put("train_batch", t.batch() > 0 ? t.batch() : null);
                m.put("train_step_ms", t.stepMs() == null ? null : Format.round(t.stepMs().median(), 3));
                m.put("train_ms_per_image", Double.isNaN(t.msPerImage()) ? null : Format.round(t.msPerImage(), 3));
                m.put("train_note", t.note());
            }
            models.add(m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("models", models);
        out.put("latency_measured", !noLatency);
        out.put("warmup", noLatency ? 0 : warmup);
        out.put("runs", noLatency ? 0 : runs);
        out.put("batch", 1);
        out.put("train_measured", measure);
        if (measure) {
            out.put("train_batch_requested", trainBatch);
            out.put("train_runs", trainRuns);
        }
        out.put("threads", SystemInfo.threads());
        out.put("java_version", SystemInfo.javaVersion());
        return out;
    }
}
