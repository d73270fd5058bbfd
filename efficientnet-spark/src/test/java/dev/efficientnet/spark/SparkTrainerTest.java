package dev.efficientnet.spark;

import dev.efficientnet.core.tensor.Tensor;
import dev.efficientnet.train.DataSources;
import dev.efficientnet.train.OptimizerKind;
import dev.efficientnet.train.TrainConfig;
import dev.efficientnet.train.Trainer;
import dev.efficientnet.train.checkpoint.Checkpoints;
import dev.efficientnet.train.data.Datasets;
import dev.efficientnet.train.progressive.ProgressiveSchedule;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Data-parallel training on the shared two-executor local cluster against the single-process
 * trainer: 2 workers × 4 examples and 1 process × 8 examples take the same 10 steps.
 */
class SparkTrainerTest {
    private static final int STEPS = 10;
    private static Map<String, Tensor> reference;
    private static Map<String, Tensor> initial;

    /** A tiny run: no dropout, no drop path, no mixup, BN frozen (see the test), SGD with momentum. */
    static TrainConfig config() {
        return TrainConfig.builder("tf_efficientnetv2_b0").widthMult(0.25).depthMult(0.1).inChannels(1).numClasses(10)
                .dropPath(0.0).epochs(2).batchSize(8).schedule(ProgressiveSchedule.none(12, 0, 2, 0))
                .optimizer(OptimizerKind.SGD).lr(0.05).emaDecay(0).labelSmoothing(0.1).translate(0.125).workers(1).seed(11).build();
    }

    /** 48 training examples (6 batches of 8 per epoch: the 10 steps cross an epoch end), 16 test ones. */
    static DataSources.Split data() throws Exception {
        DataSources.Split s = DataSources.embeddedFashionMnist();
        return new DataSources.Split(Datasets.head(s.train(), 48), Datasets.head(s.test(), 16), "embedded subset");
    }

    @BeforeAll
    static void singleProcess(@TempDir Path dir) throws Exception {
        DataSources.Split d = data();
        Trainer t = new Trainer(config(), d.train(), d.test(), dir.resolve("single"), null);
        initial = t.model().stateDict();
        Map<String, float[]> copy = new java.util.HashMap<>();
        initial.forEach((k, v) -> copy.put(k, v.toFloatArray()));
        SparkTrainer.freezeBatchNorm(t.model());
        t.stopAfterSteps(STEPS).run();
        reference = t.model().stateDict();
        initial = new java.util.HashMap<>();
        copy.forEach((k, v) -> initial.put(k, Tensor.of(v, reference.get(k).shape())));
    }

    /** Largest per-tensor max|a-b| / max|b| over the state dict. */
    static double maxRelative(Map<String, Tensor> a, Map<String, Tensor> b) {
        assertEquals(b.keySet(), a.keySet());
        double worst = 0;
        for (String k : b.keySet()) {
            float[] x = a.get(k).toFloatArray(), y = b.get(k).toFloatArray();
            double diff = 0, scale = 1e-12;
            for (int i = 0; i < y.length; i++) {
                diff = Math.max(diff, Math.abs(x[i] - y[i]));
                scale = Math.max(scale, Math.abs(y[i]));
            }
            worst = Math.max(worst, diff / scale);
        }
        return worst;
    }

    private static Map<String, Object> train(Path run, SparkTrainer.Builder b) throws Exception {
        SparkSession spark = TestCluster.session();
        return b.maxSteps(STEPS).freezeBatchNorm(true).build().run(spark.sparkContext()).json();
    }

    @Test
    void twoWorkersTakeTheSingleProcessSteps(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("run");
        Map<String, Object> r = train(run, SparkTrainer.builder(config(), SparkTrainerTest::data, run, 2));
        assertEquals(2, ((Number) r.get("workers")).intValue());
        assertEquals(STEPS, ((Number) r.get("steps")).intValue());
        assertEquals(1, ((Number) r.get("attempts")).intValue());
        assertEquals(STEPS, ((Number) r.get("allreduce_steps")).intValue());
        assertTrue(((Number) r.get("allreduce_bytes_per_step")).longValue() > 0);
        Map<String, Tensor> w = Checkpoints.read(run.resolve(Checkpoints.LAST)).model();
        double rel = maxRelative(w, reference);
        assertTrue(rel <= 1e-5, "2 workers x 4 vs 1 x 8 after 10 steps: max relative difference " + rel);
        assertTrue(maxRelative(initial, reference) > 1e-3, "the weights did not move");
        // rank 0 wrote the run folder as train does (an epoch ended after step 6)
        assertTrue(Files.isRegularFile(run.resolve(Trainer.METRICS_FILE)));
        assertTrue(Files.isRegularFile(run.resolve(Trainer.CONFIG_FILE)));
        assertTrue(Files.isRegularFile(run.resolve("loss.png")));
    }

    @Test
    void aFailedWorkerMakesSparkRetryFromTheLastCheckpoint(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("run");
        // worker 1 throws after step 7 of the first attempt; checkpoints every 2 steps: the retry resumes at step 6
        Map<String, Object> r = train(run, SparkTrainer.builder(config(), SparkTrainerTest::data, run, 2)
                .checkpointEvery(2).failOnceAt(1, 7));
        assertEquals(2, ((Number) r.get("attempts")).intValue(), "the stage ran once more");
        assertEquals(STEPS, ((Number) r.get("steps")).intValue());
        assertEquals(STEPS - 6, ((Number) r.get("allreduce_steps")).intValue(), "the second attempt resumed at step 6");
        double rel = maxRelative(Checkpoints.read(run.resolve(Checkpoints.LAST)).model(), reference);
        assertTrue(rel <= 1e-5, "after the retry: max relative difference " + rel);
    }
}
