package dev.efficientnet.cli;

import dev.efficientnet.core.backend.MixedPrecision;
import dev.efficientnet.core.io.Json;
import dev.efficientnet.models.EfficientNet;
import dev.efficientnet.models.infer.Precision;
import dev.efficientnet.models.spec.ModelSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code efficientnet bench ARCH}: times eval forward passes or training steps on random input
 * (see {@link Benchmark}) and prints per-iteration times and a summary; with {@code --json} stdout
 * is one JSON object and the progress goes to stderr.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        header = "Time eval forward passes or training steps on random input.",
        description = {"Time eval forward passes (default) or training steps (--train: forward, mean",
                "cross-entropy on random targets, backward, SGD step) on random input.",
                "Every iteration runs in its own MemoryScope, so memory stays flat.",
                "Reports per-iteration times, median/min/mean, images/s and peak RSS."})
public final class BenchCommand extends CliCommand {
    @Parameters(index = "0", paramLabel = "ARCH", completionCandidates = Architectures.class,
            description = "Architecture: ${COMPLETION-CANDIDATES}")
    String arch;

    @Mixin
    ModelOptions model;

    @Option(names = "--resolution", paramLabel = "R",
            description = "Square input size (default: the preset's eval resolution, or its train resolution with --train).")
    Integer resolution;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "1", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--train", description = "Time training steps instead of eval forward passes.")
    boolean train;

    @Option(names = "--checkpoint-activations", description = "With --train: recompute each stage's activations in backward (as train --checkpoint-activations).")
    boolean checkpointActivations;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "2", description = "Untimed warm-up iterations (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--iters", paramLabel = "N", defaultValue = "10", description = "Timed iterations (default: ${DEFAULT-VALUE}).")
    int iters;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "Seed of weights, input and targets (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--json", description = "Print one JSON object (one line) on stdout; progress goes to stderr.")
    boolean json;

    @Option(names = "--precision", paramLabel = "P", defaultValue = "fp32",
            description = "Eval arithmetic: fp32, bf16 (CPUs with AVX512-BF16 or AMX only) or auto (bf16 where available); with --train: fp32 or bf16 (as train --precision) (default: ${DEFAULT-VALUE}).")
    String precision;

    @picocli.CommandLine.Mixin
    PresetFileOption presetFile = new PresetFileOption();

    /** Creates the command. */
    public BenchCommand() {
    }

    @Override
    protected int execute() {
        presetFile.load();
        ModelSpec spec = Architectures.resolve(arch, model);
        Benchmark.Mode mode = train ? Benchmark.Mode.TRAIN : Benchmark.Mode.EVAL;
        int res = resolution != null ? requireAtLeast("--resolution", resolution, 1)
                : train ? spec.trainResolution() : spec.evalResolution();
        requireAtLeast("--batch", batch, 1);
        requireAtLeast("--warmup", warmup, 0);
        requireAtLeast("--iters", iters, 1);
        if (train && spec.numClasses() < 1) throw CliException.usage("--train needs --num-classes >= 1");
        Precision prec = Precision.FP32;
        boolean trainBf16 = train && TrainPrecision.parse(precision);   // --train: fp32 or bf16 (D28)
        if (!train) {
            try {
                prec = Precision.parse(precision);
            } catch (IllegalArgumentException e) {
                throw CliException.usage("--precision: " + e.getMessage());
            }
        }
        try {
            spec.summary(res);
        } catch (IllegalArgumentException e) {
            throw CliException.usage("--resolution " + res + ": " + e.getMessage());
        }
        dev.efficientnet.cli.safety.MemoryBudget.require("bench" + (train ? " --train" : ""), train
                        ? dev.efficientnet.cli.safety.MemoryBudget.training(spec, batch, res, 1, false, checkpointActivations, 1)
                        : dev.efficientnet.cli.safety.MemoryBudget.inference(spec, batch, res),
                "use a smaller --batch, --resolution or model, or give the JVM more memory");
        PrintWriter log = json ? err() : out();
        long macs = spec.macs(res);
        log.printf(Locale.ROOT, "%s %s @%dx%d batch %d: %s params, %s MACs/image; %d threads, Java %s%n",
                spec.name(), mode.label(), res, res, batch, Format.si(spec.params()), Format.si(macs),
                SystemInfo.threads(), SystemInfo.javaVersion());
        log.flush();

        long t0 = System.nanoTime();
        EfficientNet net = EfficientNet.create(spec, seed);
        net.setActivationCheckpointing(checkpointActivations);
        double buildMs = (System.nanoTime() - t0) / 1e6;
        log.printf(Locale.ROOT, "model built in %s ms; %d warm-up + %d timed iterations%s%n", Format.ms(buildMs), warmup, iters,
                trainBf16 ? "; precision bf16 (convolutions in bfloat16, master weights float32)"
                        : prec == Precision.FP32 ? "" : "; precision " + prec.name().toLowerCase(Locale.ROOT));
        log.flush();

        Benchmark.Config config = new Benchmark.Config(mode, batch, res, warmup, iters, seed);
        Benchmark.Result result;
        try (MixedPrecision mixed = trainBf16 ? MixedPrecision.enableBf16() : null) {
            result = Benchmark.run(net, config, prec, (warm, index, ms, loss) -> {
                log.printf(Locale.ROOT, "%-7s %3d: %10s ms%s%n", warm ? "warm-up" : "iter", index + 1, Format.ms(ms),
                        Double.isNaN(loss) ? "" : String.format(Locale.ROOT, "   loss %.4f", loss));
                log.flush();
            });
        }
        Stats st = result.stats();
        double imagesPerSecond = batch * 1000.0 / st.median();
        double rss = SystemInfo.peakRssMb();
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("arch", spec.name());
            m.put("mode", mode.label());
            m.put("resolution", res);
            m.put("batch", batch);
            m.put("width_mult", spec.widthMult());
            m.put("depth_mult", spec.depthMult());
            m.put("num_classes", spec.numClasses());
            m.put("precision", trainBf16 ? "bf16" : prec.name().toLowerCase(Locale.ROOT));
            m.put("params", spec.params());
            m.put("macs_per_image", macs);
            m.put("warmup", warmup);
            m.put("iters", iters);
            m.put("ms", roundAll(result.timesMs()));
            m.put("ms_median", Format.round(st.median(), 3));
            m.put("ms_min", Format.round(st.min(), 3));
            m.put("ms_mean", Format.round(st.mean(), 3));
            m.put("ms_max", Format.round(st.max(), 3));
            m.put("images_per_second", Format.round(imagesPerSecond, 3));
            m.put("loss", train ? result.lastLoss() : null);
            m.put("build_ms", Format.round(buildMs, 1));
            m.put("peak_rss_mb", rss);
            m.put("threads", SystemInfo.threads());
            m.put("java_version", SystemInfo.javaVersion());
            out().println(Json.write(m));
        } else {
            out().printf(Locale.ROOT, "%s %s @%d batch %d: median %s ms, min %s, mean %s, max %s over %d iters"
                            + " -> %.2f images/s; peak RSS %s MB%n",
                    spec.name(), mode.label(), res, batch, Format.ms(st.median()), Format.ms(st.min()),
                    Format.ms(st.mean()), Format.ms(st.max()), iters, imagesPerSecond,
                    rss < 0 ? "n/a" : Format.ms(rss));
        }
        return 0;
    }

    private static double[] roundAll(double[] values) {
        double[] r = new double[values.length];
        for (int i = 0; i < values.length; i++) r[i] = Format.round(values[i], 3);
        return r;
    }
}
