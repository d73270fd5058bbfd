/**
 * Reverse-mode automatic differentiation: the define-by-run graph ({@link dev.efficientnet.core.autograd.Node}),
 * {@link dev.efficientnet.core.autograd.Autograd#backward backward}, no-grad scopes
 * ({@link dev.efficientnet.core.autograd.GradMode}), activation checkpointing
 * ({@link dev.efficientnet.core.autograd.Checkpoint}) and the finite-difference gradient check
 * ({@link dev.efficientnet.core.autograd.GradCheck}).
 */
package dev.efficientnet.core.autograd;
