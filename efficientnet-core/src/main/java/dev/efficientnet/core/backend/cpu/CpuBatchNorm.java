package dev.efficientnet.core.backend.cpu;

import dev.efficientnet.core.backend.Backend;
import dev.efficientnet.core.backend.UnaryOp;
import dev.efficientnet.core.tensor.DType;
import dev.efficientnet.core.tensor.Tensor;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * Java batch-norm kernels over the last axis: {@code x} is viewed as {@code [M, C]} (M = N·H·W for
 * NHWC images). Rows are copied block by block from the off-heap buffer into per-thread heap arrays.
 * Per-channel vectors (scale, shift, mean, ...) are tiled to the block length, so every inner loop is
 * a flat loop over the block with all arrays indexed alike, the form C2 auto-vectorizes (JDK 17's
 * SuperWord does not vectorize {@code x[o + j] * s[j]}, where the two indices have different
 * offsets).
 *
 * <p>Reductions (statistics, dgamma, dbeta) split the rows into a fixed number of chunks that
 * depends only on the shape, not on the thread count, and add the chunk results in order, so
 * results are reproducible. Inside a chunk, sums are kept per position of the block; the float32
 * path folds them into double accumulators every {@link #FLOAT_BLOCKS} blocks, so no float sum has
 * more than that many terms. The statistics use sums shifted by the first row, which avoids the
 * cancellation of the naive sum-of-squares formula.
 */
final class CpuBatchNorm {
    /** Blocks summed in float before the partial sums are folded into the double accumulators. */
    private static final int FLOAT_BLOCKS = 64;
    /** Target number of elements of one row block copied to the heap. */
    private static final int BLOCK_ELEMS = 4096;
    /** Elements per reduction chunk (at least), and the most chunks a reduction is split into. */
    private static final int CHUNK_ELEMS = 1 << 16;
    private static final int MAX_CHUNKS = 16;

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private CpuBatchNorm() {
    }

    /** Per-thread reusable heap buffers (contents undefined on return). */
    private static final class Scratch {
        final float[][] f = new float[4][0];
        final double[][] d = new double[4][0];

        float[] f(int slot, int n) {
            if (f[slot].length < n) f[slot] = new float[n];
            return f[slot];
        }

        double[] d(int slot, int n) {
            if (d[slot].length < n) d[slot] = new double[n];
            return d[slot];
        }
    }

    /** Accumulates {@code 2C} sums over rows {@code [from, to)} into {@code acc}. */
    private interface ChunkReduction {
        void run(int from, int to, double[] acc);
    }

    private static boolean isDouble(Tensor t) {
        return t.dtype() == DType.FLOAT64;
    }

    private static FloatBuffer fb(Tensor t) {
        return CpuBackend.st(t).flat.data().asNioFloat();
    }

    private static DoubleBuffer db(Tensor t) {
        return CpuBackend.st(t).flat.data().asNioDouble();
    }

    private static double[] read(Tensor t) {
        return Backend.current().readDoubles(t.storage());
    }

    private static void write(Tensor t, double[] v) {
        Backend.current().write(t.storage(), v);
    }

    private static int channels(Tensor x) {
        return x.rank() == 0 ? 1 : x.dim(-1);
    }

    /** Rows per block: about {@link #BLOCK_ELEMS} elements, at least one row. */
    private static int blockRows(int c) {
        return Math.max(1, BLOCK_ELEMS / c);
    }

    /** {@code v} repeated {@code rows} times, as float. */
    private static float[] tileF(double[] v, int rows) {
        int c = v.length;
        float[] t = new float[rows * c];
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < c; j++) t[r * c + j] = (float) v[j];
        return t;
    }

    /** {@code v} repeated {@code rows} times. */
    private static double[] tileD(double[] v, int rows) {
        int c = v.length;
        double[] t = new double[rows * c];
        for (int r = 0; r < rows; r++) System.arraycopy(v, 0, t, r * c, c);
        return t;
    }

    /** Adds the per-position sums of a block tile into the per-channel accumulators. */
    private static void fold(float[] a1, float[] a2, int tileLen, int c, double[] acc) {
        for (int o = 0; o < tileLen; o += c) {
            for (int j = 0; j < c; j++) {
                acc[j] += a1[o + j];
                acc[c + j] += a2[o + j];
            }
        }
    }

    private static void fold(double[] a1, double[] a2, int tileLen, int c, double[] acc) {
        for (int o = 0; o < tileLen; o += c) {
            for (int j = 0; j < c; j++) {
                acc[j] += a1[o + j];
                acc[c + j] += a2[o + j];
            }
        }
    }

    /**
     * Runs {@code body} over the rows split into shape-determined chunks (in parallel) and returns
     * the {@code width} sums added up chunk by chunk in a fixed order.
     */
    private static double[] reduceRows(int m, int c, int width, ChunkReduction body) {
        long elems = (long) m * c;
        int chunks = (int) Math.max(1, Math.min(Math.min(MAX_CHUNKS, m), (elems + CHUNK_ELEMS - 1) / CHUNK_ELEMS));
        double[][] partial = new double[chunks][width];
        Parallel.range(chunks, 1, (a, b) -> {
            for (int k = a; k < b; k++) {
                int from = (int) ((long) m * k / chunks);
                int to = (int) ((long) m * (k + 1) / chunks);
                body.run(from, to, partial[k]);
            }
        });
        double[] total = partial[0];
        for (int k = 1; k < chunks; k++)
            for (int i = 0; i < width; i++) total[i] += partial[k][i];
        return total;
    }

    /** Splits rows over the cores for per-element (non-reducing) work. */
    private static void forRows(int m, int c, Parallel.RangeBody body) {
        int grainRows = Math.max(1, Parallel.GRAIN / Math.max(1, c));
        Parallel.range(m, grainRows, body);
    }

    // ---- statistics -----------------------------------------------------------------------------

    static void stats(Tensor x, Tensor mean, Tensor var) {
        int c = channels(x);
        if (c == 0) return;
        int m = (int) (x.numel() / c);
        if (m == 0) {
            Backend.current().fill(mean, Double.NaN);
            Backend.current().fill(var, Double.NaN);
            return;
        }
        int rb = blockRows(c);
        double[] shift = new double[c];
        double[] sums;
        if (isDouble(x)) {
            DoubleBuffer xb = db(x);
            xb.get(0, shift, 0, c);
            double[] shT = tileD(shift, rb);
            sums = reduceRows(m, c, 2 * c, (from, to, acc) -> statsDouble(xb, c, rb, from, to, shT, acc));
        } else {
            FloatBuffer xb = fb(x);
            float[] first = new float[c];
            xb.get(0, first, 0, c);
            for (int i = 0; i < c; i++) shift[i] = first[i];
            float[] shT = tileF(shift, rb);
            sums = reduceRows(m, c, 2 * c, (from, to, acc) -> statsFloat(xb, c, rb, from, to, shT, acc));
        }
        double[] mu = new double[c];
        double[] v = new double[c];
        for (int i = 0; i < c; i++) {
            double d = sums[i] / m;
            mu[i] = shift[i] + d;
            v[i] = Math.max(0, sums[c + i] / m - d * d);
        }
        write(mean, mu);
        write(var, v);
    }

    private static void statsFloat(FloatBuffer xb, int c, int rb, int from, int to, float[] shT, double[] acc) {
        Scratch s = SCRATCH.get();
        int tileLen = rb * c;
        float[] xs = s.f(0, tileLen);
        float[] a1 = s.f(2, tileLen);
        float[] a2 = s.f(3, tileLen);
        Arrays.fill(a1, 0, tileLen, 0f);
        Arrays.fill(a2, 0, tileLen, 0f);
        int blocks = 0;
        for (int r = from; r < to; r += rb) {
            int n = Math.min(rb, to - r) * c;
            xb.get(r * c, xs, 0, n);
            for (int i = 0; i < n; i++) {
                float d = xs[i] - shT[i];
                a1[i] += d;
                a2[i] += d * d;
            }
            if (++blocks == FLOAT_BLOCKS) {
                fold(a1, a2, tileLen, c, acc);
                Arrays.fill(a1, 0, tileLen, 0f);
                Arrays.fill(a2, 0, tileLen, 0f);
                blocks = 0;
            }
        }
        fold(a1, a2, tileLen, c, acc);
    }

    private static void statsDouble(DoubleBuffer xb, int c, int rb, int from, int to, double[] shT, double[] acc) {
        Scratch s = SCRATCH.get();
        int tileLen = rb * c;
        double[] xs = s.d(0, tileLen);
        double[] a1 = s.d(2, tileLen);
        double[] a2 = s.d(3, tileLen);
        Arrays.fill(a1, 0, tileLen, 0);
        Arrays.fill(a2, 0, tileLen, 0);
        for (int r = from; r < to; r += rb) {
            int n = Math.min(rb, to - r) * c;
            xb.get(r * c, xs, 0, n);
            for (int i = 0; i < n; i++) {
                double d = xs[i] - shT[i];
                a1[i] += d;
                a2[i] += d * d;
            }
        }
        fold(a1, a2, tileLen, c, acc);
    }

    // ---- apply ----------------------------------------------------------------------------------

    static void apply(Tensor x, Tensor mean, Tensor var, Tensor gamma, Tensor beta, double eps, Tensor out) {
        applyActivation(x, mean, var, gamma, beta, eps, null, out);
    }

    /** {@link #apply} followed by the activation {@code act} (null: none) in the same pass. */
    static void applyActivation(Tensor x, Tensor mean, Tensor var, Tensor gamma, Tensor beta, double eps,
                                UnaryOp act, Tensor out) {
        int c = channels(x);
        if (c == 0 || x.numel() == 0) return;
        int m = (int) (x.numel() / c);
        double[] mu = read(mean);
        double[] v = read(var);
        double[] g = gamma == null ? null : read(gamma);
        double[] b = beta == null ? null : read(beta);
        double[] scale = new double[c];
        double[] shift = new double[c];
        for (int i = 0; i < c; i++) {
            double inv = 1.0 / Math.sqrt(v[i] + eps);
            scale[i] = (g == null ? 1 : g[i]) * inv;
            shift[i] = (b == null ? 0 : b[i]) - mu[i] * scale[i];
        }
        scaleShift(x, out, c, m, scale, shift, act);
    }

    /** {@code out[r, j] = in[r, j] * scale[j] + shift[j]} ({@code out} may alias {@code in}). */
    private static void scaleShift(Tensor in, Tensor out, int c, int m, double[] scale, double[] shift) {
        scaleShift(in, out, c, m, scale, shift, null);
    }

    /** {@code out = act(in * scale + shift)} per channel; {@code act} null means none. */
    private static void scaleShift(Tensor in, Tensor out, int c, int m, double[] scale, double[] shift,
                                   UnaryOp act) {
        // with an activation, blocks fit the element-wise scratch, so it runs in place without copies
        int rb = act == null ? blockRows(c) : Math.max(1, CpuElementwise.CHUNK / c);
        if (isDouble(in)) {
            DoubleBuffer xb = db(in);
            DoubleBuffer ob = db(out);
            double[] scT = tileD(scale, rb);
            double[] shT = tileD(shift, rb);
            forRows(m, c, (from, to) -> {
                double[] xs = SCRATCH.get().d(0, rb * c);
                for (int r = from; r < to; r += rb) {
                    int n = Math.min(rb, to - r) * c;
                    xb.get(r * c, xs, 0, n);
                    for (int i = 0; i < n; i++) xs[i] = xs[i] * scT[i] + shT[i];
                    if (act != null) for (int i = 0; i < n; i++) xs[i] = CpuElementwise.apply(act, xs[i]);
                    ob.put(r * c, xs, 0, n);
                }
            });
        } else {
            FloatBuffer xb = fb(in);
            FloatBuffer ob = fb(out);
            float[] scT = tileF(scale, rb);
            float[] shT = tileF(shift, rb);
            forRows(m, c, (from, to) -> {
                Scratch s = SCRATCH.get();
                float[] xs = s.f(0, rb * c);
                float[] ys = act == null ? xs : s.f(1, rb * c);
                CpuElementwise.Scratch es = act == null ? null : CpuElementwise.scratch();
                for (int r = from; r < to; r += rb) {
                    int n = Math.min(rb, to - r) * c;
                    xb.get(r * c, xs, 0, n);
                    for (int i = 0; i < n; i++) xs[i] = xs[i] * scT[i] + shT[i];
                    if (act != null) activate(act, xs, ys, es, n);
                    ob.put(r * c, ys, 0, n);
                }
            });
        }
    }

    /** {@code y = act(x)} over a block longer than the element-wise scratch, chunk by chunk. */
    private static void activate(UnaryOp act, float[] x, float[] y,
                                 CpuElementwise.Scratch es, int n) {
        int chunk = CpuElementwise.CHUNK;
        if (n <= chunk) {
            CpuElementwise.unaryBlock(act, x, y, es, n);
            return;
        }
        for (int off = 0; off < n; off += chunk) {
            int len = Math.min(chunk, n - off);
            System.arraycopy(x, off, es.f0, 0, len);
            CpuElementwise.unaryBlock(act, es.f0, es.f1, es, len);
            System.arraycopy(es.f1, 0, y, off, len);
        }
    }

    // ---- backward -------------------------------------------------------------------------------

    /** Turns a block of {@code dy} into {@code dy * act'(x * scale + shift)} in place. */
    private static final class ActGrad {
        final UnaryOp op;
        final float[] scF, shF;
        final double[] scD, shD;

        ActGrad(UnaryOp op, double[] scale, double[] shift, int rows, boolean f64) {
            this.op = op;
            scD = f64 ? tileD(scale, rows) : null;
            shD = f64 ? tileD(shift, rows) : null;
            scF = f64 ? null : tileF(scale, rows);
            shF = f64 ? null : tileF(shift, rows);
        }

        void apply(float[] xs, float[] gs, int n) {
            CpuElementwise.Scratch es = CpuElementwise.scratch();
            int chunk = CpuElementwise.CHUNK;
            for (int off = 0; off < n; off += chunk) {
                int len = Math.min(chunk, n - off);
                float[] z = es.f0;
                for (int i = 0; i < len; i++) z[i] = xs[off + i] * scF[off + i] + shF[off + i];
                System.arraycopy(gs, off, es.f1, 0, len);
                CpuElementwise.gradBlock(op, z, null, es.f1, es, len);
                System.arraycopy(es.f1, 0, gs, off, len);
            }
        }

        void apply(double[] xs, double[] gs, int n) {
            for (int i = 0; i < n; i++) {
                double z = xs[i] * scD[i] + shD[i];
                gs[i] *= CpuElementwise.derivative(op, z, CpuElementwise.apply(op, z));
            }
        }
    }

    static void backward(Tensor x, Tensor mean, Tensor var, Tensor gamma, Tensor gradOut, double eps,
                         boolean batchStats, Tensor gradX, Tensor gradGamma, Tensor gradBeta) {
        backward(x, mean, var, gamma, null, gradOut, eps, batchStats, null, gradX, gradGamma, gradBeta);
    }

    /**
     * Backward of {@code act(batchNorm(x))}: the incoming {@code gradOut} is turned block by block
     * into {@code gradOut * act'(z)} with {@code z = x * scale + shift} recomputed on the fly, so
     * neither {@code z} nor its gradient is ever stored. {@code act} null is plain batch norm.
     */
    static void backward(Tensor x, Tensor mean, Tensor var, Tensor gamma, Tensor beta, Tensor gradOut, double eps,
                         boolean batchStats, UnaryOp act, Tensor gradX, Tensor gradGamma, Tensor gradBeta) {
        int c = channels(x);
        if (c == 0) return;
        int m = (int) (x.numel() / c);
        if (m == 0) {
            if (gradGamma != null) Backend.current().fill(gradGamma, 0);
            if (gradBeta != null) Backend.current().fill(gradBeta, 0);
            return;
        }
        double[] mu = read(mean);
        double[] v = read(var);
        double[] g = gamma == null ? null : read(gamma);
        double[] invStd = new double[c];
        double[] k = new double[c];          // gamma * invstd
        for (int i = 0; i < c; i++) {
            invStd[i] = 1.0 / Math.sqrt(v[i] + eps);
            k[i] = (g == null ? 1 : g[i]) * invStd[i];
        }
        boolean needSums = gradGamma != null || gradBeta != null || (batchStats && gradX != null) || act != null;
        ActGrad ag = null;
        if (act != null) {
            double[] b = beta == null ? null : read(beta);
            double[] shift = new double[c];
            for (int i = 0; i < c; i++) shift[i] = (b == null ? 0 : b[i]) - mu[i] * k[i];
            ag = new ActGrad(act, k, shift, blockRows(c), isDouble(x));
        }
        ActGrad agF = ag;
        if (!needSums) {
            if (gradX != null) scaleShift(gradOut, gradX, c, m, k, new double[c]);   // dx = dy * k
            return;
        }
        // Without batch statistics dx = dy * k does not depend on the sums, so it is written in the
        // same pass; with them it needs the sums first and takes a second pass. With an activation,
        // the first pass also parks dy * act'(z) in gradX, so the second pass reads it back instead
        // of recomputing the activation's derivative (one exp pass instead of two).
        boolean dxInFirstPass = !batchStats && gradX != null;
        boolean parkActGrad = batchStats && gradX != null && act != null;
        int rb = blockRows(c);
        double[] sums;                       // [sum(dy) | sum(dy * (x - mean))]
        if (isDouble(x)) {
            DoubleBuffer xb = db(x);
            DoubleBuffer gb = db(gradOut);
            DoubleBuffer dxb = dxInFirstPass || parkActGrad ? db(gradX) : null;
            double[] muT = tileD(mu, rb);
            double[] kT = parkActGrad ? null : tileD(k, rb);
            sums = reduceRows(m, c, 2 * c, (from, to, acc) -> gradSumsDouble(xb, gb, dxb, c, rb, from, to, muT, kT, acc, agF));
        } else {
            FloatBuffer xb = fb(x);
            FloatBuffer gb = fb(gradOut);
            FloatBuffer dxb = dxInFirstPass || parkActGrad ? fb(gradX) : null;
            float[] muT = tileF(mu, rb);
            float[] kT = parkActGrad ? null : tileF(k, rb);
            sums = reduceRows(m, c, 2 * c, (from, to, acc) -> gradSumsFloat(xb, gb, dxb, c, rb, from, to, muT, kT, acc, agF));
        }
        if (gradGamma != null) {
            double[] dg = new double[c];
            for (int i = 0; i < c; i++) dg[i] = sums[c + i] * invStd[i];
            write(gradGamma, dg);
        }
        if (gradBeta != null) write(gradBeta, Arrays.copyOf(sums, c));

        if (batchStats && gradX != null) {
            // dx = k/M * (M*dy - sum(dy) - xhat*sum(dy*xhat))
            //    = k*dy + b*(x - mean) + c0,  b = -k*invstd^2*sum(dy*(x-mean))/M,  c0 = -k*sum(dy)/M
            double[] bc = new double[c];
            double[] c0 = new double[c];
            for (int i = 0; i < c; i++) {
                bc[i] = -k[i] * invStd[i] * invStd[i] * sums[c + i] / m;
                c0[i] = -k[i] * sums[i] / m;
            }
            Tensor dyEff = parkActGrad ? gradX : gradOut;      // dy * act'(z), parked by the first pass
            ActGrad ag2 = parkActGrad ? null : agF;
            if (isDouble(x)) {
                DoubleBuffer xb = db(x);
                DoubleBuffer gb = db(dyEff);
                DoubleBuffer dxb = db(gradX);
                double[] muT = tileD(mu, rb);
                double[] kT = tileD(k, rb);
                double[] bT = tileD(bc, rb);
                double[] cT = tileD(c0, rb);
                forRows(m, c, (from, to) -> dxBatchDouble(xb, gb, dxb, c, rb, from, to, muT, kT, bT, cT, ag2));
            } else {
                FloatBuffer xb = fb(x);
                FloatBuffer gb = fb(dyEff);
                FloatBuffer dxb = fb(gradX);
                float[] muT = tileF(mu, rb);
                float[] kT = tileF(k, rb);
                float[] bT = tileF(bc, rb);
                float[] cT = tileF(c0, rb);
                forRows(m, c, (from, to) -> dxBatchFloat(xb, gb, dxb, c, rb, from, to, muT, kT, bT, cT, ag2));
            }
        }
    }

    /**
     * Sums dy and dy*(x-mean) per channel (dy after the activation's derivative, if any); when
     * {@code dxb} is given also writes dy * k there ({@code kT} null: dy itself).
     */
    private static void gradSumsFloat(FloatBuffer xb, FloatBuffer gb, FloatBuffer dxb, int c, int rb, int from, int to,
                                      float[] muT, float[] kT, double[] acc, ActGrad ag) {
        Scratch s = SCRATCH.get();
        int tileLen = rb * c;
        float[] xs = s.f(0, tileLen);
        float[] gs = s.f(1, tileLen);
        float[] a1 = s.f(2, tileLen);
        float[] a2 = s.f(3, tileLen);
        Arrays.fill(a1, 0, tileLen, 0f);
        Arrays.fill(a2, 0, tileLen, 0f);
        int blocks = 0;
        for (int r = from; r < to; r += rb) {
            int n = Math.min(rb, to - r) * c;
            xb.get(r * c, xs, 0, n);
            gb.get(r * c, gs, 0, n);
            if (ag != null) ag.apply(xs, gs, n);
            for (int i = 0; i < n; i++) {
                float gv = gs[i];
                a1[i] += gv;
                a2[i] += gv * (xs[i] - muT[i]);
            }
            if (dxb != null) {
                if (kT != null) for (int i = 0; i < n; i++) gs[i] *= kT[i];
                dxb.put(r * c, gs, 0, n);
            }
            if (++blocks == FLOAT_BLOCKS) {
                fold(a1, a2, tileLen, c, acc);
                Arrays.fill(a1, 0, tileLen, 0f);
                Arrays.fill(a2, 0, tileLen, 0f);
                blocks = 0;
            }
        }
        fold(a1, a2, tileLen, c, acc);
    }

    private static void gradSumsDouble(DoubleBuffer xb, DoubleBuffer gb, DoubleBuffer dxb, int c, int rb, int from, int to,
                                       double[] muT, double[] kT, double[] acc, ActGrad ag) {
        Scratch s = SCRATCH.get();
        int tileLen = rb * c;
        double[] xs = s.d(0, tileLen);
        double[] gs = s.d(1, tileLen);
        double[] a1 = s.d(2, tileLen);
        double[] a2 = s.d(3, tileLen);
        Arrays.fill(a1, 0, tileLen, 0);
        Arrays.fill(a2, 0, tileLen, 0);
        for (int r = from; r < to; r += rb) {
            int n = Math.min(rb, to - r) * c;
            xb.get(r * c, xs, 0, n);
            gb.get(r * c, gs, 0, n);
            if (ag != null) ag.apply(xs, gs, n);
            for (int i = 0; i < n; i++) {
                double gv = gs[i];
                a1[i] += gv;
                a2[i] += gv * (xs[i] - muT[i]);
            }
            if (dxb != null) {
                if (kT != null) for (int i = 0; i < n; i++) gs[i] *= kT[i];
                dxb.put(r * c, gs, 0, n);
            }
        }
        fold(a1, a2, tileLen, c, acc);
    }

    /** {@code dx = k*dy + b*(x - mean) + c0} per channel. */
    private static void dxBatchFloat(FloatBuffer xb, FloatBuffer gb, FloatBuffer dxb, int c, int rb, int from, int to,
                                     float[] muT, float[] kT, float[] bT, float[] cT, ActGrad ag) {
        Scratch s = SCRATCH.get();
        float[] xs = s.f(0, rb * c);
        float[] gs = s.f(1, rb * c);
        for (int r = from; r < to; r += rb) {
            int n = Math.min(rb, to - r) * c;
            xb.get(r * c, xs, 0, n);
            gb.get(r * c, gs, 0, n);
            if (ag != null) ag.apply(xs, gs, n);
            for (int i = 0; i < n; i++) gs[i] = kT[i] * gs[i] + bT[i] * (xs[i] - muT[i]) + cT[i];
            dxb.put(r * c, gs, 0, n);
        }
    }

    private static void dxBatchDouble(DoubleBuffer xb, DoubleBuffer gb, DoubleBuffer dxb, int c, int rb, int from, int to,
                                      double[] muT, double[] kT, double[] bT, double[] cT, ActGrad ag) {
        Scratch s = SCRATCH.get();
        double[] xs = s.d(0, rb * c);
        double[] gs = s.d(1, rb * c);
        for (int r = from; r < to; r += rb) {
            int n = Math.min(rb, to - r) * c;
            xb.get(r * c, xs, 0, n);
            gb.get(r * c, gs, 0, n);
            if (ag != null) ag.apply(xs, gs, n);
            for (int i = 0; i < n; i++) gs[i] = kT[i] * gs[i] + bT[i] * (xs[i] - muT[i]) + cT[i];
            dxb.put(r * c, gs, 0, n);
        }
    }
}
