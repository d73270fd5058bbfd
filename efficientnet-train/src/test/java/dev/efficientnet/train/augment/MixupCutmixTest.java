package dev.efficientnet.train.augment;

import dev.efficientnet.core.tensor.Rng;
import dev.efficientnet.train.augment.MixupCutmix.Mode;
import dev.efficientnet.train.augment.MixupCutmix.Result;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MixupCutmixTest {
    private static float[] batch(int n, int c, int h, int w, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n * c * h * w];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextDouble(-2, 2);
        return x;
    }

    private static void assertRowsSumToOne(float[] t, int n, int k) {
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int j = 0; j < k; j++) {
                assertTrue(t[i * k + j] >= 0);
                s += t[i * k + j];
            }
            assertEquals(1.0, s, 1e-5, "row " + i);
        }
    }

    @Test
    void labelSmoothingValues() {
        float[] t = MixupCutmix.smoothOneHot(new int[]{2, 0}, 4, 0.1);
        assertArrayEquals(new float[]{0.025f, 0.025f, 0.925f, 0.025f, 0.925f, 0.025f, 0.025f, 0.025f}, t, 1e-7f);
        assertArrayEquals(new float[]{0, 1, 0}, MixupCutmix.smoothOneHot(new int[]{1}, 3, 0), 0f);
        assertThrows(IllegalArgumentException.class, () -> MixupCutmix.smoothOneHot(new int[]{3}, 3, 0.1));
        assertThrows(IllegalArgumentException.class, () -> MixupCutmix.smoothOneHot(new int[]{0}, 3, 1.0));
    }

    @Test
    void mixupBlendsReversedPairsAndTargetsSumToOne() {
        int n = 5, c = 2, h = 3, w = 4, k = 6;
        int[] labels = {0, 1, 2, 3, 5};
        float[] orig = batch(n, c, h, w, 1);
        float[] x = orig.clone();
        Result r = new MixupCutmix(0.4, 0, 1, 0.5, 0.1, k).apply(x, n, c, h, w, labels, new Rng(3));
        assertEquals(Mode.MIXUP, r.mode());
        double lam = r.lambda();
        assertTrue(lam >= 0 && lam <= 1);
        int img = c * h * w;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < img; j++)
                assertEquals(lam * orig[i * img + j] + (1 - lam) * orig[(n - 1 - i) * img + j], x[i * img + j], 1e-5);
        assertRowsSumToOne(r.targets(), n, k);
        float off = 0.1f / k, on = 0.9f + off;
        // row 0 mixes label 0 (weight lam) with label 5 (weight 1 - lam)
        assertEquals(lam * on + (1 - lam) * off, r.targets()[0], 1e-5);
        assertEquals(lam * off + (1 - lam) * on, r.targets()[5], 1e-5);
        assertEquals(off, r.targets()[1], 1e-6);
        // middle example of an odd batch mixes with itself
        assertEquals(on, r.targets()[2 * k + 2], 1e-5);
    }

    @Test
    void cutmixPastesABoxAndCorrectsLambda() {
        int n = 4, c = 1, h = 16, w = 16, k = 3;
        int[] labels = {0, 1, 2, 1};
        for (long seed = 0; seed < 20; seed++) {
            float[] orig = batch(n, c, h, w, seed);
            float[] x = orig.clone();
            Result r = new MixupCutmix(0, 1.0, 1, 0.5, 0, k).apply(x, n, c, h, w, labels, new Rng(seed));
            assertEquals(Mode.CUTMIX, r.mode());
            int pasted = 0;
            for (int p = 0; p < h * w; p++) {
                if (x[p] == orig[p]) continue;
                assertEquals(orig[3 * h * w + p], x[p]); // slot 0 takes from slot 3
                assertEquals(orig[p], x[3 * h * w + p]);
                pasted++;
            }
            assertEquals(1 - (double) pasted / (h * w), r.lambda(), 1e-9, "lambda is the kept area");
            assertRowsSumToOne(r.targets(), n, k);
            assertEquals(r.lambda(), r.targets()[0], 1e-6);
            assertEquals(1 - r.lambda(), r.targets()[1], 1e-6);
        }
    }

    @Test
    void bothEnabledSwitchesHalfHalfAndIsSeeded() {
        MixupCutmix m = new MixupCutmix(0.2, 1.0, 1, 0.5, 0.1, 10);
        int cut = 0;
        for (int s = 0; s < 400; s++) {
            Result r = m.apply(batch(2, 1, 4, 4, s), 2, 1, 4, 4, new int[]{1, 2}, new Rng(s));
            if (r.mode() == Mode.CUTMIX) cut++;
        }
        assertTrue(cut > 150 && cut < 250, "cutmix chosen " + cut + " / 400");
        float[] a = batch(4, 3, 5, 5, 9), b = a.clone();
        Result ra = m.apply(a, 4, 3, 5, 5, new int[]{1, 2, 3, 4}, new Rng(77));
        Result rb = m.apply(b, 4, 3, 5, 5, new int[]{1, 2, 3, 4}, new Rng(77));
        assertArrayEquals(a, b);
        assertArrayEquals(ra.targets(), rb.targets());
        // disabled: only (smoothed) one-hot targets, images untouched
        float[] x = batch(2, 1, 3, 3, 1), copy = x.clone();
        Result none = new MixupCutmix(0, 0, 1, 0.5, 0.2, 4).apply(x, 2, 1, 3, 3, new int[]{0, 3}, new Rng(1));
        assertEquals(Mode.NONE, none.mode());
        assertArrayEquals(copy, x);
        assertArrayEquals(MixupCutmix.smoothOneHot(new int[]{0, 3}, 4, 0.2), none.targets());
    }

    @Test
    void betaSamplesHaveTheRightMean() {
        SplittableRandom r = new SplittableRandom(5);
        for (double alpha : new double[]{0.2, 1.0, 3.0}) {
            double sum = 0, sq = 0;
            int n = 20000;
            for (int i = 0; i < n; i++) {
                double v = Rngs.beta(r, alpha);
                assertTrue(v >= 0 && v <= 1);
                sum += v;
                sq += (v - 0.5) * (v - 0.5);
            }
            assertEquals(0.5, sum / n, 0.01);
            assertEquals(1 / (4 * (2 * alpha + 1)), sq / n, 0.01, "variance for alpha " + alpha);
        }
    }
}
