package dev.efficientnet.models.spec;

/** Resize interpolation used by the eval preprocessing of a preset. */
public enum Interpolation {
    /** Bilinear. */
    BILINEAR,
    /** Bicubic. */
    BICUBIC
}
