package dev.efficientnet.bench;

import dev.efficientnet.core.autograd.GradMode;
import dev.efficientnet.core.tensor.MemoryScope;
import dev.efficientnet.core.tensor.Tensor;
import dev.efficientnet.layers.Module;
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
 * The two timings shared by the module benchmarks ({@link MBConvBench}, {@link FusedMBConvBench},
 * {@link SqueezeExciteBench}):
 * {@code forward} is an eval-mode pass without a graph; {@code forwardBackward} a training-mode
 * pass with the graph recorded, then backward to the input and every parameter. A subclass names
 * the block and its input/output shape.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xss4m", "-XX:+UseParallelGC"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public abstract class BlockBench {
    /** Images per invocation. */
    @Param({"1", "16"})
    public int batch;

    private Module module;
    private Tensor x;
    private Tensor seed;

    /** The block that is timed (allocated outside any scope). */
    protected abstract Module create();

    /** Input {@code {size, channels}} and output {@code {size, channels}}. */
    protected abstract int[] shapes();

    /** Builds the block in the mode of the benchmark method, random input and output gradient. */
    @Setup
    public void setup(BenchmarkParams params) {
        module = create();
        module.train(params.getBenchmark().endsWith("forwardBackward"));
        int[] s = shapes();
        x = BenchData.uniform(1, batch, s[0], s[0], s[1]);
        seed = BenchData.uniform(2, batch, s[2], s[2], s[3]);
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
