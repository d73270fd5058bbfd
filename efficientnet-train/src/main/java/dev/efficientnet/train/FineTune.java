package dev.efficientnet.train;

import dev.efficientnet.core.tensor.Tensor;
import dev.efficientnet.models.EfficientNet;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Fine-tuning helpers: a new classifier for another class count, and freezing.
 *
 * <p>Frozen semantics ({@link dev.efficientnet.layers.Module#freeze()}): a frozen module's parameters
 * stop requiring gradients (the optimizer does not see them, so they get neither updates nor weight
 * decay) and its batch norms run on their <em>running</em> statistics, which are not updated, even
 * while the rest of the model trains: a frozen part computes exactly what it computed before
 * fine-tuning started.
 */
public final class FineTune {
    private FineTune() {
    }

    /**
     * A model of the same spec with {@code numClasses} outputs carrying every weight and buffer of
     * {@code model} except the classifier, which is freshly initialised from {@code seed}.
     */
    public static EfficientNet withNewClassifier(EfficientNet model, int numClasses, long seed) {
        if (numClasses < 1) throw new IllegalArgumentException("numClasses must be >= 1, got " + numClasses);
        EfficientNet out = EfficientNet.create(model.spec().withNumClasses(numClasses), seed);
        Map<String, Tensor> state = new LinkedHashMap<>(model.stateDict());
        state.keySet().removeIf(k -> k.startsWith("head.classifier."));
        out.loadStateDict(state, false);
        return out;
    }

    /**
     * Freezes for fine-tuning. {@code trainLastStages} = -1 freezes nothing; 0 freezes everything but
     * the classifier (the backbone: stem, all stages, head conv and BN); N &gt; 0 freezes the stem and
     * all stages but the last N (the head and classifier keep training).
     */
    public static void freeze(EfficientNet model, int trainLastStages) {
        if (trainLastStages < -1) throw new IllegalArgumentException("trainLastStages must be >= -1, got " + trainLastStages);
        if (trainLastStages < 0) return;
        int stages = model.stageCount();
        if (trainLastStages > stages)
            throw new IllegalArgumentException("cannot train the last " + trainLastStages + " stages: the model has " + stages);
        model.stem().freeze();
        int firstTrained = trainLastStages == 0 ? stages : stages - trainLastStages;
        for (int i = 0; i < firstTrained; i++) model.stage(i).freeze();
        if (trainLastStages == 0) {
            model.head().child("conv").freeze();
            model.head().child("bn").freeze();
        }
    }
}
