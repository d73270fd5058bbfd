package dev.efficientnet.train.reliability;

import dev.efficientnet.core.tensor.MemoryScope;
import dev.efficientnet.core.tensor.Rng;
import dev.efficientnet.core.tensor.Tensor;
import dev.efficientnet.models.EfficientNet;
import dev.efficientnet.models.inference.Classifier;
import dev.efficientnet.models.spec.ModelSpec;
import dev.efficientnet.models.spec.Presets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Load test of the thread-safe inference entry point: {@code efficientnet.concurrency.threads} (default 8) threads share one
 * {@link Classifier} and send {@code efficientnet.concurrency.requests} (default 10,000) requests,
 * mixing the array and tensor entry points, batch sizes 1 and 2 and several image sizes; every
 * answer must be bit-identical to the single-threaded answer for the same input. Throughput is
 * reported.
 */
class ConcurrencyTest {
    static final int THREADS = Integer.getInteger("efficientnet.concurrency.threads", 8);
    private static final int[] SIZES = {12, 16, 20};

    @Test
    void eightThreadsGetTheSingleThreadedAnswers(TestReporter reporter) throws Exception {
        int requests = Integer.getInteger("efficientnet.concurrency.requests", 10_000);
        ModelSpec spec = Presets.get("efficientnet_b0").withWidthDepth(0.25, 0.1).withNumClasses(7);
        Classifier classifier = Classifier.of(EfficientNet.create(spec, 9));
        Rng rng = new Rng(17);
        int distinct = 24;
        float[][] inputs = new float[distinct][];
        int[] batch = new int[distinct];
        int[] size = new int[distinct];
        for (int i = 0; i < distinct; i++) {
            batch[i] = 1 + i % 2;
            size[i] = SIZES[i % SIZES.length];
            inputs[i] = new float[batch[i] * 3 * size[i] * size[i]];
            for (int j = 0; j < inputs[i].length; j++) inputs[i][j] = (float) (2 * rng.nextDouble() - 1);
        }
        // single-threaded reference
        float[][][] expected = new float[distinct][][];
        long t0 = System.nanoTime();
        for (int i = 0; i < distinct; i++) expected[i] = classifier.logits(inputs[i], batch[i], size[i], size[i]);
        double singleMs = (System.nanoTime() - t0) / 1e6 / distinct;

        AtomicInteger next = new AtomicInteger();
        AtomicInteger mismatches = new AtomicInteger();
        ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            Thread th = new Thread(() -> {
                try {
                    start.await();
                    for (int r; (r = next.getAndIncrement()) < requests; ) {
                        int i = (int) ((r * 2654435761L) % distinct);
                        float[][] got;
                        if (r % 3 == 0) {
                            try (MemoryScope s = MemoryScope.open()) {
                                got = classifier.logits(Tensor.of(inputs[i], batch[i], 3, size[i], size[i]));
                            }
                        } else {
                            got = classifier.logits(inputs[i], batch[i], size[i], size[i]);
                        }
                        if (!Arrays.deepEquals(got, expected[i])) {
                            mismatches.incrementAndGet();
                            if (problems.size() < 5) problems.add("request " + r + " (input " + i + "): " + Arrays.deepToString(got)
                                    + " != " + Arrays.deepToString(expected[i]));
                        }
                    }
                } catch (Throwable e) {
                    problems.add(Thread.currentThread().getName() + ": " + e);
                }
            }, "load-" + t);
            threads.add(th);
            th.start();
        }
        long t1 = System.nanoTime();
        start.countDown();
        for (Thread th : threads) th.join();
        double seconds = (System.nanoTime() - t1) / 1e9;
        String report = String.format(Locale.ROOT, "%d requests on %d threads in %.2f s: %.0f requests/s (single-threaded %.2f ms/request "
                        + "before warm-up), %d mismatches", requests, THREADS, seconds, requests / seconds, singleMs, mismatches.get());
        System.out.println("[ConcurrencyTest] " + report);
        reporter.publishEntry("concurrency", report);
        assertTrue(problems.isEmpty(), String.join("\n", problems));
        assertEquals(0, mismatches.get());
        assertTrue(next.get() >= requests);
    }
}
