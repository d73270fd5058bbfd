/**
 * Published pretrained weights: the registry ({@link dev.efficientnet.models.pretrained.PretrainedRegistry}),
 * the checked download cache ({@link dev.efficientnet.models.pretrained.WeightCache}) and the
 * ImageNet-1k class names ({@link dev.efficientnet.models.pretrained.ImageNetClasses}).
 */
package dev.efficientnet.models.pretrained;
