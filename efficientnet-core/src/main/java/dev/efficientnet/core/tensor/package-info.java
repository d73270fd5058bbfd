/**
 * {@link dev.efficientnet.core.tensor.Tensor}, the n-dimensional float32/float64 array with an
 * optional gradient, its element types, shape helpers, the seeded random generator
 * ({@link dev.efficientnet.core.tensor.Rng}) and {@link dev.efficientnet.core.tensor.MemoryScope},
 * a step-sized arena that hands the tensors allocated inside it back to the backend when it closes.
 */
package dev.efficientnet.core.tensor;
