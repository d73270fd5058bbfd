package dev.efficientnet.core.backend;

/** Element-wise binary kernels with NumPy broadcasting. */
public enum BinaryOp {
    /** {@code a + b}. */
    ADD,
    /** {@code a - b}. */
    SUB,
    /** {@code a * b}. */
    MUL,
    /** {@code a / b}. */
    DIV
}
