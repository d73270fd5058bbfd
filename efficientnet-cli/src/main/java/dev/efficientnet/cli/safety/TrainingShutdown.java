package dev.efficientnet.cli.safety;

import dev.efficientnet.core.io.AtomicFiles;
import dev.efficientnet.train.Trainer;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * SIGTERM/SIGINT during a training run: a shutdown hook asks the trainer to stop at the next step
 * boundary with a resumable checkpoint and waits (up to a grace period) for the command to finish and
 * print its resume line. If the step or the checkpoint write does not finish in time the write is
 * abandoned ({@link AtomicFiles#abandonAll}: no new write starts, the unfinished temporary files are
 * removed) and the hook prints where the last good checkpoint is (atomic writes mean
 * {@code last.safetensors} is always the previous complete one).
 */
public final class TrainingShutdown implements AutoCloseable {
    /** Environment variable overriding the grace period in seconds (default {@value #DEFAULT_GRACE_SECONDS}). */
    public static final String GRACE_ENV = "EFFICIENTNET_STOP_GRACE_SECONDS";
    /** Default grace period: below the 10 s most process managers wait before SIGKILL. */
    public static final int DEFAULT_GRACE_SECONDS = 8;

    private final Trainer trainer;
    private final Path runDir;
    private final PrintWriter err;
    private final long graceMillis;
    private final CountDownLatch done = new CountDownLatch(1);
    private final Thread hook;
    private volatile boolean interrupted;

    private TrainingShutdown(Trainer trainer, Path runDir, PrintWriter err, long graceMillis) {
        this.trainer = trainer;
        this.runDir = runDir;
        this.err = err;
        this.graceMillis = graceMillis;
        this.hook = new Thread(this::onSignal, "efficientnet-train-shutdown");
    }

    /** Installs the hook for the run of {@code trainer} in {@code runDir}; close it when the command is done. */
    public static TrainingShutdown install(Trainer trainer, Path runDir, PrintWriter err) {
        TrainingShutdown s = new TrainingShutdown(trainer, runDir, err, graceSeconds() * 1000L);
        Runtime.getRuntime().addShutdownHook(s.hook);
        return s;
    }

    static long graceSeconds() {
        String v = System.getenv(GRACE_ENV);
        try {
            return v == null ? DEFAULT_GRACE_SECONDS : Math.max(0, Long.parseLong(v.trim()));
        } catch (NumberFormatException e) {
            return DEFAULT_GRACE_SECONDS;
        }
    }

    /** True once a signal arrived. */
    public boolean interrupted() {
        return interrupted;
    }

    /** What the hook does; package-private for tests. */
    void onSignal() {
        interrupted = true;
        err.println("efficientnet train: interrupted; stopping at the next step with a checkpoint (up to " + graceMillis / 1000 + " s)");
        err.flush();
        trainer.requestStop();
        boolean finished;
        try {
            finished = done.await(graceMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            finished = false;
        }
        if (!finished) abandon();
    }

    /** Removes unfinished temporary files and says where the last good checkpoint is. */
    void abandon() {
        List<Path> removed = new java.util.ArrayList<>(AtomicFiles.abandonAll());
        removed.addAll(RunFolder.removeTemps(runDir));
        Path last = runDir.resolve("last.safetensors");
        err.println("efficientnet train: interrupted before the next checkpoint was complete"
                + (removed.isEmpty() ? "" : " (removed " + removed.size() + " unfinished temporary file" + (removed.size() == 1 ? "" : "s") + ")")
                + "; " + (Files.isRegularFile(last)
                ? "the last good checkpoint is " + last + "; resume with: efficientnet train --resume " + runDir
                : "no checkpoint was written yet"));
        err.flush();
    }

    /** The command has finished (and printed its result): lets a pending hook return, removes the hook. */
    @Override
    public void close() {
        done.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook is running and returns now
        }
    }
}
