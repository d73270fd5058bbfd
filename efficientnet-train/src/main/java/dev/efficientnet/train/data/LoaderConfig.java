package dev.efficientnet.train.data;

/**
 * Settings of a {@link DataLoader}.
 *
 * @param batchSize examples per batch (at least 1)
 * @param shuffle   whether each epoch visits the examples in a permutation derived from (seed, epoch)
 * @param seed      seed of the order and of all augmentation randomness
 * @param dropLast  whether a final incomplete batch is dropped
 * @param threads   background worker threads (0: batches are built on the caller's thread)
 * @param prefetch  batches built ahead of the consumer (bounded queue; at least 1)
 */
public record LoaderConfig(int batchSize, boolean shuffle, long seed, boolean dropLast, int threads, int prefetch) {
    /** Validates the settings. */
    public LoaderConfig {
        if (batchSize < 1) throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
        if (threads < 0) throw new IllegalArgumentException("threads must be >= 0, got " + threads);
        if (prefetch < 1) throw new IllegalArgumentException("prefetch must be >= 1, got " + prefetch);
    }

    /** Training: shuffled, last incomplete batch dropped, 2 threads, 4 batches prefetched. */
    public static LoaderConfig train(int batchSize, long seed) {
        return new LoaderConfig(batchSize, true, seed, true, 2, 4);
    }

    /** Evaluation: dataset order, every example kept, 2 threads, 4 batches prefetched. */
    public static LoaderConfig eval(int batchSize) {
        return new LoaderConfig(batchSize, false, 0, false, 2, 4);
    }

    /** The same settings with {@code n} worker threads. */
    public LoaderConfig withThreads(int n) {
        return new LoaderConfig(batchSize, shuffle, seed, dropLast, n, prefetch);
    }

    /** The same settings with {@code n} batches prefetched. */
    public LoaderConfig withPrefetch(int n) {
        return new LoaderConfig(batchSize, shuffle, seed, dropLast, threads, n);
    }

    /** The same settings with another seed. */
    public LoaderConfig withSeed(long newSeed) {
        return new LoaderConfig(batchSize, shuffle, newSeed, dropLast, threads, prefetch);
    }

    /** The same settings with another batch size. */
    public LoaderConfig withBatchSize(int n) {
        return new LoaderConfig(n, shuffle, seed, dropLast, threads, prefetch);
    }

    /** The same settings with or without dropping the last incomplete batch. */
    public LoaderConfig withDropLast(boolean drop) {
        return new LoaderConfig(batchSize, shuffle, seed, drop, threads, prefetch);
    }
}
