package dev.efficientnet.bench;

import dev.efficientnet.core.autograd.GradMode;
import dev.efficientnet.core.tensor.MemoryScope;
import dev.efficientnet.core.tensor.Tensor;
import dev.efficientnet.models.EfficientNet;
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
 * Whole-model inference: {@code EfficientNet.forward} in eval mode without a graph, on a random
 * NCHW batch, {@code preset@resolution/batch} (random weights; the timings do not depend on them).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xss4m", "-XX:+UseParallelGC"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class ModelEvalBench {
    /** Preset, resolution and batch. */
    @Param({"efficientnet_b0@224/1", "efficientnet_b0@224/16", "efficientnet_v2_s@384/1"})
    public String config;

    private EfficientNet model;
    private Tensor input;

    /** Builds the model (seed 0) and a random input. */
    @Setup
    public void setup() {
        ModelCase c = ModelCase.parse(config);
        model = MemoryScope.outside(() -> EfficientNet.create(c.spec(), 0));
        model.eval();
        input = BenchData.uniform(1, c.batch(), c.spec().inChannels(), c.resolution(), c.resolution());
    }

    /** One eval forward pass (logits). */
    @Benchmark
    public Tensor forward() {
        try (MemoryScope s = MemoryScope.open(); GradMode g = GradMode.disabled()) {
            return model.forward(input);
        }
    }
}
