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
 * The EfficientNet stem: 3×3 stride-2 convolution 3→32 on a 224×224 RGB image (NHWC). The
 * backward computes only the weight gradient, as in a network (the image needs none).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xss4m", "-XX:+UseParallelGC"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class StemConvBench {
    /** The stem layer. */
    public static final ConvCase LAYER = new ConvCase(3, 32, 3, 2, 1, 224);

    /** Images per invocation. */
    @Param({"1", "16"})
    public int batch;

    private Tensor x;
    private Tensor w;
    private Tensor seed;

    /** Random image, weights and output gradient. */
    @Setup
    public void setup() {
        int o = LAYER.outSize();
        x = BenchData.uniform(1, batch, LAYER.size(), LAYER.size(), LAYER.inC());
        w = BenchData.parameter(2, LAYER.kernel(), LAYER.kernel(), LAYER.inC(), LAYER.outC());
        seed = BenchData.uniform(3, batch, o, o, LAYER.outC());
    }

    /** Inference forward. */
    @Benchmark
    public Tensor forward() {
        try (MemoryScope s = MemoryScope.open(); GradMode g = GradMode.disabled()) {
            return Convolution.conv2d(x, w, LAYER.options());
        }
    }

    /** Forward with the graph recorded, then backward (weight gradient). */
    @Benchmark
    public Tensor forwardBackward() {
        try (MemoryScope s = MemoryScope.open()) {
            Convolution.conv2d(x, w, LAYER.options()).backward(seed);
            return w.grad();
        }
    }
}
