package dev.efficientnet.models.spec;

/**
 * One multi-scale feature tap (timm {@code feature_info}, TF {@code reduction_i} endpoints):
 * the output of the last block before the next downsampling, or the head map.
 *
 * @param kind       where the tap is
 * @param reduction  input size / feature size (2, 4, 8, 16, 32)
 * @param channels   channels of the tapped tensor
 * @param stageIndex 0-based stage whose output is tapped; -1 for the stem and the head
 * @param blockIndex global index of the tapped block (last block of the stage); -1 for the stem and the head
 */
public record FeatureInfo(Kind kind, int reduction, int channels, int stageIndex, int blockIndex) {
    /** Kind of tap. */
    public enum Kind {
        /** The stem output (only when stage 0 already downsamples). */
        STEM,
        /** A stage output. */
        STAGE,
        /** The head 1&times;1 conv output after BN+act, before pooling. */
        HEAD
    }
}
