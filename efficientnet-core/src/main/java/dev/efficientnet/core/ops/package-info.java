/**
 * The differentiable ops on {@link dev.efficientnet.core.tensor.Tensor}s: arithmetic with
 * broadcasting, activations, convolution (groups, stride, dilation, TF SAME and explicit padding),
 * batch norm, pooling, linear layers, reductions, shape ops, regularization (dropout, drop path),
 * squeeze-excitation and losses. Each records its backward rule when gradients are on.
 */
package dev.efficientnet.core.ops;
