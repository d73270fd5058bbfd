package dev.efficientnet.models.weights;

/**
 * How {@link Weights#load} treats a checkpoint that does not match the model exactly.
 *
 * @param strict           fail on missing or unexpected keys (shape mismatches always fail)
 * @param skipClassifier   leave the model's classifier as initialised and ignore the checkpoint's
 *                         (fine-tuning to another class count)
 * @param checkConventions refuse weights whose source model uses another padding rule or BN epsilon
 *                         than the model ({@link WeightConventions}); on by default
 */
public record LoadOptions(boolean strict, boolean skipClassifier, boolean checkConventions) {
    /** Every model tensor must be present and every checkpoint key used (the default). */
    public static final LoadOptions STRICT = new LoadOptions(true, false);
    /** Missing and unexpected keys are reported in the {@link LoadResult} instead of failing. */
    public static final LoadOptions LENIENT = new LoadOptions(false, false);

    /**
     * Options with the conventions check on.
     *
     * @param strict whether every key must match
     * @param skipClassifier whether to skip the classifier
     */
    public LoadOptions(boolean strict, boolean skipClassifier) {
        this(strict, skipClassifier, true);
    }

    /** {@return strict for everything but the classifier, which is skipped: loading a backbone for fine-tuning} */
    public static LoadOptions fineTune() {
        return new LoadOptions(true, true);
    }

    /**
     * These options without the {@link WeightConventions} check: loads weights into a preset whose
     * padding or BN epsilon differ from their source's (deliberately, e.g. to measure the difference).
     *
     * @return these options without the {@link WeightConventions} check: loads weights into a preset whose padding or BN epsilon differ from their source's (deliberately, e.g
     */
    public LoadOptions ignoringConventions() {
        return new LoadOptions(strict, skipClassifier, false);
    }
}
