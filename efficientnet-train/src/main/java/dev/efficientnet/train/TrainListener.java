package dev.efficientnet.train;

import dev.efficientnet.models.EfficientNet;
import dev.efficientnet.train.progressive.Stage;
import dev.efficientnet.train.report.EpochMetrics;

import java.nio.file.Path;

/** Callbacks of a {@link Trainer} (all on the training thread; every method has an empty default). */
public interface TrainListener {
    /** Before the first step (also after a resume, with the epoch and global step it resumes at). */
    default void runStarted(TrainConfig config, EfficientNet model, int trainExamples, int testExamples, int startEpoch,
                            long startStep) {
    }

    /** At the start of every epoch. */
    default void epochStarted(int epoch, int totalEpochs, int batches, Stage stage, int batchSize) {
    }

    /**
     * After every optimizer step.
     *
     * @param epoch           0-based epoch
     * @param batch           0-based batch index within the epoch
     * @param batches         batches in the epoch
     * @param globalStep      optimizer steps done so far (including this one)
     * @param loss            this step's loss
     * @param lr              this step's learning rate
     * @param meanLoss        mean loss of the epoch so far
     * @param accuracy        training accuracy of the epoch so far
     * @param imagesPerSecond training throughput of the epoch so far
     */
    default void step(int epoch, int batch, int batches, long globalStep, double loss, double lr, double meanLoss,
                      double accuracy, double imagesPerSecond) {
    }

    /** Before an evaluation pass ({@code what} is e.g. "test", "test (EMA)"). */
    default void evaluating(String what, int imageSize) {
    }

    /** After every epoch with its metrics. */
    default void epochFinished(EpochMetrics metrics, int totalEpochs) {
    }

    /** After a checkpoint was written. */
    default void checkpointSaved(Path file) {
    }

    /** After the run (not called when it fails). */
    default void runFinished(TrainResult result) {
    }
}
