package dev.efficientnet.train.data;

/**
 * A batch ready for the model: NCHW float images (normalized by the pipeline), hard labels and,
 * when the pipeline uses Mixup, CutMix or label smoothing, soft targets.
 *
 * @param images      {@code n * channels * height * width} values in NCHW order
 * @param n           examples in the batch (the last batch of an epoch may be smaller unless dropLast)
 * @param channels    channels per image
 * @param height      image height
 * @param width       image width
 * @param labels      the {@code n} original class labels (for Mixup/CutMix: the label of the example
 *                    that owns the slot, i.e. the dominant one for mixup lambda &gt;= 0.5)
 * @param softTargets {@code n * numClasses} target probabilities (row-major, each row sums to 1), or
 *                    null when the pipeline uses neither Mixup, CutMix nor label smoothing (train with
 *                    the hard labels then)
 * @param index       the batch's index in its epoch
 */
public record Batch(float[] images, int n, int channels, int height, int width, int[] labels, float[] softTargets,
                    int index) {
    /** The NCHW shape {@code [n, channels, height, width]}. */
    public int[] shape() {
        return new int[]{n, channels, height, width};
    }

    /** Number of classes of the soft targets ({@code softTargets.length / n}), or 0 without soft targets. */
    public int numClasses() {
        return softTargets == null ? 0 : softTargets.length / n;
    }
}
