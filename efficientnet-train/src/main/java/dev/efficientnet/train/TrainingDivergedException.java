package dev.efficientnet.train;

/** Thrown when the loss becomes NaN or infinite; the run stops and the last good checkpoint is kept. */
public final class TrainingDivergedException extends RuntimeException {
    /** With a message naming the step, the learning rate and the checkpoint that was kept. */
    public TrainingDivergedException(String message) {
        super(message);
    }
}
