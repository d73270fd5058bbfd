package dev.efficientnet.train.reliability;

import dev.efficientnet.train.TrainConfig;
import dev.efficientnet.train.Trainer;
import dev.efficientnet.train.checkpoint.Checkpoints;
import dev.efficientnet.train.data.Dataset;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The child process of the SIGKILL test: trains {@link ReliabilityRuns#tinyConfig} in a run folder
 * with a checkpoint after every optimizer step, resuming from the folder's {@code last.safetensors}
 * when it exists, and prints {@code step N} after each checkpoint and {@code done} at the end.
 *
 * <p>Usage: {@code KillableTraining <runDir> <epochs> <batchSize> <examples>}.
 */
public final class KillableTraining {
    private KillableTraining() {
    }

    /** Runs (or continues) the training; see the class comment. */
    public static void main(String[] args) throws IOException {
        if (args.length != 4) throw new IllegalArgumentException("usage: KillableTraining <runDir> <epochs> <batchSize> <examples>");
        Path runDir = Path.of(args[0]);
        TrainConfig cfg = ReliabilityRuns.tinyConfig(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
        Dataset train = ReliabilityRuns.tinyData(Integer.parseInt(args[3]));
        long total = (long) cfg.epochs() * (train.size() / cfg.batchSize());
        Path last = runDir.resolve(Checkpoints.LAST);
        while (true) {
            long done = Files.exists(last) ? Checkpoints.read(last).state().globalStep() : 0;
            if (done >= total) break;
            Trainer t = Files.exists(last) ? Trainer.resume(runDir, train, null, null) : new Trainer(cfg, train, null, runDir, null);
            t.stopAfterSteps(done + 1).run();
            System.out.println("step " + (done + 1));
            System.out.flush();
        }
        System.out.println("done");
        System.out.flush();
    }
}
