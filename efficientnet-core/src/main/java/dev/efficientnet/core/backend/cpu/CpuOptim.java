package dev.efficientnet.core.backend.cpu;

import dev.efficientnet.core.tensor.Tensor;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

/**
 * Fused optimizer updates: one chunked pass over the parameter, its gradient and its state
 * buffers instead of the six to eight element-wise kernels (and scratch tensors) of the composed
 * form. The arithmetic is the composed form's, element by element, in the tensors' precision.
 */
final class CpuOptim {
    private static final int CHUNK = CpuElementwise.CHUNK;
    private static final ThreadLocal<float[][]> F = ThreadLocal.withInitial(() -> new float[4][CHUNK]);
    private static final ThreadLocal<double[][]> D = ThreadLocal.withInitial(() -> new double[4][CHUNK]);

    private CpuOptim() {
    }

    private static FloatBuffer fb(Tensor t) {
        return t == null ? null : CpuElementwise.fb(CpuBackend.st(t));
    }

    private static DoubleBuffer db(Tensor t) {
        return t == null ? null : CpuElementwise.db(CpuBackend.st(t));
    }

    /** See {@link dev.efficientnet.core.backend.Backend#rmsPropUpdate}. */
    static void rmsProp(Tensor p, Tensor g, Tensor squareAvg, Tensor momentumBuf, double lr, double alpha,
                        double momentum, double eps, double wd, boolean decoupled) {
        int n = (int) p.numel();
        if (n == 0) return;
        boolean useMom = momentumBuf != null && momentum > 0;
        if (CpuElementwise.isDouble(CpuBackend.st(p))) {
            DoubleBuffer pb = db(p), gb = db(g), sb = db(squareAvg), mb = useMom ? db(momentumBuf) : null;
            double decay = decoupled ? 1 - lr * wd : 1;
            double l2 = decoupled ? 0 : wd;
            CpuElementwise.chunks(n, (lo, hi) -> {
                double[][] a = D.get();
                double[] pv = a[0], gv = a[1], sv = a[2], mv = a[3];
                for (int off = lo; off < hi; off += CHUNK) {
                    int len = Math.min(CHUNK, hi - off);
                    pb.get(off, pv, 0, len);
                    gb.get(off, gv, 0, len);
                    sb.get(off, sv, 0, len);
                    if (useMom) mb.get(off, mv, 0, len);
                    for (int i = 0; i < len; i++) {
                        double gg = l2 != 0 ? gv[i] + l2 * pv[i] : gv[i];
                        double pi = decoupled && wd != 0 ? pv[i] * decay : pv[i];
                        double ms = alpha * sv[i] + (1 - alpha) * (gg * gg);
                        sv[i] = ms;
                        double t = gg / Math.sqrt(ms + eps);
                        if (useMom) {
                            double m = momentum * mv[i] + lr * t;
                            mv[i] = m;
                            pv[i] = pi - m;
                        } else {
                            pv[i] = pi - lr * t;
                        }
                    }
                    pb.put(off, pv, 0, len);
                    sb.put(off, sv, 0, len);
                    if (useMom) mb.put(off, mv, 0, len);
                }
            });
        } else {
            FloatBuffer pb = fb(p), gb = fb(g), sb = fb(squareAvg), mb = useMom ? fb(momentumBuf) : null;
            float decay = (float) (decoupled ? 1 - lr * wd : 1);
            boolean scaleP = decoupled && wd != 0;
            float l2 = (float) (decoupled ? 0 : wd);
            float al = (float) alpha, oneMinusAl = (float) (1 - alpha), ep = (float) eps;
            float mo = (float) momentum, lrf = (float) lr;
            CpuElementwise.chunks(n, (lo, hi) -> {
                float[][] a = F.get();
                float[] pv = a[0], gv = a[1], sv = a[2], mv = a[3];
                for (int off = lo; off < hi; off += CHUNK) {
                    int len = Math.min(CHUNK, hi - off);
                    pb.get(off, pv, 0, len);
                    gb.get(off, gv, 0, len);
                    sb.get(off, sv, 0, len);
                    if (l2 != 0) for (int i = 0; i < len; i++) gv[i] = gv[i] + l2 * pv[i];
                    if (scaleP) for (int i = 0; i < len; i++) pv[i] *= decay;
                    for (int i = 0; i < len; i++) {
                        float gg = gv[i];
                        float ms = al * sv[i] + oneMinusAl * (gg * gg);
                        sv[i] = ms;
                        gv[i] = gg / (float) Math.sqrt(ms + ep);
                    }
                    if (useMom) {
                        mb.get(off, mv, 0, len);
                        for (int i = 0; i < len; i++) {
                            float m = mo * mv[i] + lrf * gv[i];
                            mv[i] = m;
                            pv[i] -= m;
                        }
                        mb.put(off, mv, 0, len);
                    } else {
                        for (int i = 0; i < len; i++) pv[i] -= lrf * gv[i];
                    }
                    pb.put(off, pv, 0, len);
                    sb.put(off, sv, 0, len);
                }
            });
        }
    }

    /**
     * See {@link dev.efficientnet.core.backend.Backend#sgdUpdate}: per element the float (double)
     * operations of the composed axpby form, in its order, so the results are bit-identical to it.
     */
    static void sgd(Tensor p, Tensor g, Tensor buf, double lr, double momentum, double wd, boolean nesterov) {
        int n = (int) p.numel();
        if (n == 0) return;
        boolean mom = momentum != 0;
        if (CpuElementwise.isDouble(CpuBackend.st(p))) {
            DoubleBuffer pb = db(p), gb = db(g), bb = mom ? db(buf) : null;
            double decay = 1 - lr * wd, nlr = -lr, nlrm = -lr * momentum;
            CpuElementwise.chunks(n, (lo, hi) -> {
                double[][] a = D.get();
                double[] pv = a[0], gv = a[1], bv = a[2];
                for (int off = lo; off < hi; off += CHUNK) {
                    int len = Math.min(CHUNK, hi - off);
                    pb.get(off, pv, 0, len);
                    gb.get(off, gv, 0, len);
                    if (!mom) {
                        for (int i = 0; i < len; i++) pv[i] = decay * pv[i] + nlr * gv[i];
                    } else {
                        bb.get(off, bv, 0, len);
                        for (int i = 0; i < len; i++) {
                            double b = momentum * bv[i] + 1 * gv[i];
                            if (wd != 0) b = 1 * b + wd * pv[i];
                            bv[i] = b;
                            pv[i] = nesterov ? 1 * (decay * pv[i] + nlr * gv[i]) + nlrm * b : 1 * pv[i] + nlr * b;
                        }
                        bb.put(off, bv, 0, len);
                    }
                    pb.put(off, pv, 0, len);
                }
            });
        } else {
            FloatBuffer pb = fb(p), gb = fb(g), bb = mom ? fb(buf) : null;
            float m = (float) momentum, w = (float) wd, decay = (float) (1 - lr * wd), nlr = (float) -lr,
                    nlrm = (float) (-lr * momentum), one = 1f;
            boolean decayed = wd != 0;
            CpuElementwise.chunks(n, (lo, hi) -> {
                float[][] a = F.get();
                float[] pv = a[0], gv = a[1], bv = a[2];
                for (int off = lo; off < hi; off += CHUNK) {
                    int len = Math.min(CHUNK, hi - off);
                    pb.get(off, pv, 0, len);
                    gb.get(off, gv, 0, len);
                    if (!mom) {
                        for (int i = 0; i < len; i++) pv[i] = decay * pv[i] + nlr * gv[i];
                    } else {
                        bb.get(off, bv, 0, len);
                        if (decayed) {
                            for (int i = 0; i < len; i++) bv[i] = one * (m * bv[i] + one * gv[i]) + w * pv[i];
                        } else {
                            for (int i = 0; i < len; i++) bv[i] = m * bv[i] + one * gv[i];
                        }
                        if (nesterov) {
                            for (int i = 0; i < len; i++) pv[i] = one * (decay * pv[i] + nlr * gv[i]) + nlrm * bv[i];
                        } else {
                            for (int i = 0; i < len; i++) pv[i] = one * pv[i] + nlr * bv[i];
                        }
                        bb.put(off, bv, 0, len);
                    }
                    pb.put(off, pv, 0, len);
                }
            });
        }
    }

    /** See {@link dev.efficientnet.core.backend.Backend#adamWUpdate}. */
    static void adamW(Tensor p, Tensor g, Tensor expAvg, Tensor expAvgSq, double lr, double beta1, double beta2,
                      double eps, double wd, double bc1, double bc2) {
        int n = (int) p.numel();
        if (n == 0) return;
        double invSqrtBc2 = 1 / Math.sqrt(bc2);
        double decay = 1 - lr * wd;
        double stepSize = lr / bc1;
        if (CpuElementwise.isDouble(CpuBackend.st(p))) {
            DoubleBuffer pb = db(p), gb = db(g), mb = db(expAvg), vb = db(expAvgSq);
            CpuElementwise.chunks(n, (lo, hi) -> {
                double[][] a = D.get();
                double[] pv = a[0], gv = a[1], mv = a[2], vv = a[3];
                for (int off = lo; off < hi; off += CHUNK) {
                    int len = Math.min(CHUNK, hi - off);
                    pb.get(off, pv, 0, len);
                    gb.get(off, gv, 0, len);
                    mb.get(off, mv, 0, len);
                    vb.get(off, vv, 0, len);
                    for (int i = 0; i < len; i++) {
                        double gi = gv[i];
                        double m = beta1 * mv[i] + (1 - beta1) * gi;
                        double v = beta2 * vv[i] + (1 - beta2) * (gi * gi);
                        mv[i] = m;
                        vv[i] = v;
                        double s = Math.sqrt(v) * invSqrtBc2 + eps;
                        pv[i] = decay * pv[i] - stepSize * (m / s);
                    }
                    pb.put(off, pv, 0, len);
                    mb.put(off, mv, 0, len);
                    vb.put(off, vv, 0, len);
                }
            });
        } else {
            FloatBuffer pb = fb(p), gb = fb(g), mb = fb(expAvg), vb = fb(expAvgSq);
            float b1 = (float) beta1, omb1 = (float) (1 - beta1), b2 = (float) beta2, omb2 = (float) (1 - beta2);
            float isb = (float) invSqrtBc2, ep = (float) eps, dec = (float) decay, ss = (float) stepSize;
            CpuElementwise.chunks(n, (lo, hi) -> {
                float[][] a = F.get();
                float[] pv = a[0], gv = a[1], mv = a[2], vv = a[3];
                for (int off = lo; off < hi; off += CHUNK) {
                    int len = Math.min(CHUNK, hi - off);
                    pb.get(off, pv, 0, len);
                    gb.get(off, gv, 0, len);
                    mb.get(off, mv, 0, len);
                    vb.get(off, vv, 0, len);
                    for (int i = 0; i < len; i++) {
                        float gi = gv[i];
                        float m = b1 * mv[i] + omb1 * gi;
                        float v = b2 * vv[i] + omb2 * (gi * gi);
                        mv[i] = m;
                        vv[i] = v;
                        float s = (float) Math.sqrt(v) * isb + ep;
                        pv[i] = dec * pv[i] - ss * (m / s);
                    }
                    pb.put(off, pv, 0, len);
                    mb.put(off, mv, 0, len);
                    vb.put(off, vv, 0, len);
                }
            });
        }
    }
}
