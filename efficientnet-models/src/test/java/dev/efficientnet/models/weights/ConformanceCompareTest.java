package dev.efficientnet.models.weights;

import dev.efficientnet.core.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The comparison rules of {@link Conformance#compare} on hand-made tensors. */
class ConformanceCompareTest {
    private static final Conformance.Tolerance TOL = Conformance.Tolerance.DEFAULT;

    private static Tensor t(float... v) {
        return Tensor.of(v, v.length);
    }

    @Test
    void maxAbsIsRelativeToMaxOneAndMaxRef() {
        // |ref| <= 1: absolute 1e-4
        assertTrue(compare("logits", t(1f, 0.5f), t(1.00009f, 0.5f)).passed());
        assertFalse(compare("logits", t(1f, 0.5f), t(1.00011f, 0.5f)).passed());
        // max|ref| = 100: 1e-2 allowed
        assertTrue(compare("features", t(100f, 3f), t(100f, 3.009f)).passed());
        assertFalse(compare("features", t(100f, 3f), t(100f, 3.011f)).passed());
        // NaN never passes
        assertFalse(compare("logits", t(1f), t(Float.NaN)).passed());
    }

    @Test
    void gradientsUseRelativeNorm() {
        Map<String, Tensor> ref = new LinkedHashMap<>();
        ref.put("grad.a", t(3f, 4f));        // norm 5
        ref.put("grad.b", t(0f, 0f));
        Map<String, Tensor> ours = new LinkedHashMap<>();
        ours.put("grad.a", t(3f, 4.004f));   // 8e-4 relative
        ours.put("grad.b", t(0f, 0f));
        assertTrue(Conformance.compare(ours, ref, TOL).passed());
        ours.put("grad.a", t(3f, 4.006f));   // 1.2e-3
        ConformanceReport r = Conformance.compare(ours, ref, TOL);
        assertFalse(r.passed());
        assertEquals("grad.a", r.failures().get(0).key());
    }

    /** A gradient that is round-off of zero passes only while its difference is below 1e-6 of the global gradient norm. */
    @Test
    void zeroGradientFloor() {
        Map<String, Tensor> ref = new LinkedHashMap<>();
        ref.put("grad.big", t(30f, 40f));     // global norm ~50
        ref.put("grad.tiny", t(2e-7f, 0f));
        Map<String, Tensor> ours = new LinkedHashMap<>(ref);
        ours.put("grad.tiny", t(-3e-7f, 1e-7f));   // diff ~5.1e-7 <= 5e-5
        ConformanceReport r = Conformance.compare(ours, ref, TOL);
        assertTrue(r.passed(), r.summary());
        assertEquals(1, r.zeroGradients().size());
        assertTrue(r.zeroGradients().get(0).detail().startsWith("zero gradient"));
        ours.put("grad.tiny", t(1e-4f, 0f));        // diff 1e-4 > 5e-5: a real error
        assertFalse(Conformance.compare(ours, ref, TOL).passed());
    }

    @Test
    void keySetsAndShapesMustAgreeWithinAGroup() {
        Map<String, Tensor> ref = new LinkedHashMap<>();
        ref.put("input", t(1f));
        ref.put("act.stem", t(1f));
        ref.put("act.head", t(2f));
        ref.put("grad.x", t(1f));
        Map<String, Tensor> ours = new LinkedHashMap<>();
        ours.put("act.stem", t(1f));
        ConformanceReport r = Conformance.compare(ours, ref, TOL);
        assertEquals(2, r.checks().size(), r.table()); // act.stem ok, act.head missing; input and grad.* not our groups
        assertEquals(ConformanceReport.Metric.MISSING, r.check("act.head").orElseThrow().metric());
        ours.put("act.head", Tensor.of(new float[]{2f}, 1, 1));
        r = Conformance.compare(ours, ref, TOL);
        assertEquals(ConformanceReport.Metric.SHAPE, r.check("act.head").orElseThrow().metric());
        assertEquals("act.head", r.firstFailingActivation().orElseThrow().key());
        ours.put("act.extra", t(0f));
        assertFalse(Conformance.compare(ours, ref, TOL).check("act.extra").orElseThrow().passed());
        assertFalse(Conformance.compare(Map.of(), ref, TOL).passed(), "an empty comparison does not pass");
    }

    @Test
    void badTolerancesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new Conformance.Tolerance(-1, 1e-3));
        assertThrows(IllegalArgumentException.class, () -> new Conformance.Tolerance(1e-4, Double.NaN));
    }

    private static ConformanceReport compare(String key, Tensor ref, Tensor ours) {
        return Conformance.compare(Map.of(key, ours), Map.of(key, ref), TOL);
    }
}
