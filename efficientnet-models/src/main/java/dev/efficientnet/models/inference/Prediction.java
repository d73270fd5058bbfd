package dev.efficientnet.models.inference;

/**
 * One entry of a top-k answer.
 *
 * @param classIndex  the class (row of the classifier), in {@code [0, numClasses)}
 * @param label       the class name from the classifier's labels, or null when it has none
 * @param probability the softmax probability of the class, in [0, 1]
 */
public record Prediction(int classIndex, String label, float probability) {

    /**
     * Validates.
     *
     * @param classIndex the class index
     * @param label the label
     * @param probability the probability
     */
    public Prediction {
        if (classIndex < 0) throw new IllegalArgumentException("classIndex must be >= 0, got " + classIndex);
        if (!(probability >= 0 && probability <= 1))
            throw new IllegalArgumentException("probability must be in [0, 1], got " + probability);
    }

    /** {@return the label, or {@code "class N"} when there is none} */
    public String displayName() {
        return label != null ? label : "class " + classIndex;
    }
}
