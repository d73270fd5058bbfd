package dev.efficientnet.models.spec;

/**
 * EfficientNet generation, with its default scaling policy. Presets override the defaults
 * where a source differs (see {@link Presets} and docs/models.md):
 * <ul>
 *   <li>V1: 10% rounding rule (round limit 0.9), head {@code round_filters(1280)}.</li>
 *   <li>V2: automl {@code round_filters} without the 10% rule (round limit 0), head
 *       {@code round_filters(1280)}. timm keeps the 10% rule for V2-S/M/L/XL (only its V2-B*
 *       drop it) and fixes the M/L/XL head at 1280; torchvision V2 fixes the head at 1280.</li>
 * </ul>
 */
public enum ModelFamily {
    /** EfficientNet (V1), B0&ndash;B7: MBConv blocks only, SE everywhere. */
    EFFICIENTNET_V1(Scaling.V1_ROUND_LIMIT, HeadRule.SCALED),
    /** EfficientNetV2: Fused-MBConv early stages, MBConv+SE later. */
    EFFICIENTNET_V2(Scaling.V2_ROUND_LIMIT, HeadRule.SCALED);

    private final double defaultRoundLimit;
    private final HeadRule defaultHeadRule;

    ModelFamily(double defaultRoundLimit, HeadRule defaultHeadRule) {
        this.defaultRoundLimit = defaultRoundLimit;
        this.defaultHeadRule = defaultHeadRule;
    }

    /** {@return the family's own channel round limit (V1 0.9, V2 0)} */
    public double defaultRoundLimit() {
        return defaultRoundLimit;
    }

    /** {@return the family's own head-width rule ({@code round_filters(1280)} for both, per TF/automl)} */
    public HeadRule defaultHeadRule() {
        return defaultHeadRule;
    }

    /** {@return channel divisor: 8 for both generations} */
    public int defaultDivisor() {
        return Scaling.DEFAULT_DIVISOR;
    }

    /** {@return the base head width, 1280 for both generations} */
    public int defaultHeadChannels() {
        return 1280;
    }
}
