package dev.efficientnet.train;

import dev.efficientnet.train.augment.Pipeline;
import dev.efficientnet.train.augment.RandAugment;
import dev.efficientnet.train.data.Batch;
import dev.efficientnet.train.data.DataLoader;
import dev.efficientnet.train.data.Dataset;
import dev.efficientnet.train.data.Datasets;
import dev.efficientnet.train.data.LoaderConfig;
import dev.efficientnet.train.progressive.Stage;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The trainer's view of the data: channel conversion to the model's input, one loader per batch
 * size, and the per-stage pipelines. Training: random resized crop (scale {@code cropScaleMin..1}),
 * optional horizontal flip, RandAugment ({@code randAugOps} ops at the stage's magnitude), optional
 * random erasing (RandAugment levels spread by {@code randAugMstd}), mixup at the stage's α and/or CutMix, label smoothing; evaluation: resize. Normalization:
 * ImageNet mean/std for RGB input, mean 0.5 / std 0.5 for grayscale.
 */
final class TrainData implements AutoCloseable {
    private static final double[] GRAY_MEAN = {0.5};
    private static final double[] GRAY_STD = {0.5};

    private final TrainConfig cfg;
    private final Dataset train;
    private final Dataset test;
    private final Map<Integer, DataLoader> trainLoaders = new HashMap<>();
    private final Map<Integer, DataLoader> testLoaders = new HashMap<>();
    private int shardIndex;
    private int shardCount = 1;

    TrainData(TrainConfig cfg, Dataset train, Dataset test) {
        this.cfg = cfg;
        if (train == null) throw new IllegalArgumentException("training data is required");
        this.train = convert(train, cfg.inChannels());
        this.test = test == null ? null : convert(test, cfg.inChannels());
    }

    static Dataset convert(Dataset d, int channels) {
        return channels == 3 ? Datasets.toRgb(d) : Datasets.toGray(d);
    }

    Dataset train() {
        return train;
    }

    Dataset test() {
        return test;
    }

    private DataLoader trainLoader(int batchSize) {
        return trainLoaders.computeIfAbsent(batchSize,
                b -> new DataLoader(train, LoaderConfig.train(b, cfg.seed()).withThreads(cfg.workers())).shard(shardIndex, shardCount));
    }

    /** Data-parallel: the training batches hold only this worker's shard (see {@link DataLoader#shard}). */
    void shard(int index, int count) {
        if (!trainLoaders.isEmpty()) throw new IllegalStateException("shard before the first batch");
        this.shardIndex = index;
        this.shardCount = count;
    }

    int trainBatches(int batchSize) {
        return trainLoader(batchSize).batchesPerEpoch();
    }

    Pipeline trainPipeline(Stage stage) {
        Pipeline p = Pipeline.train(cfg.numClasses())
                .withCropScale(cfg.cropScaleMin(), 1.0)
                .withTranslate(cfg.translate())
                .withHorizontalFlip(cfg.hflip() ? 0.5 : 0)
                .withRandomErasing(cfg.randomErasing())
                .withMixup(stage.mixupAlpha())
                .withCutmix(cfg.cutmixAlpha())
                .withSwitchProb(cfg.mixSwitchProb())
                .withLabelSmoothing(cfg.labelSmoothing());
        if (cfg.randAugOps() > 0 && stage.randAugMagnitude() > 0) {
            double mstd = cfg.randAugMstd() > 100 ? Double.POSITIVE_INFINITY : cfg.randAugMstd(); // timm: mstd > 100 = uniform
            p = p.withRandAugment(new RandAugment(cfg.randAugOps(), stage.randAugMagnitude(), mstd, 0.5, 0.5f,
                    List.of(RandAugment.Op.values())));
        }
        return normalized(p);
    }

    Pipeline evalPipeline() {
        return evalPipeline(cfg);
    }

    /** The test-time pipeline of a run with {@code cfg}: resize, the run's normalization. */
    static Pipeline evalPipeline(TrainConfig cfg) {
        Pipeline p = Pipeline.eval(cfg.numClasses());
        return cfg.inChannels() == 1 ? p.withNormalization(GRAY_MEAN, GRAY_STD) : p;
    }

    private Pipeline normalized(Pipeline p) {
        return cfg.inChannels() == 1 ? p.withNormalization(GRAY_MEAN, GRAY_STD) : p;
    }

    DataLoader.BatchIterator trainEpoch(int epoch, Stage stage, int batchSize, int startBatch) {
        return trainLoader(batchSize).epoch(epoch, stage.imageSize(), trainPipeline(stage), startBatch);
    }

    /** The test batches at {@code size} (one pass; close is handled by exhausting the iterator). */
    Iterable<Batch> testBatches(int size, int batchSize) {
        DataLoader loader = testLoaders.computeIfAbsent(batchSize,
                b -> new DataLoader(test, LoaderConfig.eval(b).withThreads(cfg.workers())));
        return () -> loader.epoch(0, size, evalPipeline());
    }

    /**
     * Shuffled training batches at {@code size} with the test-time preprocessing (resize) plus the
     * run's flips, epoch after epoch, for the FixRes step; epoch indices continue after the run's.
     */
    BatchStream fixresBatches(int size, int batchSize) {
        Pipeline p = normalized(Pipeline.eval(cfg.numClasses()).withHorizontalFlip(cfg.hflip() ? 0.5 : 0));
        DataLoader loader = trainLoader(batchSize);
        return new BatchStream(e -> loader.epoch(cfg.epochs() + e, size, p, 0));
    }

    /** Batches of consecutive epochs; closes the open epoch when closed. */
    static final class BatchStream implements java.util.Iterator<Batch>, AutoCloseable {
        private final java.util.function.IntFunction<DataLoader.BatchIterator> epochs;
        private DataLoader.BatchIterator current;
        private int epoch;

        BatchStream(java.util.function.IntFunction<DataLoader.BatchIterator> epochs) {
            this.epochs = epochs;
        }

        @Override
        public boolean hasNext() {
            if (current == null) current = epochs.apply(epoch++);
            if (current.hasNext()) return true;
            current.close();
            current = epochs.apply(epoch++);
            return current.hasNext();
        }

        @Override
        public Batch next() {
            if (!hasNext()) throw new java.util.NoSuchElementException();
            return current.next();
        }

        @Override
        public void close() {
            if (current != null) current.close();
            current = null;
        }
    }

    @Override
    public void close() {
        trainLoaders.values().forEach(DataLoader::close);
        testLoaders.values().forEach(DataLoader::close);
        trainLoaders.clear();
        testLoaders.clear();
    }
}
