package dev.efficientnet.cli;

import dev.efficientnet.core.io.Json;
import dev.efficientnet.models.EfficientNet;
import dev.efficientnet.models.spec.ModelSpec;
import dev.efficientnet.models.weights.Weights;
import dev.efficientnet.train.DataSources;
import dev.efficientnet.train.EvalMetrics;
import dev.efficientnet.train.TrainedModel;
import dev.efficientnet.train.TrainConfig;
import dev.efficientnet.train.checkpoint.Checkpoints;
import dev.efficientnet.train.checkpoint.RunCheckpoints;
import dev.efficientnet.train.report.ConfusionPlot;
import dev.efficientnet.train.data.DataLoader;
import dev.efficientnet.train.data.Dataset;
import dev.efficientnet.train.data.Datasets;
import dev.efficientnet.train.data.LoaderConfig;
import dev.efficientnet.train.augment.Pipeline;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code efficientnet eval ARCH --weights CKPT|RUN_DIR --data PATH}: test loss, top-1 and top-5 accuracy,
 * per-class accuracy and (for at most 20 classes) a confusion-matrix PNG of a training checkpoint (its
 * EMA weights by default, {@code --raw} for the raw ones), of a run folder (its checkpoint chosen by
 * {@link RunCheckpoints}) or of a safetensors weights file.
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
        header = "Evaluate a checkpoint or weights file on a dataset's test part.",
        description = {"Evaluates a training checkpoint (model shape taken from its config; EMA weights unless --raw)",
                "or a safetensors weights file (shape from ARCH and --width-mult/--depth-mult/--num-classes/--in-channels)",
                "on the test part of --data (see 'train --help' for the formats), resized to --resolution.",
                "--weights may be a run folder: fixres.safetensors, else last.safetensors, else best.safetensors",
                "(the choice is printed on stderr). Prints top-1, top-5 and per-class accuracy; for at most 20",
                "classes it writes a confusion-matrix PNG (--confusion, default next to the checkpoint)."})
public final class EvalCommand extends CliCommand {
    @Parameters(index = "0", paramLabel = "ARCH", completionCandidates = Architectures.class,
            description = "Architecture: ${COMPLETION-CANDIDATES}")
    String arch;

    @Mixin
    ModelOptions model;

    @picocli.CommandLine.Mixin
    PretrainedOption pretrained = new PretrainedOption();

    @Option(names = "--weights", paramLabel = "CKPT",
            description = "Run folder, checkpoint (fixres/last/best.safetensors) or weights file.")
    Path weights;

    @Option(names = "--data", paramLabel = "PATH", description = "Data (default: the embedded Fashion-MNIST subset).")
    Path data;

    @Option(names = "--resolution", paramLabel = "R", description = "Image size (default: the checkpoint's final training size, else the preset's eval size).")
    Integer resolution;

    @Option(names = "--in-channels", paramLabel = "C", description = "Input channels for a plain weights file (default 3).")
    Integer inChannels;

    @Option(names = "--raw", description = "Use the raw weights of a checkpoint instead of its EMA weights.")
    boolean raw;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "100", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--json", description = "Print one JSON object on stdout.")
    boolean json;

    @Option(names = "--confusion", paramLabel = "PNG",
            description = "Where to write the confusion-matrix PNG (default: eval-<checkpoint>-<R>px-confusion.png next to the weights).")
    Path confusion;

    @Option(names = "--no-confusion", description = "Do not write the confusion-matrix PNG.")
    boolean noConfusion;

    @picocli.CommandLine.Mixin
    PresetFileOption presetFile = new PresetFileOption();

    /** Creates the command. */
    public EvalCommand() {
    }

    /** Checks --resolution against the model and the memory of an evaluation batch, before building. */
    private void preflight(ModelSpec spec, int size) {
        dev.efficientnet.cli.safety.Preflight.requireSize("--resolution " + size, spec, size);
        dev.efficientnet.cli.safety.MemoryBudget.require("eval", dev.efficientnet.cli.safety.MemoryBudget.inference(spec, batch, size),
                "use a smaller --batch, --resolution or model, or give the JVM more memory");
    }

    @Override
    protected int execute() throws Exception {
        presetFile.load();
        requireAtLeast("--batch", batch, 1);
        weights = pretrained.resolve(arch, "--weights", weights, err());
        if (weights == null) throw CliException.usage("missing --weights CKPT (or --pretrained)");
        weights = dev.efficientnet.cli.safety.InputFiles.materialize("--weights", weights, err());
        if (!Files.exists(weights)) throw new CliException(CliException.FAILURE, "weights file " + weights + " does not exist");
        Path file;
        try {
            RunCheckpoints.Choice choice = RunCheckpoints.resolve(weights);
            file = choice.file();
            if (choice.reason() != null) err().println(choice.reason());
        } catch (IOException e) {
            throw CliException.usage("--weights " + InferCommand.oneLine(e.getMessage()));
        }
        String name = Architectures.canonicalName(arch);
        EfficientNet net;
        int size;
        String which;
        if (Checkpoints.isCheckpoint(file)) {
            TrainedModel t;
            try {
                t = TrainedModel.load(file, raw);
            } catch (IOException e) {
                throw CliException.usage("--weights " + InferCommand.oneLine(e.getMessage()));
            }
            if (!t.config().arch().equals(name))
                throw CliException.usage("the checkpoint is for " + t.config().arch() + ", not " + name);
            net = t.model();
            size = resolution != null ? resolution : t.evalSize(); // fixres.safetensors: its tuned size
            preflight(net.spec(), size);
            which = t.ema() ? "ema" : "raw";
        } else {
            ModelSpec spec = Architectures.resolve(name, model);
            if (inChannels != null) spec = spec.withInChannels(inChannels);
            size = resolution != null ? resolution : spec.evalResolution();
            preflight(spec, size);
            net = EfficientNet.create(spec, 0);
            Weights.load(net, file);
            which = "file";
        }
        requireAtLeast("--resolution", size, 1);
        java.util.List<String> invalid = dev.efficientnet.cli.safety.FiniteValues.problems(net.stateDict());
        if (!invalid.isEmpty())
            throw CliException.usage("--weights " + file + " holds invalid values: " + dev.efficientnet.cli.safety.FiniteValues.summary(invalid));
        int channels = net.spec().inChannels();
        DataSources.Split split = data == null ? DataSources.embeddedFashionMnist() : TrainCommand.open(data, channels, 0);
        Dataset test = channels == 3 ? Datasets.toRgb(split.test()) : Datasets.toGray(split.test());
        if (test.numClasses() > net.spec().numClasses())
            throw CliException.usage("the data has " + test.numClasses() + " classes, the model " + net.spec().numClasses());
        Pipeline p = Pipeline.eval(net.spec().numClasses());
        if (channels == 1) p = p.withNormalization(new double[]{0.5}, new double[]{0.5});
        long t0 = System.nanoTime();
        EvalMetrics r;
        Pipeline pipeline = p;
        try (DataLoader loader = new DataLoader(test, LoaderConfig.eval(batch))) {
            r = EvalMetrics.evaluate(net, () -> loader.epoch(0, size, pipeline));
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (!Double.isFinite(r.loss()))
            throw new CliException(CliException.FAILURE, "the model produced NaN/Inf logits on the test data (loss " + r.loss()
                    + "), so no accuracy is reported; check --weights (e.g. weights too large for float32) and --data");
        int k = r.numClasses();
        Path png = null;
        if (!noConfusion && k <= ConfusionPlot.MAX_CLASSES) {
            png = confusion != null ? confusion : defaultConfusionPath(file, size);
            try {
                ConfusionPlot.write(png, r, null, arch + " (" + which + " weights) @" + size + "px: " + file.getFileName());
            } catch (IOException | RuntimeException e) {
                if (confusion != null) throw CliException.usage("--confusion " + confusion + ": cannot write: " + InferCommand.oneLine(String.valueOf(e.getMessage())));
                err().println("note: the confusion matrix was not written to " + png + " (" + InferCommand.oneLine(String.valueOf(e.getMessage()))
                        + "); choose a place with --confusion PNG");
                png = null;
            }
        } else if (!noConfusion && confusion != null) {
            throw CliException.usage("--confusion: a confusion-matrix PNG is drawn for at most " + ConfusionPlot.MAX_CLASSES
                    + " classes, the model has " + k);
        }
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("arch", name);
            m.put("weights", file.toString());
            m.put("which", which);
            m.put("resolution", size);
            m.put("examples", test.size());
            m.put("test_accuracy", round4(r.top1()));
            m.put("top5_accuracy", round4(r.top5()));
            m.put("test_loss", round4(r.loss()));
            List<Object> perClass = new ArrayList<>();
            List<Object> matrix = new ArrayList<>();
            for (int c = 0; c < k; c++) {
                double a = r.classAccuracy(c);
                perClass.add(Double.isNaN(a) ? null : round4(a));
                List<Object> row = new ArrayList<>();
                for (long v : r.confusion()[c]) row.add(v);
                matrix.add(row);
            }
            m.put("per_class_accuracy", perClass);
            m.put("confusion", matrix);
            m.put("confusion_png", png == null ? null : png.toString());
            m.put("wall_seconds", Math.round(seconds * 100) / 100.0);
            m.put("images_per_second", Math.round(test.size() / seconds * 10) / 10.0);
            out().println(Json.write(m));
        } else {
            out().printf(Locale.ROOT, "%s (%s weights) @%dpx on %d test images: top-1 %.2f%%, top-5 %.2f%%, loss %.4f (%.1f s)%n",
                    file, which, size, test.size(), 100 * r.top1(), 100 * r.top5(), r.loss(), seconds);
            out().println("per-class accuracy (class: accuracy, examples):");
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < k; c++) {
                double a = r.classAccuracy(c);
                line.append(String.format(Locale.ROOT, "  %3d: %s (%d)", c, Double.isNaN(a) ? "    -  " : String.format(Locale.ROOT, "%6.2f%%", 100 * a),
                        r.support(c)));
                if (c % 5 == 4 || c == k - 1) {
                    out().println(line);
                    line.setLength(0);
                }
            }
            if (png != null) out().println("confusion matrix: " + png);
        }
        return 0;
    }

    private static double round4(double v) {
        return Double.isNaN(v) ? v : Math.round(v * 1e4) / 1e4;
    }

    /** {@code eval-<checkpoint name>-<size>px-confusion.png} in the weights' folder. */
    static Path defaultConfusionPath(Path weightsFile, int size) {
        String n = weightsFile.getFileName().toString().replaceFirst("\\.safetensors$", "");
        Path dir = weightsFile.toAbsolutePath().getParent();
        String f = "eval-" + n + "-" + size + "px-confusion.png";
        return dir == null ? Path.of(f) : dir.resolve(f);
    }
}
