package dev.efficientnet.core.backend.cpu;

import dev.efficientnet.core.backend.ConvGeometry;
import dev.efficientnet.core.tensor.DType;
import dev.efficientnet.core.tensor.Tensor;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * Java average / max pooling on NHWC images for any kernel, stride, dilation and per-side padding,
 * split over images. Padded positions are skipped: the average divides by the number of real
 * elements in the window, the max ignores them; a window with no real element gives 0 (and no
 * gradient). Max-pool gradients go to the first maximal element in window order.
 */
final class CpuPool {
    private CpuPool() {
    }

    /** Per-image index math. */
    private static final class Dims {
        final int h, w, c, oh, ow, kH, kW, sH, sW, dH, dW, pT, pL;

        Dims(Tensor x, Tensor out, ConvGeometry g) {
            h = x.dim(1);
            w = x.dim(2);
            c = x.dim(3);
            oh = out.dim(1);
            ow = out.dim(2);
            kH = g.kernelH();
            kW = g.kernelW();
            sH = g.strideH();
            sW = g.strideW();
            dH = g.dilationH();
            dW = g.dilationW();
            pT = g.padTop();
            pL = g.padLeft();
        }

        int inSize() {
            return h * w * c;
        }

        int outSize() {
            return oh * ow * c;
        }

        /** Number of real input positions in the window of output (o_h, o_w). */
        int count(int y, int x) {
            int rows = 0;
            for (int kh = 0; kh < kH; kh++) {
                int ih = y * sH - pT + kh * dH;
                if (ih >= 0 && ih < h) rows++;
            }
            int cols = 0;
            for (int kw = 0; kw < kW; kw++) {
                int iw = x * sW - pL + kw * dW;
                if (iw >= 0 && iw < w) cols++;
            }
            return rows * cols;
        }
    }

    static void forward(Tensor x, boolean max, ConvGeometry g, Tensor out) {
        Dims d = new Dims(x, out, g);
        int n = x.dim(0);
        if (x.dtype() == DType.FLOAT64) {
            DoubleBuffer xb = CpuBackend.st(x).flat.data().asNioDouble();
            DoubleBuffer ob = CpuBackend.st(out).flat.data().asNioDouble();
            Parallel.range(n, grain(d), (a, b) -> forwardF64(d, max, xb, ob, a, b));
        } else {
            FloatBuffer xb = CpuBackend.st(x).flat.data().asNioFloat();
            FloatBuffer ob = CpuBackend.st(out).flat.data().asNioFloat();
            Parallel.range(n, grain(d), (a, b) -> forwardF32(d, max, xb, ob, a, b));
        }
    }

    static void backward(Tensor x, boolean max, ConvGeometry g, Tensor gradOut, Tensor gradX) {
        Dims d = new Dims(x, gradOut, g);
        int n = x.dim(0);
        if (x.dtype() == DType.FLOAT64) {
            DoubleBuffer xb = CpuBackend.st(x).flat.data().asNioDouble();
            DoubleBuffer gb = CpuBackend.st(gradOut).flat.data().asNioDouble();
            DoubleBuffer gxb = CpuBackend.st(gradX).flat.data().asNioDouble();
            Parallel.range(n, grain(d), (a, b) -> backwardF64(d, max, xb, gb, gxb, a, b));
        } else {
            FloatBuffer xb = CpuBackend.st(x).flat.data().asNioFloat();
            FloatBuffer gb = CpuBackend.st(gradOut).flat.data().asNioFloat();
            FloatBuffer gxb = CpuBackend.st(gradX).flat.data().asNioFloat();
            Parallel.range(n, grain(d), (a, b) -> backwardF32(d, max, xb, gb, gxb, a, b));
        }
    }

    private static int grain(Dims d) {
        return Math.max(1, (1 << 15) / Math.max(1, d.outSize() * d.kH * d.kW));
    }

    // ---- float --------------------------------------------------------------------------------

    private static void forwardF32(Dims d, boolean max, FloatBuffer xb, FloatBuffer ob, int from, int to) {
        float[] xi = new float[d.inSize()];
        float[] yo = new float[d.outSize()];
        int c = d.c;
        for (int n = from; n < to; n++) {
            xb.get(n * d.inSize(), xi, 0, xi.length);
            for (int oy = 0; oy < d.oh; oy++) {
                for (int ox = 0; ox < d.ow; ox++) {
                    int o = (oy * d.ow + ox) * c;
                    boolean any = false;
                    for (int kh = 0; kh < d.kH; kh++) {
                        int ih = oy * d.sH - d.pT + kh * d.dH;
                        if (ih < 0 || ih >= d.h) continue;
                        for (int kw = 0; kw < d.kW; kw++) {
                            int iw = ox * d.sW - d.pL + kw * d.dW;
                            if (iw < 0 || iw >= d.w) continue;
                            int i = (ih * d.w + iw) * c;
                            if (!any) {
                                System.arraycopy(xi, i, yo, o, c);
                                any = true;
                            } else if (max) {
                                for (int ch = 0; ch < c; ch++) yo[o + ch] = Math.max(yo[o + ch], xi[i + ch]);
                            } else {
                                for (int ch = 0; ch < c; ch++) yo[o + ch] += xi[i + ch];
                            }
                        }
                    }
                    if (!any) {
                        Arrays.fill(yo, o, o + c, 0f);
                    } else if (!max) {
                        float inv = (float) (1.0 / d.count(oy, ox));
                        for (int ch = 0; ch < c; ch++) yo[o + ch] *= inv;
                    }
                }
            }
            ob.put(n * d.outSize(), yo, 0, yo.length);
        }
    }

    private static void backwardF32(Dims d, boolean max, FloatBuffer xb, FloatBuffer gb, FloatBuffer gxb, int from, int to) {
        float[] xi = max ? new float[d.inSize()] : null;
        float[] gi = new float[d.outSize()];
        float[] gx = new float[d.inSize()];
        int[] arg = max ? new int[d.c] : null;
        int c = d.c;
        for (int n = from; n < to; n++) {
            if (max) xb.get(n * d.inSize(), xi, 0, xi.length);
            gb.get(n * d.outSize(), gi, 0, gi.length);
            Arrays.fill(gx, 0f);
            for (int oy = 0; oy < d.oh; oy++) {
                for (int ox = 0; ox < d.ow; ox++) {
                    int o = (oy * d.ow + ox) * c;
                    if (max) {
                        Arrays.fill(arg, -1);
                        for (int kh = 0; kh < d.kH; kh++) {
                            int ih = oy * d.sH - d.pT + kh * d.dH;
                            if (ih < 0 || ih >= d.h) continue;
                            for (int kw = 0; kw < d.kW; kw++) {
                                int iw = ox * d.sW - d.pL + kw * d.dW;
                                if (iw < 0 || iw >= d.w) continue;
                                int i = (ih * d.w + iw) * c;
                                for (int ch = 0; ch < c; ch++)
                                    if (arg[ch] < 0 || xi[i + ch] > xi[arg[ch] + ch]) arg[ch] = i;
                            }
                        }
                        for (int ch = 0; ch < c; ch++)
                            if (arg[ch] >= 0) gx[arg[ch] + ch] += gi[o + ch];
                    } else {
                        int cnt = d.count(oy, ox);
                        if (cnt == 0) continue;
                        float inv = (float) (1.0 / cnt);
                        for (int kh = 0; kh < d.kH; kh++) {
                            int ih = oy * d.sH - d.pT + kh * d.dH;
                            if (ih < 0 || ih >= d.h) continue;
                            for (int kw = 0; kw < d.kW; kw++) {
                                int iw = ox * d.sW - d.pL + kw * d.dW;
                                if (iw < 0 || iw >= d.w) continue;
                                int i = (ih * d.w + iw) * c;
                                for (int ch = 0; ch < c; ch++) gx[i + ch] += gi[o + ch] * inv;
                            }
                        }
                    }
                }
            }
            gxb.put(n * d.inSize(), gx, 0, gx.length);
        }
    }

    // ---- double --------------------------------------------------------------------------------

    private static void forwardF64(Dims d, boolean max, DoubleBuffer xb, DoubleBuffer ob, int from, int to) {
        double[] xi = new double[d.inSize()];
        double[] yo = new double[d.outSize()];
        int c = d.c;
        for (int n = from; n < to; n++) {
            xb.get(n * d.inSize(), xi, 0, xi.length);
            for (int oy = 0; oy < d.oh; oy++) {
                for (int ox = 0; ox < d.ow; ox++) {
                    int o = (oy * d.ow + ox) * c;
                    boolean any = false;
                    for (int kh = 0; kh < d.kH; kh++) {
                        int ih = oy * d.sH - d.pT + kh * d.dH;
                        if (ih < 0 || ih >= d.h) continue;
                        for (int kw = 0; kw < d.kW; kw++) {
                            int iw = ox * d.sW - d.pL + kw * d.dW;
                            if (iw < 0 || iw >= d.w) continue;
                            int i = (ih * d.w + iw) * c;
                            if (!any) {
                                System.arraycopy(xi, i, yo, o, c);
                                any = true;
                            } else if (max) {
                                for (int ch = 0; ch < c; ch++) yo[o + ch] = Math.max(yo[o + ch], xi[i + ch]);
                            } else {
                                for (int ch = 0; ch < c; ch++) yo[o + ch] += xi[i + ch];
                            }
                        }
                    }
                    if (!any) {
                        Arrays.fill(yo, o, o + c, 0.0);
                    } else if (!max) {
                        double inv = (1.0 / d.count(oy, ox));
                        for (int ch = 0; ch < c; ch++) yo[o + ch] *= inv;
                    }
                }
            }
            ob.put(n * d.outSize(), yo, 0, yo.length);
        }
    }

    private static void backwardF64(Dims d, boolean max, DoubleBuffer xb, DoubleBuffer gb, DoubleBuffer gxb, int from, int to) {
        double[] xi = max ? new double[d.inSize()] : null;
        double[] gi = new double[d.outSize()];
        double[] gx = new double[d.inSize()];
        int[] arg = max ? new int[d.c] : null;
        int c = d.c;
        for (int n = from; n < to; n++) {
            if (max) xb.get(n * d.inSize(), xi, 0, xi.length);
            gb.get(n * d.outSize(), gi, 0, gi.length);
            Arrays.fill(gx, 0.0);
            for (int oy = 0; oy < d.oh; oy++) {
                for (int ox = 0; ox < d.ow; ox++) {
                    int o = (oy * d.ow + ox) * c;
                    if (max) {
                        Arrays.fill(arg, -1);
                        for (int kh = 0; kh < d.kH; kh++) {
                            int ih = oy * d.sH - d.pT + kh * d.dH;
                            if (ih < 0 || ih >= d.h) continue;
                            for (int kw = 0; kw < d.kW; kw++) {
                                int iw = ox * d.sW - d.pL + kw * d.dW;
                                if (iw < 0 || iw >= d.w) continue;
                                int i = (ih * d.w + iw) * c;
                                for (int ch = 0; ch < c; ch++)
                                    if (arg[ch] < 0 || xi[i + ch] > xi[arg[ch] + ch]) arg[ch] = i;
                            }
                        }
                        for (int ch = 0; ch < c; ch++)
                            if (arg[ch] >= 0) gx[arg[ch] + ch] += gi[o + ch];
                    } else {
                        int cnt = d.count(oy, ox);
                        if (cnt == 0) continue;
                        double inv = (1.0 / cnt);
                        for (int kh = 0; kh < d.kH; kh++) {
                            int ih = oy * d.sH - d.pT + kh * d.dH;
                            if (ih < 0 || ih >= d.h) continue;
                            for (int kw = 0; kw < d.kW; kw++) {
                                int iw = ox * d.sW - d.pL + kw * d.dW;
                                if (iw < 0 || iw >= d.w) continue;
                                int i = (ih * d.w + iw) * c;
                                for (int ch = 0; ch < c; ch++) gx[i + ch] += gi[o + ch] * inv;
                            }
                        }
                    }
                }
            }
            gxb.put(n * d.inSize(), gx, 0, gx.length);
        }
    }
}
