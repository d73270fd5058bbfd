package dev.efficientnet.core.backend.cpu;

import dev.efficientnet.core.backend.Backend;
import dev.efficientnet.core.backend.ConvGeometry;
import dev.efficientnet.core.tensor.DType;
import dev.efficientnet.core.tensor.Tensor;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * Java backward pass of the NHWC depthwise convolution (gradients of the input and of the
 * {@code [kH,kW,C,1]} weights), for any stride, dilation and per-side padding.
 *
 * <p>Work is split over input rows {@code (n, ih)}. For each input row the gradient row is gathered
 * from the output rows {@code oh} that touch it; each kernel tap {@code (kh, kw)} then maps a
 * contiguous run of output columns onto a contiguous run of a "phase-split" input row (columns
 * reordered as {@code iw mod strideW} blocks, a no-op for stride 1). Every buffer in the inner
 * loop (gradient row, input row, output-gradient row copied to the matching offset, and the
 * weights tiled along the row) is indexed by the same {@code k}, which is the form the C2 JIT
 * vectorizes on Java 17 (a different offset per array blocks it). The shifted output-gradient rows
 * are cached per output row, since each serves several input rows. Weight gradients accumulate in
 * row-tiled buffers folded per channel at the end of each thread's share. float32 and float64 share
 * the same code shape.
 */
final class JavaDepthwiseBackward {
    private JavaDepthwiseBackward() {
    }

    /** Index math shared by the float32 and float64 kernels. */
    static final class Layout {
        final int n, h, w, c, oh, ow, kH, kW, sH, sW, dH, pT;
        /** Phase row length per input row: {@code strideW * ceil(W / strideW) * C}. */
        final int q, rowLen;
        /** Per kw: offset A of the phase row against the output-gradient row, first k, run length. */
        final int[] shift, kLo, len;

        Layout(Tensor x, Tensor gradOut, ConvGeometry g) {
            n = x.dim(0);
            h = x.dim(1);
            w = x.dim(2);
            c = x.dim(3);
            oh = gradOut.dim(1);
            ow = gradOut.dim(2);
            kH = g.kernelH();
            kW = g.kernelW();
            sH = g.strideH();
            sW = g.strideW();
            dH = g.dilationH();
            pT = g.padTop();
            q = (w + sW - 1) / sW;
            rowLen = sW * q * c;
            shift = new int[kW];
            kLo = new int[kW];
            len = new int[kW];
            for (int kw = 0; kw < kW; kw++) {
                int r = kw * g.dilationW() - g.padLeft();
                int p = Math.floorMod(r, sW);
                int qoff = Math.floorDiv(r, sW);
                int qp = p < w ? (w - p + sW - 1) / sW : 0;
                int owLo = Math.max(0, -qoff);
                int owHi = Math.min(ow, qp - qoff);
                shift[kw] = (p * q + qoff) * c;
                kLo[kw] = shift[kw] + owLo * c;
                len[kw] = Math.max(0, owHi - owLo) * c;
            }
        }

        /** Position of input column {@code iw} in a phase row. */
        int pos(int iw) {
            return ((iw % sW) * q + iw / sW) * c;
        }

        /** Output row fed by input row {@code ih} through kernel row {@code kh}, or -1. */
        int outRow(int ih, int kh) {
            int num = ih + pT - kh * dH;
            if (num < 0 || num % sH != 0) return -1;
            int o = num / sH;
            return o < oh ? o : -1;
        }

        int grainRows() {
            return Math.max(1, (1 << 16) / Math.max(1, w * c * kH * kW));
        }
    }

    /** Computes {@code gradX} and/or {@code gradW} (either may be null). */
    static void backward(Tensor x, Tensor w, Tensor gradOut, ConvGeometry g, Tensor gradX, Tensor gradW) {
        if (gradX == null && gradW == null) return;
        Layout l = new Layout(x, gradOut, g);
        double[] gw = gradW == null ? null : new double[l.kH * l.kW * l.c];
        if (l.n * l.h * l.c > 0) {
            NdStorage xs = CpuBackend.st(x);
            NdStorage ws = CpuBackend.st(w);
            NdStorage gs = CpuBackend.st(gradOut);
            NdStorage gxs = gradX == null ? null : CpuBackend.st(gradX);
            if (x.dtype() == DType.FLOAT64) {
                double[] wArr = new double[l.kH * l.kW * l.c];
                ws.flat.data().asNioDouble().get(0, wArr);
                runF64(l, xs.flat.data().asNioDouble(), wArr, gs.flat.data().asNioDouble(),
                        gxs == null ? null : gxs.flat.data().asNioDouble(), gw);
            } else {
                float[] wArr = new float[l.kH * l.kW * l.c];
                ws.flat.data().asNioFloat().get(0, wArr);
                runF32(l, xs.flat.data().asNioFloat(), wArr, gs.flat.data().asNioFloat(),
                        gxs == null ? null : gxs.flat.data().asNioFloat(), gw);
            }
        } else if (gradX != null) {
            Backend.current().fill(gradX, 0);
        }
        if (gradW != null) Backend.current().write(gradW.storage(), gw);
    }

    // ---- float --------------------------------------------------------------------------------

    private static final ThreadLocal<ScratchF32> SCRATCH_F32 = ThreadLocal.withInitial(ScratchF32::new);

    /** Growable per-thread rows: single rows by slot and row tables ({@code count x len}) by slot. */
    private static final class ScratchF32 {
        private float[][] single = new float[2][0];
        private float[][][] tables = new float[0][][];

        float[] row(int slot, int len) {
            if (single[slot].length < len) single[slot] = new float[len];
            return single[slot];
        }

        float[][] rows(int slot, int count, int len) {
            if (tables.length <= slot) tables = Arrays.copyOf(tables, slot + 1);
            float[][] t = tables[slot];
            if (t == null || t.length < count || t[0].length < len) {
                t = new float[Math.max(count, t == null ? 0 : t.length)][Math.max(len, t == null ? 0 : t[0].length)];
                tables[slot] = t;
            }
            return t;
        }
    }

    private static void runF32(Layout l, FloatBuffer xb, float[] wArr, FloatBuffer gb, FloatBuffer gxb, double[] gradW) {
        boolean needX = gxb != null;
        boolean needW = gradW != null;
        int taps = l.kH * l.kW;
        int c = l.c;
        int rowLen = l.rowLen;
        Parallel.range(l.n * l.h, l.grainRows(), (from, to) -> {
            // Per-thread scratch reused across calls (only grown), so a training step allocates
            // no heap garbage here; contents are reset below where they must start at zero.
            ScratchF32 sc = SCRATCH_F32.get();
            float[] xr = needW ? sc.row(0, rowLen) : null;
            float[] gx = needX ? sc.row(1, rowLen) : null;
            if (needW) Arrays.fill(xr, 0, rowLen, 0f);      // phase-row gaps must read as zero
            // Shifted copies of output-gradient rows, one per kw, cached per output row: each output
            // row serves several input rows. Rows needed together lie within kH*dH of each other, so
            // a direct-mapped table of that many slots never evicts one still in use.
            int slots = l.kH * l.dH;
            float[][][] cache = new float[slots][][];
            for (int i = 0; i < slots; i++) cache[i] = sc.rows(2 + i, l.kW, rowLen);
            int[] cachedKey = new int[slots];
            Arrays.fill(cachedKey, -1);
            float[][] wt = needX ? sc.rows(0, taps, rowLen) : null;
            float[][] gwt = needW ? sc.rows(1, taps, rowLen) : null;
            if (needW) for (int t = 0; t < taps; t++) Arrays.fill(gwt[t], 0, rowLen, 0f);
            if (needX)
                for (int t = 0; t < taps; t++)
                    for (int b = 0; b < rowLen; b += c) System.arraycopy(wArr, t * c, wt[t], b, c);
            for (int r = from; r < to; r++) {
                int n = r / l.h;
                int ih = r % l.h;
                int xBase = r * l.w * c;
                if (needW) loadRowF32(l, xb, xBase, xr);
                if (needX) Arrays.fill(gx, 0f);
                for (int kh = 0; kh < l.kH; kh++) {
                    int oh = l.outRow(ih, kh);
                    if (oh < 0) continue;
                    int key = n * l.oh + oh;
                    int slot = oh % slots;
                    float[][] shifted = cache[slot];
                    if (cachedKey[slot] != key) {
                        int gBase = key * l.ow * c;
                        for (int kw = 0; kw < l.kW; kw++)
                            if (l.len[kw] > 0) gb.get(gBase + l.kLo[kw] - l.shift[kw], shifted[kw], l.kLo[kw], l.len[kw]);
                        cachedKey[slot] = key;
                    }
                    for (int kw = 0; kw < l.kW; kw++) {
                        int len = l.len[kw];
                        if (len == 0) continue;
                        int k0 = l.kLo[kw];
                        float[] gs = shifted[kw];
                        int t = kh * l.kW + kw;
                        if (needX && needW) tapBothF32(gx, gwt[t], gs, wt[t], xr, k0, k0 + len);
                        else if (needX) tapF32(gx, gs, wt[t], k0, k0 + len);
                        else tapF32(gwt[t], gs, xr, k0, k0 + len);
                    }
                }
                if (needX) storeRowF32(l, gxb, xBase, gx);
            }
            if (needW) {
                double[] partial = new double[taps * c];
                for (int t = 0; t < taps; t++) {
                    float[] a = gwt[t];
                    for (int b = 0; b < rowLen; b += c)
                        for (int ch = 0; ch < c; ch++) partial[t * c + ch] += a[b + ch];
                }
                synchronized (gradW) {
                    for (int i = 0; i < partial.length; i++) gradW[i] += partial[i];
                }
            }
        });
    }

    /** {@code gx[k] += g[k] * w[k]; gw[k] += g[k] * x[k]} over {@code [lo, hi)}. */
    private static void tapBothF32(float[] gx, float[] gw, float[] g, float[] w, float[] x, int lo, int hi) {
        for (int k = lo; k < hi; k++) {
            float gv = g[k];
            gx[k] += gv * w[k];
            gw[k] += gv * x[k];
        }
    }

    /** {@code acc[k] += a[k] * b[k]} over {@code [lo, hi)}. */
    private static void tapF32(float[] acc, float[] a, float[] b, int lo, int hi) {
        for (int k = lo; k < hi; k++) acc[k] += a[k] * b[k];
    }

    private static void loadRowF32(Layout l, FloatBuffer src, int base, float[] row) {
        if (l.sW == 1) {
            src.get(base, row, 0, l.w * l.c);
        } else {
            for (int iw = 0; iw < l.w; iw++) src.get(base + iw * l.c, row, l.pos(iw), l.c);
        }
    }

    private static void storeRowF32(Layout l, FloatBuffer dst, int base, float[] row) {
        if (l.sW == 1) {
            dst.put(base, row, 0, l.w * l.c);
        } else {
            for (int iw = 0; iw < l.w; iw++) dst.put(base + iw * l.c, row, l.pos(iw), l.c);
        }
    }

    // ---- double --------------------------------------------------------------------------------

    private static void runF64(Layout l, DoubleBuffer xb, double[] wArr, DoubleBuffer gb, DoubleBuffer gxb, double[] gradW) {
        boolean needX = gxb != null;
        boolean needW = gradW != null;
        int taps = l.kH * l.kW;
        int c = l.c;
        int rowLen = l.rowLen;
        Parallel.range(l.n * l.h, l.grainRows(), (from, to) -> {
            double[] xr = needW ? new double[rowLen] : null;
            double[] gx = needX ? new double[rowLen] : null;
            // Shifted copies of output-gradient rows, one per kw, cached per output row: each output
            // row serves several input rows. Rows needed together lie within kH*dH of each other, so
            // a direct-mapped table of that many slots never evicts one still in use.
            int slots = l.kH * l.dH;
            double[][][] cache = new double[slots][][];
            int[] cachedKey = new int[slots];
            Arrays.fill(cachedKey, -1);
            double[][] wt = needX ? new double[taps][rowLen] : null;
            double[][] gwt = needW ? new double[taps][rowLen] : null;
            if (needX)
                for (int t = 0; t < taps; t++)
                    for (int b = 0; b < rowLen; b += c) System.arraycopy(wArr, t * c, wt[t], b, c);
            for (int r = from; r < to; r++) {
                int n = r / l.h;
                int ih = r % l.h;
                int xBase = r * l.w * c;
                if (needW) loadRowF64(l, xb, xBase, xr);
                if (needX) Arrays.fill(gx, 0.0);
                for (int kh = 0; kh < l.kH; kh++) {
                    int oh = l.outRow(ih, kh);
                    if (oh < 0) continue;
                    int key = n * l.oh + oh;
                    int slot = oh % slots;
                    double[][] shifted = cache[slot];
                    if (shifted == null) shifted = cache[slot] = new double[l.kW][rowLen];
                    if (cachedKey[slot] != key) {
                        int gBase = key * l.ow * c;
                        for (int kw = 0; kw < l.kW; kw++)
                            if (l.len[kw] > 0) gb.get(gBase + l.kLo[kw] - l.shift[kw], shifted[kw], l.kLo[kw], l.len[kw]);
                        cachedKey[slot] = key;
                    }
                    for (int kw = 0; kw < l.kW; kw++) {
                        int len = l.len[kw];
                        if (len == 0) continue;
                        int k0 = l.kLo[kw];
                        double[] gs = shifted[kw];
                        int t = kh * l.kW + kw;
                        if (needX && needW) tapBothF64(gx, gwt[t], gs, wt[t], xr, k0, k0 + len);
                        else if (needX) tapF64(gx, gs, wt[t], k0, k0 + len);
                        else tapF64(gwt[t], gs, xr, k0, k0 + len);
                    }
                }
                if (needX) storeRowF64(l, gxb, xBase, gx);
            }
            if (needW) {
                double[] partial = new double[taps * c];
                for (int t = 0; t < taps; t++) {
                    double[] a = gwt[t];
                    for (int b = 0; b < rowLen; b += c)
                        for (int ch = 0; ch < c; ch++) partial[t * c + ch] += a[b + ch];
                }
                synchronized (gradW) {
                    for (int i = 0; i < partial.length; i++) gradW[i] += partial[i];
                }
            }
        });
    }

    /** {@code gx[k] += g[k] * w[k]; gw[k] += g[k] * x[k]} over {@code [lo, hi)}. */
    private static void tapBothF64(double[] gx, double[] gw, double[] g, double[] w, double[] x, int lo, int hi) {
        for (int k = lo; k < hi; k++) {
            double gv = g[k];
            gx[k] += gv * w[k];
            gw[k] += gv * x[k];
        }
    }

    /** {@code acc[k] += a[k] * b[k]} over {@code [lo, hi)}. */
    private static void tapF64(double[] acc, double[] a, double[] b, int lo, int hi) {
        for (int k = lo; k < hi; k++) acc[k] += a[k] * b[k];
    }

    private static void loadRowF64(Layout l, DoubleBuffer src, int base, double[] row) {
        if (l.sW == 1) {
            src.get(base, row, 0, l.w * l.c);
        } else {
            for (int iw = 0; iw < l.w; iw++) src.get(base + iw * l.c, row, l.pos(iw), l.c);
        }
    }

    private static void storeRowF64(Layout l, DoubleBuffer dst, int base, double[] row) {
        if (l.sW == 1) {
            dst.put(base, row, 0, l.w * l.c);
        } else {
            for (int iw = 0; iw < l.w; iw++) dst.put(base + iw * l.c, row, l.pos(iw), l.c);
        }
    }
}
