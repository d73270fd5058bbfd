package dev.efficientnet.models.spec;

/** Activation function used after every BN that has one (stem, blocks, head) and inside SE. */
public enum Activation {
    /** SiLU / swish, x&middot;sigmoid(x): every EfficientNet V1 and V2 model. */
    SILU,
    /** ReLU (EfficientNet-EdgeTPU; otherwise for experiments). */
    RELU,
    /** ReLU6, min(max(x, 0), 6): EfficientNet-Lite. */
    RELU6
}
