package dev.efficientnet.core.backend;

/** Element-wise unary kernels; each has a derivative kernel in {@link Backend#unaryGrad}. */
public enum UnaryOp {
    NEG, EXP, LOG, SQRT, SQUARE, ABS, TANH,
    SIGMOID, SILU, RELU, RELU6, HARD_SIGMOID, HARD_SWISH
}
