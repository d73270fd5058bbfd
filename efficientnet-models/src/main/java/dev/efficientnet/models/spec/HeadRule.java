package dev.efficientnet.models.spec;

/**
 * How the width of the final 1&times;1 head conv is derived. At the preset multipliers all
 * rules give the same widths; with width overrides they differ, and each source follows its own.
 */
public enum HeadRule {
    /** The base head width, unscaled (torchvision V2: 1280; timm {@code tf_efficientnetv2_m/l/xl}: 1280). */
    FIXED,
    /** {@code round_filters(base, width)} (timm V1, timm V2-S and V2-B*, TF/automl, Keras). */
    SCALED,
    /**
     * 4 &times; the (scaled) last stage's out channels (torchvision V1). Equals {@code
     * round_filters(1280, w)} at all preset widths but not in general: at w = 0.26 it gives 320
     * where {@link #SCALED} gives 336.
     */
    FOUR_X_LAST_STAGE;

    /**
     * Resolves the head width.
     *
     * @param baseHead     the unscaled head width (ignored by {@link #FOUR_X_LAST_STAGE})
     * @param widthMult    width multiplier
     * @param divisor      channel divisor
     * @param roundLimit   rounding limit of {@link Scaling#makeDivisible}
     * @param lastStageOut the scaled out channels of the last stage
     * @return the head width
     */
    public int resolve(int baseHead, double widthMult, int divisor, double roundLimit, int lastStageOut) {
        switch (this) {
            case FIXED:
                return baseHead;
            case SCALED:
                return Scaling.roundFilters(baseHead, widthMult, divisor, roundLimit);
            case FOUR_X_LAST_STAGE:
                return 4 * lastStageOut;
            default:
                throw new AssertionError(this);
        }
    }
}
