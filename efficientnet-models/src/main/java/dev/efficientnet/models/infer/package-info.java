/**
 * Compiled inference plans: an {@link dev.efficientnet.models.EfficientNet} in eval mode frozen into
 * a fixed sequence of oneDNN primitives for one input shape (batch norm folded into the
 * convolutions, activations, residual adds and squeeze-excite fused where the kernels allow,
 * weights packed once, every activation in one preplanned arena). See
 * {@link dev.efficientnet.models.infer.InferencePlan} and decision D25.
 */
package dev.efficientnet.models.infer;
