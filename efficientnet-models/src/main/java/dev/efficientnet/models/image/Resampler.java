package dev.efficientnet.models.image;

/**
 * Separable resampling with PIL's algorithm ({@code libImaging/Resample.c}): for each output
 * coordinate {@code o} the source center is {@code (o + 0.5) * scale}; the filter is stretched by
 * {@code max(scale, 1)} (antialiasing when downscaling), the source window is rounded the same way
 * PIL rounds it and clipped to the image, and the weights are normalized to sum to one. The
 * horizontal pass runs first, then the vertical one; a pass whose size does not change is skipped.
 *
 * <p>A window of the output can be computed alone (used for resize-then-crop): every output pixel
 * depends only on its own coefficients, so the values equal the same pixels of the full resize.
 */
final class Resampler {
    /** PIL's fixed-point precision for 8-bit images: {@code 32 - 8 - 2}. */
    static final int PRECISION_BITS = 22;
    private static final int C = RgbImage.CHANNELS;

    private Resampler() {
    }

    /** Per-output-coordinate source window and weights along one axis. */
    static final class Coefficients {
        final int ksize;
        /** First source index of each output coordinate. */
        final int[] start;
        /** Number of source samples of each output coordinate. */
        final int[] count;
        /** {@code ksize} weights per output coordinate (normalized, zero past {@code count}). */
        final double[] weights;

        Coefficients(int ksize, int n) {
            this.ksize = ksize;
            this.start = new int[n];
            this.count = new int[n];
            this.weights = new double[n * ksize];
        }

        /** The weights as PIL's rounded 22-bit fixed-point integers. */
        int[] fixedPoint() {
            int[] k = new int[weights.length];
            double one = 1 << PRECISION_BITS;
            for (int i = 0; i < k.length; i++) {
                double w = weights[i];
                k[i] = w < 0 ? (int) (-0.5 + w * one) : (int) (0.5 + w * one);
            }
            return k;
        }
    }

    /**
     * Coefficients for output coordinates {@code from .. from + n - 1} of a resize of an axis from
     * {@code inSize} to {@code outSize} samples (PIL's {@code precompute_coeffs} with box 0..inSize).
     */
    static Coefficients coefficients(int inSize, int outSize, int from, int n, ImageInterpolation filter) {
        double scale = (double) inSize / outSize;
        double filterScale = Math.max(scale, 1.0);
        double support = filter.support() * filterScale;
        int ksize = (int) Math.ceil(support) * 2 + 1;
        Coefficients co = new Coefficients(ksize, n);
        double ss = 1.0 / filterScale;
        for (int i = 0; i < n; i++) {
            int o = from + i;
            double center = (o + 0.5) * scale;
            int xmin = (int) (center - support + 0.5);
            if (xmin < 0) xmin = 0;
            int xmax = (int) (center + support + 0.5);
            if (xmax > inSize) xmax = inSize;
            xmax -= xmin;
            int base = i * ksize;
            double sum = 0.0;
            for (int x = 0; x < xmax; x++) {
                double w = filter.weight((x + xmin - center + 0.5) * ss);
                co.weights[base + x] = w;
                sum += w;
            }
            if (sum != 0.0) {
                for (int x = 0; x < xmax; x++) co.weights[base + x] /= sum;
            }
            co.start[i] = xmin;
            co.count[i] = xmax;
        }
        return co;
    }

    /**
     * The window {@code [x0, x0 + w) x [y0, y0 + h)} of {@code src} resized to {@code outW x outH}.
     * The window must lie inside the output.
     */
    static RgbImage resample(RgbImage src, int outW, int outH, ImageInterpolation filter, ResamplePrecision precision,
                             int x0, int y0, int w, int h) {
        if (x0 < 0 || y0 < 0 || w < 1 || h < 1 || x0 + (long) w > outW || y0 + (long) h > outH)
            throw new IllegalArgumentException("window x0=" + x0 + " y0=" + y0 + " w=" + w + " h=" + h
                    + " is not inside the " + outW + "x" + outH + " output");
        int inW = src.width();
        int inH = src.height();
        boolean needH = outW != inW;
        boolean needV = outH != inH;
        Coefficients cx = needH ? coefficients(inW, outW, x0, w, filter) : null;
        Coefficients cy = needV ? coefficients(inH, outH, y0, h, filter) : null;
        // source rows the vertical pass reads
        int rowFirst = needV ? cy.start[0] : y0;
        int rowEnd = needV ? cy.start[h - 1] + cy.count[h - 1] : y0 + h;
        for (int i = 0; needV && i < h; i++) {
            rowFirst = Math.min(rowFirst, cy.start[i]);
            rowEnd = Math.max(rowEnd, cy.start[i] + cy.count[i]);
        }
        float[] out = new float[RgbImage.checkedLength(w, h)];
        if (precision == ResamplePrecision.UINT8) {
            int[] tmp = horizontalU8(src, cx, x0, w, rowFirst, rowEnd);
            verticalU8(tmp, w, rowFirst, cy, y0, h, out);
        } else {
            float[] tmp = horizontalF(src, cx, x0, w, rowFirst, rowEnd);
            verticalF(tmp, w, rowFirst, cy, y0, h, out);
        }
        return RgbImage.wrap(w, h, out);
    }

    /** Rounds (half up) and clips a sample to 0..255; NaN becomes 0. */
    static int toU8(float v) {
        return Math.max(0, Math.min(255, (int) (v + 0.5f)));
    }

    private static int clip8(int acc) {
        int v = acc >> PRECISION_BITS;
        return v < 0 ? 0 : Math.min(v, 255);
    }

    /** Horizontal pass over source rows [rowFirst, rowEnd) into a {@code (rows, w, 3)} 8-bit buffer. */
    private static int[] horizontalU8(RgbImage src, Coefficients cx, int x0, int w, int rowFirst, int rowEnd) {
        float[] in = src.raw();
        int inW = src.width();
        int rowLen = w * C;
        int[] tmp = new int[(rowEnd - rowFirst) * rowLen];
        int[] row = new int[inW * C];
        int[] kk = cx == null ? null : cx.fixedPoint();
        int half = 1 << (PRECISION_BITS - 1);
        // source columns the window reads
        int colFirst = x0, colEnd = x0 + w;
        if (cx != null) {
            colFirst = cx.start[0];
            colEnd = cx.start[w - 1] + cx.count[w - 1];
        }
        for (int r = rowFirst; r < rowEnd; r++) {
            int inBase = r * inW * C;
            for (int i = colFirst * C; i < colEnd * C; i++) row[i] = toU8(in[inBase + i]);
            int outBase = (r - rowFirst) * rowLen;
            if (cx == null) {
                System.arraycopy(row, x0 * C, tmp, outBase, rowLen);
                continue;
            }
            int ksize = cx.ksize;
            for (int o = 0; o < w; o++) {
                int start = cx.start[o] * C;
                int n = cx.count[o];
                int kb = o * ksize;
                int s0 = half, s1 = half, s2 = half;
                for (int x = 0; x < n; x++) {
                    int k = kk[kb + x];
                    int p = start + x * C;
                    s0 += row[p] * k;
                    s1 += row[p + 1] * k;
                    s2 += row[p + 2] * k;
                }
                int q = outBase + o * C;
                tmp[q] = clip8(s0);
                tmp[q + 1] = clip8(s1);
                tmp[q + 2] = clip8(s2);
            }
        }
        return tmp;
    }

    private static void verticalU8(int[] tmp, int w, int rowFirst, Coefficients cy, int y0, int h, float[] out) {
        int rowLen = w * C;
        if (cy == null) {
            for (int i = 0; i < h * rowLen; i++) out[i] = tmp[(y0 - rowFirst) * rowLen + i];
            return;
        }
        int[] kk = cy.fixedPoint();
        int half = 1 << (PRECISION_BITS - 1);
        int[] acc = new int[rowLen];
        for (int o = 0; o < h; o++) {
            java.util.Arrays.fill(acc, half);
            int kb = o * cy.ksize;
            int start = cy.start[o] - rowFirst;
            for (int y = 0; y < cy.count[o]; y++) {
                int k = kk[kb + y];
                int base = (start + y) * rowLen;
                for (int i = 0; i < rowLen; i++) acc[i] += tmp[base + i] * k;
            }
            int ob = o * rowLen;
            for (int i = 0; i < rowLen; i++) out[ob + i] = clip8(acc[i]);
        }
    }

    /** Float horizontal pass: double accumulation, float32 intermediate (PIL mode "F"). */
    private static float[] horizontalF(RgbImage src, Coefficients cx, int x0, int w, int rowFirst, int rowEnd) {
        float[] in = src.raw();
        int inW = src.width();
        int rowLen = w * C;
        float[] tmp = new float[(rowEnd - rowFirst) * rowLen];
        for (int r = rowFirst; r < rowEnd; r++) {
            int inBase = r * inW * C;
            int outBase = (r - rowFirst) * rowLen;
            if (cx == null) {
                System.arraycopy(in, inBase + x0 * C, tmp, outBase, rowLen);
                continue;
            }
            int ksize = cx.ksize;
            for (int o = 0; o < w; o++) {
                int start = inBase + cx.start[o] * C;
                int n = cx.count[o];
                int kb = o * ksize;
                double s0 = 0, s1 = 0, s2 = 0;
                for (int x = 0; x < n; x++) {
                    double k = cx.weights[kb + x];
                    int p = start + x * C;
                    s0 += in[p] * k;
                    s1 += in[p + 1] * k;
                    s2 += in[p + 2] * k;
                }
                int q = outBase + o * C;
                tmp[q] = (float) s0;
                tmp[q + 1] = (float) s1;
                tmp[q + 2] = (float) s2;
            }
        }
        return tmp;
    }

    private static void verticalF(float[] tmp, int w, int rowFirst, Coefficients cy, int y0, int h, float[] out) {
        int rowLen = w * C;
        if (cy == null) {
            System.arraycopy(tmp, (y0 - rowFirst) * rowLen, out, 0, h * rowLen);
            return;
        }
        double[] acc = new double[rowLen];
        for (int o = 0; o < h; o++) {
            java.util.Arrays.fill(acc, 0.0);
            int kb = o * cy.ksize;
            int start = cy.start[o] - rowFirst;
            for (int y = 0; y < cy.count[o]; y++) {
                double k = cy.weights[kb + y];
                int base = (start + y) * rowLen;
                for (int i = 0; i < rowLen; i++) acc[i] += tmp[base + i] * k;
            }
            int ob = o * rowLen;
            for (int i = 0; i < rowLen; i++) out[ob + i] = (float) acc[i];
        }
    }
}
