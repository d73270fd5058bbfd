package dev.efficientnet.cli;

import dev.efficientnet.core.io.Json;
import dev.efficientnet.models.EfficientNet;
import dev.efficientnet.models.spec.ModelSpec;
import dev.efficientnet.models.weights.Weights;
import dev.efficientnet.train.DataSources;
import dev.efficientnet.train.Evaluator;
import dev.efficientnet.train.TrainConfig;
import dev.efficientnet.train.checkpoint.Checkpoint;
import dev.efficientnet.train.checkpoint.Checkpoints;
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
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code efficientnet eval ARCH --weights CKPT --data PATH}: test accuracy and loss of a training
 * checkpoint (its EMA weights by default, {@code --raw} for the raw ones) or of a safetensors weights file.
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
        header = "Evaluate a checkpoint or weights file on a dataset's test part.",
        description = {"Evaluates a training checkpoint (model shape taken from its config; EMA weights unless --raw)",
                "or a safetensors weights file (shape from ARCH and --width-mult/--depth-mult/--num-classes/--in-channels)",
                "on the test part of --data (see 'train --help' for the formats), resized to --resolution."})
public final class EvalCommand extends CliCommand {
    @Parameters(index = "0", paramLabel = "ARCH", completionCandidates = Architectures.class,
            description = "Architecture: ${COMPLETION-CANDIDATES}")
    String arch;

    @Mixin
    ModelOptions model;

    @Option(names = "--weights", paramLabel = "CKPT", required = true, description = "Checkpoint (last/best.safetensors) or weights file.")
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
        if (!Files.isRegularFile(weights)) throw new CliException(CliException.FAILURE, "weights file " + weights + " does not exist");
        String name = Architectures.canonicalName(arch);
        EfficientNet net;
        int size;
        String which;
        if (Checkpoints.isCheckpoint(weights)) {
            Checkpoint c = Checkpoints.read(weights);
            TrainConfig cfg = TrainConfig.fromJson(c.config());
            if (!cfg.arch().equals(name))
                throw CliException.usage("the checkpoint is for " + cfg.arch() + ", not " + name);
            ModelSpec spec = cfg.modelSpec();
            Object tunedAt = c.config().get("fixres_size"); // fixres.safetensors: tuned for this size
            size = resolution != null ? resolution : tunedAt instanceof Number n ? n.intValue() : cfg.finalSize();
            preflight(spec, size);
            net = EfficientNet.create(spec, 0);
            boolean useEma = !raw && c.ema() != null;
            net.loadStateDict(useEma ? c.ema() : c.model(), true);
            which = useEma ? "ema" : "raw";
        } else {
            ModelSpec spec = Architectures.resolve(name, model);
            if (inChannels != null) spec = spec.withInChannels(inChannels);
            size = resolution != null ? resolution : spec.evalResolution();
            preflight(spec, size);
            net = EfficientNet.create(spec, 0);
            Weights.load(net, weights);
            which = "file";
        }
        int channels = net.spec().inChannels();
        DataSources.Split split = data == null ? DataSources.embeddedFashionMnist() : TrainCommand.open(data, channels, 0);
        Dataset test = channels == 3 ? Datasets.toRgb(split.test()) : Datasets.toGray(split.test());
        if (test.numClasses() > net.spec().numClasses())
            throw CliException.usage("the data has " + test.numClasses() + " classes, the model " + net.spec().numClasses());
        Pipeline p = Pipeline.eval(net.spec().numClasses());
        if (channels == 1) p = p.withNormalization(new double[]{0.5}, new double[]{0.5});
        long t0 = System.nanoTime();
        double[] r;
        Pipeline pipeline = p;
        try (DataLoader loader = new DataLoader(test, LoaderConfig.eval(batch))) {
            r = Evaluator.evaluate(net, () -> loader.epoch(0, size, pipeline));
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("arch", name);
            m.put("weights", weights.toString());
            m.put("which", which);
            m.put("resolution", size);
            m.put("examples", test.size());
            m.put("test_accuracy", Math.round(r[1] * 1e4) / 1e4);
            m.put("test_loss", Math.round(r[0] * 1e4) / 1e4);
            m.put("wall_seconds", Math.round(seconds * 100) / 100.0);
            m.put("images_per_second", Math.round(test.size() / seconds * 10) / 10.0);
            out().println(Json.write(m));
        } else {
            out().printf(Locale.ROOT, "%s (%s weights) @%dpx on %d test images: accuracy %.2f%%, loss %.4f (%.1f s)%n",
                    weights, which, size, test.size(), 100 * r[1], r[0], seconds);
        }
        return 0;
    }
}
