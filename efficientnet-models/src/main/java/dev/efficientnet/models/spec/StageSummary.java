package dev.efficientnet.models.spec;

/**
 * One row of {@link ModelSpec#summary(int, int)}: the stem, a stage, the head conv, or the
 * classifier, with its output size, parameters and MACs at a given input size. The rows' params
 * and MACs sum to {@link ModelSpec#params()} and {@link ModelSpec#macs(int, int)}.
 *
 * @param kind        which part of the network
 * @param name        "stem", "stage1".."stageN", "head", "classifier"
 * @param blockType   the stage's block kind; null for the other rows
 * @param kernel      conv kernel (0 for the classifier)
 * @param stride      stride of the first conv (1 for head and classifier)
 * @param expandRatio stage expand ratio (1 for the other rows)
 * @param inChannels  input channels (features for the classifier)
 * @param outChannels output channels (classes for the classifier)
 * @param repeats     blocks in the stage (1 for the other rows)
 * @param outHeight   output height (1 for the classifier)
 * @param outWidth    output width (1 for the classifier)
 * @param params      trainable parameters
 * @param macs        multiply-accumulates of convs and the linear layer
 */
public record StageSummary(Kind kind, String name, BlockType blockType, int kernel, int stride, int expandRatio,
                           int inChannels, int outChannels, int repeats, int outHeight, int outWidth,
                           long params, long macs) {
    /** Which part of the network a row describes. */
    public enum Kind {
        /** Stem conv + BN + act. */
        STEM,
        /** A stage of blocks. */
        STAGE,
        /** Head 1&times;1 conv + BN + act. */
        HEAD,
        /** Global pool + dropout + linear. */
        CLASSIFIER
    }
}
