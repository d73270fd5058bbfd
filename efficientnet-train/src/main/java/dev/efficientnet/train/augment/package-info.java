/**
 * Data augmentation on float HWC images in [0, 1]: per-example {@link dev.efficientnet.train.augment.Transform}s
 * (random resized crop, flip, RandAugment, random erasing, resize, center crop), batch-level
 * {@link dev.efficientnet.train.augment.MixupCutmix} with label smoothing, and the
 * {@link dev.efficientnet.train.augment.Pipeline} that combines them with normalization.
 */
package dev.efficientnet.train.augment;
