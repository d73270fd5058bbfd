package dev.efficientnet.cli;

import dev.efficientnet.core.autograd.GradMode;
import dev.efficientnet.core.ops.Losses;
import dev.efficientnet.core.optim.Optimizer;
import dev.efficientnet.core.optim.ParamGroups;
import dev.efficientnet.core.optim.Sgd;
import dev.efficientnet.core.tensor.DType;
import dev.efficientnet.core.tensor.MemoryScope;
import dev.efficientnet.core.tensor.Rng;
import dev.efficientnet.core.tensor.Tensor;
import dev.efficientnet.models.EfficientNet;
import dev.efficientnet.models.infer.Precision;

/**
 * The timing loop shared by {@code bench} and {@code compare}: {@code warmup} untimed then
 * {@code iters} timed iterations on one fixed random NCHW input, each iteration inside its own
 * {@link MemoryScope} (so memory stays flat) and timed including the scope's release.
 * <ul>
 *   <li>eval: {@code model.eval()}, forward under {@link GradMode#disabled()} (the model's compiled
 *       inference plan, decision D25; with a {@link Precision} other than float32, that plan in
 *       the chosen precision);</li>
 *   <li>train: {@code model.train(true)}, zero grads, forward, mean cross-entropy against fixed
 *       random targets, backward, one SGD step (lr 0.01, momentum 0.9). Momentum buffers are
 *       allocated before the loop; the persistent gradient buffers on the first step, so use
 *       {@code warmup > 0} to keep that allocation out of the timings.</li>
 * </ul>
 */
public final class Benchmark {
    /** Learning rate of the benchmark's SGD step. */
    public static final double LR = 0.01;
    /** Momentum of the benchmark's SGD step. */
    public static final double MOMENTUM = 0.9;

    /** What one iteration does. */
    public enum Mode {
        /** Inference forward pass. */
        EVAL,
        /** Forward, loss, backward, SGD step. */
        TRAIN;

        /** "eval" or "train". */
        public String label() {
            return this == EVAL ? "eval" : "train";
        }
    }

    /**
     * @param mode       eval or train
     * @param batch      images per iteration (&gt;= 1)
     * @param resolution square input size (&gt;= 1)
     * @param warmup     untimed iterations (&gt;= 0)
     * @param iters      timed iterations (&gt;= 1)
     * @param seed       seed of the random input and targets
     */
    public record Config(Mode mode, int batch, int resolution, int warmup, int iters, long seed) {
        /** Validates the values. */
        public Config {
            if (mode == null) throw new IllegalArgumentException("mode is required");
            if (batch < 1) throw new IllegalArgumentException("batch must be >= 1, got " + batch);
            if (resolution < 1) throw new IllegalArgumentException("resolution must be >= 1, got " + resolution);
            if (warmup < 0) throw new IllegalArgumentException("warmup must be >= 0, got " + warmup);
            if (iters < 1) throw new IllegalArgumentException("iters must be >= 1, got " + iters);
        }
    }

    /** Called after every iteration (from the benchmark thread). */
    @FunctionalInterface
    public interface Listener {
        /**
         * @param warmup true for a warm-up iteration
         * @param index  0-based index within the warm-up or timed iterations
         * @param ms     wall time of the iteration
         * @param loss   the training loss of the iteration (NaN in eval mode)
         */
        void iteration(boolean warmup, int index, double ms, double loss);
    }

    /**
     * @param timesMs  wall time of each timed iteration, in order
     * @param lastLoss loss of the last iteration (NaN in eval mode)
     */
    public record Result(double[] timesMs, double lastLoss) {
        /** Statistics of {@link #timesMs()}. */
        public Stats stats() {
            return Stats.of(timesMs);
        }
    }

    private Benchmark() {
    }

    /** Runs {@code config} on {@code model}; {@code listener} may be null. Leaves the model in the mode used. */
    public static Result run(EfficientNet model, Config config, Listener listener) {
        return run(model, config, Precision.FP32, listener);
    }

    /**
     * As {@link #run(EfficientNet, Config, Listener)}, eval passes computed in {@code precision}
     * (the model's compiled inference plan; anything but float32 needs one and a CPU that has it).
     */
    public static Result run(EfficientNet model, Config config, Precision precision, Listener listener) {
        if (precision != Precision.FP32 && config.mode() == Mode.TRAIN)
            throw new IllegalArgumentException("precision " + precision + " is for eval passes; training runs in float32");
        int channels = model.spec().inChannels();
        int classes = model.spec().numClasses();
        if (config.mode() == Mode.TRAIN && classes < 1)
            throw new IllegalArgumentException("train mode needs a classifier (num classes >= 1), got " + classes);
        Rng rng = new Rng(config.seed());
        Tensor input = MemoryScope.outside(() -> rng.uniformTensor(DType.FLOAT32, -1, 1,
                config.batch(), channels, config.resolution(), config.resolution()));
        int[] targets = new int[config.batch()];
        for (int i = 0; i < targets.length; i++) targets[i] = classes > 0 ? rng.nextInt(classes) : 0;

        Optimizer optimizer = null;
        if (config.mode() == Mode.TRAIN) {
            model.train(true);
            optimizer = new Sgd(ParamGroups.of(model.namedParameters()), LR, MOMENTUM, false, 0);
        } else {
            model.eval();
        }
        double[] times = new double[config.iters()];
        double loss = Double.NaN;
        for (int i = 0; i < config.warmup() + config.iters(); i++) {
            boolean warm = i < config.warmup();
            long t0 = System.nanoTime();
            loss = config.mode() == Mode.TRAIN ? trainStep(model, optimizer, input, targets) : evalStep(model, input, precision);
            double ms = (System.nanoTime() - t0) / 1e6;
            int index = warm ? i : i - config.warmup();
            if (!warm) times[index] = ms;
            if (listener != null) listener.iteration(warm, index, ms, loss);
        }
        return new Result(times, loss);
    }

    private static double evalStep(EfficientNet model, Tensor input, Precision precision) {
        if (precision != Precision.FP32) {
            float[] logits = model.inferencePlans().run(input, false, precision);
            if (logits == null)
                throw new IllegalStateException("precision " + precision + " needs a compiled inference plan, unavailable here ("
                        + model.inferencePlans().unsupportedReason() + ")");
            return Double.NaN;
        }
        try (MemoryScope scope = MemoryScope.open(); GradMode noGrad = GradMode.disabled()) {
            Tensor logits = model.forward(input);
            if (logits.numel() == 0) throw new IllegalStateException("empty model output");
            return Double.NaN;
        }
    }

    private static double trainStep(EfficientNet model, Optimizer optimizer, Tensor input, int[] targets) {
        try (MemoryScope scope = MemoryScope.open()) {
            optimizer.zeroGrad();
            Tensor loss = Losses.crossEntropy(model.forward(input), targets);
            loss.backward();
            optimizer.step();
            return loss.item();
        }
    }
}
