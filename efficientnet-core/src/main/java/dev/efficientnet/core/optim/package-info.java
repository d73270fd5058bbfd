/**
 * Optimizers (SGD, TF-style RMSProp, AdamW) over {@link dev.efficientnet.core.optim.Parameter}s and
 * parameter groups, gradient clipping, and learning-rate schedules ({@link dev.efficientnet.core.optim.LrSchedules}).
 */
package dev.efficientnet.core.optim;
