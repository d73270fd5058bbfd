package dev.efficientnet.bench;

import dev.efficientnet.core.ops.Losses;
import dev.efficientnet.core.optim.Optimizer;
import dev.efficientnet.core.optim.ParamGroups;
import dev.efficientnet.core.optim.Sgd;
import dev.efficientnet.core.tensor.MemoryScope;
import dev.efficientnet.core.tensor.Rng;
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
 * Whole-model training step, {@code preset@resolution/batch}: zero grads, training-mode forward,
 * mean cross-entropy on fixed random targets, backward, SGD step (lr 0.01, momentum 0.9), the
 * same step as {@code efficientnet bench --train} and the PyTorch comparison.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xss4m", "-XX:+UseParallelGC"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class ModelTrainBench {
    /** Preset, resolution and batch. */
    @Param({"efficientnet_b0@128/16", "efficientnet_v2_s@128/16"})
    public String config;

    private EfficientNet model;
    private Optimizer optimizer;
    private Tensor input;
    private int[] targets;

    /** Builds the model (seed 0), the optimizer, a random input and random targets. */
    @Setup
    public void setup() {
        ModelCase c = ModelCase.parse(config);
        model = MemoryScope.outside(() -> EfficientNet.create(c.spec(), 0));
        model.train(true);
        optimizer = MemoryScope.outside(() -> new Sgd(ParamGroups.of(model.namedParameters()), 0.01, 0.9, false, 0));
        input = BenchData.uniform(1, c.batch(), c.spec().inChannels(), c.resolution(), c.resolution());
        Rng rng = new Rng(2);
        targets = new int[c.batch()];
        for (int i = 0; i < targets.length; i++) targets[i] = rng.nextInt(c.spec().numClasses());
    }

    /** One training step; returns the loss. */
    @Benchmark
    public double trainStep() {
        try (MemoryScope s = MemoryScope.open()) {
            optimizer.zeroGrad();
            Tensor loss = Losses.crossEntropy(model.forward(input), targets);
            loss.backward();
            optimizer.step();
            return loss.item();
        }
    }
}
