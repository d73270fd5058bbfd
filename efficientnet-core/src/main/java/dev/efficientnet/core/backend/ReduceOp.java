package dev.efficientnet.core.backend;

/** Reductions over a set of axes. */
public enum ReduceOp {
    /** The sum over the axes. */
    SUM,
    /** The mean over the axes. */
    MEAN
}
