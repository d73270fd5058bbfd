package dev.efficientnet.core.optim;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LrScheduleTest {
    static final double EPS = 1e-15;

    @Test
    void constant() {
        LrSchedule s = LrSchedules.constant(0.3);
        assertEquals(0.3, s.lr(0));
        assertEquals(0.3, s.lr(1234.5));
        assertThrows(IllegalArgumentException.class, () -> LrSchedules.constant(-1));
    }

    @Test
    void cosineEndpointsAndMidpoint() {
        LrSchedule s = LrSchedules.cosine(0.1, 0.001, 100);
        assertEquals(0.1, s.lr(0), EPS);
        assertEquals(0.0505, s.lr(50), EPS);
        assertEquals(0.001 + 0.099 * (1 + Math.cos(Math.PI / 4)) / 2, s.lr(25), EPS);
        assertEquals(0.001, s.lr(100), EPS);
        assertEquals(0.001, s.lr(150), EPS);
    }

    @Test
    void warmupCosine() {
        LrSchedule s = LrSchedules.warmupCosine(0.1, 0.001, 5, 105, 0);
        assertEquals(0, s.lr(0), EPS);
        assertEquals(0.05, s.lr(2.5), EPS);
        assertEquals(0.1, s.lr(5), EPS);              // warmup end = peak
        assertEquals(0.0999, s.lr(4.995), 1e-15);
        assertEquals(0.0505, s.lr(55), EPS);           // cosine midpoint, shifted by the warmup
        assertEquals(0.001, s.lr(105), EPS);
        // per-iteration: 100 steps per epoch, step 250 = epoch 2.5
        assertEquals(0.05, s.lrAtStep(250, 100), EPS);
        assertEquals(0.0505, s.lrAtStep(5500, 100), EPS);
        assertThrows(IllegalArgumentException.class, () -> LrSchedules.warmupCosine(0.1, 0, 5, 5, 0));
    }

    @Test
    void efficientNetStaircaseDecay() {
        LrSchedule s = LrSchedules.exponential(0.016, 0.97, 2.4);
        assertEquals(0.016, s.lr(0), EPS);
        assertEquals(0.016, s.lr(2.3999), EPS);
        assertEquals(0.016 * 0.97, s.lr(2.4), EPS);
        assertEquals(0.016 * 0.97, s.lr(4.79), EPS);
        assertEquals(0.016 * 0.97 * 0.97, s.lr(4.8), EPS);
        // every boundary k * 2.4 epochs hit exactly at integer steps (5 steps per epoch -> every 12 steps)
        for (int k = 1; k <= 200; k++) {
            assertEquals(0.016 * Math.pow(0.97, k), s.lrAtStep(12L * k, 5), EPS, "boundary " + k);
            assertEquals(0.016 * Math.pow(0.97, k - 1), s.lrAtStep(12L * k - 1, 5), EPS, "before boundary " + k);
        }
        LrSchedule smooth = LrSchedules.exponential(0.016, 0.97, 2.4, false);
        assertEquals(0.016 * Math.pow(0.97, 0.5), smooth.lr(1.2), EPS);
    }

    @Test
    void warmupOverlaidOnStaircase() {
        // TF EfficientNet: lr = initial * step / warmup_steps while warming up, the unshifted decay after
        LrSchedule s = LrSchedules.exponential(0.016, 0.97, 2.4).withWarmup(5, 0);
        assertEquals(0, s.lr(0), EPS);
        assertEquals(0.008, s.lr(2.5), EPS);
        assertEquals(0.016 * 0.97 * 0.97, s.lr(5), EPS);   // floor(5 / 2.4) = 2
        assertEquals(0.016 * Math.pow(0.97, 4), s.lr(9.6), EPS);
        LrSchedule prefixed = LrSchedules.exponential(0.016, 0.97, 2.4).withWarmupPrefix(5, 0.001);
        assertEquals(0.001 + 0.015 * 0.5, prefixed.lr(2.5), EPS);
        assertEquals(0.016, prefixed.lr(5), EPS);
        assertEquals(0.016 * 0.97, prefixed.lr(7.4), EPS);
        assertEquals(0.3, LrSchedules.constant(0.3).withWarmup(0, 0).lr(0), EPS);
    }

    @Test
    void stepAndMultiStepDecay() {
        LrSchedule s = LrSchedules.step(0.1, 0.1, 30);
        assertEquals(0.1, s.lr(29.99), EPS);
        assertEquals(0.01, s.lr(30), 1e-17);
        assertEquals(0.001, s.lr(60), 1e-18);
        LrSchedule m = LrSchedules.multiStep(1.0, 0.5, 10, 15);
        assertEquals(1.0, m.lr(9.9));
        assertEquals(0.5, m.lr(10));
        assertEquals(0.25, m.lr(15));
        assertEquals(0.25, m.lr(100));
        assertThrows(IllegalArgumentException.class, () -> LrSchedules.multiStep(1, 0.5, 10, 5));
    }

    @Test
    void badTimesAreRejected() {
        LrSchedule s = LrSchedules.cosine(0.1, 0, 10);
        assertThrows(IllegalArgumentException.class, () -> s.lr(-0.5));
        assertThrows(IllegalArgumentException.class, () -> s.lr(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> s.lrAtStep(-1, 10));
        assertThrows(IllegalArgumentException.class, () -> s.lrAtStep(1, 0));
        assertThrows(IllegalArgumentException.class, () -> LrSchedules.cosine(0.1, 0, 0));
    }
}
