package dev.efficientnet.train.data;

import dev.efficientnet.train.augment.Pipeline;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Data-parallel shards: together they are the unsharded batch, with the same augmentation. */
class DataLoaderShardTest {
    private static final Dataset DATA = new MemoryDataset(40, 10, 10, 1, 5);

    @Test
    void shardsConcatenateToTheFullBatch() throws Exception {
        Pipeline p = Pipeline.train(5, 12, 0, 0, 0.1).withRandomErasing(0.5); // per-example randomness, no batch mixing
        LoaderConfig cfg = LoaderConfig.train(7, 3).withThreads(0);
        try (DataLoader full = new DataLoader(DATA, cfg)) {
            for (int world : new int[]{2, 3}) {
                DataLoader[] shards = new DataLoader[world];
                for (int r = 0; r < world; r++) shards[r] = new DataLoader(DATA, cfg).shard(r, world);
                for (int b = 0; b < full.batchesPerEpoch(); b++) {
                    Batch all = full.buildBatch(1, 8, p, b);
                    float[] images = new float[0];
                    int[] labels = new int[0];
                    for (DataLoader s : shards) {
                        Batch part = s.buildBatch(1, 8, p, b);
                        images = concat(images, part.images());
                        int[] l = Arrays.copyOf(labels, labels.length + part.n());
                        System.arraycopy(part.labels(), 0, l, labels.length, part.n());
                        labels = l;
                    }
                    assertArrayEquals(all.labels(), labels, "world " + world + ", batch " + b);
                    assertArrayEquals(all.images(), images, "world " + world + ", batch " + b);
                    assertArrayEquals(all.softTargets(), concatSoft(shards, p, b), "world " + world + ", batch " + b);
                }
                for (DataLoader s : shards) s.close();
            }
            assertEquals(4, new DataLoader(DATA, cfg).shard(1, 2).buildBatch(0, 8, p, 0).n(), "7 = 3 + 4");
            assertThrows(IllegalArgumentException.class, () -> new DataLoader(DATA, cfg).shard(2, 2));
            assertThrows(IllegalArgumentException.class, () -> new DataLoader(DATA, cfg).shard(0, 8));
        }
    }

    private static float[] concatSoft(DataLoader[] shards, Pipeline p, int b) throws Exception {
        float[] out = null;
        for (DataLoader s : shards) {
            float[] t = s.buildBatch(1, 8, p, b).softTargets();
            if (t == null) return null;
            out = out == null ? t : concat(out, t);
        }
        return out;
    }

    private static float[] concat(float[] a, float[] b) {
        float[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
