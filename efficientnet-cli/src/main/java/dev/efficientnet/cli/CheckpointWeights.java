package dev.efficientnet.cli;

import dev.efficientnet.core.tensor.Tensor;
import dev.efficientnet.models.EfficientNet;
import dev.efficientnet.models.spec.ModelSpec;
import dev.efficientnet.models.weights.Weights;
import dev.efficientnet.train.TrainedModel;
import dev.efficientnet.train.checkpoint.Checkpoints;
import dev.efficientnet.train.checkpoint.RunCheckpoints;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * {@code --weights} given as a run folder or a training checkpoint, for {@code predict} and
 * {@code infer}: the folder's checkpoint is chosen by {@link RunCheckpoints} (the choice is printed
 * on stderr), and a checkpoint's model shape comes from its config, so a training run is used
 * without any Java code.
 */
final class CheckpointWeights {
    private CheckpointWeights() {
    }

    /** A run folder's checkpoint (printing the choice on {@code err}), else {@code weights} itself. */
    static Path resolve(String option, Path weights, PrintWriter err) {
        if (weights == null || !Files.isDirectory(weights)) return weights;
        try {
            RunCheckpoints.Choice c = RunCheckpoints.resolve(weights);
            if (c.reason() != null) {
                err.println(c.reason());
                err.flush();
            }
            return c.file();
        } catch (IOException e) {
            throw CliException.usage(option + " " + InferCommand.oneLine(e.getMessage()));
        }
    }

    /** True when {@code file} is a training checkpoint (not a plain weights file). */
    static boolean isCheckpoint(Path file) {
        return file != null && Files.isRegularFile(file) && Checkpoints.isCheckpoint(file);
    }

    /**
     * Loads a checkpoint (EMA weights unless {@code raw}) for {@code arch}; model options given on the
     * command line (null = not given) must agree with the checkpoint's config.
     */
    static TrainedModel load(String option, Path file, String arch, Double widthMult, Double depthMult, Integer numClasses,
                             boolean raw) {
        TrainedModel t;
        try {
            t = TrainedModel.load(file, raw);
        } catch (IOException | RuntimeException e) {
            throw CliException.usage(option + " " + file + ": " + InferCommand.oneLine(String.valueOf(e.getMessage())));
        }
        String name = Architectures.canonicalName(arch);
        if (!t.config().arch().equals(name))
            throw CliException.usage(option + " " + file + " is a checkpoint of " + t.config().arch() + ", not " + name);
        ModelSpec s = t.model().spec();
        if (widthMult != null && widthMult != s.widthMult()) throw mismatch(file, "--width-mult", widthMult, s.widthMult());
        if (depthMult != null && depthMult != s.depthMult()) throw mismatch(file, "--depth-mult", depthMult, s.depthMult());
        if (numClasses != null && numClasses != s.numClasses()) throw mismatch(file, "--num-classes", numClasses, s.numClasses());
        return t;
    }

    private static CliException mismatch(Path file, String option, Object given, Object stored) {
        return CliException.usage(String.format(Locale.ROOT, "%s %s but the checkpoint %s was trained with %s; the shape comes from"
                + " the checkpoint, drop the option", option, given, file, stored));
    }

    /** {@code t}'s model (or one rebuilt as {@code spec}) with its weights, as a native-naming load. */
    static InferCommand.Loaded loaded(TrainedModel t, ModelSpec spec) {
        EfficientNet net = spec.equals(t.model().spec()) ? t.model() : EfficientNet.create(spec, 0);
        Map<String, Tensor> w = t.weights();
        return new InferCommand.Loaded(net, Weights.load(net, w));
    }
}
