/**
 * Progressive learning (EfficientNetV2, Algorithm 1): stages of increasing image size and
 * regularization, with the paper's and the official code's presets.
 */
package dev.efficientnet.train.progressive;
