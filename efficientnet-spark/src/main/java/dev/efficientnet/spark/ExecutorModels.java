package dev.efficientnet.spark;

import dev.efficientnet.models.EfficientNet;
import dev.efficientnet.models.inference.Classifier;
import dev.efficientnet.models.weights.Weights;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The per-JVM cache of classifiers on an executor: one {@link Classifier} per broadcast of weights,
 * built on first use and shared by every later task and partition in the JVM (a classifier is
 * thread-safe, so concurrent tasks of one executor share it too).
 */
final class ExecutorModels {
    private static final Logger LOG = LoggerFactory.getLogger(ExecutorModels.class);
    private static final Map<Long, Classifier> CACHE = new ConcurrentHashMap<>();

    private ExecutorModels() {
    }

    /** A built classifier and whether this call built it. */
    record Entry(Classifier classifier, boolean built) {
    }

    /** The classifier of broadcast {@code id}, building it from {@code weights} on first use. */
    static Entry get(long id, ModelSource source, byte[] weights, List<String> labels) {
        Classifier c = CACHE.get(id);
        if (c != null) return new Entry(c, false);
        synchronized (CACHE) {
            c = CACHE.get(id);
            if (c != null) return new Entry(c, false);
            c = build(source, weights, labels);
            CACHE.put(id, c);
            return new Entry(c, true);
        }
    }

    static Classifier build(ModelSource source, byte[] weights, List<String> labels) {
        long t0 = System.nanoTime();
        EfficientNet model = EfficientNet.create(source.spec());
        Path tmp = null;
        try {
            tmp = Files.createTempFile("efficientnet-weights-", ".safetensors");
            Files.write(tmp, weights);
            Weights.load(model, tmp);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load the broadcast weights: " + e.getMessage(), e);
        } finally {
            if (tmp != null) try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // a temp file left behind is harmless
            }
        }
        LOG.info("built {} on this executor in {} ms", model.spec().name(), (System.nanoTime() - t0) / 1_000_000);
        return Classifier.of(model, labels);
    }
}
