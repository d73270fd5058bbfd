package dev.efficientnet.core.backend.cpu;

import dev.efficientnet.core.tensor.Tensor;

/**
 * {@code out[M,N] = x[M,K] · w[K,N] (+ bias[N])} in Java for products small enough that a native
 * GEMM call's fixed cost (thread wake-ups, argument checks: 100-200 us) exceeds the arithmetic: the
 * squeeze-excitation 1x1 convolutions (M = batch) above all. Row-major operands are copied to the
 * heap once; each output row is accumulated as {@code acc += x[m,k] * w[k,:]} (a vectorizable
 * AXPY over N), in the tensors' precision.
 */
final class CpuSmallGemm {
    /** Products with at most this many multiply-adds (and at most {@link #MAX_ROWS} rows) run here. */
    static final long MAX_MACS = 1L << 20;
    static final int MAX_ROWS = 64;

    private static final ThreadLocal<float[][]> F = ThreadLocal.withInitial(() -> new float[3][0]);
    private static final ThreadLocal<double[][]> D = ThreadLocal.withInitial(() -> new double[3][0]);

    private CpuSmallGemm() {
    }

    static boolean applies(int m, int k, int n) {
        return m <= MAX_ROWS && (long) m * k * n <= MAX_MACS;
    }

    private static float[] f(int slot, int len) {
        float[][] a = F.get();
        if (a[slot].length < len) a[slot] = new float[len];
        return a[slot];
    }

    private static double[] d(int slot, int len) {
        double[][] a = D.get();
        if (a[slot].length < len) a[slot] = new double[len];
        return a[slot];
    }

    /** {@code x} is viewed as {@code [m, k]}, {@code w} as {@code [k, n]}, {@code out} as {@code [m, n]}. */
    static void gemm(Tensor x, Tensor w, Tensor bias, Tensor out, int m, int k, int n) {
        NdStorage xs = CpuBackend.st(x), ws = CpuBackend.st(w), os = CpuBackend.st(out);
        if (CpuElementwise.isDouble(xs)) {
            double[] xa = d(0, m * k), wa = d(1, k * n), acc = d(2, n);
            CpuElementwise.db(xs).get(0, xa, 0, m * k);
            CpuElementwise.db(ws).get(0, wa, 0, k * n);
            double[] b = bias == null ? null : new double[n];
            if (b != null) CpuElementwise.db(CpuBackend.st(bias)).get(0, b, 0, n);
            java.nio.DoubleBuffer ob = CpuElementwise.db(os);
            for (int r = 0; r < m; r++) {
                if (b != null) System.arraycopy(b, 0, acc, 0, n);
                else java.util.Arrays.fill(acc, 0, n, 0);
                for (int kk = 0; kk < k; kk++) {
                    double xv = xa[r * k + kk];
                    int wo = kk * n;
                    for (int j = 0; j < n; j++) acc[j] += xv * wa[wo + j];
                }
                ob.put(r * n, acc, 0, n);
            }
        } else {
            float[] xa = f(0, m * k), wa = f(1, k * n), acc = f(2, n);
            CpuElementwise.fb(xs).get(0, xa, 0, m * k);
            CpuElementwise.fb(ws).get(0, wa, 0, k * n);
            float[] b = bias == null ? null : new float[n];
            if (b != null) CpuElementwise.fb(CpuBackend.st(bias)).get(0, b, 0, n);
            java.nio.FloatBuffer ob = CpuElementwise.fb(os);
            for (int r = 0; r < m; r++) {
                if (b != null) System.arraycopy(b, 0, acc, 0, n);
                else java.util.Arrays.fill(acc, 0, n, 0f);
                for (int kk = 0; kk < k; kk++) {
                    float xv = xa[r * k + kk];
                    int wo = kk * n;
                    for (int j = 0; j < n; j++) acc[j] += xv * wa[wo + j];
                }
                ob.put(r * n, acc, 0, n);
            }
        }
    }
}
