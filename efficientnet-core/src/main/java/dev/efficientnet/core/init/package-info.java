/**
 * Weight initialisation as the EfficientNet references do it ({@link dev.efficientnet.core.init.WeightInit}).
 */
package dev.efficientnet.core.init;
