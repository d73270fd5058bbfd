package dev.efficientnet.bench;

import dev.efficientnet.core.autograd.GradMode;
import dev.efficientnet.core.tensor.MemoryScope;
import dev.efficientnet.core.tensor.Rng;
import dev.efficientnet.core.tensor.Tensor;
import dev.efficientnet.layers.Module;
import dev.efficientnet.layers.FusedMBConv;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

import java.util.concurrent.TimeUnit;

/**
 * One Fused-MBConv block from EfficientNetV2-S stage 1 (a repeated, residual block): 3×3 48→192 expand + BN + SiLU, 1×1 project 192→48 + BN, plus the residual, on 96×96 (V2-S @384).
 * {@code forward} is an eval-mode pass without a graph; {@code forwardBackward} a training-mode
 * pass with the graph recorded, then backward to the input and every parameter.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xss4m", "-XX:+UseParallelGC"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class FusedMBConvBench {
    /** Input channels. */
    public static final int IN_C = 48;
    /** Input height and width. */
    public static final int SIZE = 96;
    /** Output channels. */
    public static final int OUT_C = 48;
    /** Convolution multiply-accumulates per image: expand, depthwise (MBConv), SE (at 1×1), project. */
    public static final long MACS_PER_IMAGE = 96L * 96 * 9 * 48 * 192 + 96L * 96 * 192 * 48;
    /** Output height and width. */
    public static final int OUT_SIZE = 96;

    /** Images per invocation. */
    @Param({"1", "16"})
    public int batch;

    private Module module;
    private Tensor x;
    private Tensor seed;

    /** The layer that is timed. */
    static Module create() {
        Rng rng = new Rng(7);
        return MemoryScope.outside(() -> new FusedMBConv(48, 192, 48, 3, 1, 0, 0.0, BenchData.SETTINGS, rng));
    }

    /** Builds the module in the mode of the benchmark method, random input and output gradient. */
    @Setup
    public void setup(BenchmarkParams params) {
        module = create();
        module.train(params.getBenchmark().endsWith("forwardBackward"));
        x = BenchData.uniform(1, batch, SIZE, SIZE, IN_C);
        seed = BenchData.uniform(2, batch, OUT_SIZE, OUT_SIZE, OUT_C);
    }

    /** Eval-mode forward, no graph. */
    @Benchmark
    public Tensor forward() {
        try (MemoryScope s = MemoryScope.open(); GradMode g = GradMode.disabled()) {
            return module.forward(x);
        }
    }

    /** Training-mode forward with the graph recorded, then backward. */
    @Benchmark
    public Tensor forwardBackward() {
        try (MemoryScope s = MemoryScope.open()) {
            module.forward(BenchData.activation(x)).backward(seed);
            return x;
        }
    }
}
