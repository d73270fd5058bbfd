package dev.efficientnet.models.image;

/** Axis order of a batch tensor produced from images. */
public enum ChannelLayout {
    /** {@code [N, 3, H, W]}: PyTorch/timm order. */
    NCHW,
    /** {@code [N, H, W, 3]}: the order of this library's conv kernels. */
    NHWC
}
