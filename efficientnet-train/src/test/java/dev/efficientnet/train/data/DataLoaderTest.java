package dev.efficientnet.train.data;

import dev.efficientnet.train.augment.Pipeline;
import org.junit.jupiter.api.Test;

import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DataLoaderTest {
    private static final Dataset DATA = new MemoryDataset(37, 12, 10, 3, 5);

    private static Pipeline heavy() {
        return Pipeline.train(5, 12, 0.4, 1.0, 0.1).withRandomErasing(0.5);
    }

    private static List<Batch> run(LoaderConfig cfg, int epoch, int size, Pipeline p, int start) {
        List<Batch> out = new ArrayList<>();
        try (DataLoader loader = new DataLoader(DATA, cfg);
             DataLoader.BatchIterator it = loader.epoch(epoch, size, p, start)) {
            while (it.hasNext()) out.add(it.next());
        }
        return out;
    }

    private static void assertSameBatches(List<Batch> a, List<Batch> b) {
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i).index(), b.get(i).index());
            assertArrayEquals(a.get(i).labels(), b.get(i).labels());
            assertArrayEquals(a.get(i).images(), b.get(i).images(), "batch " + i);
            assertArrayEquals(a.get(i).softTargets(), b.get(i).softTargets());
        }
    }

    @Test
    void sameSeedSameBatchesAnyThreadCount() {
        LoaderConfig cfg = LoaderConfig.train(8, 42);
        List<Batch> sync = run(cfg.withThreads(0), 3, 16, heavy(), 0);
        assertEquals(4, sync.size()); // 37 / 8 with dropLast
        assertSameBatches(sync, run(cfg.withThreads(1).withPrefetch(1), 3, 16, heavy(), 0));
        assertSameBatches(sync, run(cfg.withThreads(2), 3, 16, heavy(), 0));
        assertSameBatches(sync, run(cfg.withThreads(4).withPrefetch(7), 3, 16, heavy(), 0));
        Batch b = sync.get(0);
        assertEquals(8, b.n());
        assertArrayEquals(new int[]{8, 3, 16, 16}, b.shape());
        assertEquals(8 * 3 * 16 * 16, b.images().length);
        assertEquals(8 * 5, b.softTargets().length);
        // another seed or epoch gives other batches
        assertFalse(Arrays.equals(sync.get(0).images(), run(cfg.withSeed(43).withThreads(0), 3, 16, heavy(), 0).get(0).images()));
        assertFalse(Arrays.equals(sync.get(0).images(), run(cfg.withThreads(0), 4, 16, heavy(), 0).get(0).images()));
    }

    @Test
    void resumeEqualsTailOfUninterruptedEpoch() {
        LoaderConfig cfg = LoaderConfig.train(5, 7).withThreads(2);
        List<Batch> full = run(cfg, 2, 12, heavy(), 0);
        assertEquals(7, full.size());
        for (int k : new int[]{1, 3, 6, 7}) assertSameBatches(full.subList(k, full.size()), run(cfg, 2, 12, heavy(), k));
    }

    @Test
    void shuffleIsAPermutationPerEpochAndEvalKeepsOrder() {
        try (DataLoader l = new DataLoader(DATA, LoaderConfig.train(4, 1))) {
            int[] o0 = l.order(0), o1 = l.order(1);
            assertFalse(Arrays.equals(o0, o1));
            assertArrayEquals(o0, l.order(0));
            int[] sorted = o0.clone();
            Arrays.sort(sorted);
            for (int i = 0; i < sorted.length; i++) assertEquals(i, sorted[i]);
        }
        List<Batch> eval = run(LoaderConfig.eval(10), 0, 8, Pipeline.eval(5), 0);
        assertEquals(4, eval.size());
        assertEquals(7, eval.get(3).n()); // last partial batch kept
        Set<Integer> labels = new HashSet<>();
        int pos = 0;
        for (Batch b : eval) {
            assertNull(b.softTargets()); // no mixing or smoothing
            for (int l : b.labels()) {
                assertEquals(pos % 5, l);
                labels.add(pos++);
            }
        }
        assertEquals(37, labels.size());
    }

    @Test
    void imageSizeFollowsTheEpochArgumentAndNormalizes() {
        Pipeline p = Pipeline.eval(5).withNormalization(new double[]{0.5}, new double[]{0.25});
        for (int size : new int[]{6, 10, 20}) {
            Batch b = run(LoaderConfig.eval(4).withThreads(1), 0, size, p, 0).get(0);
            assertEquals(size, b.height());
            assertEquals(size, b.width());
            for (float v : b.images()) assertTrue(v >= -2f - 1e-5f && v <= 2f + 1e-5f, "normalized range " + v);
        }
        // at the native size (12x10 -> 12x12 resize still happens since width differs); use 1 channel identity check
        Dataset gray = new MemoryDataset(3, 4, 4, 1, 2);
        try (DataLoader l = new DataLoader(gray, LoaderConfig.eval(3).withThreads(0))) {
            Batch b = l.epoch(0, 4, Pipeline.eval(2).withNormalization(new double[]{0.5}, new double[]{0.25})).next();
            float[] px = gray.get(1).pixels();
            for (int i = 0; i < 16; i++) assertEquals((px[i] - 0.5f) / 0.25f, b.images()[16 + i], 1e-5f);
        } catch (DataException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void workerExceptionReachesConsumerWithOriginalMessage() {
        Dataset bad = new MemoryDataset(20, 4, 4, 1, 2, 13);
        for (int threads : new int[]{0, 2}) {
            try (DataLoader l = new DataLoader(bad, LoaderConfig.eval(4).withThreads(threads))) {
                DataLoader.BatchIterator it = l.epoch(0, 4, Pipeline.eval(2));
                for (int i = 0; i < 3; i++) assertNotNull(it.next()); // batches 0..2 hold examples 0..11
                UncheckedIOException e = assertThrows(UncheckedIOException.class, it::next);
                assertInstanceOf(DataException.class, e.getCause());
                assertEquals("memory-13.png: simulated corrupt image", e.getMessage());
                assertFalse(it.hasNext());
            }
        }
    }

    @Test
    void closeStopsWorkersAndRejectsNewEpochs() throws Exception {
        Set<Thread> before = dataThreads();
        DataLoader l = new DataLoader(DATA, LoaderConfig.train(2, 3).withThreads(2).withPrefetch(8));
        DataLoader.BatchIterator it = l.epoch(0, 8, heavy(), 0);
        it.next();
        Set<Thread> mine = dataThreads();
        mine.removeAll(before);
        assertEquals(2, mine.size(), "the loader's worker threads run");
        it.close();
        assertFalse(it.hasNext());
        l.close();
        l.close();
        assertThrows(IllegalStateException.class, () -> l.epoch(1, 8, heavy(), 0));
        for (Thread t : mine) t.join(2000);
        for (Thread t : mine) assertFalse(t.isAlive(), t.getName());
    }

    private static Set<Thread> dataThreads() {
        Set<Thread> s = new HashSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet())
            if (t.isAlive() && t.getName().startsWith("efficientnet-data-")) s.add(t);
        return s;
    }

    @Test
    void badArguments() {
        try (DataLoader l = new DataLoader(DATA, LoaderConfig.train(8, 0).withThreads(0))) {
            assertThrows(IllegalArgumentException.class, () -> l.epoch(0, 8, heavy(), 5));
            assertThrows(IllegalArgumentException.class, () -> l.epoch(0, 0, heavy(), 0));
            assertFalse(l.epoch(0, 8, heavy(), 4).hasNext());
        }
        assertThrows(IllegalArgumentException.class, () -> LoaderConfig.train(0, 1));
        // labels beyond the pipeline's classes are reported
        try (DataLoader l = new DataLoader(DATA, LoaderConfig.eval(8).withThreads(0))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> l.epoch(0, 8, Pipeline.eval(3)).next());
            assertTrue(e.getMessage().contains("label 3"), e.getMessage());
        }
    }
}
