package dev.efficientnet.bench;

import dev.efficientnet.core.autograd.GradMode;
import dev.efficientnet.core.ops.Activations;
import dev.efficientnet.core.tensor.MemoryScope;
import dev.efficientnet.core.tensor.Tensor;
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

import java.util.concurrent.TimeUnit;

/**
 * SiLU on an NHWC activation, {@code Cc@H} (default 96c@112, B0's largest): inference forward,
 * and forward with the graph recorded + backward to the input.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xss4m", "-XX:+UseParallelGC"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class SiluBench {
    /** Channels and spatial size. */
    @Param({"96c@112"})
    public String shape;

    /** Images per invocation. */
    @Param({"1", "16"})
    public int batch;

    private Tensor x;
    private Tensor seed;

    /** Random input and output gradient. */
    @Setup
    public void setup() {
        int[] cs = BatchNormBench.parse(shape);
        x = BenchData.uniform(1, batch, cs[1], cs[1], cs[0]);
        seed = BenchData.uniform(2, batch, cs[1], cs[1], cs[0]);
    }

    /** Inference forward. */
    @Benchmark
    public Tensor forward() {
        try (MemoryScope s = MemoryScope.open(); GradMode g = GradMode.disabled()) {
            return Activations.silu(x);
        }
    }

    /** Forward with the graph recorded, then backward to the input. */
    @Benchmark
    public Tensor forwardBackward() {
        try (MemoryScope s = MemoryScope.open()) {
            Tensor y = Activations.silu(BenchData.activation(x));
            y.backward(seed);
            return y;
        }
    }
}
