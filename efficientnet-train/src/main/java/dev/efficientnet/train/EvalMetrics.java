package dev.efficientnet.train;

import dev.efficientnet.core.autograd.GradMode;
import dev.efficientnet.core.ops.Losses;
import dev.efficientnet.core.tensor.MemoryScope;
import dev.efficientnet.core.tensor.Tensor;
import dev.efficientnet.models.EfficientNet;
import dev.efficientnet.train.data.Batch;

/**
 * Test-set metrics of a classifier: mean cross-entropy, top-1 and top-5 accuracy, and the confusion
 * matrix ({@code confusion[true][predicted]}, top-1 predictions) from which per-class accuracy
 * (recall) follows. Ties between logits go to the lower class index, as in {@link Evaluator}.
 *
 * @param loss      mean cross-entropy (no smoothing)
 * @param top1      fraction of examples whose largest logit is the label
 * @param top5      fraction whose label is among the 5 largest logits (1 when there are ≤ 5 classes)
 * @param confusion counts, {@code confusion[label][prediction]}, {@code numClasses × numClasses}
 */
public record EvalMetrics(double loss, double top1, double top5, long[][] confusion) {

    /** Number of classes (the model's outputs). */
    public int numClasses() {
        return confusion.length;
    }

    /** Number of evaluated examples. */
    public long examples() {
        long n = 0;
        for (long[] row : confusion) for (long v : row) n += v;
        return n;
    }

    /** Examples of class {@code c} in the test set. */
    public long support(int c) {
        long n = 0;
        for (long v : confusion[c]) n += v;
        return n;
    }

    /** Accuracy on the examples of class {@code c} (its recall); NaN when the class has none. */
    public double classAccuracy(int c) {
        long n = support(c);
        return n == 0 ? Double.NaN : (double) confusion[c][c] / n;
    }

    /**
     * Evaluates {@code net} on {@code batches} in eval mode without gradients, each batch in its own
     * {@link MemoryScope}. The model is left in eval mode. Labels must lie in {@code [0, classes)}.
     */
    public static EvalMetrics evaluate(EfficientNet net, Iterable<Batch> batches) {
        int k = net.spec().numClasses();
        if (k < 1) throw new IllegalArgumentException("evaluation needs a classifier, the model has 0 classes");
        net.eval();
        long[][] confusion = new long[k][k];
        double lossSum = 0;
        long top5 = 0;
        long seen = 0;
        for (Batch b : batches) {
            float[] logits;
            try (MemoryScope scope = MemoryScope.open(); GradMode noGrad = GradMode.disabled()) {
                Tensor out = net.forward(Tensor.of(b.images(), b.shape()));
                lossSum += Losses.crossEntropy(out, b.labels()).item() * b.n();
                logits = out.toFloatArray();
            }
            top5 += count(logits, b.labels(), k, confusion);
            seen += b.n();
        }
        if (seen == 0) return new EvalMetrics(Double.NaN, Double.NaN, Double.NaN, confusion);
        long correct = 0;
        for (int c = 0; c < k; c++) correct += confusion[c][c];
        return new EvalMetrics(lossSum / seen, (double) correct / seen, (double) top5 / seen, confusion);
    }

    /**
     * Adds the top-1 predictions of a batch of logits ({@code labels.length × k}, row-major) to
     * {@code confusion} and returns how many labels are among the 5 largest logits. A class ranks
     * above the label when its logit is larger, or equal at a lower index (the argmax's tie rule).
     */
    static int count(float[] logits, int[] labels, int k, long[][] confusion) {
        int top5 = 0;
        for (int i = 0; i < labels.length; i++) {
            int y = labels[i];
            if (y < 0 || y >= k) throw new IllegalArgumentException("label " + y + " outside [0, " + k + ")");
            int arg = 0;
            int above = 0;
            float ly = logits[i * k + y];
            for (int j = 0; j < k; j++) {
                float v = logits[i * k + j];
                if (v > logits[i * k + arg]) arg = j;
                if (v > ly || (v == ly && j < y)) above++;
            }
            confusion[y][arg]++;
            if (above < 5) top5++;
        }
        return top5;
    }
}
