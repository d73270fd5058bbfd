package dev.efficientnet.bench;

import dev.efficientnet.core.autograd.GradMode;
import dev.efficientnet.core.ops.Normalization;
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

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Batch norm on an NHWC activation, {@code Cc@H} (default 96c@112: B0's largest, the stage-2
 * expand output): training forward (batch statistics, running-stat update, graph recorded),
 * training forward + backward (gradients through the statistics, to x, gamma and beta), and eval
 * forward (running statistics, no graph).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xss4m", "-XX:+UseParallelGC"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class BatchNormBench {
    private static final Pattern SHAPE = Pattern.compile("(\\d+)c@(\\d+)");

    /** Channels and spatial size. */
    @Param({"96c@112"})
    public String shape;

    /** Images per invocation. */
    @Param({"1", "16"})
    public int batch;

    private Tensor x;
    private Tensor gamma;
    private Tensor beta;
    private Tensor runningMean;
    private Tensor runningVar;
    private Tensor seed;

    /** Parses {@code Cc@H} into {channels, size}. */
    static int[] parse(String shape) {
        Matcher m = SHAPE.matcher(shape);
        if (!m.matches()) throw new IllegalArgumentException("shape must look like 96c@112, got '" + shape + "'");
        return new int[]{Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))};
    }

    /** Random input, affine parameters, running statistics and output gradient. */
    @Setup
    public void setup() {
        int[] cs = parse(shape);
        int c = cs[0];
        int h = cs[1];
        x = BenchData.uniform(1, batch, h, h, c);
        gamma = BenchData.parameter(2, c);
        beta = BenchData.parameter(3, c);
        runningMean = MemoryScope.outside(() -> Tensor.zeros(c));
        runningVar = MemoryScope.outside(() -> Tensor.ones(c));
        seed = BenchData.uniform(4, batch, h, h, c);
    }

    /** Training-mode forward with the graph recorded (as inside a training step). */
    @Benchmark
    public Tensor trainForward() {
        try (MemoryScope s = MemoryScope.open()) {
            return Normalization.batchNorm(BenchData.activation(x), gamma, beta, runningMean, runningVar, true, 0.1, 1e-5);
        }
    }

    /** Training-mode forward, then backward to x, gamma and beta. */
    @Benchmark
    public Tensor trainForwardBackward() {
        try (MemoryScope s = MemoryScope.open()) {
            Normalization.batchNorm(BenchData.activation(x), gamma, beta, runningMean, runningVar, true, 0.1, 1e-5)
                    .backward(seed);
            return gamma.grad();
        }
    }

    /** Eval-mode forward (running statistics), no graph. */
    @Benchmark
    public Tensor evalForward() {
        try (MemoryScope s = MemoryScope.open(); GradMode g = GradMode.disabled()) {
            return Normalization.batchNorm(x, gamma, beta, runningMean, runningVar, false, 0.1, 1e-5);
        }
    }
}
