/**
 * The kernels behind every op, behind one interface ({@link dev.efficientnet.core.backend.Backend},
 * chosen through {@link dev.efficientnet.core.backend.Backends}): element-wise, broadcasting,
 * reduction, convolution, pooling, batch-norm and optimizer kernels on a tensor storage. The CPU
 * implementation is in {@code backend.cpu}.
 */
package dev.efficientnet.core.backend;
