package dev.efficientnet.core.optim;

import dev.efficientnet.core.backend.Backend;
import dev.efficientnet.core.tensor.DType;
import dev.efficientnet.core.tensor.MemoryScope;
import dev.efficientnet.core.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Optimizer trajectories against independent double-precision references. The gradients come from
 * autograd on the loss {@code sum((p - target)^2)}, so the reference gradient is {@code 2 (p - target)}.
 */
class OptimizerTest {
    static final double[] P0 = {1.0, -2.0, 0.5, 3.0, -0.25};
    static final double[] TARGET = {0.2, 0.7, -1.5, 2.0, 0.0};

    // ---- helpers ------------------------------------------------------------------------------

    static Tensor param(DType dtype, double[] v) {
        Tensor t = dtype == DType.FLOAT64 ? Tensor.of(v.clone(), v.length) : Tensor.of(toFloat(v), v.length);
        return t.requiresGrad(true);
    }

    static float[] toFloat(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
        return f;
    }

    /** zeroGrad, then backward of sum((p - target)^2) for each parameter. */
    static void computeGrads(Optimizer opt, double[] target) {
        opt.zeroGrad();
        try (MemoryScope s = MemoryScope.open()) {
            for (Parameter p : opt.parameters()) {
                Tensor t = p.value().dtype() == DType.FLOAT64 ? Tensor.of(target, target.length) : Tensor.of(toFloat(target), target.length);
                Tensor d = p.value().sub(t);
                d.mul(d).sum().backward();
            }
        }
    }

    static double[] grad(double[] p, double[] target) {
        double[] g = new double[p.length];
        for (int i = 0; i < p.length; i++) g[i] = 2 * (p[i] - target[i]);
        return g;
    }

    /** Runs {@code steps} optimizer steps on one parameter and returns its value after each. */
    static double[][] run(Function<List<Parameter>, Optimizer> make, boolean decay, DType dtype, int steps) {
        Tensor p = param(dtype, P0);
        Optimizer opt = make.apply(List.of(new Parameter("w", p, decay)));
        double[][] out = new double[steps][];
        for (int s = 0; s < steps; s++) {
            computeGrads(opt, TARGET);
            opt.step();
            out[s] = p.toDoubleArray();
        }
        return out;
    }

    static void assertTrajectory(double[][] expected, double[][] actual, double tol) {
        for (int s = 0; s < expected.length; s++)
            for (int i = 0; i < expected[s].length; i++)
                assertEquals(expected[s][i], actual[s][i], tol * Math.max(1, Math.abs(expected[s][i])),
                        "step " + (s + 1) + " element " + i);
    }

    // ---- references in double -----------------------------------------------------------------

    static double[][] sgdReference(double lr, double momentum, boolean nesterov, double wd, int steps) {
        double[] p = P0.clone();
        double[] buf = new double[p.length];
        double[][] out = new double[steps][];
        for (int s = 0; s < steps; s++) {
            double[] g = grad(p, TARGET);
            for (int i = 0; i < p.length; i++) {
                double gi = g[i] + wd * p[i];
                double d = gi;
                if (momentum != 0) {
                    buf[i] = s == 0 ? gi : momentum * buf[i] + gi;
                    d = nesterov ? gi + momentum * buf[i] : buf[i];
                }
                p[i] -= lr * d;
            }
            out[s] = p.clone();
        }
        return out;
    }

    static double[][] rmspropReference(double lr, double alpha, double momentum, double eps, double wd,
                                       boolean decoupled, int steps) {
        double[] p = P0.clone();
        double[] ms = new double[p.length];
        java.util.Arrays.fill(ms, 1.0);
        double[] mom = new double[p.length];
        double[][] out = new double[steps][];
        for (int s = 0; s < steps; s++) {
            double[] g = grad(p, TARGET);
            for (int i = 0; i < p.length; i++) {
                double gi = g[i];
                if (decoupled) p[i] *= 1 - lr * wd;
                else gi += wd * p[i];
                ms[i] = ms[i] + (1 - alpha) * (gi * gi - ms[i]);
                double upd = gi / Math.sqrt(ms[i] + eps);
                if (momentum > 0) {
                    mom[i] = momentum * mom[i] + lr * upd;
                    p[i] -= mom[i];
                } else {
                    p[i] -= lr * upd;
                }
            }
            out[s] = p.clone();
        }
        return out;
    }

    static double[][] adamwReference(double lr, double b1, double b2, double eps, double wd, int steps) {
        double[] p = P0.clone();
        double[] m = new double[p.length];
        double[] v = new double[p.length];
        double[][] out = new double[steps][];
        for (int s = 0; s < steps; s++) {
            int t = s + 1;
            double[] g = grad(p, TARGET);
            for (int i = 0; i < p.length; i++) {
                p[i] *= 1 - lr * wd;
                m[i] = b1 * m[i] + (1 - b1) * g[i];
                v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
                double mHat = m[i] / (1 - Math.pow(b1, t));
                double vHat = v[i] / (1 - Math.pow(b2, t));
                p[i] -= lr * mHat / (Math.sqrt(vHat) + eps);
            }
            out[s] = p.clone();
        }
        return out;
    }

    // ---- SGD ----------------------------------------------------------------------------------

    @Test
    void sgdFirstStepByHand() {
        // p = 1, target 0.2: g = 1.6; wd 0.1 -> g' = 1.7; lr 0.5 -> p = 1 - 0.85 = 0.15
        Tensor p = Tensor.of(new double[]{1.0}, 1).requiresGrad(true);
        Sgd opt = new Sgd(List.of(Parameter.of("w", p)), 0.5, 0.9, false, 0.1);
        opt.zeroGrad();
        p.sub(Tensor.of(new double[]{0.2}, 1)).mul(p.sub(Tensor.of(new double[]{0.2}, 1))).sum().backward();
        opt.step();
        assertEquals(0.15, p.item(), 1e-15);
        assertEquals(1.7, opt.buffer(0, "momentum_buffer").item(), 1e-15);
        assertArrayEquals(new double[]{1.6}, p.grad().toDoubleArray(), 1e-15, "step() must not modify the gradient");
    }

    @Test
    void sgdTrajectories() {
        for (boolean nesterov : new boolean[]{false, true}) {
            double[][] expected = sgdReference(0.05, 0.9, nesterov, 0.01, 3);
            double[][] actual = run(ps -> new Sgd(ps, 0.05, 0.9, nesterov, 0.01), true, DType.FLOAT64, 3);
            assertTrajectory(expected, actual, 1e-13);
        }
        assertTrajectory(sgdReference(0.1, 0, false, 0.02, 3),
                run(ps -> new Sgd(ps, 0.1, 0, false, 0.02), true, DType.FLOAT64, 3), 1e-13);
        assertTrajectory(sgdReference(0.1, 0, false, 0, 3),
                run(ps -> new Sgd(ps, 0.1), true, DType.FLOAT64, 3), 1e-13);
    }

    @Test
    void nesterovDiffersFromPlainMomentumAfterTheFirstStep() {
        double[][] plain = run(ps -> new Sgd(ps, 0.05, 0.9, false, 0), true, DType.FLOAT64, 2);
        double[][] nest = run(ps -> new Sgd(ps, 0.05, 0.9, true, 0), true, DType.FLOAT64, 2);
        // step 1: plain moves by lr*g, Nesterov by lr*(1+m)*g
        double g0 = 2 * (P0[0] - TARGET[0]);
        assertEquals(P0[0] - 0.05 * g0, plain[0][0], 1e-14);
        assertEquals(P0[0] - 0.05 * 1.9 * g0, nest[0][0], 1e-14);
        assertNotEquals(plain[1][0], nest[1][0]);
    }

    @Test
    void sgdFloat32TracksTheReference() {
        assertTrajectory(sgdReference(0.05, 0.9, true, 0.01, 3),
                run(ps -> new Sgd(ps, 0.05, 0.9, true, 0.01), true, DType.FLOAT32, 3), 2e-6);
    }

    // ---- RMSpropTF ----------------------------------------------------------------------------

    @Test
    void rmspropFirstStepByHand() {
        // square_avg starts at 1: ms = 0.9 * 1 + 0.1 * 1.6^2 = 1.156; mom = 0.01 * 1.6 / sqrt(1.156 + 1e-3)
        Tensor p = Tensor.of(new double[]{1.0}, 1).requiresGrad(true);
        RmsPropTf opt = RmsPropTf.efficientNet(List.of(Parameter.of("w", p)), 0.01, 0);
        computeGrads(opt, new double[]{0.2});
        opt.step();
        double mom = 0.01 * 1.6 / Math.sqrt(1.157);
        assertEquals(1.156, opt.buffer(0, "square_avg").item(), 1e-15);
        assertEquals(mom, opt.buffer(0, "momentum_buffer").item(), 1e-16);
        assertEquals(1 - mom, p.item(), 1e-15);
        // an untouched square_avg starting at zero (PyTorch) would have given a step of 0.01*1.6/sqrt(0.257)
        assertTrue(1 - p.item() < 0.02);
    }

    @Test
    void rmspropTrajectories() {
        assertTrajectory(rmspropReference(0.016, 0.9, 0.9, 1e-3, 1e-5, false, 3),
                run(ps -> RmsPropTf.efficientNet(ps, 0.016, 1e-5), true, DType.FLOAT64, 3), 1e-13);
        assertTrajectory(rmspropReference(0.05, 0.9, 0.9, 1e-3, 0.1, true, 3),
                run(ps -> new RmsPropTf(ps, 0.05, 0.9, 0.9, 1e-3, 0.1, true), true, DType.FLOAT64, 3), 1e-13);
        assertTrajectory(rmspropReference(0.05, 0.8, 0, 1e-2, 0.1, false, 3),
                run(ps -> new RmsPropTf(ps, 0.05, 0.8, 0, 1e-2, 0.1, false), true, DType.FLOAT64, 3), 1e-13);
        // excluded from decay: same as wd = 0
        assertTrajectory(rmspropReference(0.05, 0.9, 0.9, 1e-3, 0, false, 3),
                run(ps -> RmsPropTf.efficientNet(ps, 0.05, 0.5), false, DType.FLOAT64, 3), 1e-13);
    }

    @Test
    void rmspropFloat32TracksTheReference() {
        assertTrajectory(rmspropReference(0.016, 0.9, 0.9, 1e-3, 1e-5, false, 3),
                run(ps -> RmsPropTf.efficientNet(ps, 0.016, 1e-5), true, DType.FLOAT32, 3), 2e-6);
    }

    // ---- AdamW --------------------------------------------------------------------------------

    @Test
    void adamwFirstStepIsLrTimesSign() {
        // with bias correction the first update is lr * g / (|g| + eps) ~= lr * sign(g), after decay
        Tensor p = Tensor.of(new double[]{1.0, -1.0}, 2).requiresGrad(true);
        AdamW opt = new AdamW(List.of(Parameter.of("w", p)), 0.1, 0.5);
        computeGrads(opt, new double[]{0.0, 0.0});
        opt.step();
        double decayed = 1 - 0.1 * 0.5;
        double g = 2.0;
        assertEquals(decayed - 0.1 * g / (g + 1e-8), p.toDoubleArray()[0], 1e-15);
        assertEquals(-decayed + 0.1 * g / (g + 1e-8), p.toDoubleArray()[1], 1e-15);
    }

    @Test
    void adamwTrajectories() {
        assertTrajectory(adamwReference(0.01, 0.9, 0.999, 1e-8, 0.05, 3),
                run(ps -> new AdamW(ps, 0.01, 0.05), true, DType.FLOAT64, 3), 1e-13);
        assertTrajectory(adamwReference(0.03, 0.8, 0.99, 1e-3, 0.0, 3),
                run(ps -> new AdamW(ps, 0.03, 0.8, 0.99, 1e-3, 0.3), false, DType.FLOAT64, 3), 1e-13);
        assertTrajectory(adamwReference(0.01, 0.9, 0.999, 1e-8, 0.05, 3),
                run(ps -> new AdamW(ps, 0.01, 0.05), true, DType.FLOAT32, 3), 2e-6);
    }

    @Test
    void adamwBiasCorrectionUsesEachParametersOwnStepCount() {
        Tensor a = param(DType.FLOAT64, P0);
        Tensor b = param(DType.FLOAT64, P0);
        AdamW opt = new AdamW(List.of(Parameter.of("a", a), Parameter.of("b", b)), 0.01, 0.05);
        computeGrads(opt, TARGET);
        b.clearGrad();                       // b has no gradient on the first step: skipped
        opt.step();
        assertArrayEquals(P0, b.toDoubleArray(), 0);
        computeGrads(opt, TARGET);           // both have gradients on the second step
        opt.step();
        // b's first real update is a first step (bias correction with t = 1), a's is a second one
        assertArrayEquals(adamwReference(0.01, 0.9, 0.999, 1e-8, 0.05, 1)[0], b.toDoubleArray(), 1e-13);
        assertArrayEquals(adamwReference(0.01, 0.9, 0.999, 1e-8, 0.05, 2)[1], a.toDoubleArray(), 1e-13);
        assertEquals(2, opt.stepCount());
    }

    // ---- weight-decay groups ------------------------------------------------------------------

    @Test
    void defaultRuleExcludesBiasesAndBatchNormFromDecay() {
        Map<String, Tensor> named = new LinkedHashMap<>();
        named.put("stem.conv.weight", Tensor.ones(3, 3, 2, 4).requiresGrad(true));
        named.put("stem.bn.weight", Tensor.ones(4).requiresGrad(true));
        named.put("stem.bn.bias", Tensor.ones(4).requiresGrad(true));
        named.put("head.fc.weight", Tensor.ones(3, 4).requiresGrad(true));
        named.put("head.fc.bias", Tensor.ones(3).requiresGrad(true));
        named.put("odd.bias", Tensor.ones(2, 2).requiresGrad(true));
        named.put("frozen.weight", Tensor.ones(2, 2));
        List<Parameter> ps = ParamGroups.of(named);
        assertEquals(List.of("stem.conv.weight", "stem.bn.weight", "stem.bn.bias", "head.fc.weight", "head.fc.bias", "odd.bias"),
                ps.stream().map(Parameter::name).toList());
        assertEquals(List.of("stem.conv.weight", "head.fc.weight"),
                ParamGroups.decayed(ps).stream().map(Parameter::name).toList());
        assertEquals(4, ParamGroups.notDecayed(ps).size());

        List<Parameter> custom = ParamGroups.of(named, java.util.Set.of("head.fc.weight"));
        assertEquals(List.of("stem.conv.weight"), ParamGroups.decayed(custom).stream().map(Parameter::name).toList());
        List<Parameter> byName = ParamGroups.of(named, (n, t) -> n.contains(".bn."));
        assertFalse(byName.get(1).weightDecay());
        assertTrue(byName.get(4).weightDecay());

        // with zero gradients only weight decay moves parameters: decayed ones shrink, the others stay
        Sgd opt = new Sgd(ps, 0.1, 0.9, false, 0.5);
        for (Parameter p : ps) p.value().accumulateGrad(Tensor.zeros(p.value().shape()));
        opt.step();
        for (Parameter p : ps) {
            double expected = p.weightDecay() ? 1 - 0.1 * 0.5 : 1;
            for (float v : p.value().toFloatArray()) assertEquals(expected, v, 1e-7, p.name());
        }
    }

    @Test
    void parametersWithoutGradientAreSkipped() {
        Tensor a = param(DType.FLOAT64, P0);
        Tensor b = param(DType.FLOAT64, P0);
        Sgd opt = new Sgd(List.of(Parameter.of("a", a), Parameter.of("b", b)), 0.1, 0.9, false, 0.1);
        a.accumulateGrad(Tensor.full(DType.FLOAT64, 1, 5));
        opt.step();
        assertNull(b.grad());
        assertArrayEquals(P0, b.toDoubleArray(), 0);
        assertNotEquals(P0[0], a.toDoubleArray()[0]);
        assertEquals(0, Backend.current().sumOfSquares(opt.buffer(1, "momentum_buffer")));
    }

    // ---- clipping -----------------------------------------------------------------------------

    @Test
    void clipByGlobalNormReturnsThePreClipNormAndScales() {
        Tensor a = Tensor.zeros(DType.FLOAT64, 2).requiresGrad(true);
        Tensor b = Tensor.zeros(DType.FLOAT64, 1).requiresGrad(true);
        Tensor c = Tensor.zeros(DType.FLOAT64, 3).requiresGrad(true);   // no gradient
        a.accumulateGrad(Tensor.of(new double[]{3, 4}, 2));
        b.accumulateGrad(Tensor.of(new double[]{12}, 1));
        List<Tensor> ps = List.of(a, b, c);
        assertEquals(13, GradClip.globalNorm(ps), 1e-12);
        assertEquals(13, GradClip.clipByGlobalNorm(ps, 20), 1e-12);
        assertArrayEquals(new double[]{3, 4}, a.grad().toDoubleArray(), 0, "below the limit nothing changes");
        assertEquals(13, GradClip.clipByGlobalNorm(ps, 6.5), 1e-12);
        double coef = 6.5 / (13 + 1e-6);
        assertArrayEquals(new double[]{3 * coef, 4 * coef}, a.grad().toDoubleArray(), 1e-14);
        assertArrayEquals(new double[]{12 * coef}, b.grad().toDoubleArray(), 1e-14);
        assertEquals(6.5, GradClip.globalNorm(ps), 1e-6);
        assertThrows(IllegalArgumentException.class, () -> GradClip.clipByGlobalNorm(ps, 0));

        Sgd opt = new Sgd(List.of(Parameter.of("a", a), Parameter.of("b", b)), 0.1);
        assertEquals(6.5, GradClip.clipByGlobalNorm(opt, 1), 1e-6);
        assertEquals(1, GradClip.globalNorm(ps), 1e-6);
    }

    // ---- checkpointing ------------------------------------------------------------------------

    interface Factory {
        AbstractOptimizer make(List<Parameter> ps);
    }

    static void assertResumeIsExact(Factory factory) {
        Tensor w = param(DType.FLOAT32, P0);
        Tensor bias = param(DType.FLOAT32, new double[]{0.1, -0.3});
        List<Parameter> ps = List.of(Parameter.of("w", w), Parameter.noDecay("b", bias));
        AbstractOptimizer a = factory.make(ps);
        for (int s = 0; s < 2; s++) {
            computeGradsMixed(a);
            a.setLearningRate(0.01 * (s + 1));
            a.step();
        }
        OptimizerState saved = a.state();
        assertEquals(2.0, saved.scalars().get("step"));
        assertEquals(0.02, saved.scalars().get("lr"));

        // a fresh optimizer over parameters restored to the same values
        Tensor w2 = param(DType.FLOAT32, w.toDoubleArray());
        Tensor bias2 = param(DType.FLOAT32, bias.toDoubleArray());
        AbstractOptimizer b = factory.make(List.of(Parameter.of("w", w2), Parameter.noDecay("b", bias2)));
        b.loadState(saved);
        assertEquals(2, b.stepCount());
        assertEquals(0.02, b.learningRate());

        for (int s = 0; s < 2; s++) {
            computeGradsMixed(a);
            computeGradsMixed(b);
            a.step();
            b.step();
        }
        assertArrayEquals(w.toFloatArray(), w2.toFloatArray(), "resumed run must be bit-identical");
        assertArrayEquals(bias.toFloatArray(), bias2.toFloatArray(), "resumed run must be bit-identical");
        // the export was a copy: the original kept stepping but the snapshot did not change
        OptimizerState later = a.state();
        for (String key : saved.tensors().keySet())
            assertFalse(java.util.Arrays.equals(saved.tensors().get(key).toFloatArray(), later.tensors().get(key).toFloatArray()), key);
    }

    static void computeGradsMixed(Optimizer opt) {
        opt.zeroGrad();
        try (MemoryScope s = MemoryScope.open()) {
            Tensor w = opt.parameters().get(0).value();
            Tensor b = opt.parameters().get(1).value();
            Tensor d = w.sub(Tensor.of(toFloat(TARGET), 5));
            d.mul(d).sum().add(b.mul(b).mul(3).sum()).backward();
        }
    }

    @Test
    void stateExportImportReproducesTheNextStepsExactly() {
        assertResumeIsExact(ps -> new Sgd(ps, 0.1, 0.9, true, 1e-2));
        assertResumeIsExact(ps -> RmsPropTf.efficientNet(ps, 0.1, 1e-2));
        assertResumeIsExact(ps -> new AdamW(ps, 0.1, 1e-2));
    }

    @Test
    void loadStateRejectsMismatches() {
        Tensor w = param(DType.FLOAT32, P0);
        AdamW a = new AdamW(List.of(Parameter.of("w", w)), 0.1, 0);
        OptimizerState s = a.state();
        assertEquals(List.of("w.exp_avg", "w.exp_avg_sq"), List.copyOf(s.tensors().keySet()));

        AdamW other = new AdamW(List.of(Parameter.of("v", param(DType.FLOAT32, P0))), 0.1, 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> other.loadState(s));
        assertTrue(e.getMessage().contains("v."), e.getMessage());

        AdamW shape = new AdamW(List.of(Parameter.of("w", param(DType.FLOAT32, new double[]{1, 2}))), 0.1, 0);
        e = assertThrows(IllegalArgumentException.class, () -> shape.loadState(s));
        assertTrue(e.getMessage().contains("[5]") && e.getMessage().contains("[2]"), e.getMessage());

        Sgd sgd = new Sgd(List.of(Parameter.of("w", param(DType.FLOAT32, P0))), 0.1, 0.9, false, 0);
        e = assertThrows(IllegalArgumentException.class, () -> sgd.loadState(s));
        assertTrue(e.getMessage().contains("adamw"), e.getMessage());

        Map<String, Tensor> extra = new LinkedHashMap<>(s.tensors());
        extra.put("gone.exp_avg", Tensor.zeros(5));
        e = assertThrows(IllegalArgumentException.class, () -> a.loadState(new OptimizerState("adamw", extra, s.scalars())));
        assertTrue(e.getMessage().contains("gone.exp_avg"), e.getMessage());
    }

    // ---- memory and validation ----------------------------------------------------------------

    @Test
    void stateIsPersistentAndStepsAllocateNothingInTheCallersScope() {
        Tensor w = Tensor.zeros(64, 33).requiresGrad(true);
        Tensor b = Tensor.zeros(33).requiresGrad(true);
        List<Parameter> ps = List.of(Parameter.of("w", w), Parameter.noDecay("b", b));
        List<AbstractOptimizer> opts;
        try (MemoryScope construction = MemoryScope.open()) {   // state must not land in a step scope
            opts = List.of(new Sgd(ps, 0.1, 0.9, true, 1e-4), RmsPropTf.efficientNet(ps, 0.1, 1e-4), new AdamW(ps, 0.1, 1e-4));
            assertEquals(0, construction.size());
        }
        for (AbstractOptimizer opt : opts) {
            w.accumulateGrad(Tensor.ones(64, 33));
            b.accumulateGrad(Tensor.ones(33));
            opt.step();
            long before = Backend.current().bytesAllocated();
            for (int i = 0; i < 5; i++) {
                try (MemoryScope step = MemoryScope.open()) {
                    opt.step();
                    assertEquals(0, step.size(), "scratch must be recycled inside step()");
                }
            }
            assertEquals(before, Backend.current().bytesAllocated(), opt.getClass().getSimpleName() + " grew the pool");
            for (String key : opt.state().tensors().keySet()) {
                String buffer = key.substring(key.indexOf('.') + 1);
                assertTrue(opt.buffer(key.startsWith("w.") ? 0 : 1, buffer).toFloatArray().length > 0, key);
            }
        }
    }

    @Test
    void badArgumentsAreRejected() {
        List<Parameter> ps = List.of(Parameter.of("w", param(DType.FLOAT32, P0)));
        assertThrows(IllegalArgumentException.class, () -> new Sgd(ps, -1));
        assertThrows(IllegalArgumentException.class, () -> new Sgd(ps, 0.1, 0, true, 0));
        assertThrows(IllegalArgumentException.class, () -> new Sgd(ps, 0.1, 0.9, false, -1));
        assertThrows(IllegalArgumentException.class, () -> new AdamW(ps, 0.1, 1.0, 0.999, 1e-8, 0));
        assertThrows(IllegalArgumentException.class, () -> new RmsPropTf(ps, 0.1, 1.5, 0.9, 1e-3, 0, false));
        assertThrows(IllegalArgumentException.class, () -> new Sgd(ps, 0.1).setLearningRate(Double.NaN));
        Tensor t = param(DType.FLOAT32, P0);
        assertThrows(IllegalArgumentException.class, () -> new Sgd(List.of(Parameter.of("x", t), Parameter.of("x", Tensor.zeros(2))), 0.1));
        assertThrows(IllegalArgumentException.class, () -> new Sgd(List.of(Parameter.of("x", t), Parameter.of("y", t)), 0.1));
        assertThrows(IllegalArgumentException.class, () -> Parameter.of("", t));
    }
}
