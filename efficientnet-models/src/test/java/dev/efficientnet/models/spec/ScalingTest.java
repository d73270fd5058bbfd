package dev.efficientnet.models.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Channel/depth rounding and compound scaling. */
class ScalingTest {

    @ParameterizedTest(name = "roundFilters({0}, {1}, limit {2}) = {3}")
    @CsvSource({
            // B3 stage 1: 16 * 1.2 = 19.2 -> 16, which loses > 10% -> 24 with the V1 rule, 16 without
            "16, 1.2, 0.9, 24",
            "16, 1.2, 0.0, 16",
            // exact multiples are kept
            "32, 1.0, 0.9, 32",
            "1280, 1.1, 0.9, 1408",     // 1408.0000000000002
            "320, 2.0, 0.9, 640",
            // nearest multiple of 8, ties up: 40 * 1.1 = 44 -> 48
            "40, 1.1, 0.9, 48",
            "40, 1.1, 0.0, 48",
            // 24 * 1.1 = 26.4 -> 24 (24 >= 0.9 * 26.4)
            "24, 1.1, 0.9, 24",
            // minimum is the divisor
            "16, 0.25, 0.9, 8",
            "24, 0.25, 0.0, 8",
            // 40 * 0.25 = 10 -> 8 < 9 -> 16 with the V1 rule only
            "40, 0.25, 0.9, 16",
            "40, 0.25, 0.0, 8",
            // 1280 * 0.26 = 332.8 -> 336
            "1280, 0.26, 0.9, 336",
    })
    void roundFilters(int channels, double width, double limit, int expected) {
        assertEquals(expected, Scaling.roundFilters(channels, width, 8, limit));
        assertEquals(expected, Scaling.roundFilters(channels, width, limit));
    }

    @Test
    void makeDivisibleOtherDivisors() {
        // int(20 + 8) // 16 * 16 = 16, which is < 0.9 * 20 = 18 -> 32
        assertEquals(32, Scaling.makeDivisible(20, 16, 0.9));
        assertEquals(16, Scaling.makeDivisible(20, 16, 0.0));
        assertEquals(8, Scaling.makeDivisible(7.9, 8, 0.9));
        assertEquals(3, Scaling.makeDivisible(3, 1, 0.9));
    }

    @ParameterizedTest(name = "roundRepeats({0}, {1}) = {2}")
    @CsvSource({
            "1, 1.0, 1", "2, 1.0, 2",
            "1, 1.1, 2", "3, 1.1, 4",       // 3 * 1.1 = 3.3000000000000003
            "3, 1.4, 5",                    // 4.199999999999999
            "4, 1.4, 6", "2, 1.4, 3",
            "4, 1.8, 8", "3, 2.2, 7",
            "4, 3.1, 13", "1, 3.1, 4", "2, 3.1, 7",
            "1, 0.5, 1", "3, 0.5, 2", "15, 0.25, 4", "9, 0.25, 3",
    })
    void roundRepeats(int repeats, double depth, int expected) {
        assertEquals(expected, Scaling.roundRepeats(repeats, depth));
    }

    @Test
    void invalidArguments() {
        assertThrows(IllegalArgumentException.class, () -> Scaling.roundFilters(16, 0.0, 0.9));
        assertThrows(IllegalArgumentException.class, () -> Scaling.roundFilters(16, -1.0, 0.9));
        assertThrows(IllegalArgumentException.class, () -> Scaling.roundFilters(16, Double.NaN, 0.9));
        assertThrows(IllegalArgumentException.class, () -> Scaling.roundRepeats(2, 0.0));
        assertThrows(IllegalArgumentException.class, () -> Scaling.roundRepeats(0, 1.0));
        assertThrows(IllegalArgumentException.class, () -> Scaling.makeDivisible(10, 0, 0.9));
    }

    @Test
    void compoundScalingFromPhi() {
        CompoundScaling one = CompoundScaling.fromPhi(1);
        assertEquals(1.1, one.widthMultiplier(), 1e-12);
        assertEquals(1.2, one.depthMultiplier(), 1e-12);
        assertEquals(1.15, one.resolutionMultiplier(), 1e-12);
        assertEquals(1.92027, one.flopsMultiplier(), 1e-5);       // 1.2 * 1.1^2 * 1.15^2 ~ 2
        assertEquals(258, one.scaleResolution(224));
        assertTrue(one.fromFormula());

        CompoundScaling two = CompoundScaling.fromPhi(2);
        assertEquals(1.21, two.widthMultiplier(), 1e-12);
        assertEquals(1.44, two.depthMultiplier(), 1e-12);
        assertEquals(1.3225, two.resolutionMultiplier(), 1e-12);
        assertEquals(296, two.scaleResolution(224));
        assertEquals(Math.pow(1.92027, 2), two.flopsMultiplier(), 1e-4);

        CompoundScaling zero = CompoundScaling.fromPhi(0);
        assertEquals(1.0, zero.widthMultiplier());
        assertEquals(1.0, zero.depthMultiplier());
        assertEquals(224, zero.scaleResolution(224));

        CompoundScaling custom = CompoundScaling.fromPhi(1, 1.4, 1.2, 1.0);
        assertEquals(1.2, custom.widthMultiplier(), 1e-12);
        assertEquals(1.4, custom.depthMultiplier(), 1e-12);
    }

    @Test
    void compoundScalingExplicit() {
        CompoundScaling b4 = CompoundScaling.of(1.4, 1.8);
        assertFalse(b4.fromFormula());
        assertEquals(1.0, b4.resolutionMultiplier());
        ModelSpec spec = Presets.efficientnetB0().withCompoundScaling(b4, 380);
        assertEquals(Presets.efficientnetB4().params(), spec.params());
        assertEquals(380, spec.evalResolution());
        assertEquals(Presets.efficientnetB4().macs(380), spec.macs(spec.trainResolution()));
        assertThrows(IllegalArgumentException.class, () -> CompoundScaling.of(0, 1));
        assertThrows(IllegalArgumentException.class, () -> CompoundScaling.fromPhi(Double.NaN));
    }

    /** The presets are the official table, not the formula: phi = 1 is not B1. */
    @Test
    void presetTableIsNotTheFormula() {
        ModelSpec formula = Presets.efficientnetB0().withCompoundScaling(CompoundScaling.fromPhi(1), 224);
        ModelSpec b1 = Presets.efficientnetB1();
        assertEquals(1.0, b1.widthMult());
        assertEquals(1.1, b1.depthMult());
        assertEquals(240, b1.evalResolution());
        assertEquals(258, formula.evalResolution());
        assertTrue(formula.params() != b1.params());
    }
}
