package dev.efficientnet.train;

import dev.efficientnet.core.io.Json;
import dev.efficientnet.core.optim.LrSchedule;
import dev.efficientnet.core.tensor.MemoryScope;
import dev.efficientnet.core.tensor.Tensor;
import dev.efficientnet.layers.BatchNorm2d;
import dev.efficientnet.layers.Module;
import dev.efficientnet.models.EfficientNet;
import dev.efficientnet.train.augment.Pipeline;
import dev.efficientnet.train.checkpoint.Checkpoints;
import dev.efficientnet.train.data.Batch;
import dev.efficientnet.train.data.Dataset;
import dev.efficientnet.train.data.Datasets;
import dev.efficientnet.train.progressive.ProgressiveSchedule;
import dev.efficientnet.train.progressive.Range;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Training II: CutMix, RandAugment spread, step schedules, gradient clipping in the config, and the FixRes step. */
class TrainRecipeTest {
    private static Dataset train;
    private static Dataset test;

    @BeforeAll
    static void data() throws Exception {
        DataSources.Split s = DataSources.embeddedFashionMnist();
        train = Datasets.head(s.train(), 48);
        test = Datasets.head(s.test(), 16);
    }

    private static TrainConfig.Builder tiny() {
        return TrainConfig.builder("tf_efficientnetv2_b0").widthMult(0.25).depthMult(0.1).inChannels(1).numClasses(10)
                .dropPath(0.1).epochs(2).batchSize(16)
                .schedule(ProgressiveSchedule.linear("t", 2, new Range(8, 12), new Range(0.1, 0.2), new Range(2, 6), new Range(0, 0.2)))
                .optimizer(OptimizerKind.SGD).lr(0.05).emaDecay(0.9).workers(2).seed(3);
    }

    private static TrainConfig full() {
        return tiny().cutmixAlpha(1.0).mixSwitchProb(0.7).randAugMstd(0.5).gradClip(2.0)
                .lrSchedule(LrScheduleKind.MULTISTEP).lrSteps(List.of(1.0, 1.5)).lrGamma(0.5)
                .evalResolution(16).fixresSteps(2).fixresClassifier(true).build();
    }

    @Test
    void newOptionsRoundTripThroughJsonAndOldConfigsGetTheDefaults() {
        TrainConfig c = full();
        Map<String, Object> json = Json.parseObject(Json.write(c.toJson()));
        assertEquals(c, TrainConfig.fromJson(json));
        for (String k : List.of("cutmix_alpha", "mix_switch_prob", "randaug_mstd", "lr_steps", "lr_gamma", "fixres_steps", "fixres_classifier"))
            assertTrue(json.containsKey(k), k);
        Map<String, Object> old = Json.parseObject(Json.write(tiny().build().toJson()));
        for (String k : List.of("cutmix_alpha", "mix_switch_prob", "randaug_mstd", "lr_steps", "lr_gamma", "fixres_steps", "fixres_classifier"))
            old.remove(k);
        assertEquals(tiny().build(), TrainConfig.fromJson(old));
    }

    @Test
    void invalidValuesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> tiny().cutmixAlpha(-1).build());
        assertThrows(IllegalArgumentException.class, () -> tiny().mixSwitchProb(1.5).build());
        assertThrows(IllegalArgumentException.class, () -> tiny().randAugMstd(-0.1).build());
        assertThrows(IllegalArgumentException.class, () -> tiny().lrSchedule(LrScheduleKind.STEP).build()); // no interval
        assertThrows(IllegalArgumentException.class, () -> tiny().lrSchedule(LrScheduleKind.STEP).lrSteps(List.of(2.0, 3.0)).build());
        assertThrows(IllegalArgumentException.class, () -> tiny().lrSchedule(LrScheduleKind.MULTISTEP).lrSteps(List.of(3.0, 2.0)).build());
        assertThrows(IllegalArgumentException.class, () -> tiny().lrSchedule(LrScheduleKind.STEP).lrSteps(List.of(2.0)).lrGamma(0).build());
        assertThrows(IllegalArgumentException.class, () -> tiny().lrSteps(List.of(2.0)).build()); // cosine takes no steps
        assertThrows(IllegalArgumentException.class, () -> tiny().fixresSteps(5).build()); // no test size
        assertThrows(IllegalArgumentException.class, () -> tiny().evalResolution(16).fixresClassifier(true).build());
        assertThrows(IllegalArgumentException.class, () -> tiny().evalResolution(16).fixresSteps(-1).build());
    }

    @Test
    void stepAndMultiStepSchedules() {
        LrSchedule step = LrScheduleKind.STEP.create(0.1, 0, 0, 10, List.of(3.0), 0.5);
        assertEquals(0.1, step.lr(2.9), 1e-12);
        assertEquals(0.05, step.lr(3.0), 1e-12);
        assertEquals(0.025, step.lr(6.5), 1e-12);
        LrSchedule multi = LrScheduleKind.MULTISTEP.create(0.1, 0, 0, 10, List.of(4.0, 7.0), 0.1);
        assertEquals(0.1, multi.lr(3.99), 1e-12);
        assertEquals(0.01, multi.lr(4.0), 1e-12);
        assertEquals(0.001, multi.lr(9.0), 1e-12);
        LrSchedule warm = LrScheduleKind.MULTISTEP.create(0.1, 0, 1, 10, List.of(4.0), 0.1);
        assertEquals(0.05, warm.lr(0.5), 1e-12); // warmup from 0
        assertEquals(0.01, warm.lr(5.0), 1e-12);
        assertEquals(LrScheduleKind.MULTISTEP, LrScheduleKind.parse("multi-step"));
        assertEquals(LrScheduleKind.STEP, LrScheduleKind.parse("step"));
    }

    @Test
    void trainingPipelineCarriesCutmixSwitchAndMagnitudeSpread() {
        TrainConfig c = full();
        try (TrainData d = new TrainData(c, train, test)) {
            Pipeline p = d.trainPipeline(c.schedule().last());
            assertEquals(1.0, p.cutmixAlpha());
            assertEquals(0.7, p.switchProb());
            assertEquals(0.2, p.mixupAlpha(), 1e-12);
            assertEquals(0.5, p.randAugment().magnitudeStd());
            TrainConfig uniform = tiny().randAugMstd(101).build();
            assertEquals(Double.POSITIVE_INFINITY, new TrainData(uniform, train, test).trainPipeline(uniform.schedule().last())
                    .randAugment().magnitudeStd());
        }
    }

    /** CutMix alone (no mixup) yields soft targets whose mixed rows put weight on two classes. */
    @Test
    void cutmixBatchesHaveMixedSoftTargets() {
        TrainConfig c = tiny().schedule(ProgressiveSchedule.none(12, 0.1, 0, 0)).cutmixAlpha(1.0).labelSmoothing(0).build();
        try (TrainData d = new TrainData(c, train, test)) {
            Batch b;
            try (var it = d.trainEpoch(0, c.schedule().last(), 16, 0)) {
                b = it.next();
            }
            assertNotNull(b.softTargets());
            int mixedRows = 0;
            for (int i = 0; i < b.n(); i++) {
                int nonZero = 0;
                for (int k = 0; k < 10; k++) if (b.softTargets()[i * 10 + k] > 1e-6) nonZero++;
                if (nonZero == 2) mixedRows++;
            }
            assertTrue(mixedRows > 0, "CutMix mixed no row");
        }
    }

    /** A full tiny run with every new option: finite losses, the FixRes files, and resume carries the options. */
    @Test
    void runWithEveryOptionAndTheFixResStep(@TempDir Path dir) throws Exception {
        TrainResult r = new Trainer(full(), train, test, dir, null).run();
        for (var m : r.history()) assertTrue(Double.isFinite(m.trainLoss()));
        FixRes.Result fx = r.fixResTuned();
        assertNotNull(fx);
        assertEquals(16, fx.size());
        assertEquals(2, fx.steps());
        assertTrue(fx.classifier());
        assertEquals(0.05 * Trainer.FIXRES_LR_FACTOR, fx.lr(), 1e-12);
        assertTrue(fx.accuracyAfter() >= 0 && fx.accuracyAfter() <= 1);
        assertEquals(r.fixResAccuracy(), fx.accuracyBefore());
        assertTrue(Files.size(dir.resolve(Trainer.FIXRES_FILE)) > 0);
        Map<String, Object> cfg = Checkpoints.read(dir.resolve(Trainer.FIXRES_CHECKPOINT)).config();
        assertEquals(16, ((Number) cfg.get("fixres_size")).intValue());
        // the tuned weights differ from the EMA weights only in BN statistics and the classifier
        Map<String, Tensor> tuned = Checkpoints.modelWeights(dir.resolve(Trainer.FIXRES_CHECKPOINT), true);
        Map<String, Tensor> ema = Checkpoints.modelWeights(dir.resolve(Checkpoints.LAST), true);
        assertFalse(java.util.Arrays.equals(tuned.get("stem.bn.running_mean").toFloatArray(), ema.get("stem.bn.running_mean").toFloatArray()));
        assertFalse(java.util.Arrays.equals(tuned.get("head.classifier.weight").toFloatArray(), ema.get("head.classifier.weight").toFloatArray()));
        assertArrayEquals(ema.get("stem.conv.weight").toFloatArray(), tuned.get("stem.conv.weight").toFloatArray());
        assertArrayEquals(ema.get("stem.bn.weight").toFloatArray(), tuned.get("stem.bn.weight").toFloatArray());
        assertEquals(full(), Trainer.savedConfig(dir));
    }

    /**
     * BN re-estimation is the plain average of the per-batch statistics: tuning on batches A then B
     * gives the mean of what one train-mode forward with momentum 1 records for A and for B, and
     * changes no parameter.
     */
    @Test
    void fixResBatchNormStatisticsAreTheAverageOverBatches() {
        EfficientNet base = EfficientNet.create(tiny().build().modelSpec(), 5);
        List<Batch> batches = new ArrayList<>();
        TrainConfig c = tiny().build();
        try (TrainData d = new TrainData(c, train, test); TrainData.BatchStream s = d.fixresBatches(16, 16)) {
            batches.add(s.next());
            batches.add(s.next());
        }
        float[] a = statsAfterOneBatch(base, batches.get(0));
        float[] b = statsAfterOneBatch(base, batches.get(1));
        EfficientNet net = copy(base);
        Map<String, Tensor> before = net.namedParameters();
        List<float[]> params = new ArrayList<>();
        for (Tensor t : before.values()) params.add(t.toFloatArray());
        assertEquals(2, FixRes.tune(net, batches.iterator(), 5, false, 0, 0));
        float[] avg = runningMeans(net);
        for (int i = 0; i < avg.length; i++) assertEquals((a[i] + b[i]) / 2, avg[i], 1e-4 + 1e-4 * Math.abs(avg[i]), "index " + i);
        int j = 0;
        for (Tensor t : net.namedParameters().values()) assertArrayEquals(params.get(j++), t.toFloatArray());
        assertFalse(net.isTraining());
        assertEquals(base.spec().bnMomentum(), firstBn(net).momentum(), 1e-12); // restored
    }

    private static float[] statsAfterOneBatch(EfficientNet base, Batch batch) {
        EfficientNet net = copy(base);
        Iterator<Batch> one = List.of(batch).iterator();
        FixRes.tune(net, one, 1, false, 0, 0);
        // the same thing by hand: momentum 1 in train mode records exactly this batch's statistics
        EfficientNet byHand = copy(base);
        List<BatchNorm2d> bns = new ArrayList<>();
        collect(byHand, bns);
        byHand.eval();
        for (BatchNorm2d bn : bns) {
            bn.train(true);
            bn.setMomentum(1);
        }
        try (MemoryScope s = MemoryScope.open()) {   // with gradients on: the BN modules run, not the inference plan
            byHand.forward(Tensor.of(batch.images(), batch.shape()));
        }
        assertArrayEquals(runningMeans(byHand), runningMeans(net), 1e-6f);
        // the statistics really were re-estimated (a fresh BN starts at mean 0): an eval-mode forward
        // without gradients runs the compiled inference plan and would leave them at 0
        float[] initial = runningMeans(base);
        assertFalse(java.util.Arrays.equals(initial, runningMeans(net)), "FixRes changed no BN statistic");
        return runningMeans(net);
    }

    private static EfficientNet copy(EfficientNet base) {
        EfficientNet n = EfficientNet.create(base.spec(), 0);
        n.loadStateDict(base.stateDict(), true);
        return n;
    }

    private static float[] runningMeans(EfficientNet net) {
        List<Float> out = new ArrayList<>();
        net.namedBuffers().forEach((k, v) -> {
            if (k.endsWith("running_mean")) for (float f : v.toFloatArray()) out.add(f);
        });
        float[] r = new float[out.size()];
        for (int i = 0; i < r.length; i++) r[i] = out.get(i);
        return r;
    }

    private static BatchNorm2d firstBn(EfficientNet net) {
        List<BatchNorm2d> bns = new ArrayList<>();
        collect(net, bns);
        return bns.get(0);
    }

    private static void collect(Module m, List<BatchNorm2d> out) {
        if (m instanceof BatchNorm2d bn) out.add(bn);
        for (Module c : m.children().values()) collect(c, out);
    }
}
