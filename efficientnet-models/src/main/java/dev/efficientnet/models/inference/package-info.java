/**
 * Thread-safe inference for services: {@link dev.efficientnet.models.inference.Classifier} wraps
 * one loaded {@link dev.efficientnet.models.EfficientNet} (in eval mode) with its eval
 * preprocessing and optional class labels, and answers logits, probabilities, pooled features and
 * top-k {@link dev.efficientnet.models.inference.Prediction}s for tensors, images and image files
 * from any number of threads at once. {@link dev.efficientnet.models.inference.Labels} reads a
 * labels file (one class name per line).
 */
package dev.efficientnet.models.inference;
