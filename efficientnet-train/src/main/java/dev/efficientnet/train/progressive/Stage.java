package dev.efficientnet.train.progressive;

/**
 * The settings of one progressive-learning stage: the training image size and the regularization
 * used while it lasts.
 *
 * @param index            0-based stage number
 * @param imageSize        square training image size in pixels (&gt;= 1)
 * @param dropout          classifier dropout rate in [0, 1)
 * @param randAugMagnitude RandAugment magnitude (0..30, timm/automl scale; 0 disables it)
 * @param mixupAlpha       mixup Beta(α, α) parameter (0 disables mixup)
 * @param batchSize        batch size of this stage, or 0 for the run's default
 */
public record Stage(int index, int imageSize, double dropout, double randAugMagnitude, double mixupAlpha, int batchSize) {
    /** Validates the values. */
    public Stage {
        if (index < 0) throw new IllegalArgumentException("stage index must be >= 0, got " + index);
        if (imageSize < 1) throw new IllegalArgumentException("stage " + index + ": image size must be >= 1, got " + imageSize);
        if (!(dropout >= 0 && dropout < 1))
            throw new IllegalArgumentException("stage " + index + ": dropout must be in [0, 1), got " + dropout);
        if (!(randAugMagnitude >= 0 && randAugMagnitude <= 30))
            throw new IllegalArgumentException("stage " + index + ": RandAugment magnitude must be in [0, 30], got " + randAugMagnitude);
        if (!(mixupAlpha >= 0) || Double.isInfinite(mixupAlpha))
            throw new IllegalArgumentException("stage " + index + ": mixup alpha must be finite and >= 0, got " + mixupAlpha);
        if (batchSize < 0) throw new IllegalArgumentException("stage " + index + ": batch size must be >= 0, got " + batchSize);
    }

    /** This stage with another batch size (0 = the run's default). */
    public Stage withBatchSize(int batch) {
        return new Stage(index, imageSize, dropout, randAugMagnitude, mixupAlpha, batch);
    }

    /** The batch size to use: this stage's, or {@code defaultBatch} when it has none. */
    public int batchSizeOr(int defaultBatch) {
        return batchSize > 0 ? batchSize : defaultBatch;
    }
}
