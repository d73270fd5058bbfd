package dev.efficientnet.core.backend;

/** Element-wise binary kernels with NumPy broadcasting. */
public enum BinaryOp {
    ADD, SUB, MUL, DIV
}
