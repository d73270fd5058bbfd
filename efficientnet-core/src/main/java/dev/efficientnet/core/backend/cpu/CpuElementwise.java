package dev.efficientnet.core.backend.cpu;

import dev.efficientnet.core.backend.UnaryOp;
import org.nd4j.linalg.api.buffer.DataType;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

/**
 * Java kernels for element-wise maps over flat buffers (float32 and float64), split over cores.
 *
 * <p>Every kernel copies {@link #CHUNK}-element blocks from the off-heap buffers into per-thread heap
 * arrays, runs one tight loop per op over the block (the op is chosen outside the loop, so C2 can
 * vectorize it) and writes the block back. float32 sigmoid and SiLU (forward and derivative) use
 * {@link #expInto}, a polynomial exp whose loops C2 vectorizes (about 5x faster than
 * {@link Math#exp} per element); its relative error is below 2e-7 on the clamped range. float64 keeps
 * {@link Math#exp} (it is the reference path of the gradient checks).
 */
final class CpuElementwise {
    /** Elements per heap block. */
    static final int CHUNK = 2048;

    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    /** 1.5 * 2^23: adding and subtracting it rounds a float of magnitude below 2^22 to an integer. */
    private static final float ROUND_MAGIC = 12582912f;
    /**
     * exp arguments are clamped to [EXP_LO, EXP_HI]: 2^k then runs from the smallest normal float
     * to 2^128, whose exponent bits are those of infinity, so large arguments give +inf (and the
     * sigmoid of a very negative input exactly 0) instead of garbage.
     */
    private static final float EXP_LO = -87.3f;
    private static final float EXP_HI = 88.8f;

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private CpuElementwise() {
    }

    /** Per-thread block buffers. */
    static final class Scratch {
        final float[] f0 = new float[CHUNK];
        final float[] f1 = new float[CHUNK];
        final float[] f2 = new float[CHUNK];
        final float[] f3 = new float[CHUNK];
        final int[] bits = new int[CHUNK];
        /** Reinterprets int bits as floats by bulk copies through memory (a memcpy, unlike a loop of
         *  {@link Float#intBitsToFloat}, which C2 does not vectorize). */
        final java.nio.ByteBuffer pun = java.nio.ByteBuffer.allocate(4 * CHUNK).order(java.nio.ByteOrder.nativeOrder());
        final java.nio.IntBuffer punInts = pun.asIntBuffer();
        final java.nio.FloatBuffer punFloats = pun.asFloatBuffer();
        final float[] scale = new float[CHUNK];
        final double[] d0 = new double[CHUNK];
        final double[] d1 = new double[CHUNK];
        final double[] d2 = new double[CHUNK];
    }

    static Scratch scratch() {
        return SCRATCH.get();
    }

    static boolean isDouble(NdStorage s) {
        return s.flat.dataType() == DataType.DOUBLE;
    }

    static FloatBuffer fb(NdStorage s) {
        return s.flat.data().asNioFloat();
    }

    static DoubleBuffer db(NdStorage s) {
        return s.flat.data().asNioDouble();
    }

    /** Splits {@code [0, n)} over the cores into runs of whole chunks. */
    static void chunks(int n, Parallel.RangeBody body) {
        Parallel.range(n, Parallel.GRAIN, body);
    }

    // ---- scalar definitions (float64 path and reference) -----------------------------------------

    static double sigmoid(double v) {
        if (v >= 0) return 1.0 / (1.0 + Math.exp(-v));
        double e = Math.exp(v);
        return e / (1.0 + e);
    }

    static double apply(UnaryOp op, double v) {
        return switch (op) {
            case NEG -> -v;
            case EXP -> Math.exp(v);
            case LOG -> Math.log(v);
            case SQRT -> Math.sqrt(v);
            case SQUARE -> v * v;
            case ABS -> Math.abs(v);
            case TANH -> Math.tanh(v);
            case SIGMOID -> sigmoid(v);
            case SILU -> v * sigmoid(v);
            case RELU -> v > 0 ? v : 0;
            case RELU6 -> Math.min(Math.max(v, 0), 6);
            case HARD_SIGMOID -> Math.min(Math.max(v + 3, 0), 6) / 6;
            case HARD_SWISH -> v * Math.min(Math.max(v + 3, 0), 6) / 6;
        };
    }

    /** df/dx at x, given y = f(x). */
    static double derivative(UnaryOp op, double x, double y) {
        return switch (op) {
            case NEG -> -1;
            case EXP -> y;
            case LOG -> 1 / x;
            case SQRT -> 0.5 / y;
            case SQUARE -> 2 * x;
            case ABS -> Math.signum(x);
            case TANH -> 1 - y * y;
            case SIGMOID -> y * (1 - y);
            case SILU -> {
                double s = sigmoid(x);
                yield s * (1 + x * (1 - s));
            }
            case RELU -> x > 0 ? 1 : 0;
            case RELU6 -> x > 0 && x < 6 ? 1 : 0;
            case HARD_SIGMOID -> x > -3 && x < 3 ? 1.0 / 6 : 0;
            case HARD_SWISH -> x < -3 ? 0 : x <= 3 ? x / 3 + 0.5 : 1;
        };
    }

    // ---- fast float exp -------------------------------------------------------------------------

    /**
     * {@code e[i] = exp(sign * a[i])} for {@code i < len}, the argument clamped to
     * [{@value #EXP_LO}, {@value #EXP_HI}] (so the result is +inf above about 88.4). Cody-Waite reduction {@code x = k ln2 + r},
     * |r| &lt;= ln2/2, a degree-7 polynomial for {@code e^r} and the scale {@code 2^k} built from its
     * exponent bits, which are reinterpreted as floats through a byte buffer (see
     * {@link Scratch#pun}). {@code e} may alias {@code a}; {@code len <= CHUNK}.
     */
    static void expInto(float[] a, float sign, float[] e, Scratch s, int len) {
        int[] bits = s.bits;
        for (int i = 0; i < len; i++) {
            float x = Math.min(Math.max(sign * a[i], EXP_LO), EXP_HI);
            float k = (x * LOG2E + ROUND_MAGIC) - ROUND_MAGIC;
            float r = x - k * LN2_HI - k * LN2_LO;
            float p = 1.9875691500E-4f;
            p = p * r + 1.3981999507E-3f;
            p = p * r + 8.3334519073E-3f;
            p = p * r + 4.1665795894E-2f;
            p = p * r + 1.6666665459E-1f;
            p = p * r + 5.0000001201E-1f;
            e[i] = p * r * r + r + 1f;
            bits[i] = ((int) k + 127) << 23;
        }
        float[] scale = s.scale;
        s.punInts.put(0, bits, 0, len);
        s.punFloats.get(0, scale, 0, len);
        for (int i = 0; i < len; i++) e[i] *= scale[i];
    }

    /** {@code s[i] = sigmoid(x[i])} (float, via {@link #expInto}); {@code s} may alias nothing else. */
    static void sigmoidInto(float[] x, float[] s, Scratch scratch, int len) {
        expInto(x, -1f, s, scratch, len);
        for (int i = 0; i < len; i++) s[i] = 1f / (1f + s[i]);
    }

    // ---- unary ----------------------------------------------------------------------------------

    static void unary(UnaryOp op, NdStorage x, NdStorage out) {
        int n = (int) x.length();
        if (n == 0) return;
        if (isDouble(x)) {
            DoubleBuffer in = db(x);
            DoubleBuffer o = db(out);
            chunks(n, (a, b) -> {
                double[] buf = scratch().d0;
                for (int off = a; off < b; off += CHUNK) {
                    int len = Math.min(CHUNK, b - off);
                    in.get(off, buf, 0, len);
                    for (int i = 0; i < len; i++) buf[i] = apply(op, buf[i]);
                    o.put(off, buf, 0, len);
                }
            });
        } else {
            FloatBuffer in = fb(x);
            FloatBuffer o = fb(out);
            chunks(n, (a, b) -> {
                Scratch s = scratch();
                for (int off = a; off < b; off += CHUNK) {
                    int len = Math.min(CHUNK, b - off);
                    in.get(off, s.f0, 0, len);
                    unaryBlock(op, s.f0, s.f1, s, len);
                    o.put(off, s.f1, 0, len);
                }
            });
        }
    }

    /** {@code y = f(x)} over one block (float). */
    static void unaryBlock(UnaryOp op, float[] x, float[] y, Scratch s, int len) {
        switch (op) {
            case SILU -> {
                sigmoidInto(x, y, s, len);
                for (int i = 0; i < len; i++) y[i] *= x[i];
            }
            case SIGMOID -> sigmoidInto(x, y, s, len);
            case RELU -> {
                for (int i = 0; i < len; i++) y[i] = Math.max(x[i], 0f);
            }
            case RELU6 -> {
                for (int i = 0; i < len; i++) y[i] = Math.min(Math.max(x[i], 0f), 6f);
            }
            case NEG -> {
                for (int i = 0; i < len; i++) y[i] = -x[i];
            }
            case SQUARE -> {
                for (int i = 0; i < len; i++) y[i] = x[i] * x[i];
            }
            case ABS -> {
                for (int i = 0; i < len; i++) y[i] = Math.abs(x[i]);
            }
            case SQRT -> {
                for (int i = 0; i < len; i++) y[i] = (float) Math.sqrt(x[i]);
            }
            case HARD_SIGMOID -> {
                for (int i = 0; i < len; i++) y[i] = Math.min(Math.max(x[i] + 3f, 0f), 6f) / 6f;
            }
            case HARD_SWISH -> {
                for (int i = 0; i < len; i++) y[i] = x[i] * (Math.min(Math.max(x[i] + 3f, 0f), 6f) / 6f);
            }
            default -> {
                for (int i = 0; i < len; i++) y[i] = (float) apply(op, x[i]);
            }
        }
    }

    static void unaryGrad(UnaryOp op, NdStorage x, NdStorage y, NdStorage gradOut, NdStorage gradIn) {
        int n = (int) x.length();
        if (n == 0) return;
        if (isDouble(x)) {
            DoubleBuffer xb = db(x);
            DoubleBuffer yb = y == null ? null : db(y);
            DoubleBuffer gb = db(gradOut);
            DoubleBuffer ob = db(gradIn);
            chunks(n, (a, b) -> {
                Scratch s = scratch();
                for (int off = a; off < b; off += CHUNK) {
                    int len = Math.min(CHUNK, b - off);
                    xb.get(off, s.d0, 0, len);
                    gb.get(off, s.d1, 0, len);
                    if (yb != null) yb.get(off, s.d2, 0, len);
                    for (int i = 0; i < len; i++) {
                        double xv = s.d0[i];
                        double yv = yb == null ? apply(op, xv) : s.d2[i];
                        s.d1[i] = s.d1[i] * derivative(op, xv, yv);
                    }
                    ob.put(off, s.d1, 0, len);
                }
            });
        } else {
            FloatBuffer xb = fb(x);
            FloatBuffer yb = y == null ? null : fb(y);
            FloatBuffer gb = fb(gradOut);
            FloatBuffer ob = fb(gradIn);
            chunks(n, (a, b) -> {
                Scratch s = scratch();
                for (int off = a; off < b; off += CHUNK) {
                    int len = Math.min(CHUNK, b - off);
                    xb.get(off, s.f0, 0, len);
                    gb.get(off, s.f1, 0, len);
                    if (yb != null) yb.get(off, s.f2, 0, len);
                    gradBlock(op, s.f0, yb == null ? null : s.f2, s.f1, s, len);
                    ob.put(off, s.f1, 0, len);
                }
            });
        }
    }

    /** {@code g[i] *= f'(x[i])} over one block (float); {@code y} may be null. */
    static void gradBlock(UnaryOp op, float[] x, float[] y, float[] g, Scratch s, int len) {
        float[] t = s.f3;
        switch (op) {
            // With e = exp(-x): s = 1/(1+e) and 1-s = e*s, which avoids the cancellation of 1-s
            // when s is close to 1. e is capped for the product so that e = inf (x below about
            // -88) gives s = 0 and 1-s = 0 rather than inf*0.
            case SILU -> {
                expInto(x, -1f, t, s, len);
                for (int i = 0; i < len; i++) {
                    float e = t[i];
                    float sv = 1f / (1f + e);
                    float q = Math.min(e, Float.MAX_VALUE) * sv;
                    g[i] *= sv * (1f + x[i] * q);
                }
            }
            case SIGMOID -> {
                if (y == null) {
                    expInto(x, -1f, t, s, len);
                    for (int i = 0; i < len; i++) {
                        float e = t[i];
                        float sv = 1f / (1f + e);
                        g[i] *= sv * (Math.min(e, Float.MAX_VALUE) * sv);
                    }
                } else {
                    for (int i = 0; i < len; i++) g[i] *= y[i] * (1f - y[i]);
                }
            }
            case RELU -> {
                for (int i = 0; i < len; i++) g[i] = x[i] > 0f ? g[i] : 0f;
            }
            case NEG -> {
                for (int i = 0; i < len; i++) g[i] = -g[i];
            }
            case SQUARE -> {
                for (int i = 0; i < len; i++) g[i] *= 2f * x[i];
            }
            default -> {
                for (int i = 0; i < len; i++) {
                    double xv = x[i];
                    double yv = y == null ? apply(op, xv) : y[i];
                    g[i] = (float) (g[i] * derivative(op, xv, yv));
                }
            }
        }
    }

    // ---- affine / axpby / reductions --------------------------------------------------------------

    static void affine(NdStorage x, double scale, double shift, NdStorage out) {
        int n = (int) x.length();
        if (n == 0) return;
        if (isDouble(x)) {
            DoubleBuffer in = db(x);
            DoubleBuffer o = db(out);
            chunks(n, (a, b) -> {
                double[] buf = scratch().d0;
                for (int off = a; off < b; off += CHUNK) {
                    int len = Math.min(CHUNK, b - off);
                    in.get(off, buf, 0, len);
                    for (int i = 0; i < len; i++) buf[i] = buf[i] * scale + shift;
                    o.put(off, buf, 0, len);
                }
            });
        } else {
            FloatBuffer in = fb(x);
            FloatBuffer o = fb(out);
            float sc = (float) scale;
            float sh = (float) shift;
            chunks(n, (a, b) -> {
                float[] buf = scratch().f0;
                for (int off = a; off < b; off += CHUNK) {
                    int len = Math.min(CHUNK, b - off);
                    in.get(off, buf, 0, len);
                    for (int i = 0; i < len; i++) buf[i] = buf[i] * sc + sh;
                    o.put(off, buf, 0, len);
                }
            });
        }
    }

    static void axpby(double alpha, NdStorage x, double beta, NdStorage y, NdStorage out) {
        int n = (int) x.length();
        if (n == 0) return;
        if (isDouble(x)) {
            DoubleBuffer xb = db(x);
            DoubleBuffer yb = db(y);
            DoubleBuffer o = db(out);
            chunks(n, (a, b) -> {
                Scratch s = scratch();
                for (int off = a; off < b; off += CHUNK) {
                    int len = Math.min(CHUNK, b - off);
                    xb.get(off, s.d0, 0, len);
                    yb.get(off, s.d1, 0, len);
                    for (int i = 0; i < len; i++) s.d0[i] = alpha * s.d0[i] + beta * s.d1[i];
                    o.put(off, s.d0, 0, len);
                }
            });
        } else {
            FloatBuffer xb = fb(x);
            FloatBuffer yb = fb(y);
            FloatBuffer o = fb(out);
            float al = (float) alpha;
            float be = (float) beta;
            chunks(n, (a, b) -> {
                Scratch s = scratch();
                for (int off = a; off < b; off += CHUNK) {
                    int len = Math.min(CHUNK, b - off);
                    xb.get(off, s.f0, 0, len);
                    yb.get(off, s.f1, 0, len);
                    for (int i = 0; i < len; i++) s.f0[i] = al * s.f0[i] + be * s.f1[i];
                    o.put(off, s.f0, 0, len);
                }
            });
        }
    }

    static double sumOfSquares(NdStorage x) {
        int n = (int) x.length();
        double total = 0;
        Scratch s = scratch();
        if (isDouble(x)) {
            DoubleBuffer b = db(x);
            for (int off = 0; off < n; off += CHUNK) {
                int len = Math.min(CHUNK, n - off);
                b.get(off, s.d0, 0, len);
                double acc = 0;
                for (int i = 0; i < len; i++) acc += s.d0[i] * s.d0[i];
                total += acc;
            }
        } else {
            FloatBuffer b = fb(x);
            for (int off = 0; off < n; off += CHUNK) {
                int len = Math.min(CHUNK, n - off);
                b.get(off, s.f0, 0, len);
                double acc = 0;
                for (int i = 0; i < len; i++) {
                    double v = s.f0[i];
                    acc += v * v;
                }
                total += acc;
            }
        }
        return total;
    }
}
