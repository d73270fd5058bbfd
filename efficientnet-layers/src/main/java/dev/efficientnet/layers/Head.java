package dev.efficientnet.layers;

import dev.efficientnet.core.ops.Activation;
import dev.efficientnet.core.ops.Pooling;
import dev.efficientnet.core.tensor.Rng;
import dev.efficientnet.core.tensor.Tensor;

/**
 * The classifier head: 1×1 {@code conv} → {@code bn} → activation (the head feature map) → global
 * average pool (pre-logits) → dropout → {@code classifier} (absent with 0 classes). The three
 * stages are exposed separately for feature extraction.
 */
public final class Head extends Module {
    private final Conv2d conv;
    private final BatchNorm2d bn;
    private final Activation activation;
    private final Dropout dropout;
    private Linear classifier;

    public Head(int in, int features, int numClasses, double dropoutRate, LayerSettings s, Rng rng) {
        this.conv = registerModule("conv", new Conv2d(in, features, 1, s.conv(1, 1), false, rng));
        this.bn = registerModule("bn", new BatchNorm2d(features, s.bnEps(), s.bnMomentum()));
        this.activation = s.activation();
        this.dropout = new Dropout(dropoutRate, rng);
        this.classifier = numClasses > 0 ? registerModule("classifier", new Linear(features, numClasses, rng)) : null;
    }

    /** The activated head feature map, NHWC. */
    public Tensor featureMap(Tensor x) {
        return bn.forwardAfter(conv, x, activation);
    }

    /** Global average pool of a feature map: {@code [N, H, W, C] -> [N, C]}. */
    public Tensor pool(Tensor map) {
        return Pooling.globalAvgPool(map);
    }

    /** Dropout then the linear classifier on pooled features (identity without a classifier). */
    public Tensor logits(Tensor pooled) {
        if (classifier == null) return pooled;
        return classifier.forward(dropout.apply(pooled, isTraining()));
    }

    @Override
    public Tensor forward(Tensor x) {
        return logits(pool(featureMap(x)));
    }

    /**
     * Replaces the classifier by a new {@link Linear} with {@code numClasses} outputs initialised from
     * {@code rng} (0 removes it), in place.
     */
    public void resetClassifier(int numClasses, Rng rng) {
        if (numClasses < 0) throw new IllegalArgumentException("numClasses must be >= 0, got " + numClasses);
        this.classifier = replaceModule("classifier", numClasses > 0 ? new Linear(features(), numClasses, rng) : null);
    }

    /** The dropout before the classifier (its rate can be changed during training). */
    public Dropout dropout() {
        return dropout;
    }

    /** The classifier, or null. */
    public Linear classifier() {
        return classifier;
    }

    /** Number of pooled features. */
    public int features() {
        return bn.channels();
    }
}
