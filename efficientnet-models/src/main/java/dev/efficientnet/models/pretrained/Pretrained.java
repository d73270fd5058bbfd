package dev.efficientnet.models.pretrained;

import dev.efficientnet.models.EfficientNet;
import dev.efficientnet.models.spec.ModelSpec;
import dev.efficientnet.models.spec.Preprocessing;
import dev.efficientnet.models.spec.Presets;
import dev.efficientnet.models.weights.LoadOptions;
import dev.efficientnet.models.weights.Weights;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Builds presets with their published pretrained weights ({@link PretrainedRegistry}), downloaded
 * once into the {@link WeightCache} and checked; used by {@link EfficientNet#pretrained}. The
 * model's spec carries the entry's preprocessing (mean, std, crop fraction, interpolation) and
 * evaluation size, so the classifier and the CLI prepare images as the publisher evaluated them.
 */
public final class Pretrained {
    private Pretrained() {
    }

    /** The default weights of {@code preset}, from the user cache (downloaded if missing). */
    public static EfficientNet load(String preset) throws IOException {
        return load(preset, null, WeightCache.user(), WeightCache.DownloadListener.NONE);
    }

    /**
     * The weights of {@code preset} tagged {@code tag} (null: default) from {@code cache}.
     *
     * @throws PretrainedException   no network and nothing cached, an HTTP error, or a checksum mismatch
     * @throws IllegalArgumentException an unknown preset or tag, or a preset without published weights
     */
    public static EfficientNet load(String preset, String tag, WeightCache cache, WeightCache.DownloadListener listener)
            throws IOException {
        PretrainedWeights w = PretrainedRegistry.get(preset, tag);
        Path file = cache.fetch(w, listener);
        EfficientNet model = EfficientNet.create(spec(w));
        Weights.load(model, file, LoadOptions.STRICT);
        return model;
    }

    /** The spec of {@code w}'s preset with its class count, evaluation size and preprocessing. */
    public static ModelSpec spec(PretrainedWeights w) {
        ModelSpec s = Presets.get(w.preset()).withNumClasses(w.numClasses());
        s = s.withPreprocessing(new Preprocessing(w.mean(), w.std(), w.cropFraction(), w.interpolation()));
        return s.withResolution(s.trainResolution(), w.inputSize());
    }
}
