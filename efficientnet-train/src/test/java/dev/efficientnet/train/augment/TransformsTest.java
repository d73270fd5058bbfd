package dev.efficientnet.train.augment;

import dev.efficientnet.core.tensor.Rng;
import dev.efficientnet.train.data.Example;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TransformsTest {
    static Example image(int h, int w, int c, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] p = new float[h * w * c];
        for (int i = 0; i < p.length; i++) p[i] = (float) r.nextDouble();
        return new Example(p, h, w, c, 3);
    }

    static void assertInUnitRange(Example e) {
        for (float v : e.pixels()) assertTrue(v >= 0f && v <= 1f && !Float.isNaN(v), "value " + v);
    }

    private static final List<Transform> ALL = List.of(new RandomResizedCrop(), new RandomResizedCrop(0.5, 1),
            new HorizontalFlip(0.5), new RandAugment(2, 9), new RandAugment(3, 25), new RandomErasing(1.0),
            new Resize(), new CenterCrop(0.875), new RandomTranslate(0.25));

    @Test
    void shapesRangesAndSeeding() {
        for (Transform t : ALL) {
            for (int c : new int[]{1, 3}) {
                for (int[] hw : new int[][]{{28, 28}, {17, 23}, {5, 4}}) {
                    Example in = image(hw[0], hw[1], c, 11);
                    float[] copy = in.pixels().clone();
                    for (int size : new int[]{16, 32}) {
                        Example a = t.apply(in, size, new Rng(5));
                        Example b = t.apply(in, size, new Rng(5));
                        assertArrayEquals(a.pixels(), b.pixels(), t + " seeded");
                        assertEquals(c, a.channels());
                        assertEquals(3, a.label());
                        boolean sized = t instanceof RandomResizedCrop || t instanceof Resize || t instanceof CenterCrop;
                        assertEquals(sized ? size : hw[0], a.height(), t.toString());
                        assertEquals(sized ? size : hw[1], a.width(), t.toString());
                        assertInUnitRange(a);
                    }
                    assertArrayEquals(copy, in.pixels(), t + " must not modify its input");
                }
            }
        }
    }

    @Test
    void randomTransformsVaryWithTheRng() {
        Example in = image(20, 20, 3, 1);
        for (Transform t : List.of(new RandomResizedCrop(), new RandAugment(2, 15), new RandomErasing(1.0),
                new RandomTranslate(0.2))) {
            int distinct = 0;
            float[] first = t.apply(in, 20, new Rng(0)).pixels();
            for (int s = 1; s < 10; s++)
                if (!java.util.Arrays.equals(first, t.apply(in, 20, new Rng(s)).pixels())) distinct++;
            assertTrue(distinct >= 7, t + " varied only " + distinct + " times");
        }
    }

    @Test
    void translateShiftsWithoutRescalingAndFillsBlack() {
        int h = 9, w = 11, c = 2;
        Example in = image(h, w, c, 4);
        int[] seen = new int[2 * 2 + 1];
        for (int s = 0; s < 200; s++) {
            Example out = new RandomTranslate(0.2).apply(in, 9, new Rng(s)); // at most round(0.2 * 9) = 2 down, 2 across
            int[] shift = findShift(in, out);
            assertTrue(Math.abs(shift[0]) <= 2 && Math.abs(shift[1]) <= 2, "shift " + shift[0] + "," + shift[1]);
            seen[shift[0] + 2]++;
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    for (int k = 0; k < c; k++) {
                        int sy = y - shift[0], sx = x - shift[1];
                        float expected = sy >= 0 && sy < h && sx >= 0 && sx < w ? in.pixels()[(sy * w + sx) * c + k] : 0f;
                        assertEquals(expected, out.pixels()[(y * w + x) * c + k], "pixel " + y + "," + x + "," + k);
                    }
        }
        for (int n : seen) assertTrue(n > 10, "every vertical shift in [-2, 2] occurs: " + java.util.Arrays.toString(seen));
        assertArrayEquals(in.pixels(), new RandomTranslate(0).apply(in, 9, new Rng(1)).pixels());
        assertThrows(IllegalArgumentException.class, () -> new RandomTranslate(0.5));
        assertThrows(IllegalArgumentException.class, () -> new RandomTranslate(-0.1));
    }

    /** The (down, across) shift that maps {@code in} onto {@code out}, found by exact match of the inner pixels. */
    private static int[] findShift(Example in, Example out) {
        int h = in.height(), w = in.width(), c = in.channels();
        for (int dy = -h / 2; dy <= h / 2; dy++)
            for (int dx = -w / 2; dx <= w / 2; dx++) {
                boolean match = true;
                for (int y = Math.max(0, dy); match && y < Math.min(h, h + dy); y++)
                    for (int x = Math.max(0, dx); match && x < Math.min(w, w + dx); x++)
                        for (int k = 0; k < c; k++)
                            if (in.pixels()[((y - dy) * w + x - dx) * c + k] != out.pixels()[(y * w + x) * c + k]) match = false;
                if (match) return new int[]{dy, dx};
            }
        throw new AssertionError("output is not a shifted copy of the input");
    }

    @Test
    void flipMirrorsAndTwiceIsIdentity() {
        Example in = image(3, 4, 2, 9);
        Example f = new HorizontalFlip(1).apply(in, 0, new Rng(1));
        for (int y = 0; y < 3; y++)
            for (int x = 0; x < 4; x++)
                for (int c = 0; c < 2; c++)
                    assertEquals(in.pixels()[(y * 4 + x) * 2 + c], f.pixels()[(y * 4 + 3 - x) * 2 + c]);
        assertArrayEquals(in.pixels(), new HorizontalFlip(1).apply(f, 0, new Rng(2)).pixels());
        assertArrayEquals(in.pixels(), new HorizontalFlip(0).apply(in, 0, new Rng(2)).pixels());
        // p = 0.5 flips about half the time
        int flips = 0;
        for (int s = 0; s < 400; s++) if (new HorizontalFlip(0.5).apply(in, 0, new Rng(s)) != in) flips++;
        assertTrue(flips > 150 && flips < 250, "flips " + flips);
    }

    @Test
    void resizeKeepsConstantsAndAveragesWhenDownscaling() {
        float[] p = new float[8 * 8];
        java.util.Arrays.fill(p, 0.25f);
        Example flat = new Example(p, 8, 8, 1, 0);
        for (int size : new int[]{3, 8, 13})
            for (float v : new Resize().apply(flat, size, null).pixels()) assertEquals(0.25f, v, 1e-6f);
        // checkerboard halves to its mean with antialiasing
        float[] cb = new float[16 * 16];
        for (int y = 0; y < 16; y++) for (int x = 0; x < 16; x++) cb[y * 16 + x] = (x + y) % 2;
        for (float v : new Resize().apply(new Example(cb, 16, 16, 1, 0), 8, null).pixels()) assertEquals(0.5f, v, 0.13f);
        // identity at the same size
        Example in = image(5, 5, 3, 4);
        assertArrayEquals(in.pixels(), new Resize().apply(in, 5, null).pixels());
        // upscaling a ramp stays monotone and within the source range
        float[] ramp = {0f, 0.5f, 1f};
        float[] up = FloatImages.resize(ramp, 1, 3, 1, 1, 9);
        for (int i = 1; i < up.length; i++) assertTrue(up[i] >= up[i - 1]);
        assertEquals(0f, up[0], 1e-6f);
        assertEquals(1f, up[8], 1e-6f);
    }

    @Test
    void centerCropTakesTheMiddle() {
        float[] p = new float[10 * 10];
        for (int y = 0; y < 10; y++) for (int x = 0; x < 10; x++) p[y * 10 + x] = (x >= 2 && x < 8 && y >= 2 && y < 8) ? 1 : 0;
        Example out = new CenterCrop(0.6).apply(new Example(p, 10, 10, 1, 0), 6, null);
        for (float v : out.pixels()) assertEquals(1f, v, 1e-6f);
    }

    @Test
    void randomResizedCropBoxesStayInside() {
        RandomResizedCrop rrc = new RandomResizedCrop();
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < 2000; i++) {
            int h = 1 + r.nextInt(40), w = 1 + r.nextInt(40);
            int[] b = rrc.box(h, w, r);
            assertTrue(b[0] >= 0 && b[1] >= 0 && b[2] >= 1 && b[3] >= 1 && b[0] + b[2] <= h && b[1] + b[3] <= w,
                    java.util.Arrays.toString(b) + " in " + h + "x" + w);
        }
        // full-scale crop with ratio 1 on a square image is the identity box
        assertArrayEquals(new int[]{0, 0, 12, 12}, new RandomResizedCrop(1, 1, 1, 1).box(12, 12, r));
        assertThrows(IllegalArgumentException.class, () -> new RandomResizedCrop(0, 1));
        assertThrows(IllegalArgumentException.class, () -> new RandomResizedCrop(0.5, 0.4));
    }

    @Test
    void randomErasingFillsOneRectangle() {
        float[] p = new float[20 * 20];
        Example zeros = new Example(p, 20, 20, 1, 0);
        Example e = new RandomErasing(1.0).apply(zeros, 20, new Rng(8));
        int nonZero = 0, minX = 99, maxX = -1, minY = 99, maxY = -1;
        for (int y = 0; y < 20; y++)
            for (int x = 0; x < 20; x++)
                if (e.pixels()[y * 20 + x] != 0) {
                    nonZero++;
                    minX = Math.min(minX, x);
                    maxX = Math.max(maxX, x);
                    minY = Math.min(minY, y);
                    maxY = Math.max(maxY, y);
                }
        assertTrue(nonZero >= 8 && nonZero <= 400 / 3 + 20, "erased " + nonZero);
        assertTrue(nonZero >= (maxX - minX + 1) * (maxY - minY + 1) * 0.9, "one rectangle");
        assertArrayEquals(p, new RandomErasing(0.0).apply(zeros, 20, new Rng(8)).pixels());
    }

    @Test
    void affineIdentityAndTranslation() {
        Example in = image(6, 7, 3, 2);
        assertArrayEquals(in.pixels(), FloatImages.affine(in.pixels(), 6, 7, 3, new double[]{1, 0, 0, 0, 1, 0}, 0.5f),
                1e-6f);
        float[] shifted = FloatImages.affine(in.pixels(), 6, 7, 3, new double[]{1, 0, 2, 0, 1, 0}, 0.5f);
        for (int y = 0; y < 6; y++)
            for (int x = 0; x < 7; x++)
                for (int c = 0; c < 3; c++) {
                    float expected = x + 2 < 7 ? in.pixels()[(y * 7 + x + 2) * 3 + c] : 0.5f;
                    assertEquals(expected, shifted[(y * 7 + x) * 3 + c], 1e-6f);
                }
        assertNotEquals(0, shifted.length);
        assertFalse(java.util.Arrays.equals(in.pixels(), shifted));
    }
}
