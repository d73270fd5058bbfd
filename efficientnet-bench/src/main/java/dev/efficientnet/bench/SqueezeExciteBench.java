package dev.efficientnet.bench;

import dev.efficientnet.core.autograd.GradMode;
import dev.efficientnet.core.ops.Activation;
import dev.efficientnet.core.tensor.MemoryScope;
import dev.efficientnet.core.tensor.Rng;
import dev.efficientnet.core.tensor.Tensor;
import dev.efficientnet.layers.Module;
import dev.efficientnet.layers.SqueezeExcite;
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
 * Squeeze-and-excitation at B0 stage 5 (480 channels @14, reduced to 20 = 80 × 0.25): global average pool, 1×1 480→20 with bias, SiLU, 1×1 20→480 with bias, sigmoid gate, multiply.
 * {@code forward} is an eval-mode pass without a graph; {@code forwardBackward} a training-mode
 * pass with the graph recorded, then backward to the input and every parameter.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xss4m", "-XX:+UseParallelGC"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class SqueezeExciteBench {
    /** Input channels. */
    public static final int IN_C = 480;
    /** Input height and width. */
    public static final int SIZE = 14;
    /** Output channels. */
    public static final int OUT_C = 480;
    /** Output height and width. */
    public static final int OUT_SIZE = 14;

    /** Images per invocation. */
    @Param({"1", "16"})
    public int batch;

    private Module module;
    private Tensor x;
    private Tensor seed;

    /** The layer that is timed. */
    static Module create() {
        Rng rng = new Rng(7);
        return MemoryScope.outside(() -> new SqueezeExcite(480, 20, Activation.SILU, rng));
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
