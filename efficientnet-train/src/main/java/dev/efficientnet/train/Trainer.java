package dev.efficientnet.train;

import dev.efficientnet.core.autograd.GradMode;
import dev.efficientnet.core.io.AtomicFiles;
import dev.efficientnet.core.io.Json;
import dev.efficientnet.core.ops.Losses;
import dev.efficientnet.core.optim.GradClip;
import dev.efficientnet.core.optim.LrSchedule;
import dev.efficientnet.core.optim.Optimizer;
import dev.efficientnet.core.optim.ParamGroups;
import dev.efficientnet.core.tensor.MemoryScope;
import dev.efficientnet.core.tensor.Rng;
import dev.efficientnet.core.tensor.Tensor;
import dev.efficientnet.models.EfficientNet;
import dev.efficientnet.models.weights.LoadOptions;
import dev.efficientnet.models.weights.Weights;
import dev.efficientnet.train.checkpoint.Checkpoint;
import dev.efficientnet.train.checkpoint.Checkpoints;
import dev.efficientnet.train.checkpoint.TrainState;
import dev.efficientnet.train.data.Batch;
import dev.efficientnet.train.data.DataLoader;
import dev.efficientnet.train.data.Dataset;
import dev.efficientnet.train.progressive.Stage;
import dev.efficientnet.train.report.EpochMetrics;
import dev.efficientnet.train.report.MetricsCsv;
import dev.efficientnet.train.report.Plots;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The training loop: any preset, progressive learning, EMA, checkpoints, metrics and plots.
 *
 * <p>Per epoch: the progressive stage of the epoch sets the image size, the classifier dropout
 * ({@link EfficientNet#setDropout}), the RandAugment magnitude, the mixup α and the batch size; the
 * data loader yields the epoch's batches in a seeded order; every step runs in its own
 * {@link MemoryScope} (forward, cross-entropy against the soft or hard targets, backward, optional
 * gradient clipping, the scheduled learning rate, the optimizer step, the EMA update). After the
 * epoch the raw and EMA weights are evaluated on the test set at the stage's size, {@code metrics.csv},
 * the plots and {@code last.safetensors} are rewritten, and {@code best.safetensors} when the test
 * accuracy of the final weights improved.
 *
 * <p>Resume: everything a step depends on is either a pure function of (seed, epoch, batch) — the
 * data order, the augmentation, mixup, the learning rate, the stage — or saved in the checkpoint —
 * weights, BN statistics, EMA, optimizer buffers, the dropout RNG, the partial epoch sums — so a run
 * resumed from a checkpoint takes bit-identical steps to an uninterrupted one.
 *
 * <p>A NaN or infinite loss stops the run with {@link TrainingDivergedException} before the optimizer
 * step; no checkpoint is written after it, so the last good one stays.
 */
public final class Trainer {
    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);
    /** Name of the config file in the run folder. */
    public static final String CONFIG_FILE = "config.json";
    /** Name of the metrics file in the run folder. */
    public static final String METRICS_FILE = "metrics.csv";
    /** Name of the checkpoint with the FixRes-tuned weights (see {@link FixRes}). */
    public static final String FIXRES_CHECKPOINT = "fixres.safetensors";
    /** Name of the FixRes report in the run folder. */
    public static final String FIXRES_FILE = "fixres.json";
    /** The FixRes classifier's learning rate as a fraction of the run's base rate. */
    public static final double FIXRES_LR_FACTOR = 0.01;

    private final TrainConfig cfg;
    private final Dataset train;
    private final Dataset test;
    private final Path runDir;
    private final TrainListener listener;
    private final EfficientNet model;
    private final Optimizer optimizer;
    private final Ema ema;
    private final Rng modelRng;
    private final LrSchedule lrSchedule;
    private final TrainData data;
    private TrainState state;
    private long maxSteps = Long.MAX_VALUE;
    private long checkpointEvery;
    private long nanAtStep = -1;
    private volatile boolean stopRequested;
    private DataParallel dp;
    private static final long DP_RNG_SALT = 0xD9A7L;

    /**
     * A new run writing into {@code runDir} (created if needed).
     *
     * @param train    training data (grayscale data is replicated to RGB when the model has 3 input channels)
     * @param test     test data, or null to skip evaluation
     * @param listener progress callbacks, or null
     */
    public Trainer(TrainConfig cfg, Dataset train, Dataset test, Path runDir, TrainListener listener) throws IOException {
        this(cfg, train, test, runDir, listener, null);
    }

    private Trainer(TrainConfig cfg, Dataset train, Dataset test, Path runDir, TrainListener listener, Checkpoint resume)
            throws IOException {
        this.cfg = Objects.requireNonNull(cfg, "cfg");
        this.runDir = Objects.requireNonNull(runDir, "runDir");
        this.listener = listener != null ? listener : new TrainListener() { };
        this.data = new TrainData(cfg, train, test);
        this.train = data.train();
        this.test = data.test();
        if (train.numClasses() > cfg.numClasses())
            throw new IllegalArgumentException("the data has " + train.numClasses() + " classes but the model only "
                    + cfg.numClasses() + " outputs");
        this.model = EfficientNet.create(cfg.modelSpec(), cfg.seed());
        if (cfg.initWeights() != null && resume == null) loadInitialWeights(Path.of(cfg.initWeights()));
        FineTune.freeze(model, cfg.trainLastStages());
        model.train(true);
        this.optimizer = cfg.optimizer().create(ParamGroups.of(model.namedParameters()), cfg.lr(), cfg.weightDecay());
        this.lrSchedule = cfg.lrSchedule().create(cfg.lr(), cfg.minLr(), cfg.warmupEpochs(), cfg.epochs(), cfg.lrSteps(), cfg.lrGamma());
        this.ema = cfg.emaDecay() > 0 ? new Ema(model, cfg.emaDecay()) : null;
        this.modelRng = model.rng();
        if (resume == null) {
            state = TrainState.initial(modelRng.state());
        } else {
            restore(resume);
        }
        Files.createDirectories(runDir);
        AtomicFiles.writeString(runDir.resolve(CONFIG_FILE), Json.writePretty(cfg.toJson()) + "\n");
    }

    /**
     * Continues the run in {@code runDir} from its {@code last.safetensors}, with its saved config.
     * {@code train}/{@code test} must be the same data as before.
     */
    public static Trainer resume(Path runDir, Dataset train, Dataset test, TrainListener listener) throws IOException {
        return resume(runDir, train, test, listener, c -> c);
    }

    /**
     * Continues the run in {@code runDir} with its saved config changed by {@code change}, which may
     * only change what does not alter the steps already taken: more (or fewer, but not below the
     * completed) epochs, the workers, the FixRes size and the data location. Anything else is an
     * {@link IllegalArgumentException} naming the changed keys.
     */
    public static Trainer resume(Path runDir, Dataset train, Dataset test, TrainListener listener,
                                 java.util.function.UnaryOperator<TrainConfig> change) throws IOException {
        Checkpoint c = Checkpoints.read(runDir.resolve(Checkpoints.LAST));
        TrainConfig saved = TrainConfig.fromJson(c.config());
        TrainConfig cfg = change.apply(saved);
        Map<String, Object> a = new java.util.LinkedHashMap<>(saved.toJson());
        Map<String, Object> b = new java.util.LinkedHashMap<>(cfg.toJson());
        for (String k : List.of("epochs", "workers", "eval_resolution", "data")) {
            a.remove(k);
            b.remove(k);
        }
        if (!a.equals(b)) {
            List<String> changed = new ArrayList<>();
            for (String k : a.keySet()) if (!Objects.equals(a.get(k), b.get(k))) changed.add(k);
            throw new IllegalArgumentException("a resumed run cannot change " + changed);
        }
        if (cfg.epochs() < c.state().epoch())
            throw new IllegalArgumentException("epochs " + cfg.epochs() + " is below the " + c.state().epoch() + " epochs already completed");
        return new Trainer(cfg, train, test, runDir, listener, c);
    }

    /** The config saved in a run folder's last checkpoint (to find the data of a run to resume). */
    public static TrainConfig savedConfig(Path runDir) throws IOException {
        return TrainConfig.fromJson(Checkpoints.readConfig(runDir.resolve(Checkpoints.LAST)));
    }

    /** The number of epochs completed by the run in {@code runDir} (from its last checkpoint's metadata). */
    public static int savedEpoch(Path runDir) throws IOException {
        return Checkpoints.readState(runDir.resolve(Checkpoints.LAST)).epoch();
    }

    /** Stops (with a resumable checkpoint) once {@code steps} optimizer steps are done in total. */
    public Trainer stopAfterSteps(long steps) {
        if (steps < 0) throw new IllegalArgumentException("steps must be >= 0, got " + steps);
        this.maxSteps = steps;
        return this;
    }

    /**
     * Also writes {@code last.safetensors} every {@code steps} optimizer steps inside an epoch (0,
     * the default: only at epoch ends), so a killed run loses at most that many steps. Mid-epoch
     * checkpoints resume exactly like epoch-end ones.
     */
    public Trainer checkpointEvery(long steps) {
        if (steps < 0) throw new IllegalArgumentException("checkpoint interval must be >= 0 steps, got " + steps);
        this.checkpointEvery = steps;
        return this;
    }

    /**
     * Asks the run (from any thread, e.g. a signal handler) to stop at the next step boundary with a
     * resumable checkpoint, as if the step limit had been reached.
     */
    public void requestStop() {
        stopRequested = true;
    }

    /**
     * Trains as one worker of a synchronous data-parallel run (see {@link DataParallel}): this
     * worker's shard of every batch, gradients summed over the workers each step. Only rank 0
     * evaluates and writes checkpoints, metrics and plots (other ranks give their run folder no
     * checkpoints); the dropout and drop-path randomness of each step is seeded from
     * {@code (seed, step, rank)}. Call before {@link #run()}.
     */
    public Trainer dataParallel(DataParallel parallel) {
        this.dp = Objects.requireNonNull(parallel, "parallel");
        data.shard(parallel.rank(), parallel.worldSize());
        return this;
    }

    /** True unless this is a data-parallel worker other than rank 0. */
    private boolean writes() {
        return dp == null || dp.rank() == 0;
    }

    /** Test hook: makes the loss of global step {@code step} (0-based) NaN. */
    void injectNanAtStep(long step) {
        this.nanAtStep = step;
    }

    /** The model being trained. */
    public EfficientNet model() {
        return model;
    }

    /** The EMA, or null. */
    public Ema ema() {
        return ema;
    }

    /** The config. */
    public TrainConfig config() {
        return cfg;
    }

    private void loadInitialWeights(Path file) throws IOException {
        Map<String, Tensor> w = Checkpoints.isCheckpoint(file) ? Checkpoints.modelWeights(file, true) : null;
        Tensor cls = w == null ? null : w.get("head.classifier.weight");
        boolean sameHead = cls != null && cls.dim(0) == cfg.numClasses();
        LoadOptions opts = sameHead ? LoadOptions.STRICT : LoadOptions.fineTune();
        if (w != null) Weights.load(model, w, opts);
        else Weights.load(model, file, LoadOptions.fineTune());
        LOG.info("initial weights from {}", file);
    }

    private void restore(Checkpoint c) {
        model.loadStateDict(c.model(), true);
        if (ema != null) {
            if (c.ema() == null) throw new IllegalArgumentException("the checkpoint has no EMA weights but the config enables EMA");
            ema.model().loadStateDict(c.ema(), true);
            ema.setUpdates(c.state().emaUpdates());
        }
        optimizer.loadState(c.optimizer());
        modelRng.setState(c.state().modelRng());
        state = c.state();
    }

    // ---- the loop -------------------------------------------------------------------------------

    /** Runs (or continues) the training to the end or to the step limit. */
    public TrainResult run() throws IOException {
        try {
            return runLoop();
        } finally {
            data.close();
        }
    }

    private TrainResult runLoop() throws IOException {
        long wallStart = System.nanoTime();
        List<EpochMetrics> history = new ArrayList<>();
        for (Map<String, Object> m : state.history()) history.add(EpochMetrics.fromJson(m));
        listener.runStarted(cfg, model, train.size(), test == null ? 0 : test.size(), state.epoch(), state.globalStep());
        Path last = runDir.resolve(Checkpoints.LAST);
        Path best = runDir.resolve(Checkpoints.BEST);
        double trainSeconds = 0;
        long trainImages = 0;
        for (EpochMetrics m : history) {
            trainSeconds += m.seconds();
            trainImages += Math.round(m.seconds() * m.imagesPerSecond());
        }
        List<Path> plots = List.of();
        for (int epoch = state.epoch(); epoch < cfg.epochs(); epoch++) {
            int stageIndex = cfg.schedule().stageIndex(epoch, cfg.epochs());
            Stage stage = cfg.schedule().stages().get(stageIndex);
            int batchSize = stage.batchSizeOr(cfg.batchSize());
            model.setDropout(stage.dropout());
            int batches = data.trainBatches(batchSize);
            if (batches < 1)
                throw new IllegalArgumentException("batch size " + batchSize + " exceeds the " + train.size() + " training examples");
            boolean midEpoch = epoch == state.epoch() && state.batch() > 0;
            int startBatch = midEpoch ? state.batch() : 0;
            double lossSum = midEpoch ? state.epochLossSum() : 0;
            long correct = midEpoch ? state.epochCorrect() : 0;
            long seen = midEpoch ? state.epochSeen() : 0;
            double seconds = midEpoch ? state.epochSeconds() : 0;
            long step = state.globalStep();
            listener.epochStarted(epoch, cfg.epochs(), batches, stage, batchSize);
            double lr = optimizer.learningRate();
            try (DataLoader.BatchIterator it = data.trainEpoch(epoch, stage, batchSize, startBatch)) {
                for (int b = startBatch; b < batches; b++) {
                    if (step >= maxSteps || stopRequested) {
                        state = new TrainState(epoch, b, step, rngState(), emaUpdates(), lossSum, correct, seen, seconds,
                                state.bestAccuracy(), state.bestEpoch(), toJson(history));
                        saveCheckpoint(last);
                        double wall = (System.nanoTime() - wallStart) / 1e9;
                        return result(history, wall, trainSeconds + seconds, trainImages + seen, true, plots);
                    }
                    if (!it.hasNext()) throw new IllegalStateException("the loader ended after " + b + " of " + batches + " batches");
                    long t0 = System.nanoTime();
                    Batch batch = it.next();
                    lr = lrSchedule.lr(epoch + (double) b / batches);
                    if (dp != null) modelRng.setState(dev.efficientnet.train.data.Seeds.derive(cfg.seed(), DP_RNG_SALT, step, dp.rank()));
                    double[] lossAndCorrect = step(batch, lr, step, epoch, b, last);
                    step++;
                    seconds += (System.nanoTime() - t0) / 1e9;
                    lossSum += lossAndCorrect[0] * lossAndCorrect[2];
                    correct += (long) lossAndCorrect[1];
                    seen += (long) lossAndCorrect[2];
                    listener.step(epoch, b, batches, step, lossAndCorrect[0], lr, lossSum / seen, (double) correct / seen, seen / seconds);
                    if (checkpointEvery > 0 && step % checkpointEvery == 0 && b + 1 < batches) {
                        state = new TrainState(epoch, b + 1, step, rngState(), emaUpdates(), lossSum, correct, seen, seconds,
                                state.bestAccuracy(), state.bestEpoch(), toJson(history));
                        saveCheckpoint(last);
                    }
                }
            }
            trainSeconds += seconds;
            trainImages += seen;
            // ---- end of epoch: evaluate, record, checkpoint
            int evalSize = stage.imageSize();
            double[] raw = evaluate(model, evalSize, "test");
            double[] avg = ema != null ? evaluate(ema.model(), evalSize, "test (EMA)") : new double[]{Double.NaN, Double.NaN};
            model.train(true);
            EpochMetrics m = new EpochMetrics(epoch + 1, stageIndex, stage.imageSize(), batchSize, stage.dropout(),
                    stage.randAugMagnitude(), stage.mixupAlpha(), lr, lossSum / seen, (double) correct / seen,
                    raw[0], raw[1], avg[0], avg[1], evalSize, seconds, seen / seconds);
            history.add(m);
            double acc = ema != null ? avg[1] : raw[1];
            boolean improved = Double.isFinite(acc) && acc > state.bestAccuracy();
            state = new TrainState(epoch + 1, 0, step, rngState(), emaUpdates(), 0, 0, 0, 0,
                    improved ? acc : state.bestAccuracy(), improved ? epoch + 1 : state.bestEpoch(), toJson(history));
            if (writes()) {
                MetricsCsv.write(runDir.resolve(METRICS_FILE), history);
                plots = Plots.write(runDir, history);
            }
            saveCheckpoint(last);
            if (improved) saveCheckpoint(best);
            listener.epochFinished(m, cfg.epochs());
        }
        double wall = (System.nanoTime() - wallStart) / 1e9;
        if (plots.isEmpty() && !history.isEmpty() && writes()) plots = Plots.write(runDir, history);
        TrainResult r = result(history, wall, trainSeconds, trainImages, false, plots);
        listener.runFinished(r);
        return r;
    }

    private double[] step(Batch batch, double lr, long globalStep, int epoch, int b, Path last) {
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor x = Tensor.of(batch.images(), batch.shape());
            Tensor logits = model.forward(x);
            Tensor loss = batch.softTargets() != null
                    ? Losses.crossEntropy(logits, Tensor.of(batch.softTargets(), batch.n(), batch.softTargets().length / batch.n()))
                    : Losses.crossEntropy(logits, batch.labels(), cfg.labelSmoothing());
            double value = globalStep == nanAtStep ? Double.NaN : loss.item();
            if (!Double.isFinite(value) && dp == null) throw diverged(value, epoch, b, globalStep, lr, last);
            int correct = correct(logits.toFloatArray(), batch.labels(), logits.dim(1));
            optimizer.zeroGrad();
            loss.backward();
            double n = batch.n();
            if (dp != null) { // the global loss decides, so that every worker stops at the same step
                double[] global = GradientSync.allReduce(dp, optimizer, value, correct, batch.n());
                value = global[0];
                correct = (int) global[1];
                n = global[2];
                if (!Double.isFinite(value)) throw diverged(value, epoch, b, globalStep, lr, last);
            }
            if (cfg.gradClip() > 0) GradClip.clipByGlobalNorm(optimizer, cfg.gradClip());
            optimizer.setLearningRate(lr);
            optimizer.step();
            if (ema != null) ema.update();
            return new double[]{value, correct, n};
        }
    }

    private TrainingDivergedException diverged(double value, int epoch, int b, long globalStep, double lr, Path last) {
        return new TrainingDivergedException(String.format(java.util.Locale.ROOT,
                "the loss is %s at epoch %d, batch %d (global step %d, learning rate %.3g); training stopped. %s",
                value, epoch + 1, b, globalStep, lr,
                Files.exists(last) ? "The last good checkpoint is kept: " + last
                        + " (resume with a lower learning rate, e.g. --lr " + String.format(java.util.Locale.ROOT, "%.3g", cfg.lr() / 4) + ")"
                        : "No checkpoint was written yet."));
    }

    static int correct(float[] logits, int[] labels, int k) {
        int c = 0;
        for (int i = 0; i < labels.length; i++) {
            int arg = 0;
            for (int j = 1; j < k; j++) if (logits[i * k + j] > logits[i * k + arg]) arg = j;
            if (arg == labels[i]) c++;
        }
        return c;
    }

    /** Mean loss and accuracy of {@code net} on the test set at {@code size} ({NaN, NaN} without test data). */
    private double[] evaluate(EfficientNet net, int size, String what) throws IOException {
        if (test == null || !writes()) return new double[]{Double.NaN, Double.NaN};
        listener.evaluating(what, size);
        return Evaluator.evaluate(net, data.testBatches(size, cfg.batchSize()));
    }

    private long rngState() {
        return modelRng.state();
    }

    private long emaUpdates() {
        return ema == null ? 0 : ema.updates();
    }

    private static List<Map<String, Object>> toJson(List<EpochMetrics> history) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (EpochMetrics m : history) out.add(m.toJson());
        return out;
    }

    private void saveCheckpoint(Path file) throws IOException {
        if (!writes()) return;
        Checkpoints.write(file, new Checkpoint(cfg.toJson(), state, model.stateDict(),
                ema == null ? null : ema.model().stateDict(), optimizer.state()));
        listener.checkpointSaved(file);
    }

    private TrainResult result(List<EpochMetrics> history, double wall, double trainSeconds, long trainImages, boolean stopped,
                               List<Path> plots) throws IOException {
        double rawAcc = Double.NaN;
        double emaAcc = Double.NaN;
        double loss = Double.NaN;
        double fixRes = Double.NaN;
        int fixResSize = 0;
        if (!stopped && test != null) {
            int size = cfg.finalSize();
            EpochMetrics lastEpoch = history.isEmpty() ? null : history.get(history.size() - 1);
            boolean fresh = lastEpoch != null && lastEpoch.evalSize() == size;
            double[] raw = fresh ? new double[]{lastEpoch.testLoss(), lastEpoch.testAccuracy()} : evaluate(model, size, "test");
            rawAcc = raw[1];
            loss = raw[0];
            if (ema != null) {
                double[] e = fresh ? new double[]{lastEpoch.emaTestLoss(), lastEpoch.emaTestAccuracy()} : evaluate(ema.model(), size, "test (EMA)");
                emaAcc = e[1];
                loss = e[0];
            }
            if (cfg.evalResolution() > 0 && cfg.evalResolution() != size) {
                fixResSize = cfg.evalResolution();
                fixRes = evaluate(ema != null ? ema.model() : model, fixResSize, "test @" + fixResSize + " (FixRes)")[1];
            }
            model.train(true);
        } else if (!history.isEmpty()) {
            EpochMetrics l = history.get(history.size() - 1);
            rawAcc = l.testAccuracy();
            emaAcc = l.emaTestAccuracy();
            loss = ema != null ? l.emaTestLoss() : l.testLoss();
        }
        double acc = ema != null ? emaAcc : rawAcc;
        FixRes.Result tuned = !stopped && cfg.fixresSteps() > 0 && writes() ? fixResStep(fixRes) : null;
        Path best = runDir.resolve(Checkpoints.BEST);
        return new TrainResult(acc, loss, rawAcc, emaAcc, fixRes, fixResSize, ema != null ? "ema" : "raw", state.epoch(),
                state.globalStep(), wall, trainSeconds, trainSeconds > 0 ? trainImages / trainSeconds : Double.NaN, stopped,
                runDir, runDir.resolve(Checkpoints.LAST), Files.exists(best) ? best : null, plots, List.copyOf(history), tuned);
    }

    /**
     * The FixRes step on a copy of the final weights (EMA if on): BN statistics (and with
     * {@code fixresClassifier} the classifier) tuned at {@code evalResolution} for {@code fixresSteps}
     * batches of training images; writes {@code fixres.safetensors} and {@code fixres.json}. The
     * run's own weights, EMA and checkpoints are not changed, so it can be repeated.
     */
    private FixRes.Result fixResStep(double before) throws IOException {
        int size = cfg.evalResolution();
        EfficientNet src = ema != null ? ema.model() : model;
        EfficientNet net = EfficientNet.create(cfg.modelSpec(), cfg.seed());
        net.loadStateDict(src.stateDict(), true);
        double lr = cfg.fixresClassifier() ? cfg.lr() * FIXRES_LR_FACTOR : 0;
        LOG.info("FixRes: tuning {} at {} px for {} steps", cfg.fixresClassifier() ? "BN statistics and the classifier" : "BN statistics",
                size, cfg.fixresSteps());
        long t0 = System.nanoTime();
        int used;
        try (TrainData.BatchStream batches = data.fixresBatches(size, cfg.batchSize())) {
            used = FixRes.tune(net, batches, cfg.fixresSteps(), cfg.fixresClassifier(), lr, cfg.labelSmoothing());
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        double[] after = evaluate(net, size, "test @" + size + " (FixRes-tuned)");
        if (test != null && !Double.isFinite(before)) before = evaluate(src, size, "test @" + size + " (before FixRes)")[1];
        model.train(true);
        Map<String, Object> config = new java.util.LinkedHashMap<>(cfg.toJson());
        config.put("fixres_size", size);
        Path file = runDir.resolve(FIXRES_CHECKPOINT);
        Checkpoints.write(file, new Checkpoint(config, state, net.stateDict(), null, optimizer.state()));
        FixRes.Result r = new FixRes.Result(size, used, cfg.fixresClassifier(), lr, before, after[1], after[0], seconds, file);
        AtomicFiles.writeString(runDir.resolve(FIXRES_FILE), Json.writePretty(r.toJson()) + "\n");
        LOG.info("FixRes at {} px: accuracy {} -> {} ({} steps, {} s)", size, before, after[1], used, seconds);
        return r;
    }
}
