package dev.efficientnet.bench;

import dev.efficientnet.core.autograd.GradMode;
import dev.efficientnet.core.ops.Convolution;
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
 * 1×1 pointwise convolutions of EfficientNet-B0, {@code IntoO@H}: B0 stage-2 project (96→24 @56)
 * and expand (24→144 @56), stage-5 project (480→80 @14) and the head conv (320→1280 @7).
 * Backward computes input and weight gradients.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xss4m", "-XX:+UseParallelGC"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class PointwiseConvBench {
    /** Layer, see the class comment. */
    @Param({"96to24@56", "24to144@56", "480to80@14", "320to1280@7"})
    public String shape;

    /** Images per invocation. */
    @Param({"1", "16"})
    public int batch;

    private ConvCase layer;
    private Tensor x;
    private Tensor w;
    private Tensor seed;

    /** Random input, weights and output gradient. */
    @Setup
    public void setup() {
        layer = ConvCase.pointwise(shape);
        int o = layer.outSize();
        x = BenchData.uniform(1, batch, layer.size(), layer.size(), layer.inC());
        w = BenchData.parameter(2, 1, 1, layer.inC(), layer.outC());
        seed = BenchData.uniform(3, batch, o, o, layer.outC());
    }

    /** Inference forward. */
    @Benchmark
    public Tensor forward() {
        try (MemoryScope s = MemoryScope.open(); GradMode g = GradMode.disabled()) {
            return Convolution.conv2d(x, w, layer.options());
        }
    }

    /** Forward with the graph recorded, then backward (input and weight gradients). */
    @Benchmark
    public Tensor forwardBackward() {
        try (MemoryScope s = MemoryScope.open()) {
            Convolution.conv2d(BenchData.activation(x), w, layer.options()).backward(seed);
            return w.grad();
        }
    }
}
