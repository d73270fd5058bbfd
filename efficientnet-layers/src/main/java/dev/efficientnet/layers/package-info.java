/**
 * Layers built on the core ops: {@link dev.efficientnet.layers.Module} (named parameters and buffers,
 * train/eval, freezing, strict state dicts), conv, batch norm, conv+BN+activation, squeeze-excite,
 * dropout, drop path, linear, the MBConv and Fused-MBConv blocks and the classifier head.
 */
package dev.efficientnet.layers;
