package dev.efficientnet.train;

import dev.efficientnet.core.io.Json;
import dev.efficientnet.core.tensor.Tensor;
import dev.efficientnet.models.EfficientNet;
import dev.efficientnet.train.checkpoint.Checkpoint;
import dev.efficientnet.train.checkpoint.Checkpoints;
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
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainerTest {
    private static Dataset train;
    private static Dataset test;

    @BeforeAll
    static void data() throws Exception {
        DataSources.Split s = DataSources.embeddedFashionMnist();
        train = Datasets.head(s.train(), 48);
        test = Datasets.head(s.test(), 16);
    }

    /** A tiny model and run: 2 epochs × 3 batches of 16 at 8→12 px with every random component on. */
    private static TrainConfig tiny() {
        return TrainConfig.builder("tf_efficientnetv2_b0").widthMult(0.25).depthMult(0.1).inChannels(1).numClasses(10)
                .dropPath(0.2).epochs(2).batchSize(16)
                .schedule(ProgressiveSchedule.linear("t", 2, new Range(8, 12), new Range(0.1, 0.3), new Range(2, 6), new Range(0, 0.2)))
                .optimizer(OptimizerKind.RMSPROP_TF).lr(0.01).emaDecay(0.9).labelSmoothing(0.1).translate(0.125).workers(2).seed(7).build();
    }

    private static final class Losses implements TrainListener {
        final List<Double> values = new ArrayList<>();

        @Override
        public void step(int epoch, int batch, int batches, long globalStep, double loss, double lr, double meanLoss, double accuracy,
                         double imagesPerSecond) {
            values.add(loss);
        }
    }

    @Test
    void resumedRunEqualsUninterruptedRun(@TempDir Path dir) throws Exception {
        Losses full = new Losses();
        Trainer a = new Trainer(tiny(), train, test, dir.resolve("a"), full);
        TrainResult ra = a.run();
        assertEquals(6, full.values.size());
        assertEquals(2, ra.history().size());

        Losses first = new Losses();
        TrainResult stopped = new Trainer(tiny(), train, test, dir.resolve("b"), first).stopAfterSteps(4).run();
        assertTrue(stopped.stopped());
        assertEquals(4, first.values.size());
        Losses second = new Losses();
        Trainer b = Trainer.resume(dir.resolve("b"), train, test, second);
        TrainResult rb = b.run();
        assertEquals(2, second.values.size());
        List<Double> joined = new ArrayList<>(first.values);
        joined.addAll(second.values);
        // bit-exact: same data order, augmentation, dropout masks, optimizer and EMA state
        assertEquals(full.values, joined);
        assertArrayEquals(a.model().stateDict().get("head.classifier.weight").toFloatArray(),
                b.model().stateDict().get("head.classifier.weight").toFloatArray());
        assertArrayEquals(a.ema().model().stateDict().get("stem.bn.running_mean").toFloatArray(),
                b.ema().model().stateDict().get("stem.bn.running_mean").toFloatArray());
        assertEquals(ra.testAccuracy(), rb.testAccuracy());
        assertEquals(ra.history().get(1).trainLoss(), rb.history().get(1).trainLoss());
    }

    /**
     * With a checkpoint every 2 steps, a run that dies at step 5 (NaN injected) leaves the mid-epoch
     * checkpoint of step 4 (epoch 1, batch 1), and resuming from it reproduces the uninterrupted run.
     */
    @Test
    void periodicCheckpointsResumeMidEpoch(@TempDir Path dir) throws Exception {
        Losses full = new Losses();
        new Trainer(tiny(), train, test, dir.resolve("a"), full).run();

        Losses first = new Losses();
        Trainer dying = new Trainer(tiny(), train, test, dir.resolve("b"), first).checkpointEvery(2);
        dying.injectNanAtStep(4);
        assertThrows(TrainingDivergedException.class, dying::run);
        Checkpoint c = Checkpoints.read(dir.resolve("b").resolve(Checkpoints.LAST));
        assertEquals(1, c.state().epoch());
        assertEquals(1, c.state().batch());
        assertEquals(4, c.state().globalStep());

        Losses second = new Losses();
        Trainer.resume(dir.resolve("b"), train, test, second).run();
        List<Double> joined = new ArrayList<>(first.values.subList(0, 4));
        joined.addAll(second.values);
        assertEquals(full.values, joined);
        assertThrows(IllegalArgumentException.class, () -> dying.checkpointEvery(-1));
    }

    @Test
    void runFolderHasMetricsConfigPlotsAndCheckpoints(@TempDir Path dir) throws Exception {
        TrainResult r = new Trainer(tiny(), train, test, dir, null).run();
        for (String f : List.of("metrics.csv", "config.json", "loss.png", "accuracy.png", "lr.png", "image_size.png",
                Checkpoints.LAST, Checkpoints.BEST))
            assertTrue(Files.size(dir.resolve(f)) > 0, f);
        List<String> csv = Files.readAllLines(dir.resolve("metrics.csv"));
        assertEquals(3, csv.size());
        assertTrue(csv.get(2).startsWith("2,1,12,"), csv.get(2));
        TrainConfig back = TrainConfig.fromJson(Json.parseObject(Files.readString(dir.resolve("config.json"))));
        assertEquals(tiny(), back);
        Map<String, Object> older = Json.parseObject(Files.readString(dir.resolve("config.json")));
        older.remove("translate"); // configs written before --translate existed still load, without translation
        assertEquals(tiny().toBuilder().translate(0).build(), TrainConfig.fromJson(older));
        Checkpoint c = Checkpoints.read(dir.resolve(Checkpoints.LAST));
        assertEquals(2, c.state().epoch());
        assertEquals(6, c.state().globalStep());
        assertNotNull(c.ema());
        assertTrue(r.testAccuracy() >= 0 && r.testAccuracy() <= 1);
        assertEquals("ema", r.finalWeights());
        Map<String, Object> json = r.toJson();
        for (String k : List.of("test_accuracy", "wall_seconds", "images_per_second", "epochs", "out")) assertTrue(json.containsKey(k), k);
    }

    @Test
    void nanLossStopsAndKeepsTheLastGoodCheckpoint(@TempDir Path dir) throws Exception {
        Trainer t = new Trainer(tiny(), train, test, dir, null);
        t.injectNanAtStep(4);
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class, t::run);
        assertTrue(e.getMessage().contains("NaN"), e.getMessage());
        assertTrue(e.getMessage().contains("global step 4"), e.getMessage());
        assertTrue(e.getMessage().contains(dir.resolve(Checkpoints.LAST).toString()), e.getMessage());
        Checkpoint c = Checkpoints.read(dir.resolve(Checkpoints.LAST));
        assertEquals(1, c.state().epoch());
        assertEquals(3, c.state().globalStep());
        for (Tensor v : c.model().values())
            for (float f : v.toFloatArray()) assertTrue(Float.isFinite(f));
    }

    @Test
    void dropoutFollowsTheStage(@TempDir Path dir) throws Exception {
        List<Double> rates = new ArrayList<>();
        Trainer[] holder = new Trainer[1];
        holder[0] = new Trainer(tiny(), train, test, dir, new TrainListener() {
            @Override
            public void step(int epoch, int batch, int batches, long globalStep, double loss, double lr, double meanLoss,
                             double accuracy, double imagesPerSecond) {
                rates.add(holder[0].model().dropout().rate());
            }
        });
        holder[0].run();
        assertEquals(List.of(0.1, 0.1, 0.1, 0.3, 0.3, 0.3), rates);
    }

    @Test
    void fineTuneReplacesTheClassifierAndFreezes() {
        EfficientNet m = EfficientNet.create(tiny().modelSpec(), 1);
        EfficientNet f = FineTune.withNewClassifier(m, 3, 2);
        assertEquals(3, f.head().classifier().outFeatures());
        assertArrayEquals(m.stateDict().get("stem.conv.weight").toFloatArray(), f.stateDict().get("stem.conv.weight").toFloatArray());
        FineTune.freeze(f, 0);
        assertEquals(Set2.of("head.classifier.weight", "head.classifier.bias"), f.trainableParameters().keySet());
        f.train(true);
        assertFalse(f.stem().isTraining(), "frozen BN stays in eval mode");
        EfficientNet g = FineTune.withNewClassifier(m, 3, 2);
        FineTune.freeze(g, 1);
        int last = g.stageCount() - 1;
        assertTrue(g.trainableParameters().keySet().stream().anyMatch(k -> k.startsWith("stages." + last + ".")));
        assertFalse(g.trainableParameters().keySet().stream().anyMatch(k -> k.startsWith("stages.0.")));
        assertTrue(g.trainableParameters().containsKey("head.conv.weight"));
        assertThrows(IllegalArgumentException.class, () -> FineTune.freeze(g, 99));
    }

    private static final class Set2 {
        static java.util.Set<String> of(String... s) {
            return new java.util.LinkedHashSet<>(Arrays.asList(s));
        }
    }

    @Test
    void checkpointReadRejectsOtherFiles(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("x.safetensors");
        Files.writeString(f, "not a checkpoint");
        Exception e = assertThrows(java.io.IOException.class, () -> Checkpoints.read(f));
        assertTrue(e.getMessage().contains(f.toString()) || e.getMessage().contains("x.safetensors"), e.getMessage());
        assertFalse(Checkpoints.isCheckpoint(f));
    }
}
