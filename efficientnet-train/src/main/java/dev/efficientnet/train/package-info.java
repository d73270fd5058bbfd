/**
 * Training EfficientNets: the {@link dev.efficientnet.train.Trainer} loop (progressive learning,
 * EMA, checkpoints, metrics), its {@link dev.efficientnet.train.TrainConfig}, data-source detection
 * and fine-tuning helpers.
 */
package dev.efficientnet.train;
