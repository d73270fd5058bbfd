package dev.efficientnet.bench;

import dev.efficientnet.core.tensor.MemoryScope;
import dev.efficientnet.core.tensor.Tensor;
import dev.efficientnet.models.EfficientNet;
import dev.efficientnet.models.infer.InferencePlan;
import dev.efficientnet.models.infer.Precision;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The inference plan's kernels (issue 13): one {@link InferencePlan#run} of a compiled plan (BN
 * folded, fused post-ops, prepacked weights, NHWC, arena), {@code preset@resolution/batch}, fp32
 * or bf16 (bf16 only where the CPU has it; elsewhere the setup fails, never a silent fp32 run).
 * For the time per layer type use {@link PlanProfile}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xss4m", "-XX:+UseParallelGC"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
public class InferencePlanBench {
    /** Preset, resolution and batch. */
    @Param({"efficientnet_b0@224/1", "efficientnet_b0@224/16", "efficientnet_v2_s@384/1"})
    public String config;

    /** fp32 or bf16. */
    @Param({"fp32", "bf16"})
    public String precision;

    private InferencePlan plan;
    private Tensor input;

    /** Compiles the plan (random weights, seed 0) and a random input. */
    @Setup(Level.Trial)
    public void setup() {
        ModelCase c = ModelCase.parse(config);
        EfficientNet model = MemoryScope.outside(() -> EfficientNet.create(c.spec(), 0));
        model.eval();
        input = MemoryScope.outside(() -> BenchData.uniform(1, c.batch(), c.spec().inChannels(), c.resolution(), c.resolution()));
        plan = InferencePlan.compile(model, c.batch(), c.resolution(), c.resolution(), Precision.parse(precision));
    }

    /** Frees the plan's native memory. */
    @TearDown(Level.Trial)
    public void tearDown() {
        plan.close();
    }

    /** One call of the plan (logits stay in the plan's arena). */
    @Benchmark
    public InferencePlan run() {
        plan.run(input);
        return plan;
    }
}
