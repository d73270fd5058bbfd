package dev.efficientnet.core.backend.cpu;

import dev.efficientnet.core.backend.UnaryOp;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

/** Java kernels for element-wise maps over flat buffers (float32 and float64), split over cores. */
final class CpuElementwise {
    private CpuElementwise() {
    }

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

    static void unary(UnaryOp op, NdStorage x, NdStorage out) {
        int n = (int) x.length();
        if (x.flat.dataType() == org.nd4j.linalg.api.buffer.DataType.DOUBLE) {
            DoubleBuffer in = x.flat.data().asNioDouble();
            DoubleBuffer o = out.flat.data().asNioDouble();
            Parallel.range(n, (a, b) -> {
                for (int i = a; i < b; i++) o.put(i, apply(op, in.get(i)));
            });
        } else if (op == UnaryOp.SILU) {
            FloatBuffer in = x.flat.data().asNioFloat();
            FloatBuffer o = out.flat.data().asNioFloat();
            Parallel.range(n, (a, b) -> {
                for (int i = a; i < b; i++) {
                    float v = in.get(i);
                    o.put(i, v / (1f + (float) Math.exp(-v)));
                }
            });
        } else {
            FloatBuffer in = x.flat.data().asNioFloat();
            FloatBuffer o = out.flat.data().asNioFloat();
            Parallel.range(n, (a, b) -> {
                for (int i = a; i < b; i++) o.put(i, (float) apply(op, in.get(i)));
            });
        }
    }

    static void unaryGrad(UnaryOp op, NdStorage x, NdStorage y, NdStorage gradOut, NdStorage gradIn) {
        int n = (int) x.length();
        if (x.flat.dataType() == org.nd4j.linalg.api.buffer.DataType.DOUBLE) {
            DoubleBuffer xb = x.flat.data().asNioDouble();
            DoubleBuffer yb = y == null ? null : y.flat.data().asNioDouble();
            DoubleBuffer gb = gradOut.flat.data().asNioDouble();
            DoubleBuffer ob = gradIn.flat.data().asNioDouble();
            Parallel.range(n, (a, b) -> {
                for (int i = a; i < b; i++) {
                    double xv = xb.get(i);
                    double yv = yb == null ? apply(op, xv) : yb.get(i);
                    ob.put(i, gb.get(i) * derivative(op, xv, yv));
                }
            });
        } else {
            FloatBuffer xb = x.flat.data().asNioFloat();
            FloatBuffer yb = y == null ? null : y.flat.data().asNioFloat();
            FloatBuffer gb = gradOut.flat.data().asNioFloat();
            FloatBuffer ob = gradIn.flat.data().asNioFloat();
            Parallel.range(n, (a, b) -> {
                for (int i = a; i < b; i++) {
                    double xv = xb.get(i);
                    double yv = yb == null ? apply(op, xv) : yb.get(i);
                    ob.put(i, (float) (gb.get(i) * derivative(op, xv, yv)));
                }
            });
        }
    }

    static void affine(NdStorage x, double scale, double shift, NdStorage out) {
        int n = (int) x.length();
        if (x.flat.dataType() == org.nd4j.linalg.api.buffer.DataType.DOUBLE) {
            DoubleBuffer in = x.flat.data().asNioDouble();
            DoubleBuffer o = out.flat.data().asNioDouble();
            Parallel.range(n, (a, b) -> {
                for (int i = a; i < b; i++) o.put(i, in.get(i) * scale + shift);
            });
        } else {
            FloatBuffer in = x.flat.data().asNioFloat();
            FloatBuffer o = out.flat.data().asNioFloat();
            float s = (float) scale;
            float t = (float) shift;
            Parallel.range(n, (a, b) -> {
                for (int i = a; i < b; i++) o.put(i, in.get(i) * s + t);
            });
        }
    }

    static void axpby(double alpha, NdStorage x, double beta, NdStorage y, NdStorage out) {
        int n = (int) x.length();
        if (x.flat.dataType() == org.nd4j.linalg.api.buffer.DataType.DOUBLE) {
            DoubleBuffer xb = x.flat.data().asNioDouble();
            DoubleBuffer yb = y.flat.data().asNioDouble();
            DoubleBuffer o = out.flat.data().asNioDouble();
            Parallel.range(n, (a, b) -> {
                for (int i = a; i < b; i++) o.put(i, alpha * xb.get(i) + beta * yb.get(i));
            });
        } else {
            FloatBuffer xb = x.flat.data().asNioFloat();
            FloatBuffer yb = y.flat.data().asNioFloat();
            FloatBuffer o = out.flat.data().asNioFloat();
            float al = (float) alpha;
            float be = (float) beta;
            Parallel.range(n, (a, b) -> {
                for (int i = a; i < b; i++) o.put(i, al * xb.get(i) + be * yb.get(i));
            });
        }
    }

    static double sumOfSquares(NdStorage x) {
        int n = (int) x.length();
        double s = 0;
        if (x.flat.dataType() == org.nd4j.linalg.api.buffer.DataType.DOUBLE) {
            DoubleBuffer b = x.flat.data().asNioDouble();
            for (int i = 0; i < n; i++) s += b.get(i) * b.get(i);
        } else {
            FloatBuffer b = x.flat.data().asNioFloat();
            for (int i = 0; i < n; i++) {
                double v = b.get(i);
                s += v * v;
            }
        }
        return s;
    }
}
