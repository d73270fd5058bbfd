/**
 * JMH benchmarks of the CPU hot loops (stem, depthwise and pointwise convolutions, batch norm,
 * SiLU, squeeze-excitation, MBConv and Fused-MBConv blocks) and of whole-model eval passes and
 * training steps. {@link dev.efficientnet.bench.BenchMain} is the entry point of
 * {@code target/benchmarks.jar}; it applies short defaults and prints a ms + GFLOP/s table.
 * {@link dev.efficientnet.bench.OnnxRuntimeBench} times ONNX Runtime Java on exported torchvision
 * models for {@code compare-onnxruntime.sh}. See {@code docs/benchmarks.md}.
 */
package dev.efficientnet.bench;
