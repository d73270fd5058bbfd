package dev.efficientnet.train.data;

import dev.efficientnet.core.tensor.Rng;
import dev.efficientnet.train.augment.Pipeline;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Builds batches from a {@link Dataset} through a {@link Pipeline} on background threads.
 *
 * <p><b>Reproducibility.</b> The order of epoch {@code e} is a permutation derived only from
 * {@code (seed, e)} (identity without shuffle). Example randomness uses an {@link Rng} seeded from
 * {@code (seed, e, dataset index)} and batch randomness (Mixup/CutMix) one seeded from
 * {@code (seed, e, batch index)}, so batches are bit-identical for any number of threads, any
 * prefetch depth, and when an epoch is resumed at a batch index.
 *
 * <p><b>Threads.</b> Each batch is built entirely by one worker; at most {@code prefetch} batches
 * are in flight (a bounded queue), handed out in order. A failure while building a batch is thrown
 * from {@link Iterator#next()} of that batch: a {@link DataException} as an
 * {@link UncheckedIOException} with the same message (the DataException as its cause), runtime
 * exceptions and errors unchanged. {@link BatchIterator#close()} cancels an epoch's outstanding
 * work; {@link #close()} stops the worker threads.
 */
public final class DataLoader implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DataLoader.class);
    private static final AtomicInteger POOL_IDS = new AtomicInteger();
    private static final long BATCH_SALT = 0xBA7C4L;
    private static final long ORDER_SALT = 0x0D3E5L;
    private static final long EXAMPLE_SALT = 0xE8A3L;

    private final Dataset data;
    private final LoaderConfig cfg;
    private final ExecutorService pool;
    private volatile boolean closed;
    private int shardIndex;
    private int shardCount = 1;

    /** A loader over {@code data}; starts {@code cfg.threads()} daemon worker threads. */
    public DataLoader(Dataset data, LoaderConfig cfg) {
        this.data = Objects.requireNonNull(data, "data");
        this.cfg = Objects.requireNonNull(cfg, "cfg");
        if (data.size() == 0) throw new IllegalArgumentException("dataset is empty: " + data.describe());
        if (cfg.threads() > 0) {
            int id = POOL_IDS.incrementAndGet();
            AtomicInteger n = new AtomicInteger();
            ThreadFactory tf = r -> {
                Thread t = new Thread(r, "efficientnet-data-" + id + "-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            };
            pool = Executors.newFixedThreadPool(cfg.threads(), tf);
        } else {
            pool = null;
        }
    }

    /**
     * Data-parallel sharding: from now on every batch holds only shard {@code index} of
     * {@code count} of the examples of the full batch (slots {@code [m*index/count, m*(index+1)/count)}
     * of its {@code m}), with the same per-example randomness, so the shards of all workers together
     * are the unsharded batch; batch-level mixing (Mixup/CutMix) happens inside each shard, seeded
     * from {@code (seed, epoch, batch, index)}. Returns this.
     */
    public DataLoader shard(int index, int count) {
        if (count < 1 || index < 0 || index >= count)
            throw new IllegalArgumentException("shard " + index + " of " + count + " is not a shard");
        if (count > cfg.batchSize())
            throw new IllegalArgumentException("batch size " + cfg.batchSize() + " is smaller than the " + count + " shards");
        this.shardIndex = index;
        this.shardCount = count;
        return this;
    }

    /** The dataset. */
    public Dataset dataset() {
        return data;
    }

    /** The settings. */
    public LoaderConfig config() {
        return cfg;
    }

    /** Batches per epoch: {@code floor(size / batchSize)} with dropLast, else the ceiling. */
    public int batchesPerEpoch() {
        int n = data.size(), b = cfg.batchSize();
        return cfg.dropLast() ? n / b : (n + b - 1) / b;
    }

    /** Examples per epoch (those in {@link #batchesPerEpoch()} batches). */
    public int examplesPerEpoch() {
        return cfg.dropLast() ? batchesPerEpoch() * cfg.batchSize() : data.size();
    }

    /** The dataset indices in the order of epoch {@code epoch}. */
    public int[] order(int epoch) {
        int n = data.size();
        if (!cfg.shuffle()) {
            int[] p = new int[n];
            for (int i = 0; i < n; i++) p[i] = i;
            return p;
        }
        return Datasets.permutation(n, new SplittableRandom(Seeds.derive(cfg.seed(), ORDER_SALT, epoch)));
    }

    /**
     * The batches of epoch {@code epoch} from batch {@code startBatch} on, images resized to
     * {@code imageSize x imageSize}, transformed by {@code pipeline}. Close the iterator when
     * abandoning an epoch early (try-with-resources).
     *
     * @param startBatch first batch index to produce, in {@code [0, batchesPerEpoch()]} (resume)
     */
    public BatchIterator epoch(int epoch, int imageSize, Pipeline pipeline, int startBatch) {
        Objects.requireNonNull(pipeline, "pipeline");
        if (closed) throw new IllegalStateException("DataLoader is closed");
        if (epoch < 0) throw new IllegalArgumentException("epoch must be >= 0, got " + epoch);
        if (imageSize < 1) throw new IllegalArgumentException("imageSize must be >= 1, got " + imageSize);
        int total = batchesPerEpoch();
        if (startBatch < 0 || startBatch > total)
            throw new IllegalArgumentException("startBatch must be in [0, " + total + "], got " + startBatch);
        return new BatchIterator(epoch, imageSize, pipeline, startBatch, total, order(epoch));
    }

    /** The whole of epoch {@code epoch}. */
    public BatchIterator epoch(int epoch, int imageSize, Pipeline pipeline) {
        return epoch(epoch, imageSize, pipeline, 0);
    }

    /**
     * Builds batch {@code batchIndex} of an epoch on the calling thread (what the workers run).
     *
     * @throws DataException if an example cannot be read
     */
    public Batch buildBatch(int epoch, int imageSize, Pipeline pipeline, int batchIndex) throws DataException {
        return build(order(epoch), epoch, imageSize, pipeline, batchIndex);
    }

    private Batch build(int[] order, int epoch, int size, Pipeline pipeline, int b) throws DataException {
        int bs = cfg.batchSize();
        int from = b * bs, to = Math.min(from + bs, order.length);
        if (shardCount > 1) {
            int all = to - from;
            to = from + (int) ((long) all * (shardIndex + 1) / shardCount);
            from = from + (int) ((long) all * shardIndex / shardCount);
        }
        int m = to - from;
        int c = data.channels();
        float[] images = new float[m * c * size * size];
        int[] labels = new int[m];
        for (int k = 0; k < m; k++) {
            int idx = order[from + k];
            Example e = data.get(idx);
            if (e.channels() != c)
                throw new DataException(data.describe(), "example " + idx + " has " + e.channels()
                        + " channels, the dataset declares " + c, null);
            Rng rng = new Rng(Seeds.derive(cfg.seed(), EXAMPLE_SALT, epoch, idx));
            Example t = pipeline.process(e, size, rng);
            pipeline.writeNormalized(t, images, k);
            labels[k] = t.label();
        }
        float[] soft = pipeline.mixBatch(images, m, c, size, size, labels,
                new Rng(shardCount > 1 ? Seeds.derive(cfg.seed(), BATCH_SALT, epoch, b, shardIndex)
                        : Seeds.derive(cfg.seed(), BATCH_SALT, epoch, b)));
        return new Batch(images, m, c, size, size, labels, soft, b);
    }

    /** Stops the worker threads (waiting briefly for running batches). Idempotent. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        if (pool != null) {
            pool.shutdownNow();
            try {
                if (!pool.awaitTermination(10, TimeUnit.SECONDS)) LOG.warn("data loader threads did not stop within 10 s");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The batches of one epoch, in order; prefetched in the background. */
    public final class BatchIterator implements Iterator<Batch>, AutoCloseable {
        private final int epoch;
        private final int size;
        private final Pipeline pipeline;
        private final int total;
        private final int[] order;
        private final ArrayDeque<Future<Batch>> pending = new ArrayDeque<>();
        private int nextToSubmit;
        private int nextToReturn;
        private boolean done;

        private BatchIterator(int epoch, int size, Pipeline pipeline, int start, int total, int[] order) {
            this.epoch = epoch;
            this.size = size;
            this.pipeline = pipeline;
            this.total = total;
            this.order = order;
            this.nextToSubmit = start;
            this.nextToReturn = start;
            fill();
        }

        /** Index of the batch the next {@link #next()} returns (equals the batches consumed so far). */
        public int nextBatchIndex() {
            return nextToReturn;
        }

        /** Batches in the whole epoch. */
        public int totalBatches() {
            return total;
        }

        private void fill() {
            if (pool == null || done) return;
            while (pending.size() < cfg.prefetch() && nextToSubmit < total) {
                int b = nextToSubmit++;
                pending.add(pool.submit(() -> build(order, epoch, size, pipeline, b)));
            }
        }

        @Override
        public boolean hasNext() {
            return !done && nextToReturn < total;
        }

        @Override
        public Batch next() {
            if (!hasNext()) throw new NoSuchElementException("epoch " + epoch + " has no more batches");
            if (closed) throw new IllegalStateException("DataLoader is closed");
            int b = nextToReturn;
            try {
                Batch batch;
                if (pool == null) {
                    batch = build(order, epoch, size, pipeline, b);
                    nextToSubmit = b + 1;
                } else {
                    Future<Batch> f = pending.poll();
                    batch = f.get();
                }
                nextToReturn++;
                fill();
                return batch;
            } catch (DataException e) {
                close();
                throw new UncheckedIOException(e.getMessage(), e);
            } catch (ExecutionException e) {
                close();
                Throwable cause = e.getCause();
                if (cause instanceof DataException de) throw new UncheckedIOException(de.getMessage(), de);
                if (cause instanceof RuntimeException re) throw re;
                if (cause instanceof Error err) throw err;
                throw new IllegalStateException(String.valueOf(cause.getMessage()), cause);
            } catch (InterruptedException e) {
                close();
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for batch " + b + " of epoch " + epoch, e);
            } catch (CancellationException e) {
                close();
                throw new IllegalStateException("batch " + b + " of epoch " + epoch + " was cancelled (loader closed)", e);
            } catch (RuntimeException | Error e) {
                close();
                throw e;
            }
        }

        /** Cancels batches still being prefetched; the iterator ends. Idempotent. */
        @Override
        public void close() {
            done = true;
            for (Future<Batch> f : pending) f.cancel(true);
            pending.clear();
        }
    }
}
