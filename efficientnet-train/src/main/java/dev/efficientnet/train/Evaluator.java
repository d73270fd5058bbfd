package dev.efficientnet.train;

import dev.efficientnet.core.autograd.GradMode;
import dev.efficientnet.core.ops.Losses;
import dev.efficientnet.core.tensor.MemoryScope;
import dev.efficientnet.core.tensor.Tensor;
import dev.efficientnet.models.EfficientNet;
import dev.efficientnet.train.data.Batch;

/** Test-set evaluation: mean cross-entropy (no smoothing) and top-1 accuracy, in eval mode without gradients. */
public final class Evaluator {
    private Evaluator() {
    }

    /**
     * Evaluates {@code net} on {@code batches}; returns {@code {meanLoss, accuracy}}. The model is left
     * in eval mode (call {@code train(true)} to continue training). Each batch runs in its own
     * {@link MemoryScope}.
     */
    public static double[] evaluate(EfficientNet net, Iterable<Batch> batches) {
        net.eval();
        double lossSum = 0;
        long correct = 0;
        long seen = 0;
        for (Batch b : batches) {
            try (MemoryScope scope = MemoryScope.open(); GradMode noGrad = GradMode.disabled()) {
                Tensor logits = net.forward(Tensor.of(b.images(), b.shape()));
                lossSum += Losses.crossEntropy(logits, b.labels()).item() * b.n();
                correct += Trainer.correct(logits.toFloatArray(), b.labels(), logits.dim(1));
                seen += b.n();
            }
        }
        if (seen == 0) return new double[]{Double.NaN, Double.NaN};
        return new double[]{lossSum / seen, (double) correct / seen};
    }
}
