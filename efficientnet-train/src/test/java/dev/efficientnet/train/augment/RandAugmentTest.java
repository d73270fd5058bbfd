package dev.efficientnet.train.augment;

import dev.efficientnet.core.tensor.Rng;
import dev.efficientnet.train.augment.RandAugment.Op;
import dev.efficientnet.train.data.Example;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.efficientnet.train.augment.TransformsTest.assertInUnitRange;
import static dev.efficientnet.train.augment.TransformsTest.image;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RandAugmentTest {
    @Test
    void everyOpKeepsShapeAndRangeAtAllLevels() {
        for (Op op : Op.values())
            for (int c : new int[]{1, 3})
                for (double level : new double[]{0, 5, 10, 15, 25, 30})
                    for (boolean neg : new boolean[]{false, true}) {
                        Example in = image(9, 11, c, 3);
                        float[] copy = in.pixels().clone();
                        Example out = RandAugment.applyOp(op, in, level, neg, 0.5f);
                        assertEquals(9, out.height());
                        assertEquals(11, out.width());
                        assertEquals(c, out.channels());
                        assertInUnitRange(out);
                        assertArrayEquals(copy, in.pixels(), op + " must not modify its input");
                    }
    }

    @Test
    void neutralLevelsAreIdentity() {
        Example in = image(8, 8, 3, 5);
        // enhancement factor 0.18 * 5 + 0.1 = 1
        for (Op op : List.of(Op.COLOR, Op.CONTRAST, Op.BRIGHTNESS, Op.SHARPNESS))
            assertArrayEquals(in.pixels(), RandAugment.applyOp(op, in, 5, false, 0.5f).pixels(), 1e-5f, op.toString());
        for (Op op : List.of(Op.ROTATE, Op.SHEAR_X, Op.SHEAR_Y, Op.TRANSLATE_X, Op.TRANSLATE_Y))
            assertArrayEquals(in.pixels(), RandAugment.applyOp(op, in, 0, true, 0.5f).pixels(), 1e-5f, op.toString());
        // solarize threshold 256 and posterize with 8 bits change nothing
        assertArrayEquals(in.pixels(), RandAugment.applyOp(Op.SOLARIZE, in, 10, false, 0.5f).pixels());
        Example q = RandAugment.applyOp(Op.POSTERIZE, in, 20, false, 0.5f); // 8 bits
        assertArrayEquals(in.pixels(), q.pixels());
        // color on grayscale is the identity
        Example g = image(6, 6, 1, 2);
        assertArrayEquals(g.pixels(), RandAugment.applyOp(Op.COLOR, g, 25, false, 0.5f).pixels());
    }

    @Test
    void opSemantics() {
        Example in = image(8, 8, 3, 6);
        float[] p = in.pixels();
        float[] inv = RandAugment.applyOp(Op.INVERT, in, 3, false, 0.5f).pixels();
        for (int i = 0; i < p.length; i++) assertEquals(1 - p[i], inv[i], 1e-6f);
        // solarize at level 0: threshold 0 inverts everything
        assertArrayEquals(inv, RandAugment.applyOp(Op.SOLARIZE, in, 0, false, 0.5f).pixels(), 1e-6f);
        // posterize at level 10 keeps 4 bits
        for (float v : RandAugment.applyOp(Op.POSTERIZE, in, 10, false, 0.5f).pixels())
            assertEquals(0, Math.round(v * 255) % 16);
        // brightness level 10: factor 1.9, clipped
        float[] br = RandAugment.applyOp(Op.BRIGHTNESS, in, 10, false, 0.5f).pixels();
        for (int i = 0; i < p.length; i++) assertEquals(Math.min(1f, p[i] * 1.9f), br[i], 1e-5f);
        // solarize-add at level 10 adds 110/255 below 128/255
        float[] sa = RandAugment.applyOp(Op.SOLARIZE_ADD, in, 10, false, 0.5f).pixels();
        for (int i = 0; i < p.length; i++)
            assertEquals(Math.round(p[i] * 255) < 128 ? Math.min(1f, p[i] + 110 / 255f) : p[i], sa[i], 1e-5f);
        // autocontrast stretches a low-contrast image to [0, 1]
        float[] low = new float[16];
        for (int i = 0; i < 16; i++) low[i] = 0.4f + 0.01f * i;
        float[] ac = RandAugment.applyOp(Op.AUTO_CONTRAST, new Example(low, 4, 4, 1, 0), 0, false, 0.5f).pixels();
        assertEquals(0f, ac[0], 1e-5f);
        assertEquals(1f, ac[15], 1e-5f);
        // equalize spreads a low-contrast image over (nearly) the full range, keeping the order
        float[] ramp = new float[32 * 32];
        for (int i = 0; i < ramp.length; i++) ramp[i] = 0.4f + 0.15f * i / (ramp.length - 1);
        float[] eq = RandAugment.applyOp(Op.EQUALIZE, new Example(ramp, 32, 32, 1, 0), 0, false, 0.5f).pixels();
        assertTrue(eq[0] < 0.05f && eq[eq.length - 1] > 0.9f, "equalized range " + eq[0] + ".." + eq[eq.length - 1]);
        for (int i = 1; i < eq.length; i++) assertTrue(eq[i] >= eq[i - 1]);
        // PIL leaves images with fewer than 256 + pixels per bin unchanged (step 0)
        assertArrayEquals(low, RandAugment.applyOp(Op.EQUALIZE, new Example(low, 4, 4, 1, 0), 0, false, 0.5f).pixels());
    }

    @Test
    void rotateNinetyDegreesAtLevelThirty() {
        Example in = image(6, 6, 1, 8);
        float[] r = RandAugment.applyOp(Op.ROTATE, in, 30, false, 0.5f).pixels(); // 3 * 30 = 90 degrees
        float[] back = RandAugment.applyOp(Op.ROTATE, new Example(r, 6, 6, 1, 0), 30, true, 0.5f).pixels();
        assertArrayEquals(in.pixels(), back, 1e-4f);
        assertFalse(java.util.Arrays.equals(in.pixels(), r));
        // a quarter turn is a permutation of the pixels: same multiset of values
        float[] a = in.pixels().clone(), b = r.clone();
        java.util.Arrays.sort(a);
        java.util.Arrays.sort(b);
        assertArrayEquals(a, b, 1e-4f);
    }

    @Test
    void translateAtLevelTenShiftsBy45Percent() {
        float[] p = new float[20];
        for (int i = 0; i < 20; i++) p[i] = i / 20f;
        float[] t = RandAugment.applyOp(Op.TRANSLATE_X, new Example(p, 1, 20, 1, 0), 10, false, 0f).pixels();
        for (int x = 0; x < 20; x++) assertEquals(x + 9 < 20 ? (x + 9) / 20f : 0f, t[x], 1e-5f);
    }

    @Test
    void seededAndProbabilityZeroIsIdentity() {
        Example in = image(12, 12, 3, 1);
        RandAugment ra = new RandAugment(2, 15);
        assertArrayEquals(ra.apply(in, 12, new Rng(4)).pixels(), ra.apply(in, 12, new Rng(4)).pixels());
        RandAugment never = new RandAugment(3, 20, 0.5, 0, 0.5f, List.of(Op.values()));
        assertArrayEquals(in.pixels(), never.apply(in, 12, new Rng(4)).pixels());
        RandAugment always = new RandAugment(2, 20, Double.POSITIVE_INFINITY, 1, 0.5f, List.of(Op.INVERT));
        assertArrayEquals(in.pixels(), always.apply(in, 12, new Rng(4)).pixels(), 1e-6f); // inverted twice
        assertEquals(15, ra.withMagnitude(15).magnitude());
    }

    @Test
    void validation() {
        assertThrows(IllegalArgumentException.class, () -> new RandAugment(2, 31));
        assertThrows(IllegalArgumentException.class, () -> new RandAugment(-1, 5));
        assertThrows(IllegalArgumentException.class, () -> new RandAugment(2, 5, 0, 1.5, 0.5f, List.of(Op.values())));
        assertThrows(IllegalArgumentException.class, () -> new RandAugment(2, 5, 0, 0.5, 0.5f, List.of()));
    }
}
