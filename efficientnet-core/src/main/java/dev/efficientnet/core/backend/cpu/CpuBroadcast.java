package dev.efficientnet.core.backend.cpu;

import dev.efficientnet.core.backend.BinaryOp;
import dev.efficientnet.core.backend.ReduceOp;
import dev.efficientnet.core.tensor.Tensor;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * Java kernels for the broadcasting binary ops and reductions of an EfficientNet step (ND4J's custom
 * ops cost 50-300 us of fixed overhead per call, which dominates at batch 1, and are not faster at
 * batch 16):
 * <ul>
 *   <li>{@link #binary}: same-shape operands, and a "per-row" operand broadcast against
 *       {@code [A, ..., C]} with shape {@code [A or 1, 1, ..., 1, C]} (the SE gate
 *       {@code [N,1,1,C]}, a bias {@code [C]}); returns false for anything else;</li>
 *   <li>{@link #reduce}: sums and means over one contiguous run of axes (global average pooling
 *       over {@code [1, 2]}, bias gradients over the leading axes, row sums), accumulated in
 *       double per block.</li>
 * </ul>
 * Both copy blocks into per-thread heap arrays and tile the broadcast vector to the block length,
 * so the inner loops index every array alike (the form C2 vectorizes).
 */
final class CpuBroadcast {
    private static final int CHUNK = CpuElementwise.CHUNK;
    private static final ThreadLocal<Tiles> TILES = ThreadLocal.withInitial(Tiles::new);

    private CpuBroadcast() {
    }

    /** Per-thread growable block buffers. */
    private static final class Tiles {
        float[] fa = new float[0];
        float[] fb = new float[0];
        float[] ft = new float[0];
        double[] da = new double[0];
        double[] db = new double[0];
        double[] dt = new double[0];

        void ensure(int n, boolean f64) {
            if (f64) {
                if (da.length < n) {
                    da = new double[n];
                    db = new double[n];
                    dt = new double[n];
                }
            } else if (fa.length < n) {
                fa = new float[n];
                fb = new float[n];
                ft = new float[n];
            }
        }
    }

    // ---- binary ---------------------------------------------------------------------------------

    /** Runs {@code out = a op b} when the shapes fit a Java kernel; false means "not handled". */
    static boolean binary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        int[] as = a.shape();
        int[] bs = b.shape();
        int[] os = out.shape();
        boolean f64 = CpuElementwise.isDouble(CpuBackend.st(a));
        if (Arrays.equals(as, bs) && Arrays.equals(as, os)) {
            same(op, a, b, out, f64);
            return true;
        }
        if (Arrays.equals(as, os) && rowVector(bs, as)) {
            rows(op, a, b, out, false, f64);
            return true;
        }
        if (Arrays.equals(bs, os) && rowVector(as, bs)) {
            rows(op, b, a, out, true, f64);
            return true;
        }
        return false;
    }

    /**
     * True when {@code small}, aligned to the rank of {@code full}, is {@code [A or 1, 1, ..., 1, C]}
     * with {@code C} the last dim of {@code full} and {@code full} of rank at least 2.
     */
    static boolean rowVector(int[] small, int[] full) {
        int r = full.length;
        if (r < 2 || small.length > r || small.length == 0) return false;
        int[] s = new int[r];
        Arrays.fill(s, 1);
        System.arraycopy(small, 0, s, r - small.length, small.length);
        if (s[r - 1] != full[r - 1]) return false;
        if (s[0] != 1 && s[0] != full[0]) return false;
        for (int d = 1; d < r - 1; d++) if (s[d] != 1) return false;
        return true;
    }

    private static void same(BinaryOp op, Tensor a, Tensor b, Tensor out, boolean f64) {
        int n = (int) out.numel();
        if (n == 0) return;
        if (f64) {
            DoubleBuffer ab = CpuElementwise.db(CpuBackend.st(a));
            DoubleBuffer bb = CpuElementwise.db(CpuBackend.st(b));
            DoubleBuffer ob = CpuElementwise.db(CpuBackend.st(out));
            CpuElementwise.chunks(n, (lo, hi) -> {
                CpuElementwise.Scratch s = CpuElementwise.scratch();
                for (int off = lo; off < hi; off += CHUNK) {
                    int len = Math.min(CHUNK, hi - off);
                    ab.get(off, s.d0, 0, len);
                    bb.get(off, s.d1, 0, len);
                    applyD(op, s.d0, s.d1, len, false);
                    ob.put(off, s.d0, 0, len);
                }
            });
        } else {
            FloatBuffer ab = CpuElementwise.fb(CpuBackend.st(a));
            FloatBuffer bb = CpuElementwise.fb(CpuBackend.st(b));
            FloatBuffer ob = CpuElementwise.fb(CpuBackend.st(out));
            CpuElementwise.chunks(n, (lo, hi) -> {
                CpuElementwise.Scratch s = CpuElementwise.scratch();
                for (int off = lo; off < hi; off += CHUNK) {
                    int len = Math.min(CHUNK, hi - off);
                    ab.get(off, s.f0, 0, len);
                    bb.get(off, s.f1, 0, len);
                    applyF(op, s.f0, s.f1, len, false);
                    ob.put(off, s.f0, 0, len);
                }
            });
        }
    }

    /** {@code x[i] = x[i] op y[i]} ({@code swapped}: {@code y[i] op x[i]}). */
    private static void applyF(BinaryOp op, float[] x, float[] y, int len, boolean swapped) {
        switch (op) {
            case ADD -> {
                for (int i = 0; i < len; i++) x[i] += y[i];
            }
            case MUL -> {
                for (int i = 0; i < len; i++) x[i] *= y[i];
            }
            case SUB -> {
                if (swapped) for (int i = 0; i < len; i++) x[i] = y[i] - x[i];
                else for (int i = 0; i < len; i++) x[i] -= y[i];
            }
            case DIV -> {
                if (swapped) for (int i = 0; i < len; i++) x[i] = y[i] / x[i];
                else for (int i = 0; i < len; i++) x[i] /= y[i];
            }
        }
    }

    private static void applyD(BinaryOp op, double[] x, double[] y, int len, boolean swapped) {
        switch (op) {
            case ADD -> {
                for (int i = 0; i < len; i++) x[i] += y[i];
            }
            case MUL -> {
                for (int i = 0; i < len; i++) x[i] *= y[i];
            }
            case SUB -> {
                if (swapped) for (int i = 0; i < len; i++) x[i] = y[i] - x[i];
                else for (int i = 0; i < len; i++) x[i] -= y[i];
            }
            case DIV -> {
                if (swapped) for (int i = 0; i < len; i++) x[i] = y[i] / x[i];
                else for (int i = 0; i < len; i++) x[i] /= y[i];
            }
        }
    }

    /**
     * {@code out = full op vec} ({@code swapped}: {@code vec op full}) where {@code vec} holds one
     * row of C values per leading index (or one row for all).
     */
    private static void rows(BinaryOp op, Tensor full, Tensor vec, Tensor out, boolean swapped, boolean f64) {
        int[] fs = full.shape();
        int c = fs[fs.length - 1];
        int a0 = fs[0];
        long total = full.numel();
        if (total == 0) return;
        int m = (int) (total / c);                 // rows
        int rowsPerLead = m / a0;                  // rows per leading index
        boolean perLead = vec.numel() != c;        // [A,1,...,1,C] rather than one row
        int rb = Math.max(1, CHUNK / c);           // rows per block
        int grainRows = Math.max(1, Parallel.GRAIN / c);
        if (f64) {
            DoubleBuffer xb = CpuElementwise.db(CpuBackend.st(full));
            double[] v = readD(vec);
            DoubleBuffer ob = CpuElementwise.db(CpuBackend.st(out));
            Parallel.range(m, grainRows, (lo, hi) -> {
                Tiles t = TILES.get();
                t.ensure(rb * c, true);
                int tiledLead = -1;
                for (int r = lo; r < hi; ) {
                    int lead = perLead ? r / rowsPerLead : 0;
                    int end = perLead ? Math.min(hi, (lead + 1) * rowsPerLead) : hi;
                    int rows = Math.min(rb, end - r);
                    if (lead != tiledLead) {
                        for (int k = 0; k < rb; k++) System.arraycopy(v, lead * c, t.dt, k * c, c);
                        tiledLead = lead;
                    }
                    int len = rows * c;
                    xb.get(r * c, t.da, 0, len);
                    applyD(op, t.da, t.dt, len, swapped);
                    ob.put(r * c, t.da, 0, len);
                    r += rows;
                }
            });
        } else {
            FloatBuffer xb = CpuElementwise.fb(CpuBackend.st(full));
            float[] v = readF(vec);
            FloatBuffer ob = CpuElementwise.fb(CpuBackend.st(out));
            Parallel.range(m, grainRows, (lo, hi) -> {
                Tiles t = TILES.get();
                t.ensure(rb * c, false);
                int tiledLead = -1;
                for (int r = lo; r < hi; ) {
                    int lead = perLead ? r / rowsPerLead : 0;
                    int end = perLead ? Math.min(hi, (lead + 1) * rowsPerLead) : hi;
                    int rows = Math.min(rb, end - r);
                    if (lead != tiledLead) {
                        for (int k = 0; k < rb; k++) System.arraycopy(v, lead * c, t.ft, k * c, c);
                        tiledLead = lead;
                    }
                    int len = rows * c;
                    xb.get(r * c, t.fa, 0, len);
                    applyF(op, t.fa, t.ft, len, swapped);
                    ob.put(r * c, t.fa, 0, len);
                    r += rows;
                }
            });
        }
    }

    /**
     * {@code out = full * scale + shift} with both vectors per leading index ({@code [A,1,...,1,C]})
     * or one row for all; false (nothing done) for other shapes.
     */
    static boolean multiplyAdd(Tensor full, Tensor scale, Tensor shift, Tensor out) {
        int[] fs = full.shape();
        if (!Arrays.equals(fs, out.shape()) || !rowVector(scale.shape(), fs) || !rowVector(shift.shape(), fs)
                || scale.numel() != shift.numel()) return false;
        int c = fs[fs.length - 1];
        int a0 = fs[0];
        long total = full.numel();
        if (total == 0) return true;
        int m = (int) (total / c);
        int rowsPerLead = m / a0;
        boolean perLead = scale.numel() != c;
        int rb = Math.max(1, CHUNK / c);
        int grainRows = Math.max(1, Parallel.GRAIN / c);
        if (CpuElementwise.isDouble(CpuBackend.st(full))) {
            DoubleBuffer xb = CpuElementwise.db(CpuBackend.st(full));
            double[] sv = readD(scale);
            double[] tv = readD(shift);
            DoubleBuffer ob = CpuElementwise.db(CpuBackend.st(out));
            Parallel.range(m, grainRows, (lo, hi) -> {
                Tiles t = TILES.get();
                t.ensure(rb * c, true);
                int tiledLead = -1;
                for (int r = lo; r < hi; ) {
                    int lead = perLead ? r / rowsPerLead : 0;
                    int end = perLead ? Math.min(hi, (lead + 1) * rowsPerLead) : hi;
                    int rows = Math.min(rb, end - r);
                    if (lead != tiledLead) {
                        for (int k = 0; k < rb; k++) {
                            System.arraycopy(sv, lead * c, t.dt, k * c, c);
                            System.arraycopy(tv, lead * c, t.db, k * c, c);
                        }
                        tiledLead = lead;
                    }
                    int len = rows * c;
                    double[] a = t.da;
                    double[] s = t.dt;
                    double[] h = t.db;
                    xb.get(r * c, a, 0, len);
                    for (int i = 0; i < len; i++) a[i] = a[i] * s[i] + h[i];
                    ob.put(r * c, a, 0, len);
                    r += rows;
                }
            });
        } else {
            FloatBuffer xb = CpuElementwise.fb(CpuBackend.st(full));
            float[] sv = readF(scale);
            float[] tv = readF(shift);
            FloatBuffer ob = CpuElementwise.fb(CpuBackend.st(out));
            Parallel.range(m, grainRows, (lo, hi) -> {
                Tiles t = TILES.get();
                t.ensure(rb * c, false);
                int tiledLead = -1;
                for (int r = lo; r < hi; ) {
                    int lead = perLead ? r / rowsPerLead : 0;
                    int end = perLead ? Math.min(hi, (lead + 1) * rowsPerLead) : hi;
                    int rows = Math.min(rb, end - r);
                    if (lead != tiledLead) {
                        for (int k = 0; k < rb; k++) {
                            System.arraycopy(sv, lead * c, t.ft, k * c, c);
                            System.arraycopy(tv, lead * c, t.fb, k * c, c);
                        }
                        tiledLead = lead;
                    }
                    int len = rows * c;
                    float[] a = t.fa;
                    float[] s = t.ft;
                    float[] h = t.fb;
                    xb.get(r * c, a, 0, len);
                    for (int i = 0; i < len; i++) a[i] = a[i] * s[i] + h[i];
                    ob.put(r * c, a, 0, len);
                    r += rows;
                }
            });
        }
        return true;
    }

    private static float[] readF(Tensor t) {
        float[] v = new float[(int) t.numel()];
        CpuElementwise.fb(CpuBackend.st(t)).get(0, v);
        return v;
    }

    private static double[] readD(Tensor t) {
        double[] v = new double[(int) t.numel()];
        CpuElementwise.db(CpuBackend.st(t)).get(0, v);
        return v;
    }

    // ---- reductions -----------------------------------------------------------------------------

    /**
     * Sum or mean over {@code axes} when they form one contiguous run of axes (in any order); false
     * means "not handled". {@code x} is viewed as {@code [A, M, C]} with M the reduced extent.
     */
    static boolean reduce(ReduceOp op, Tensor x, int[] axes, Tensor out) {
        return reduceProduct(op, x, null, axes, out);
    }

    /**
     * Like {@link #reduce} but of the element-wise product {@code x * y} ({@code y} null: of
     * {@code x}), without materializing the product.
     */
    static boolean reduceProduct(ReduceOp op, Tensor x, Tensor y, int[] axes, Tensor out) {
        int r = x.rank();
        int[] ax = axes.clone();
        Arrays.sort(ax);
        for (int i = 1; i < ax.length; i++) if (ax[i] != ax[i - 1] + 1) return false;
        if (ax.length == 0 || ax[0] < 0 || ax[ax.length - 1] >= r) return false;
        int[] s = x.shape();
        long a = 1, m = 1, c = 1;
        for (int d = 0; d < ax[0]; d++) a *= s[d];
        for (int d = ax[0]; d <= ax[ax.length - 1]; d++) m *= s[d];
        for (int d = ax[ax.length - 1] + 1; d < r; d++) c *= s[d];
        if (a * m * c == 0 || a * c > Integer.MAX_VALUE) return false;
        boolean f64 = CpuElementwise.isDouble(CpuBackend.st(x));
        double[] sums = sumMiddle(x, y, (int) a, (int) m, (int) c, f64);
        if (op == ReduceOp.MEAN) for (int i = 0; i < sums.length; i++) sums[i] /= m;
        dev.efficientnet.core.backend.Backend.current().write(out.storage(), sums);
        return true;
    }

    /** {@code out[a, c] = sum_m x[a, m, c]}; work split into fixed chunks (reproducible sums). */
    private static double[] sumMiddle(Tensor x, Tensor y, int a, int m, int c, boolean f64) {
        int rb = Math.max(1, CHUNK / c);
        int rowsPerChunk = Math.max(rb, (int) Math.min(m, (1L << 16) / Math.max(1, c)));
        int chunksPerA = (m + rowsPerChunk - 1) / rowsPerChunk;
        int units = a * chunksPerA;
        double[][] partial = new double[units][];
        NdStorage st = CpuBackend.st(x);
        NdStorage st2 = y == null ? null : CpuBackend.st(y);
        Parallel.range(units, 1, (lo, hi) -> {
            Tiles t = TILES.get();
            t.ensure(rb * c, f64);
            for (int u = lo; u < hi; u++) {
                int ai = u / chunksPerA;
                int r0 = (u % chunksPerA) * rowsPerChunk;
                int r1 = Math.min(m, r0 + rowsPerChunk);
                long base = (long) ai * m * c;
                double[] acc = new double[c];
                int tile = rb * c;
                if (f64) {
                    DoubleBuffer buf = CpuElementwise.db(st);
                    DoubleBuffer buf2 = st2 == null ? null : CpuElementwise.db(st2);
                    double[] blk = t.da;
                    double[] blk2 = t.dt;
                    double[] sum = t.db;
                    Arrays.fill(sum, 0, tile, 0);
                    for (int rr = r0; rr < r1; rr += rb) {
                        int len = (Math.min(r1, rr + rb) - rr) * c;
                        buf.get((int) (base + (long) rr * c), blk, 0, len);
                        if (buf2 == null) {
                            for (int i = 0; i < len; i++) sum[i] += blk[i];
                        } else {
                            buf2.get((int) (base + (long) rr * c), blk2, 0, len);
                            for (int i = 0; i < len; i++) sum[i] += blk[i] * blk2[i];
                        }
                    }
                    for (int i = 0; i < tile; i++) acc[i % c] += sum[i];
                } else {
                    FloatBuffer buf = CpuElementwise.fb(st);
                    FloatBuffer buf2 = st2 == null ? null : CpuElementwise.fb(st2);
                    float[] blk = t.fa;
                    float[] blk2 = t.ft;
                    float[] sum = t.fb;
                    Arrays.fill(sum, 0, tile, 0f);
                    for (int rr = r0; rr < r1; rr += rb) {
                        int len = (Math.min(r1, rr + rb) - rr) * c;
                        buf.get((int) (base + (long) rr * c), blk, 0, len);
                        if (buf2 == null) {
                            for (int i = 0; i < len; i++) sum[i] += blk[i];
                        } else {
                            buf2.get((int) (base + (long) rr * c), blk2, 0, len);
                            for (int i = 0; i < len; i++) sum[i] += blk[i] * blk2[i];
                        }
                    }
                    for (int i = 0; i < tile; i++) acc[i % c] += sum[i];
                }
                partial[u] = acc;
            }
        });
        double[] out = new double[a * c];
        for (int u = 0; u < units; u++) {
            int ai = u / chunksPerA;
            double[] p = partial[u];
            for (int j = 0; j < c; j++) out[ai * c + j] += p[j];
        }
        return out;
    }
}
