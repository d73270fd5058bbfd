package dev.efficientnet.train;

import dev.efficientnet.core.backend.Backend;
import dev.efficientnet.core.tensor.Tensor;
import dev.efficientnet.models.EfficientNet;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Exponential moving average of a model's weights <em>and</em> buffers (BN running statistics), kept
 * in a second model of the same spec that is always in eval mode, so it can be evaluated directly.
 * Update n (0-based) uses {@code d = min(decay, (1 + n) / (10 + n))} (TF's {@code num_updates} warmup,
 * so short runs are not dominated by the random initialisation):
 * {@code shadow = d·shadow + (1 − d)·value}.
 */
public final class Ema {
    private final EfficientNet shadow;
    private final double decay;
    private final List<Tensor> src = new ArrayList<>();
    private final List<Tensor> dst = new ArrayList<>();
    private long updates;

    /** Starts the average at the current values of {@code model}. */
    public Ema(EfficientNet model, double decay) {
        if (!(decay > 0 && decay < 1)) throw new IllegalArgumentException("EMA decay must be in (0, 1), got " + decay);
        this.decay = decay;
        this.shadow = EfficientNet.create(model.spec(), 0);
        this.shadow.loadStateDict(model.stateDict(), true);
        this.shadow.eval();
        for (Tensor t : shadow.parameters()) t.requiresGrad(false);
        Map<String, Tensor> own = shadow.stateDict();
        model.stateDict().forEach((k, v) -> {
            src.add(v);
            dst.add(own.get(k));
        });
    }

    /** Folds the model's current values into the average. */
    public void update() {
        double d = Math.min(decay, (1.0 + updates) / (10.0 + updates));
        Backend b = Backend.current();
        for (int i = 0; i < src.size(); i++) b.axpby(d, dst.get(i), 1 - d, src.get(i), dst.get(i));
        updates++;
    }

    /** The averaged model (eval mode). */
    public EfficientNet model() {
        return shadow;
    }

    /** The configured decay. */
    public double decay() {
        return decay;
    }

    /** Number of updates so far. */
    public long updates() {
        return updates;
    }

    /** Restores the update count (with the weights loaded into {@link #model()}). */
    public void setUpdates(long n) {
        if (n < 0) throw new IllegalArgumentException("updates must be >= 0, got " + n);
        updates = n;
    }
}
