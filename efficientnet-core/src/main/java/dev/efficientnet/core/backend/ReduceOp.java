package dev.efficientnet.core.backend;

/** Reductions over a set of axes. */
public enum ReduceOp {
    SUM, MEAN
}
