package dev.efficientnet.spark;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RingAllReduceTest {
    /** W workers on threads of this JVM (loopback sockets); every worker must end with the same sum. */
    private static float[][] reduce(int world, float[][] inputs) throws Exception {
        List<RingAllReduce> rings = new ArrayList<>();
        List<String> addresses = new ArrayList<>();
        for (int r = 0; r < world; r++) {
            RingAllReduce ring = RingAllReduce.listen(r, world, 20_000);
            rings.add(ring);
            addresses.add("127.0.0.1:" + ring.port());
        }
        ExecutorService pool = Executors.newFixedThreadPool(world);
        try {
            List<Future<float[]>> out = new ArrayList<>();
            for (int r = 0; r < world; r++) {
                RingAllReduce ring = rings.get(r);
                float[] data = inputs[r].clone();
                out.add(pool.submit(() -> {
                    ring.connect(addresses);
                    ring.allReduceSum(data);
                    ring.allReduceSum(new float[0]); // an empty call keeps the ring in step
                    return data;
                }));
            }
            float[][] res = new float[world][];
            for (int r = 0; r < world; r++) res[r] = out.get(r).get(60, TimeUnit.SECONDS);
            return res;
        } finally {
            pool.shutdownNow();
            rings.forEach(RingAllReduce::close);
        }
    }

    @Test
    void everyWorkerGetsTheSameSum() throws Exception {
        for (int world : new int[]{1, 2, 3}) {
            for (int n : new int[]{1, 2, 5, 100_003}) {
                Random rnd = new Random(world * 31L + n);
                float[][] in = new float[world][n];
                double[] expect = new double[n];
                for (int r = 0; r < world; r++)
                    for (int i = 0; i < n; i++) {
                        in[r][i] = (float) rnd.nextGaussian();
                        expect[i] += in[r][i];
                    }
                float[][] out = reduce(world, in);
                for (int r = 1; r < world; r++) assertArrayEquals(out[0], out[r], "world " + world + ", n " + n + ": rank " + r + " differs");
                for (int i = 0; i < n; i++) assertEquals(expect[i], out[0][i], 1e-5, "world " + world + ", n " + n + ", element " + i);
            }
        }
    }

    @Test
    void aDeadNeighbourFailsTheCall() throws Exception {
        RingAllReduce a = RingAllReduce.listen(0, 2, 20_000);
        RingAllReduce b = RingAllReduce.listen(1, 2, 20_000);
        List<String> addresses = List.of("127.0.0.1:" + a.port(), "127.0.0.1:" + b.port());
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<?> other = pool.submit(() -> b.connect(addresses));
            a.connect(addresses);
            other.get(30, TimeUnit.SECONDS);
            b.close();
            assertThrows(java.io.UncheckedIOException.class, () -> a.allReduceSum(new float[1000]));
        } finally {
            pool.shutdownNow();
            a.close();
        }
    }
}
