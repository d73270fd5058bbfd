package dev.efficientnet.models.image;

import org.junit.jupiter.api.Test;

import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResizeTest {
    /** The deterministic test image of the Python snippets below (same formula). */
    static RgbImage pattern(int w, int h) {
        float[] d = new float[w * h * 3];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                int i = (y * w + x) * 3;
                d[i] = (x * 37 + y * 11) & 0xFF;
                d[i + 1] = (x * x * 13 + y * 29 + 7) & 0xFF;
                d[i + 2] = (255 - x * 19 - y * y * 31) & 0xFF;
            }
        return RgbImage.of(w, h, d);
    }

    private static float[] u8(String hex) {
        byte[] b = HexFormat.of().parseHex(hex);
        float[] f = new float[b.length];
        for (int i = 0; i < b.length; i++) f[i] = b[i] & 0xFF;
        return f;
    }

    /*
     * Reference outputs of Pillow 9.4.0 (Debian python3-pil), RGB uint8, as hex of the HWC bytes:
     *
     * from PIL import Image
     * import numpy as np
     * def img(w, h):
     *     a = np.zeros((h, w, 3), np.uint8)
     *     for y in range(h):
     *         for x in range(w):
     *             a[y, x] = ((x * 37 + y * 11) % 256, (x * x * 13 + y * 29 + 7) % 256, (255 - x * 19 - y * y * 31) % 256)
     *     return a
     * F = {'BILINEAR': Image.BILINEAR, 'BICUBIC': Image.BICUBIC}
     * for (w,h,f,ow,oh) in cases:
     *     print(np.asarray(Image.fromarray(img(w,h)).resize((ow,oh), F[f])).tobytes().hex())
     */
    private static final Object[][] PIL_CASES = {
        {7, 5, ImageInterpolation.BILINEAR, 11, 9, "0007ff110df62818ea4030de5753d26f7cc687b6ba9eb1aeb659a2cd9a96dedb8d0411f51517ec2c22e0443ad45b5dc87386bc8bc0b0a2bba4ba6398d1a48ce2e5830a21e31b27da3232ce4a4ac2616db67996aa91d09ea8cb92c07386d7b47ae8f5711031b72137ae3842a2505a96677d8a7fa67e979772ae8866c6785add864eee934516418327477a3e526e566a626d8d5685b64a9d4d3eb43132cc7b26e3481af415111c51bb2d57b24462a65c7a9a739d8e8bc682a35d76ba416ad28b5ee95852fa25492261d03367d44a72d7628acb79adbf91d6b3a96da7c0519bd89b8fe06883e4357a28715739779c5082ed689ae17fbdd597e6c9af7dbdc661b1deaba59978995c45902c7b0f3d817b548cfa6ca4ee83c7e29bf0d6b387caca6bbee2b5b26e82a60a4f9d"},
        {7, 5, ImageInterpolation.BICUBIC, 11, 9, "0004ff0c08fb2714ed3f2ce1564ed56e7ac986c4bd9db8b1b54da5d09697e0e38f020dfa1011f32b1de54335d95a57cd7283c18ad4b5a1c8a9b9569dd4a48fe4f587071fe71723df322fd14a47c56169b97995ad91e8a1a8dd95c06989dbb77bebff730d30b11d34a938409b50588f677e837fa677979e6bae8a5fc67653e18745f1973d13408423447c3e506e5668626d945685b64a9d423eb42332cc8326e74a18f70d101950c82954b844609f5c789373a5888bc67ca34870ba2864d19358f7534aff0e421f61db2f65dd4a71db6289cf79b5c291d7b6a963aac1449ed9a492e86b84ec2e7c2673443677945183f6699bec80c7db98e9cfb075c3cc56b7e6b6ab8e7d9d4740952a7c003a8069558cff6da4f984d0e59cf2d9b47ecdd25fc1edbfb55c86a700499f"},
        {7, 5, ImageInterpolation.BILINEAR, 3, 2, "2b35c57a869cc99273416fb09097a4c2697b"},
        {7, 5, ImageInterpolation.BICUBIC, 3, 2, "242cc878879acf966f3e74ac9499a6c46378"},
        {7, 5, ImageInterpolation.BICUBIC, 4, 8, "0e08f94c44d990a3b7ce9b971314ef5150cf95b6add3ae8d1b29d45965b49dbf92dbb672223b8c607b6ca4754ae2622a284d93668e6eaa594ced412c2f5fdf6da0bbb17599f35e793774a775b5e3bf8abba2739b3c80737ac1f5c996c8657fa8"},
        {7, 5, ImageInterpolation.BILINEAR, 7, 3, "0513f22a20df4f47cc7488b999e3a6be5893e3e7801641ae3b4e9b60758885b675aa4a62cf864ff44e3c276f6c4c7ceb71a3d896e4c5bb3fb2e0b49f73438c"},
        {37, 23, ImageInterpolation.BICUBIC, 10, 6, "4c60b4a2917f626a68927f816b81a28c9d6f79845c847fa9867f8b6c7f767999af8d7e8d7fa36a7e855f8a71a967787797805d637b90a06e9f5b7c6e9d6b6c648ea59b5984626a67a3837a62749f9a7c6f5f9162989e985e7f96ab9169638a6598a59a639190927b557098728a7ca47f727a83675d8383898b72a57784928670538571796e81a39257766782609999a35f9f9ead81645e7b629584596378a1a08c95638c52a6b46f6580b2a06c796471529b8598"},
        {37, 23, ImageInterpolation.BILINEAR, 10, 6, "5265b09a8b8069706c8d808070809d8997717c8463827fa186808c6b80787792aa8c838b7f996e7e836688759f6b7a79928063697d8d99729a5f7d739870726a879e966583696e6c9b7e7a677696947e72658c69939895638092a68d6d698d6c939c93688d8b8e7e61739174877d9a80767d806d668582858b749d78818d8573618373797081978f63796d806a94949b679a96a7826d647a678f835f6a7b98988c91688b5d9fa9706a82a69c707d69735c9a8490"},
    };

    @Test
    void uint8MatchesPilBitForBit() {
        for (Object[] c : PIL_CASES) {
            RgbImage src = pattern((int) c[0], (int) c[1]);
            RgbImage out = ImageTransforms.resize(src, (int) c[3], (int) c[4], (ImageInterpolation) c[2], ResamplePrecision.UINT8);
            assertEquals((int) c[3], out.width());
            assertEquals((int) c[4], out.height());
            assertArrayEquals(u8((String) c[5]), out.toArray(), 0f,
                    "PIL mismatch for " + c[0] + "x" + c[1] + " -> " + c[3] + "x" + c[4] + " " + c[2]);
        }
    }

    /*
     * Pillow mode "F" (float) on the red channel, first six outputs:
     * r = Image.fromarray(img(7,5)[:,:,0].astype(np.float32), 'F').resize((3,2), Image.BICUBIC)
     *   -> 35.98101043701172, 120.18009948730469, 207.93588256835938, 61.131893157958984, 148.28778076171875, 195.98126220703125
     * r = ... .resize((11,9), Image.BILINEAR)
     *   -> 0.0, 16.81818199157715, 40.3636360168457, 63.90909194946289, 87.45454406738281, 111.0
     */
    @Test
    void floatMatchesPilFloatMode() {
        RgbImage down = ImageTransforms.resize(pattern(7, 5), 3, 2, ImageInterpolation.BICUBIC, ResamplePrecision.FLOAT);
        float[] want = {35.98101043701172f, 120.18009948730469f, 207.93588256835938f, 61.131893157958984f,
                        148.28778076171875f, 195.98126220703125f};
        for (int i = 0; i < 6; i++) assertEquals(want[i], down.get(i % 3, i / 3, 0), 1e-4f, "bicubic F output " + i);
        RgbImage up = ImageTransforms.resize(pattern(7, 5), 11, 9, ImageInterpolation.BILINEAR, ResamplePrecision.FLOAT);
        float[] want2 = {0.0f, 16.81818199157715f, 40.3636360168457f, 63.90909194946289f, 87.45454406738281f, 111.0f};
        for (int i = 0; i < 6; i++) assertEquals(want2[i], up.get(i, 0, 0), 1e-4f, "bilinear F output " + i);
    }

    @Test
    void floatAndUint8AgreeWithinRounding() {
        // bilinear weights are convex: the two 8-bit roundings cost at most 1 in total
        RgbImage src = pattern(37, 23);
        // bicubic on a smooth mid-range image (no clipping of overshoot): the intermediate rounding
        // error of 0.5 is amplified by sum |k| < 1.3, plus 0.5 for the final rounding
        float[] smooth = new float[37 * 23 * 3];
        for (int i = 0; i < smooth.length; i++) smooth[i] = (float) Math.rint(128 + 60 * Math.sin(i * 0.05));
        RgbImage smoothImg = RgbImage.of(37, 23, smooth);
        for (ImageInterpolation f : ImageInterpolation.values()) {
            RgbImage in = f == ImageInterpolation.BILINEAR ? src : smoothImg;
            float tol = f == ImageInterpolation.BILINEAR ? 1.001f : 1.3f;
            for (int[] size : new int[][] {{10, 6}, {50, 31}, {37, 11}, {8, 23}}) {
                float[] a = ImageTransforms.resize(in, size[0], size[1], f, ResamplePrecision.UINT8).toArray();
                float[] b = ImageTransforms.resize(in, size[0], size[1], f, ResamplePrecision.FLOAT).toArray();
                for (int i = 0; i < a.length; i++) {
                    assertEquals(a[i], Math.rint(a[i]), 0f, "UINT8 output is not whole");
                    assertEquals(b[i], a[i], tol, f + " " + size[0] + "x" + size[1] + " sample " + i);
                }
            }
        }
    }

    @Test
    void constantImageStaysConstant() {
        RgbImage flat = RgbImage.filled(13, 9, 17, 128, 250);
        for (ImageInterpolation f : ImageInterpolation.values()) {
            for (ResamplePrecision p : ResamplePrecision.values()) {
                for (int[] size : new int[][] {{4, 3}, {30, 21}, {13, 4}, {5, 9}, {1, 1}}) {
                    RgbImage out = ImageTransforms.resize(flat, size[0], size[1], f, p);
                    for (int y = 0; y < size[1]; y++)
                        for (int x = 0; x < size[0]; x++) {
                            assertEquals(17f, out.get(x, y, 0), 1e-4f, f + " " + p);
                            assertEquals(128f, out.get(x, y, 1), 1e-4f, f + " " + p);
                            assertEquals(250f, out.get(x, y, 2), 1e-4f, f + " " + p);
                        }
                }
            }
        }
    }

    @Test
    void sameSizeIsIdentity() {
        RgbImage src = pattern(9, 6);
        for (ImageInterpolation f : ImageInterpolation.values())
            for (ResamplePrecision p : ResamplePrecision.values())
                assertEquals(src, ImageTransforms.resize(src, 9, 6, f, p), f + " " + p);
        // identity coefficients along an unchanged axis are exact too (forced through the resampler)
        Resampler.Coefficients co = Resampler.coefficients(6, 6, 0, 6, ImageInterpolation.BICUBIC);
        for (int o = 0; o < 6; o++) {
            double sum = 0;
            for (int k = 0; k < co.count[o]; k++) {
                double w = co.weights[o * co.ksize + k];
                sum += w;
                assertTrue(w == 0.0 || w == 1.0, "weight " + w);
            }
            assertEquals(1.0, sum);
        }
    }

    /** A 1-pixel 0/255 checkerboard. */
    private static RgbImage checkerboard(int w, int h) {
        float[] d = new float[w * h * 3];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                for (int c = 0; c < 3; c++) d[(y * w + x) * 3 + c] = (x + y) % 2 == 0 ? 0 : 255;
        return RgbImage.of(w, h, d);
    }

    @Test
    void checkerboardHalvedIsMeanGray() {
        RgbImage out = ImageTransforms.resize(checkerboard(32, 24), 16, 12, ImageInterpolation.BILINEAR, ResamplePrecision.FLOAT);
        RgbImage out8 = ImageTransforms.resize(checkerboard(32, 24), 16, 12, ImageInterpolation.BILINEAR, ResamplePrecision.UINT8);
        // interior pixels (the border windows are clipped by the image edge and lose symmetry)
        for (int y = 1; y < 11; y++)
            for (int x = 1; x < 15; x++)
                for (int c = 0; c < 3; c++) {
                    assertEquals(127.5f, out.get(x, y, c), 1e-4f);
                    assertEquals(128f, out8.get(x, y, c), 0f); // PIL rounds 127.5 up
                }
    }

    @Test
    void nonIntegerDownscaleDoesNotAlias() {
        RgbImage board = checkerboard(64, 64);
        for (ImageInterpolation f : ImageInterpolation.values()) {
            RgbImage out = ImageTransforms.resize(board, 13, 13, f, ResamplePrecision.FLOAT);
            for (int y = 1; y < 12; y++)
                for (int x = 1; x < 12; x++)
                    assertEquals(127.5, out.get(x, y, 0), 6.0, f + " at " + x + "," + y);
        }
        // the same grid sampled with a fixed 2-tap bilinear (no antialias) swings far from gray:
        // shows the tolerance above is meaningful
        double maxDev = 0;
        for (int o = 1; o < 12; o++) {
            double src = (o + 0.5) * 64 / 13 - 0.5;
            int i0 = (int) Math.floor(src);
            double t = src - i0;
            double v = (1 - t) * (i0 % 2 == 0 ? 0 : 255) + t * ((i0 + 1) % 2 == 0 ? 0 : 255);
            maxDev = Math.max(maxDev, Math.abs(v - 127.5));
        }
        assertTrue(maxDev > 40, "naive sampling deviation " + maxDev);
    }

    @Test
    void windowedResampleEqualsCropOfFullResize() {
        RgbImage src = pattern(23, 17);
        for (ImageInterpolation f : ImageInterpolation.values())
            for (ResamplePrecision p : ResamplePrecision.values())
                for (int[] s : new int[][] {{15, 11}, {40, 29}, {23, 9}}) {
                    RgbImage full = ImageTransforms.resize(src, s[0], s[1], f, p);
                    RgbImage win = Resampler.resample(src, s[0], s[1], f, p, 2, 3, s[0] - 5, s[1] - 4);
                    assertEquals(ImageTransforms.crop(full, 2, 3, s[0] - 5, s[1] - 4), win, f + " " + p);
                }
    }

    @Test
    void coefficientsAreNormalizedAndWidenWhenDownscaling() {
        Resampler.Coefficients up = Resampler.coefficients(10, 20, 0, 20, ImageInterpolation.BICUBIC);
        Resampler.Coefficients down = Resampler.coefficients(40, 10, 0, 10, ImageInterpolation.BICUBIC);
        assertEquals(5, up.ksize); // ceil(2) * 2 + 1
        assertEquals(17, down.ksize); // support 2 * 4 = 8
        assertEquals(16, down.count[5]);
        for (Resampler.Coefficients co : new Resampler.Coefficients[] {up, down})
            for (int o = 0; o < co.start.length; o++) {
                double sum = 0;
                for (int k = 0; k < co.ksize; k++) sum += co.weights[o * co.ksize + k];
                assertEquals(1.0, sum, 1e-12);
            }
    }

    @Test
    void invalidArguments() {
        RgbImage src = pattern(4, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ImageTransforms.resize(src, 0, 4, ImageInterpolation.BILINEAR));
        assertTrue(e.getMessage().contains("width"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ImageTransforms.resize(src, 4, -2, ImageInterpolation.BILINEAR));
        assertTrue(e.getMessage().contains("height"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RgbImage.of(2, 2, new float[11]));
        assertTrue(e.getMessage().contains("12"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RgbImage.of(1, 1, new float[] {0, Float.NaN, 0}));
        assertTrue(e.getMessage().contains("hwc[1]"), e.getMessage());
        assertEquals(ImageInterpolation.BICUBIC, ImageInterpolation.parse("bicubic"));
        e = assertThrows(IllegalArgumentException.class, () -> ImageInterpolation.parse("lanczos"));
        assertTrue(e.getMessage().contains("lanczos"), e.getMessage());
    }
}
