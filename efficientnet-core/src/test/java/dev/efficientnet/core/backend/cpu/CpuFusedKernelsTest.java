package dev.efficientnet.core.backend.cpu;

import dev.efficientnet.core.backend.Backend;
import dev.efficientnet.core.backend.BinaryOp;
import dev.efficientnet.core.backend.ReduceOp;
import dev.efficientnet.core.backend.UnaryOp;
import dev.efficientnet.core.tensor.DType;
import dev.efficientnet.core.tensor.Rng;
import dev.efficientnet.core.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The CPU backend's fused and Java kernels against the reference paths: the fused optimizer
 * updates and BN+activation against the {@link Backend} default methods (the composed kernels),
 * and the Java broadcast / reduction kernels against plain loops, in float32 and float64, on odd
 * shapes.
 */
class CpuFusedKernelsTest {
    private final CpuBackend cpu = (CpuBackend) Backend.current();
    /** The CPU backend seen through the interface's default (composed) fused methods. */
    private final Backend composed = (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(),
            new Class<?>[]{Backend.class}, new InvocationHandler() {
                @Override
                public Object invoke(Object proxy, Method m, Object[] args) throws Throwable {
                    if (m.isDefault()) return InvocationHandler.invokeDefault(proxy, m, args);
                    return m.invoke(cpu, args);
                }
            });
    private final Rng rng = new Rng(11);

    private Tensor rand(DType t, double lo, double hi, int... shape) {
        return rng.uniformTensor(t, lo, hi, shape);
    }

    private static void assertClose(Tensor want, Tensor got, double tol, String what) {
        double[] w = want.toDoubleArray();
        double[] g = got.toDoubleArray();
        assertEquals(w.length, g.length, what);
        for (int i = 0; i < w.length; i++)
            assertEquals(w[i], g[i], tol * (1 + Math.abs(w[i])), what + " at " + i);
    }

    @Test
    void fusedRmsPropMatchesComposed() {
        for (DType t : DType.values()) {
            for (int variant = 0; variant < 4; variant++) {
                boolean momentum = variant % 2 == 0;
                boolean decoupled = variant >= 2;
                int n = 3 * CpuElementwise.CHUNK + 17;
                Tensor p = rand(t, -1, 1, n), g = rand(t, -1, 1, n);
                Tensor ms = rand(t, 0, 1, n), mom = rand(t, -0.1, 0.1, n);
                Tensor p2 = p.copy(), ms2 = ms.copy(), mom2 = mom.copy();
                for (int step = 0; step < 3; step++) {
                    composed.rmsPropUpdate(p, g, ms, momentum ? mom : null, 0.01, 0.9, 0.9, 1e-3, 1e-2, decoupled);
                    cpu.rmsPropUpdate(p2, g, ms2, momentum ? mom2 : null, 0.01, 0.9, 0.9, 1e-3, 1e-2, decoupled);
                }
                double tol = t == DType.FLOAT64 ? 1e-14 : 1e-6;
                assertClose(p, p2, tol, "rmsprop p " + t + " variant " + variant);
                assertClose(ms, ms2, tol, "rmsprop square_avg " + t);
                if (momentum) assertClose(mom, mom2, tol, "rmsprop momentum " + t);
            }
        }
    }

    @Test
    void fusedSgdIsBitIdenticalToComposed() {
        for (DType t : DType.values()) {
            for (int variant = 0; variant < 6; variant++) {
                double momentum = variant < 2 ? 0 : 0.9;
                boolean nesterov = variant >= 4;
                double wd = variant % 2 == 0 ? 0 : 1e-2;
                int n = 3 * CpuElementwise.CHUNK + 17;
                Tensor p = rand(t, -1, 1, n), g = rand(t, -1, 1, n), buf = rand(t, -0.1, 0.1, n);
                Tensor p2 = p.copy(), buf2 = buf.copy(), before = p.copy();
                for (int step = 0; step < 3; step++) {
                    composed.sgdUpdate(p, g, momentum == 0 ? null : buf, 0.05, momentum, wd, nesterov);
                    cpu.sgdUpdate(p2, g, momentum == 0 ? null : buf2, 0.05, momentum, wd, nesterov);
                }
                String what = "sgd " + t + " momentum " + momentum + " wd " + wd + " nesterov " + nesterov;
                assertArrayEquals(p.toDoubleArray(), p2.toDoubleArray(), what + ": p");
                assertArrayEquals(buf.toDoubleArray(), buf2.toDoubleArray(), what + ": momentum buffer");
                double moved = 0;
                double[] now = p.toDoubleArray(), was = before.toDoubleArray();
                for (int i = 0; i < n; i++) moved += Math.abs(now[i] - was[i]);
                if (!(moved > 1e-3)) throw new AssertionError(what + ": the update did not move p");
            }
        }
    }

    @Test
    void fusedAdamWMatchesComposed() {
        for (DType t : DType.values()) {
            int n = 2 * CpuElementwise.CHUNK + 5;
            Tensor p = rand(t, -1, 1, n), g = rand(t, -1, 1, n);
            Tensor m = Tensor.zeros(t, n), v = Tensor.zeros(t, n);
            Tensor p2 = p.copy(), m2 = m.copy(), v2 = v.copy();
            for (int step = 1; step <= 3; step++) {
                double bc1 = 1 - Math.pow(0.9, step), bc2 = 1 - Math.pow(0.999, step);
                composed.adamWUpdate(p, g, m, v, 1e-3, 0.9, 0.999, 1e-8, 0.05, bc1, bc2);
                cpu.adamWUpdate(p2, g, m2, v2, 1e-3, 0.9, 0.999, 1e-8, 0.05, bc1, bc2);
            }
            double tol = t == DType.FLOAT64 ? 1e-14 : 1e-6;
            assertClose(p, p2, tol, "adamw p " + t);
            assertClose(m, m2, tol, "adamw m " + t);
            assertClose(v, v2, tol, "adamw v " + t);
        }
    }

    @Test
    void fusedBatchNormActivationMatchesComposed() {
        for (DType t : DType.values()) {
            for (UnaryOp act : new UnaryOp[]{null, UnaryOp.SILU, UnaryOp.RELU, UnaryOp.SIGMOID}) {
                for (int c : new int[]{3, 40, 2100}) {
                    Tensor x = rand(t, -3, 3, 2, 5, 7, c);
                    Tensor mean = rand(t, -1, 1, c), var = rand(t, 0.1, 2, c);
                    Tensor gamma = rand(t, 0.5, 1.5, c), beta = rand(t, -1, 1, c);
                    Tensor want = Tensor.empty(t, x.shape()), got = Tensor.empty(t, x.shape());
                    composed.batchNormActivation(x, mean, var, gamma, beta, 1e-3, act, want);
                    cpu.batchNormActivation(x, mean, var, gamma, beta, 1e-3, act, got);
                    assertClose(want, got, t == DType.FLOAT64 ? 1e-14 : 1e-6, "bn+" + act + " " + t + " c=" + c);
                }
            }
        }
    }

    @Test
    void fusedMultiplyReduceMatchesComposed() {
        for (DType t : DType.values()) {
            int[] shape = {3, 9, 11, 70};
            Tensor x = rand(t, -1, 1, shape), y = rand(t, -1, 1, shape);
            for (int[] axes : new int[][]{{1, 2}, {0, 1, 2}, {0, 2}}) {
                int[] os = shape.clone();
                for (int a : axes) os[a] = 1;
                Tensor want = Tensor.empty(t, os), got = Tensor.empty(t, os);
                composed.multiplyReduce(x, y, axes, want);
                cpu.multiplyReduce(x, y, axes, got);
                assertClose(want, got, t == DType.FLOAT64 ? 1e-12 : 1e-5, "multiplyReduce " + java.util.Arrays.toString(axes) + " " + t);
            }
        }
    }

    /** Plain-loop broadcast reference: out[i] = a[ia] op b[ib]. */
    private static double[] reference(BinaryOp op, double[] a, int[] as, double[] b, int[] bs, int[] os) {
        int r = os.length;
        int n = 1;
        for (int d : os) n *= d;
        double[] out = new double[n];
        int[] idx = new int[r];
        for (int i = 0; i < n; i++) {
            int rem = i;
            for (int d = r - 1; d >= 0; d--) {
                idx[d] = rem % os[d];
                rem /= os[d];
            }
            double x = a[flat(idx, as, r)], y = b[flat(idx, bs, r)];
            out[i] = switch (op) {
                case ADD -> x + y;
                case SUB -> x - y;
                case MUL -> x * y;
                case DIV -> x / y;
            };
        }
        return out;
    }

    private static int flat(int[] idx, int[] shape, int r) {
        int off = r - shape.length, f = 0;
        for (int d = 0; d < shape.length; d++) f = f * shape[d] + (shape[d] == 1 ? 0 : idx[d + off]);
        return f;
    }

    @Test
    void javaBroadcastBinaryMatchesPlainLoops() {
        int[][][] cases = {
                {{2, 5, 7, 9}, {2, 5, 7, 9}},
                {{3, 4, 5, 2100}, {3, 1, 1, 2100}},
                {{3, 4, 5, 6}, {1, 1, 1, 6}},
                {{3, 4, 5, 6}, {6}},
                {{3, 1, 1, 6}, {3, 4, 5, 6}},
                {{4, 6}, {4, 6}},
                {{2, 3, 4}, {2, 1, 4}},      // falls back to ND4J
        };
        for (DType t : DType.values()) {
            for (int[][] c : cases) {
                for (BinaryOp op : BinaryOp.values()) {
                    Tensor a = rand(t, 0.5, 2, c[0]), b = rand(t, 0.5, 2, c[1]);
                    int[] os = dev.efficientnet.core.tensor.Shapes.broadcast(c[0], c[1]);
                    Tensor out = Tensor.empty(t, os);
                    cpu.binary(op, a, b, out);
                    double[] want = reference(op, a.toDoubleArray(), c[0], b.toDoubleArray(), c[1], os);
                    double[] got = out.toDoubleArray();
                    double tol = t == DType.FLOAT64 ? 1e-15 : 1e-7;
                    for (int i = 0; i < want.length; i++)
                        assertEquals(want[i], got[i], tol * Math.abs(want[i]), op + " " + t + " " + java.util.Arrays.toString(c[0]));
                }
            }
        }
    }

    @Test
    void javaReductionsMatchPlainLoops() {
        int[] shape = {3, 9, 11, 70};
        for (DType t : DType.values()) {
            Tensor x = rand(t, -1, 2, shape);
            double[] xv = x.toDoubleArray();
            int[][] axesCases = {{1, 2}, {0, 1, 2}, {2, 1}, {3}, {0}, {1, 2, 3}};
            for (int[] axes : axesCases) {
                for (ReduceOp op : ReduceOp.values()) {
                    int[] os = shape.clone();
                    for (int a : axes) os[a] = 1;
                    Tensor out = Tensor.empty(t, os);
                    cpu.reduce(op, x, axes, out);
                    double[] want = new double[(int) out.numel()];
                    double[] cnt = new double[want.length];
                    for (int i = 0; i < xv.length; i++) {
                        int rem = i, o = 0;
                        int[] idx = new int[4];
                        for (int d = 3; d >= 0; d--) {
                            idx[d] = rem % shape[d];
                            rem /= shape[d];
                        }
                        for (int d = 0; d < 4; d++) o = o * os[d] + (os[d] == 1 ? 0 : idx[d]);
                        want[o] += xv[i];
                        cnt[o]++;
                    }
                    if (op == ReduceOp.MEAN) for (int i = 0; i < want.length; i++) want[i] /= cnt[i];
                    double[] got = out.toDoubleArray();
                    double tol = t == DType.FLOAT64 ? 1e-12 : 1e-5;
                    for (int i = 0; i < want.length; i++)
                        assertEquals(want[i], got[i], tol * (1 + Math.abs(want[i])), op + " " + java.util.Arrays.toString(axes) + " " + t);
                }
            }
        }
    }
}
