package dev.efficientnet.train.augment;

/**
 * Fast resampling and geometry on float HWC images (plain array loops, no per-pixel objects).
 * Coordinates are continuous with pixel {@code (x, y)} covering {@code [x, x+1) x [y, y+1)}.
 */
public final class FloatImages {
    private FloatImages() {
    }

    /**
     * Resamples the source box {@code [left, left+boxW) x [top, top+boxH)} to {@code outH x outW} with a
     * separable triangle (bilinear) filter whose support widens when downscaling, like PIL's
     * antialiased bilinear resize. Taps outside the image are dropped and the weights renormalized.
     */
    public static float[] resampleBox(float[] src, int h, int w, int c, double top, double left, double boxH,
                                      double boxW, int outH, int outW) {
        checkImage(src, h, w, c);
        if (outH < 1 || outW < 1) throw new IllegalArgumentException("output size must be positive, got " + outH + "x" + outW);
        if (!(boxH > 0) || !(boxW > 0)) throw new IllegalArgumentException("box size must be positive, got " + boxH + "x" + boxW);
        Taps tx = taps(left, boxW, outW, w);
        Taps ty = taps(top, boxH, outH, h);
        int r0 = h, r1 = -1;
        for (int o = 0; o < outH; o++) {
            r0 = Math.min(r0, ty.start[o]);
            r1 = Math.max(r1, ty.start[o] + ty.count[o] - 1);
        }
        int rows = r1 - r0 + 1;
        // horizontal pass over the needed rows
        float[] tmp = new float[rows * outW * c];
        for (int y = 0; y < rows; y++) {
            int srow = (r0 + y) * w * c, trow = y * outW * c;
            for (int o = 0; o < outW; o++) {
                int s = tx.start[o], n = tx.count[o], wo = o * tx.stride;
                int to = trow + o * c;
                if (c == 1) {
                    float acc = 0;
                    for (int k = 0; k < n; k++) acc += tx.weights[wo + k] * src[srow + s + k];
                    tmp[to] = acc;
                } else {
                    for (int k = 0; k < n; k++) {
                        float wk = tx.weights[wo + k];
                        int si = srow + (s + k) * c;
                        for (int ch = 0; ch < c; ch++) tmp[to + ch] += wk * src[si + ch];
                    }
                }
            }
        }
        // vertical pass
        float[] out = new float[outH * outW * c];
        int rowLen = outW * c;
        for (int o = 0; o < outH; o++) {
            int s = ty.start[o] - r0, n = ty.count[o], wo = o * ty.stride;
            int orow = o * rowLen;
            for (int k = 0; k < n; k++) {
                float wk = ty.weights[wo + k];
                int trow = (s + k) * rowLen;
                for (int i = 0; i < rowLen; i++) out[orow + i] += wk * tmp[trow + i];
            }
        }
        return out;
    }

    /** Resizes the whole image to {@code outH x outW} (antialiased bilinear). */
    public static float[] resize(float[] src, int h, int w, int c, int outH, int outW) {
        return resampleBox(src, h, w, c, 0, 0, h, w, outH, outW);
    }

    private record Taps(int[] start, int[] count, float[] weights, int stride) {
    }

    private static Taps taps(double origin, double box, int out, int size) {
        double scale = box / out;
        double support = Math.max(1.0, scale);
        int stride = (int) Math.ceil(support) * 2 + 2;
        int[] start = new int[out], count = new int[out];
        float[] weights = new float[out * stride];
        for (int o = 0; o < out; o++) {
            double center = origin + (o + 0.5) * scale;
            int lo = (int) Math.floor(center - support);
            int hi = (int) Math.ceil(center + support);
            lo = Math.max(lo, 0);
            hi = Math.min(hi, size);
            double total = 0;
            int n = 0;
            double[] tmp = new double[Math.max(0, hi - lo)];
            for (int t = lo; t < hi; t++) {
                double d = Math.abs((t + 0.5 - center) / support);
                double wgt = d < 1 ? 1 - d : 0;
                tmp[t - lo] = wgt;
                total += wgt;
            }
            if (total <= 0) {
                // box entirely outside the image or degenerate: take the nearest valid pixel
                int nearest = (int) Math.min(size - 1, Math.max(0, Math.floor(center)));
                start[o] = nearest;
                count[o] = 1;
                weights[o * stride] = 1f;
                continue;
            }
            // trim zero-weight taps at both ends
            int a = 0, b = tmp.length - 1;
            while (tmp[a] == 0) a++;
            while (tmp[b] == 0) b--;
            n = b - a + 1;
            if (n > stride) throw new IllegalStateException("filter taps " + n + " exceed stride " + stride);
            start[o] = lo + a;
            count[o] = n;
            for (int k = 0; k < n; k++) weights[o * stride + k] = (float) (tmp[a + k] / total);
        }
        return new Taps(start, count, weights, stride);
    }

    /** Mirrors the image left-right. */
    public static float[] flipHorizontal(float[] src, int h, int w, int c) {
        checkImage(src, h, w, c);
        float[] out = new float[src.length];
        for (int y = 0; y < h; y++) {
            int row = y * w * c;
            for (int x = 0; x < w; x++) {
                int si = row + x * c, di = row + (w - 1 - x) * c;
                for (int ch = 0; ch < c; ch++) out[di + ch] = src[si + ch];
            }
        }
        return out;
    }

    /**
     * Applies an affine map given as its inverse: output pixel center {@code (x, y)} samples the source
     * at {@code (m[0] x + m[1] y + m[2], m[3] x + m[4] y + m[5])} with bilinear interpolation; samples
     * outside the image take {@code fill}.
     */
    public static float[] affine(float[] src, int h, int w, int c, double[] m, float fill) {
        checkImage(src, h, w, c);
        if (m.length != 6) throw new IllegalArgumentException("affine matrix must have 6 values, got " + m.length);
        float[] out = new float[src.length];
        for (int y = 0; y < h; y++) {
            double py = y + 0.5;
            for (int x = 0; x < w; x++) {
                double px = x + 0.5;
                double sx = m[0] * px + m[1] * py + m[2] - 0.5;
                double sy = m[3] * px + m[4] * py + m[5] - 0.5;
                int o = (y * w + x) * c;
                if (sx <= -1 || sy <= -1 || sx >= w || sy >= h) {
                    for (int ch = 0; ch < c; ch++) out[o + ch] = fill;
                    continue;
                }
                int x0 = (int) Math.floor(sx), y0 = (int) Math.floor(sy);
                float fx = (float) (sx - x0), fy = (float) (sy - y0);
                boolean in00 = x0 >= 0 && y0 >= 0, in10 = x0 + 1 < w && y0 >= 0;
                boolean in01 = x0 >= 0 && y0 + 1 < h, in11 = x0 + 1 < w && y0 + 1 < h;
                int i00 = (y0 * w + x0) * c;
                for (int ch = 0; ch < c; ch++) {
                    float v00 = in00 ? src[i00 + ch] : fill;
                    float v10 = in10 ? src[i00 + c + ch] : fill;
                    float v01 = in01 ? src[i00 + w * c + ch] : fill;
                    float v11 = in11 ? src[i00 + w * c + c + ch] : fill;
                    float top = v00 + (v10 - v00) * fx;
                    float bot = v01 + (v11 - v01) * fx;
                    out[o + ch] = top + (bot - top) * fy;
                }
            }
        }
        return out;
    }

    /** Clamps every value to [0, 1] in place and returns the array. */
    public static float[] clamp01(float[] a) {
        for (int i = 0; i < a.length; i++) {
            float v = a[i];
            a[i] = v < 0 ? 0 : (v > 1 ? 1 : v);
        }
        return a;
    }

    static void checkImage(float[] src, int h, int w, int c) {
        if (h < 1 || w < 1 || c < 1)
            throw new IllegalArgumentException("image dimensions must be positive, got " + h + "x" + w + "x" + c);
        if (src.length != h * w * c)
            throw new IllegalArgumentException("image array has length " + src.length + ", expected " + h + "*" + w + "*" + c);
    }
}
