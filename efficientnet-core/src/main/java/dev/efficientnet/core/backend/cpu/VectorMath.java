package dev.efficientnet.core.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float32 exp-based kernels (exp, sigmoid, SiLU and their gradients) on the incubating Vector
 * API: the same Cody-Waite reduction and polynomial as {@link CpuElementwise#expInto}, written with
 * explicit fused multiply-adds and an in-register {@code 2^k} (the scalar path needs extra passes
 * for both). Only loaded when {@link Simd#ENABLED}; the scalar path is the reference.
 */
final class VectorMath {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final float LOG2E = 1.44269504088896341f;
    private static final float ROUND_MAGIC = 12582912f;
    private static final FloatVector NEG_LN2_HI = FloatVector.broadcast(F, -0.693359375f);
    private static final FloatVector NEG_LN2_LO = FloatVector.broadcast(F, 2.12194440e-4f);
    private static final FloatVector P0 = FloatVector.broadcast(F, 1.9875691500E-4f);
    private static final FloatVector P1 = FloatVector.broadcast(F, 1.3981999507E-3f);
    private static final FloatVector P2 = FloatVector.broadcast(F, 8.3334519073E-3f);
    private static final FloatVector P3 = FloatVector.broadcast(F, 4.1665795894E-2f);
    private static final FloatVector P4 = FloatVector.broadcast(F, 1.6666665459E-1f);
    private static final FloatVector P5 = FloatVector.broadcast(F, 5.0000001201E-1f);
    private static final FloatVector ONE = FloatVector.broadcast(F, 1f);

    private VectorMath() {
    }

    /** Lanes per vector (for the self-test). */
    static int lanes() {
        return F.length();
    }

    /** {@code exp(v)} for v already clamped to [{@code EXP_LO}, {@code EXP_HI}]. */
    private static FloatVector exp(FloatVector v) {
        FloatVector k = v.mul(LOG2E).add(ROUND_MAGIC).sub(ROUND_MAGIC);
        FloatVector r = k.fma(NEG_LN2_HI, v);
        r = k.fma(NEG_LN2_LO, r);
        FloatVector p = P0.fma(r, P1).fma(r, P2).fma(r, P3).fma(r, P4).fma(r, P5);
        FloatVector e = p.fma(r.mul(r), r.add(1f));
        IntVector bits = ((IntVector) k.convert(VectorOperators.F2I, 0)).add(127).lanewise(VectorOperators.LSHL, 23);
        return e.mul(bits.reinterpretAsFloats());
    }

    private static FloatVector expOfNeg(float[] x, int i) {
        return exp(FloatVector.fromArray(F, x, i).neg().max(CpuElementwise.EXP_LO).min(CpuElementwise.EXP_HI));
    }

    /** {@code e[i] = exp(sign * a[i])}, clamped like the scalar path; returns how many were done. */
    static int exp(float[] a, float sign, float[] e, int len) {
        int bound = F.loopBound(len);
        for (int i = 0; i < bound; i += F.length())
            exp(FloatVector.fromArray(F, a, i).mul(sign).max(CpuElementwise.EXP_LO).min(CpuElementwise.EXP_HI)).intoArray(e, i);
        return bound;
    }

    /** {@code s[i] = sigmoid(x[i])}; returns how many were done. */
    static int sigmoid(float[] x, float[] s, int len) {
        int bound = F.loopBound(len);
        for (int i = 0; i < bound; i += F.length()) ONE.div(expOfNeg(x, i).add(1f)).intoArray(s, i);
        return bound;
    }

    /** {@code y[i] = x[i] * sigmoid(x[i])}; returns how many were done. */
    static int silu(float[] x, float[] y, int len) {
        int bound = F.loopBound(len);
        for (int i = 0; i < bound; i += F.length())
            FloatVector.fromArray(F, x, i).div(expOfNeg(x, i).add(1f)).intoArray(y, i);
        return bound;
    }

    /**
     * {@code g[i] *= silu'(x[i])} with {@code s = 1/(1+e)}, {@code 1-s = min(e, MAX)*s}, {@code e = exp(-x)}
     * (the scalar path's cancellation-free form); returns how many were done.
     */
    static int siluGrad(float[] x, float[] g, int len) {
        int bound = F.loopBound(len);
        for (int i = 0; i < bound; i += F.length()) {
            FloatVector e = expOfNeg(x, i);
            FloatVector s = ONE.div(e.add(1f));
            FloatVector q = e.min(Float.MAX_VALUE).mul(s);
            FloatVector d = s.mul(FloatVector.fromArray(F, x, i).fma(q, ONE));
            FloatVector.fromArray(F, g, i).mul(d).intoArray(g, i);
        }
        return bound;
    }

    /** {@code g[i] *= sigmoid'(x[i])} in the same form; returns how many were done. */
    static int sigmoidGrad(float[] x, float[] g, int len) {
        int bound = F.loopBound(len);
        for (int i = 0; i < bound; i += F.length()) {
            FloatVector e = expOfNeg(x, i);
            FloatVector s = ONE.div(e.add(1f));
            FloatVector d = s.mul(e.min(Float.MAX_VALUE).mul(s));
            FloatVector.fromArray(F, g, i).mul(d).intoArray(g, i);
        }
        return bound;
    }
}
