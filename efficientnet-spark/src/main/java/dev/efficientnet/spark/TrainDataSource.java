package dev.efficientnet.spark;

import dev.efficientnet.train.DataSources;

import java.io.Serializable;
import java.nio.file.Path;

/**
 * How each training worker opens the data: a serializable recipe run on the executor (every worker
 * opens the whole training set and reads only its shard of each batch).
 */
@FunctionalInterface
public interface TrainDataSource extends Serializable {
    /** The training and test data. */
    DataSources.Split open() throws Exception;

    /**
     * {@link DataSources#open} of {@code path} (IDX folder, image folder or CSV), which every executor
     * must be able to read under that path (a shared file system).
     */
    static TrainDataSource path(String path, int channels, long seed) {
        return new PathSource(path, channels, seed);
    }

    /** The data at a path. */
    record PathSource(String path, int channels, long seed) implements TrainDataSource {
        @Override
        public DataSources.Split open() throws Exception {
            return DataSources.open(Path.of(path), channels, seed);
        }
    }
}
