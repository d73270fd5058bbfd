package dev.efficientnet.train.progressive;

import java.util.Locale;

/**
 * The EfficientNetV2 size class whose regularization row a progressive preset uses: {@code M} for
 * names containing {@code v2_m}, {@code L} for {@code v2_l} or {@code v2_xl}, {@code S} for every
 * other model (V2-S, the V2-B models and all V1 models, which are smaller than V2-M).
 */
public enum ModelSize {
    /** EfficientNetV2-S and smaller. */
    S,
    /** EfficientNetV2-M. */
    M,
    /** EfficientNetV2-L and XL. */
    L;

    /** The size class of a preset name. */
    public static ModelSize of(String modelName) {
        String n = modelName == null ? "" : modelName.toLowerCase(Locale.ROOT).replace('-', '_');
        if (n.contains("v2_xl") || n.contains("v2_l")) return L;
        if (n.contains("v2_m")) return M;
        return S;
    }
}
