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
 * Depthwise convolutions at EfficientNet-B0's stage sizes, {@code KxKsS_Cc@H} = kernel, stride,
 * channels, input size (B0 @224). The default subset covers both kernels, both strides and the
 * large-spatial and many-channel ends; the other B0 layers run with e.g.
 * {@code -p shape=3x3s2_240c@28,5x5s2_672c@14}. Backward computes input and weight gradients.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xss4m", "-XX:+UseParallelGC"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class DepthwiseConvBench {
    /** Layer, see the class comment. */
    @Param({"3x3s1_32c@112", "3x3s2_96c@112", "5x5s2_144c@56", "5x5s1_480c@14", "3x3s1_1152c@7"})
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
        layer = ConvCase.depthwise(shape);
        int o = layer.outSize();
        x = BenchData.uniform(1, batch, layer.size(), layer.size(), layer.inC());
        w = BenchData.parameter(2, layer.kernel(), layer.kernel(), layer.inC(), 1);
        seed = BenchData.uniform(3, batch, o, o, layer.outC());
    }

    /** Inference forward. */
    @Benchmark
    public Tensor forward() {
        try (MemoryScope s = MemoryScope.open(); GradMode g = GradMode.disabled()) {
            return Convolution.depthwiseConv2d(x, w, null, layer.options());
        }
    }

    /** Forward with the graph recorded, then backward (input and weight gradients). */
    @Benchmark
    public Tensor forwardBackward() {
        try (MemoryScope s = MemoryScope.open()) {
            Convolution.depthwiseConv2d(BenchData.activation(x), w, null, layer.options()).backward(seed);
            return w.grad();
        }
    }
}
