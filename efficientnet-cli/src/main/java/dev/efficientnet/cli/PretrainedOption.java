package dev.efficientnet.cli;

import dev.efficientnet.models.pretrained.ImageNetClasses;
import dev.efficientnet.models.pretrained.PretrainedException;
import dev.efficientnet.models.pretrained.PretrainedRegistry;
import dev.efficientnet.models.pretrained.PretrainedWeights;
import dev.efficientnet.models.pretrained.WeightCache;
import dev.efficientnet.models.spec.ModelSpec;
import dev.efficientnet.models.spec.Preprocessing;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * {@code --pretrained [--pretrained-tag TAG]}: use ARCH's published pretrained weights instead of {@code --weights}
 * (downloaded once into the user cache, checksum checked, then used offline). Mixed into predict,
 * infer, eval and train.
 */
public final class PretrainedOption {
    @Option(names = "--pretrained",
            description = "Use ARCH's published ImageNet weights, downloaded once to ~/.cache/efficientnet-java "
                    + "(EFFICIENTNET_CACHE overrides) and checked against the publisher's hash.")
    boolean enabled;

    @Option(names = "--pretrained-tag", paramLabel = "TAG",
            description = "With --pretrained: another published version (e.g. IMAGENET1K_V1) instead of ARCH's default.")
    String tag;

    private PretrainedWeights entry;

    /** Creates the option (picocli). */
    public PretrainedOption() {
    }

    /** True when {@code --pretrained} was given. */
    public boolean isSet() {
        return enabled;
    }

    /**
     * The weights file to use: {@code weights} when {@code --pretrained} was not given, else the
     * cached download of ARCH's entry (progress on {@code err}). {@code weightsOption} names the
     * option it replaces, for the message when both are given.
     */
    public Path resolve(String arch, String weightsOption, Path weights, PrintWriter err) {
        if (!enabled) {
            if (tag != null) throw CliException.usage("--pretrained-tag needs --pretrained");
            return weights;
        }
        if (weights != null) throw CliException.usage("give either --pretrained or " + weightsOption + ", not both");
        if (arch == null) throw CliException.usage("--pretrained needs ARCH");
        String preset = Architectures.canonicalName(arch);
        try {
            entry = PretrainedRegistry.get(preset, tag);
        } catch (IllegalArgumentException e) {
            throw CliException.usage("--pretrained: " + e.getMessage());
        }
        WeightCache cache = WeightCache.user();
        boolean cached = cache.isCached(entry);
        err.println("pretrained: " + entry.describe() + (cached ? ", cached" : ", downloading from " + entry.url()));
        err.flush();
        int[] lastDecile = {-1};
        try {
            return cache.fetch(entry, (w, done, total) -> {
                int decile = total > 0 ? (int) (done * 10 / total) : -1;
                if (decile == lastDecile[0] && total > 0) return;
                lastDecile[0] = decile;
                err.println(String.format(Locale.ROOT, "  %s: %.1f MB%s", w.fileName(), done / 1e6,
                        total > 0 ? String.format(Locale.ROOT, " of %.1f MB (%d %%)", total / 1e6, decile * 10) : ""));
                err.flush();
            });
        } catch (PretrainedException e) {
            throw new CliException(CliException.FAILURE, "--pretrained: " + InferCommand.oneLine(e.getMessage()));
        } catch (IOException e) {
            throw new CliException(CliException.FAILURE, "--pretrained: cannot write the cache " + cache.directory() + ": "
                    + InferCommand.oneLine(String.valueOf(e.getMessage())));
        }
    }

    /** {@code spec} with the pretrained entry's preprocessing and evaluation size (unchanged without --pretrained). */
    public ModelSpec spec(ModelSpec spec) {
        if (entry == null) return spec;
        return spec.withPreprocessing(new Preprocessing(entry.mean(), entry.std(), entry.cropFraction(), entry.interpolation()))
                .withResolution(spec.trainResolution(), entry.inputSize());
    }

    /** The ImageNet-1k class names for a 1000-class model with pretrained weights, else null. */
    public List<String> labels(ModelSpec spec) {
        return entry != null && entry.numClasses() == 1000 && spec.numClasses() == 1000 ? ImageNetClasses.names() : null;
    }
}
