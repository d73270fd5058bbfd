package dev.efficientnet.train;

import dev.efficientnet.core.ops.Losses;
import dev.efficientnet.core.optim.Optimizer;
import dev.efficientnet.core.optim.ParamGroups;
import dev.efficientnet.core.tensor.MemoryScope;
import dev.efficientnet.core.tensor.Tensor;
import dev.efficientnet.layers.BatchNorm2d;
import dev.efficientnet.layers.Module;
import dev.efficientnet.models.EfficientNet;
import dev.efficientnet.train.data.Batch;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The FixRes fine-tuning step (Touvron et al., "Fixing the train-test resolution discrepancy", 2019):
 * a network trained at a small size is tested at a larger one, where its batch-norm statistics no
 * longer match the activations. After training, {@link #tune} runs the training images through the
 * network at the test size with the test-time preprocessing (resize, plus the training flips) and
 * re-estimates every batch norm's running mean and variance as the plain average of the per-batch
 * statistics of {@code steps} batches (the momentum of step k is 1/(k+1)). Optionally the classifier
 * is trained at the same time (SGD with Nesterov momentum 0.9, constant rate, no weight decay, the
 * run's label smoothing); everything else keeps its weights. Dropout and drop path stay off.
 */
public final class FixRes {
    private FixRes() {
    }

    /**
     * The outcome of a FixRes step.
     *
     * @param size           the test size the model was tuned at
     * @param steps          batches used
     * @param classifier     whether the classifier was trained too
     * @param lr             the classifier's learning rate (0 if not trained)
     * @param accuracyBefore test accuracy at {@code size} before tuning (NaN without test data)
     * @param accuracyAfter  test accuracy at {@code size} after tuning (NaN without test data)
     * @param lossAfter      test loss at {@code size} after tuning (NaN without test data)
     * @param seconds        wall time of the tuning steps (without the evaluations)
     * @param checkpoint     the file holding the tuned weights, or null
     */
    public record Result(int size, int steps, boolean classifier, double lr, double accuracyBefore, double accuracyAfter,
                         double lossAfter, double seconds, java.nio.file.Path checkpoint) {
        /** JSON-ready fields. */
        public Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("size", size);
            m.put("steps", steps);
            m.put("classifier", classifier);
            m.put("lr", lr);
            m.put("accuracy_before", round(accuracyBefore));
            m.put("accuracy_after", round(accuracyAfter));
            m.put("loss_after", round(lossAfter));
            m.put("seconds", round(seconds));
            m.put("checkpoint", checkpoint == null ? null : checkpoint.toString());
            return m;
        }

        private static Object round(double v) {
            return Double.isFinite(v) ? Math.round(v * 1e4) / 1e4 : null;
        }
    }

    /**
     * Tunes {@code net} in place with the first {@code steps} batches of {@code batches}: re-estimated
     * BN statistics, and with {@code classifier} a trained classifier at rate {@code lr}. The model
     * is left in eval mode with its parameters' gradient flags and BN momenta as they were.
     *
     * @return the number of batches used (fewer than {@code steps} if {@code batches} ran out)
     */
    public static int tune(EfficientNet net, Iterator<Batch> batches, int steps, boolean classifier, double lr,
                           double labelSmoothing) {
        Objects.requireNonNull(net, "net");
        Objects.requireNonNull(batches, "batches");
        if (steps < 0) throw new IllegalArgumentException("steps must be >= 0, got " + steps);
        if (classifier && !(lr > 0)) throw new IllegalArgumentException("the classifier's learning rate must be > 0, got " + lr);
        List<BatchNorm2d> bns = new ArrayList<>();
        collect(net, bns);
        double[] momenta = new double[bns.size()];
        for (int i = 0; i < momenta.length; i++) momenta[i] = bns.get(i).momentum();
        Map<String, Tensor> params = net.namedParameters();
        Map<String, Boolean> required = new LinkedHashMap<>();
        params.forEach((k, v) -> required.put(k, v.requiresGrad()));
        Map<String, Tensor> cls = new LinkedHashMap<>();
        params.forEach((k, v) -> {
            boolean head = classifier && k.startsWith("head.classifier.");
            v.requiresGrad(head);
            if (head) cls.put(k, v);
        });
        Optimizer opt = classifier ? OptimizerKind.SGD.create(ParamGroups.of(cls), lr, 0) : null;
        int done = 0;
        try {
            net.eval();
            for (BatchNorm2d bn : bns) if (!bn.isFrozen()) bn.train(true);
            while (done < steps && batches.hasNext()) {
                Batch b = batches.next();
                for (BatchNorm2d bn : bns) bn.setMomentum(1.0 / (done + 1));
                try (MemoryScope scope = MemoryScope.open()) {
                    Tensor x = Tensor.of(b.images(), b.shape());
                    if (opt != null) {
                        Tensor loss = Losses.crossEntropy(net.forward(x), b.labels(), labelSmoothing);
                        opt.zeroGrad();
                        loss.backward();
                        opt.setLearningRate(lr);
                        opt.step();
                    } else {
                        // Not under GradMode.disabled(): an eval-mode model without gradients runs its
                        // compiled inference plan (BN folded into the convolutions), which bypasses the
                        // BN modules and would leave their statistics untouched. With gradients enabled
                        // inside a MemoryScope the modules run; nothing requires a gradient, so no graph
                        // is kept.
                        net.forward(x);
                    }
                }
                done++;
            }
        } finally {
            for (int i = 0; i < momenta.length; i++) bns.get(i).setMomentum(momenta[i]);
            params.forEach((k, v) -> {
                v.requiresGrad(required.get(k));
                v.clearGrad();
            });
            net.eval();
        }
        return done;
    }

    private static void collect(Module m, List<BatchNorm2d> out) {
        if (m instanceof BatchNorm2d bn) out.add(bn);
        for (Module c : m.children().values()) collect(c, out);
    }
}
