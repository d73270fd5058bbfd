/**
 * {@link dev.efficientnet.models.EfficientNet}, the model built from a
 * {@link dev.efficientnet.models.spec.ModelSpec}; the subpackages hold the specs and presets, weight
 * import and export, image preprocessing and the inference entry points.
 */
package dev.efficientnet.models;
