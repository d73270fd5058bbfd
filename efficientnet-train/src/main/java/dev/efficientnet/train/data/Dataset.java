package dev.efficientnet.train.data;

/**
 * A random-access collection of labelled images. Implementations must be safe for concurrent
 * {@link #get} calls (the {@link DataLoader} reads from several threads) and must return a fresh
 * pixel array on every call.
 */
public interface Dataset {
    /** Number of examples. */
    int size();

    /** Number of classes; every label is in {@code [0, numClasses())}. */
    int numClasses();

    /** Channels of every example (1 for grayscale, 3 for RGB). */
    int channels();

    /**
     * Example {@code index} (0-based).
     *
     * @throws DataException if its data cannot be read (the message names the file)
     * @throws IndexOutOfBoundsException if {@code index} is outside {@code [0, size())}
     */
    Example get(int index) throws DataException;

    /** A one-line human-readable description (source, size, classes, channels). */
    String describe();
}
