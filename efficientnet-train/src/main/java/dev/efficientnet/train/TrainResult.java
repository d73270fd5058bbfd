package dev.efficientnet.train;

import dev.efficientnet.train.report.EpochMetrics;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The outcome of {@link Trainer#run()}.
 *
 * @param testAccuracy       final test accuracy of the run's final weights ({@link #finalWeights}) at the final training size
 * @param testLoss           final test loss of those weights
 * @param rawTestAccuracy    final test accuracy of the raw weights
 * @param emaTestAccuracy    final test accuracy of the EMA weights (NaN without EMA)
 * @param fixResAccuracy     test accuracy of the final weights at {@link #fixResSize} (NaN if not requested)
 * @param fixResSize         the FixRes evaluation size, or 0
 * @param finalWeights       "ema" when EMA is enabled, else "raw"
 * @param epochs             epochs completed
 * @param steps              optimizer steps done
 * @param wallSeconds        wall time of this invocation of run()
 * @param trainSeconds       time spent in training steps over the whole run (all invocations)
 * @param imagesPerSecond    training throughput over the whole run
 * @param stopped            true if the run stopped early at the step limit (resumable)
 * @param out                the run folder
 * @param lastCheckpoint     the latest checkpoint
 * @param bestCheckpoint     the checkpoint with the best test accuracy
 * @param plots              the PNG plots
 * @param history            per-epoch metrics
 * @param fixResTuned        the FixRes fine-tuning step's outcome, or null if it did not run
 */
public record TrainResult(double testAccuracy, double testLoss, double rawTestAccuracy, double emaTestAccuracy,
                          double fixResAccuracy, int fixResSize, String finalWeights, int epochs, long steps,
                          double wallSeconds, double trainSeconds, double imagesPerSecond, boolean stopped, Path out,
                          Path lastCheckpoint, Path bestCheckpoint, List<Path> plots, List<EpochMetrics> history,
                          FixRes.Result fixResTuned) {

    /** A JSON-ready summary (the CLI's {@code --json} object). */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("test_accuracy", r(testAccuracy));
        m.put("test_loss", r(testLoss));
        m.put("raw_test_accuracy", r(rawTestAccuracy));
        m.put("ema_test_accuracy", r(emaTestAccuracy));
        m.put("final_weights", finalWeights);
        if (fixResSize > 0) {
            m.put("fixres_size", fixResSize);
            m.put("fixres_accuracy", r(fixResAccuracy));
        }
        if (fixResTuned != null) {
            m.put("fixres_tuned_accuracy", r(fixResTuned.accuracyAfter()));
            m.put("fixres", fixResTuned.toJson());
        }
        m.put("epochs", epochs);
        m.put("steps", steps);
        m.put("wall_seconds", r(wallSeconds));
        m.put("train_seconds", r(trainSeconds));
        m.put("images_per_second", r(imagesPerSecond));
        m.put("stopped", stopped);
        m.put("out", out.toString());
        m.put("last_checkpoint", lastCheckpoint == null ? null : lastCheckpoint.toString());
        m.put("best_checkpoint", bestCheckpoint == null ? null : bestCheckpoint.toString());
        return m;
    }

    private static Object r(double v) {
        return Double.isFinite(v) ? Math.round(v * 1e4) / 1e4 : null;
    }
}
