package dev.efficientnet.train;

/**
 * Synchronous data parallelism for a {@link Trainer} (see {@link Trainer#dataParallel}): this
 * worker's rank among {@code worldSize} workers and a sum all-reduce over all of them.
 *
 * <p>With it, every worker trains on its shard of each global batch (slots
 * {@code [B*rank/W, B*(rank+1)/W)} of the batch of {@code B} examples the single-process run would
 * take, with the same per-example augmentation), and after the backward pass the gradients
 * (weighted by the shard sizes), the loss and the correct count are summed over the workers, so every
 * worker applies the same update: the gradient of the mean loss over the global batch. Batch-norm
 * statistics are each worker's own (as in PyTorch DDP). Only rank 0 evaluates and writes the run
 * folder (checkpoints, metrics, plots); every rank must call {@link #allReduceSum} in the same order
 * with the same lengths.
 */
public interface DataParallel {
    /** This worker's rank, in {@code [0, worldSize())}. */
    int rank();

    /** The number of workers. */
    int worldSize();

    /**
     * Replaces {@code data} by its element-wise sum over all workers; every worker gets the same
     * bits. Blocks until all workers have contributed.
     *
     * @throws java.io.UncheckedIOException if a worker cannot be reached (the run cannot go on)
     */
    void allReduceSum(float[] data);
}
