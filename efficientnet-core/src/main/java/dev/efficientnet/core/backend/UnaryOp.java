package dev.efficientnet.core.backend;

/** Element-wise unary kernels; each has a derivative kernel in {@link Backend#unaryGrad}. */
public enum UnaryOp {
    /** {@code -x}. */
    NEG,
    /** {@code exp(x)}. */
    EXP,
    /** Natural logarithm. */
    LOG,
    /** Square root. */
    SQRT,
    /** {@code x * x}. */
    SQUARE,
    /** {@code |x|}. */
    ABS,
    /** Hyperbolic tangent. */
    TANH,
    /** {@code 1 / (1 + exp(-x))}. */
    SIGMOID,
    /** {@code x * sigmoid(x)} (swish). */
    SILU,
    /** {@code max(x, 0)}. */
    RELU,
    /** {@code min(max(x, 0), 6)}. */
    RELU6,
    /** {@code min(max(x + 3, 0), 6) / 6} (PyTorch's hardsigmoid). */
    HARD_SIGMOID,
    /** {@code x * hard_sigmoid(x)}. */
    HARD_SWISH
}
