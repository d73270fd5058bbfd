package dev.efficientnet.models.image;

/**
 * Arithmetic of a resize. Both use PIL's coefficients (same filter, support, rounding of the
 * source window, normalization) and PIL's order: horizontal pass first, then vertical.
 */
public enum ResamplePrecision {
    /**
     * PIL's 8-bit path, bit for bit: samples are rounded to integers in [0, 255], coefficients are
     * 22-bit fixed point, and the intermediate (after the horizontal pass) and the output are
     * rounded and clipped to [0, 255]. This is what timm/torchvision eval transforms compute on a
     * PIL RGB image, so model inputs match the reference exactly.
     */
    UINT8,
    /**
     * PIL's float ({@code "F"} mode) path: double coefficients and accumulation, float32
     * intermediate and output, no rounding and no clipping (bicubic may overshoot [0, 255]).
     */
    FLOAT
}
