package dev.efficientnet.train.search;

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
import dev.efficientnet.models.spec.ModelSpec;
import dev.efficientnet.train.TrainConfig;
import dev.efficientnet.train.TrainListener;
import dev.efficientnet.train.TrainResult;
import dev.efficientnet.train.Trainer;
import dev.efficientnet.train.checkpoint.Checkpoints;
import dev.efficientnet.train.data.Dataset;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Trains the candidates one after another in this JVM with the project's {@link Trainer}, each in
 * its own run folder {@code <dir>/<id>} (a candidate interrupted mid-training resumes from its last
 * checkpoint when its config is unchanged), then times inference: the median of
 * {@code inferenceRuns} eval forward passes at batch 1 on random input after 2 warm-up passes.
 */
public final class LocalRunner implements CandidateRunner {
    private static final Logger LOG = LoggerFactory.getLogger(LocalRunner.class);
    private static final int INFERENCE_WARMUP = 2;

    private final Dataset train;
    private final Dataset test;
    private final Path dir;
    private final Function<Candidate, TrainListener> listeners;
    private final int inferenceRuns;
    private boolean warm;

    /**
     * @param train         training data
     * @param test          test data (the accuracy is measured on it)
     * @param dir           folder of the candidates' run folders
     * @param listeners     progress listener per candidate (may return null)
     * @param inferenceRuns timed inference passes per candidate (&gt;= 1)
     */
    public LocalRunner(Dataset train, Dataset test, Path dir, Function<Candidate, TrainListener> listeners, int inferenceRuns) {
        this.train = Objects.requireNonNull(train, "train");
        this.test = Objects.requireNonNull(test, "test");
        this.dir = Objects.requireNonNull(dir, "dir");
        this.listeners = listeners != null ? listeners : c -> null;
        if (inferenceRuns < 1) throw new IllegalArgumentException("inference runs must be >= 1, got " + inferenceRuns);
        this.inferenceRuns = inferenceRuns;
    }

    @Override
    public String describe() {
        return "locally, one candidate after another";
    }

    @Override
    public void run(List<Candidate> todo, Consumer<CandidateResult> done) throws Exception {
        if (!todo.isEmpty() && !warm) {
            warmUp(todo.get(0));
            warm = true;
        }
        for (Candidate c : todo) {
            done.accept(train(c));
            System.gc();   // the finished model's off-heap buffers go with its Java objects
        }
    }

    /** Trains and times one candidate. */
    public CandidateResult train(Candidate c) throws Exception {
        Path runDir = dir.resolve(c.id());
        TrainListener listener = listeners.apply(c);
        Trainer trainer = null;
        if (Files.isRegularFile(runDir.resolve(Checkpoints.LAST))) {
            try {
                TrainConfig saved = Trainer.savedConfig(runDir);
                if (saved.toJson().equals(c.config().toJson())) {
                    trainer = Trainer.resume(runDir, train, test, listener);
                    LOG.info("candidate {}: resuming its interrupted training", c.id());
                }
            } catch (Exception e) {
                LOG.warn("candidate {}: cannot resume ({}), training it again", c.id(), e.toString());
            }
        }
        if (trainer == null) trainer = new Trainer(c.config(), train, test, runDir, listener);
        TrainResult r = trainer.run();
        if (r.stopped()) throw new IllegalStateException("candidate " + c.id() + " stopped before its last epoch");
        ModelSpec spec = c.config().modelSpec();
        double inferenceMs = inferenceMs(trainer.model(), c.resolution(), inferenceRuns);
        long images = Math.round(r.imagesPerSecond() * r.trainSeconds());
        return new CandidateResult(c.id(), c.kind(), c.point().alpha(), c.point().beta(), c.point().gamma(),
                c.config().seed(), spec.widthMult(), spec.depthMult(), c.resolution(), spec.params(),
                spec.macs(c.resolution()), r.testAccuracy(), r.epochs(), images, r.trainSeconds(), inferenceMs);
    }

    /**
     * Untimed JIT warm-up before the first candidate (else its train and inference times carry the
     * compilation): 3 train steps (SGD) and 3 eval passes of its model on random data.
     */
    private static void warmUp(Candidate c) {
        EfficientNet model = EfficientNet.create(c.config().modelSpec(), 0);
        Rng rng = new Rng(1);
        int b = Math.min(c.config().batchSize(), 16);
        Tensor x = MemoryScope.outside(() -> rng.uniformTensor(DType.FLOAT32, -1, 1, b, model.spec().inChannels(),
                c.resolution(), c.resolution()));
        int[] y = new int[b];
        Optimizer opt = new Sgd(ParamGroups.of(model.namedParameters()), 0.01, 0.9, false, 0);
        model.train(true);
        for (int i = 0; i < 3; i++) {
            try (MemoryScope scope = MemoryScope.open()) {
                opt.zeroGrad();
                Tensor loss = Losses.crossEntropy(model.forward(x), y);
                loss.backward();
                opt.step();
            }
        }
        inferenceMs(model, c.resolution(), 3);
    }

    /** Median wall time (ms) of {@code runs} eval forward passes of one random image at {@code resolution}. */
    public static double inferenceMs(EfficientNet model, int resolution, int runs) {
        Rng rng = new Rng(0);
        Tensor input = MemoryScope.outside(() -> rng.uniformTensor(DType.FLOAT32, -1, 1, 1,
                model.spec().inChannels(), resolution, resolution));
        boolean training = model.isTraining();
        model.eval();
        double[] times = new double[runs];
        try {
            for (int i = 0; i < INFERENCE_WARMUP + runs; i++) {
                long t0 = System.nanoTime();
                try (MemoryScope scope = MemoryScope.open(); GradMode noGrad = GradMode.disabled()) {
                    model.forward(input);
                }
                if (i >= INFERENCE_WARMUP) times[i - INFERENCE_WARMUP] = (System.nanoTime() - t0) / 1e6;
            }
        } finally {
            model.train(training);
        }
        Arrays.sort(times);
        return runs % 2 == 1 ? times[runs / 2] : (times[runs / 2 - 1] + times[runs / 2]) / 2;
    }
}
