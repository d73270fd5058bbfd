package dev.efficientnet.core.backend.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;

/** Splits index ranges of Java kernels over the cores (small ranges run inline). */
final class Parallel {
    /** Work items below this size run on the calling thread. */
    static final int GRAIN = 1 << 15;
    private static final int THREADS = Math.max(1, Runtime.getRuntime().availableProcessors());

    interface RangeBody {
        void run(int from, int to);
    }

    private Parallel() {
    }

    static void range(int n, RangeBody body) {
        range(n, GRAIN, body);
    }

    static void range(int n, int grain, RangeBody body) {
        if (n <= grain || THREADS == 1) {
            body.run(0, n);
            return;
        }
        int chunks = Math.min(THREADS, (n + grain - 1) / grain);
        ForkJoinPool.commonPool().invoke(new Split(body, 0, n, chunks));
    }

    private static final class Split extends RecursiveAction {
        private final RangeBody body;
        private final int from;
        private final int to;
        private final int chunks;

        Split(RangeBody body, int from, int to, int chunks) {
            this.body = body;
            this.from = from;
            this.to = to;
            this.chunks = chunks;
        }

        @Override
        protected void compute() {
            if (chunks <= 1) {
                body.run(from, to);
                return;
            }
            int half = chunks / 2;
            int mid = from + (int) ((long) (to - from) * half / chunks);
            invokeAll(new Split(body, from, mid, half), new Split(body, mid, to, chunks - half));
        }
    }
}
