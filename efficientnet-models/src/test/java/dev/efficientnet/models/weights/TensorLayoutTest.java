package dev.efficientnet.models.weights;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TensorLayoutTest {

    /** Element (o, i, y, x) of a PyTorch conv weight lands at (y, x, i, o) natively, and back. */
    @Test
    void convIndexMapping() {
        int out = 5, in = 3, kh = 2, kw = 4;
        float[] torch = new float[out * in * kh * kw];
        for (int o = 0; o < out; o++)
            for (int i = 0; i < in; i++)
                for (int y = 0; y < kh; y++)
                    for (int x = 0; x < kw; x++) torch[((o * in + i) * kh + y) * kw + x] = 1000 * o + 100 * i + 10 * y + x;
        int[] torchShape = {out, in, kh, kw};
        assertArrayEquals(new int[]{kh, kw, in, out}, TensorLayout.CONV.nativeShape(torchShape));
        float[] nat = TensorLayout.CONV.toNative(torch, torchShape);
        for (int y = 0; y < kh; y++)
            for (int x = 0; x < kw; x++)
                for (int i = 0; i < in; i++)
                    for (int o = 0; o < out; o++)
                        assertEquals(1000 * o + 100 * i + 10 * y + x, nat[((y * kw + x) * in + i) * out + o]);
        assertArrayEquals(torchShape, TensorLayout.CONV.torchShape(new int[]{kh, kw, in, out}));
        assertArrayEquals(torch, TensorLayout.CONV.toTorch(nat, new int[]{kh, kw, in, out}));
    }

    /** Depthwise (c, 0, y, x) lands at (y, x, c, 0). */
    @Test
    void depthwiseIndexMapping() {
        int c = 3, kh = 3, kw = 2;
        float[] torch = new float[c * kh * kw];
        for (int ch = 0; ch < c; ch++)
            for (int y = 0; y < kh; y++)
                for (int x = 0; x < kw; x++) torch[(ch * kh + y) * kw + x] = 100 * ch + 10 * y + x;
        int[] torchShape = {c, 1, kh, kw};
        assertArrayEquals(new int[]{kh, kw, c, 1}, TensorLayout.DEPTHWISE.nativeShape(torchShape));
        float[] nat = TensorLayout.DEPTHWISE.toNative(torch, torchShape);
        for (int y = 0; y < kh; y++)
            for (int x = 0; x < kw; x++)
                for (int ch = 0; ch < c; ch++) assertEquals(100 * ch + 10 * y + x, nat[(y * kw + x) * c + ch]);
        assertArrayEquals(torch, TensorLayout.DEPTHWISE.toTorch(nat, new int[]{kh, kw, c, 1}));
        assertArrayEquals(torchShape, TensorLayout.DEPTHWISE.torchShape(new int[]{kh, kw, c, 1}));
    }

    @Test
    void sameIsACopy() {
        float[] v = {1, 2, 3};
        float[] c = TensorLayout.SAME.toNative(v, new int[]{3});
        assertArrayEquals(v, c);
        c[0] = 9;
        assertEquals(1, v[0]);
    }

    @Test
    void badShapesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> TensorLayout.CONV.torchShape(new int[]{3, 3}));
        assertThrows(IllegalArgumentException.class, () -> TensorLayout.CONV.toNative(new float[5], new int[]{1, 1, 2, 2}));
    }
}
