package dev.efficientnet.models.image;

import dev.efficientnet.core.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImagePreprocessingTest {
    @TempDir
    Path dir;

    @Test
    void cropArithmeticFollowsTimm() {
        ImagePreprocessing p = ImagePreprocessing.imagenet(224, 0.875, ImageInterpolation.BICUBIC);
        assertArrayEquals(new int[] {256, 256}, p.scaleSize());
        // 640x480 landscape: shorter side 480 -> 256, longer int(256 * 640 / 480) = 341
        assertArrayEquals(new int[] {341, 256}, p.resizedSize(640, 480));
        assertArrayEquals(new int[] {256, 341}, p.resizedSize(480, 640));
        assertArrayEquals(new int[] {256, 256}, p.resizedSize(100, 100));
        assertArrayEquals(new int[] {248, 248}, ImagePreprocessing.imagenet(224, 0.9, ImageInterpolation.BICUBIC).scaleSize());
        assertArrayEquals(new int[] {300, 300}, ImagePreprocessing.imagenet(300, 1.0, ImageInterpolation.BICUBIC).scaleSize());
        assertArrayEquals(new int[] {600, 600}, ImagePreprocessing.imagenet(600, 1.0, ImageInterpolation.BICUBIC).scaleSize());
        assertArrayEquals(new int[] {384, 384}, ImagePreprocessing.inception(384, 1.0, ImageInterpolation.BICUBIC).scaleSize());
        RgbImage out = p.resizeAndCrop(ResizeTest.pattern(64, 48));
        assertEquals(224, out.width());
        assertEquals(224, out.height());
    }

    @Test
    void centerCropOffsetsRoundHalfToEven() {
        // torchvision: int(round((size - crop) / 2.0)), Python rounds .5 to even
        assertEquals(16, ImageTransforms.centerCropOffset(256, 224));
        assertEquals(58, ImageTransforms.centerCropOffset(341, 224)); // 58.5 -> 58
        assertEquals(2, ImageTransforms.centerCropOffset(21, 16)); // 2.5 -> 2
        assertEquals(4, ImageTransforms.centerCropOffset(23, 16)); // 3.5 -> 4
        assertEquals(0, ImageTransforms.centerCropOffset(16, 16));
        assertEquals(-2, ImageTransforms.centerCropOffset(10, 15)); // zero padding (15 - 10) // 2 before
    }

    @Test
    void centerCropPadsWithZero() {
        RgbImage src = RgbImage.filled(3, 2, 10, 20, 30);
        RgbImage c = ImageTransforms.centerCrop(src, 4, 6);
        assertEquals(6, c.width());
        assertEquals(4, c.height());
        // width: pad 1 left, 2 right; height: pad 1 top, 1 bottom
        assertEquals(0f, c.get(0, 1, 0));
        assertEquals(10f, c.get(1, 1, 0));
        assertEquals(10f, c.get(3, 2, 0));
        assertEquals(0f, c.get(4, 1, 0));
        assertEquals(0f, c.get(2, 0, 1));
        assertEquals(0f, c.get(2, 3, 2));
        // padded resize-and-crop equals resize then crop
        RgbImage pat = ResizeTest.pattern(9, 7);
        RgbImage a = ImageTransforms.resizeAndCenterCrop(pat, 6, 5, 8, 9, ImageInterpolation.BICUBIC, ResamplePrecision.UINT8);
        RgbImage b = ImageTransforms.centerCrop(ImageTransforms.resize(pat, 6, 5, ImageInterpolation.BICUBIC), 8, 9);
        assertEquals(b, a);
    }

    @Test
    void resizeAndCropEqualsResizeThenCrop() {
        RgbImage src = ResizeTest.pattern(41, 29);
        for (ImageInterpolation f : ImageInterpolation.values()) {
            ImagePreprocessing p = ImagePreprocessing.imagenet(16, 0.875, f);
            int[] s = p.resizedSize(41, 29);
            RgbImage full = ImageTransforms.resize(src, s[0], s[1], f);
            assertEquals(ImageTransforms.centerCrop(full, 16, 16), p.resizeAndCrop(src), f.toString());
        }
    }

    /*
     * Reference: Pillow 9.4 + numpy float32 doing exactly timm's eval transform (no torch here):
     *
     * src = Image.fromarray(img(40, 30))            # img() as in ResizeTest
     * s = math.floor(16 / 0.875)                    # 18; torchvision Resize(18): 24x18
     * p = src.resize((24, 18), Image.BICUBIC)
     * p = p.crop((4, 1, 20, 17))                    # CenterCrop(16): round(8/2.0), round(2/2.0)
     * a = np.asarray(p).astype(np.float32) / np.float32(255)
     * t = ((a - mean) / std).transpose(2, 0, 1)     # mean/std float32 ImageNet
     * t[0,0,0] = -0.7479236125946045, t[1,5,7] = 0.5903362035751343, t[2,15,15] = 0.4090632498264313,
     * t[0,8,3] = -0.4396780729293823, t[2,0,15] = -0.6715467572212219, t.sum() (float64) = 177.03124916227534
     */
    @Test
    void evalTransformMatchesTimmReference() {
        ImagePreprocessing p = ImagePreprocessing.imagenet(16, 0.875, ImageInterpolation.BICUBIC);
        Tensor t = p.apply(ResizeTest.pattern(40, 30));
        assertArrayEquals(new int[] {1, 3, 16, 16}, t.shape());
        float[] v = t.toFloatArray();
        assertEquals(-0.7479236125946045f, at(v, 16, 16, 0, 0, 0), 0f);
        assertEquals(0.5903362035751343f, at(v, 16, 16, 1, 5, 7), 0f);
        assertEquals(0.4090632498264313f, at(v, 16, 16, 2, 15, 15), 0f);
        assertEquals(-0.4396780729293823f, at(v, 16, 16, 0, 8, 3), 0f);
        assertEquals(-0.6715467572212219f, at(v, 16, 16, 2, 0, 15), 0f);
        assertEquals(177.03124916227534, sum(v), 1e-9);
    }

    /*
     * Non-square target (12, 20), crop 0.875, bilinear: timm ResizeKeepRatio((13, 22)):
     * ratio = min(30 / 13, 40 / 22) = 1.8181818181818181; size = [round(16.5), round(22.0)] = [16, 22]
     * p = src.resize((22, 16), Image.BILINEAR).crop((1, 2, 21, 14))
     * t[0,0,0] = 0.039814990013837814, t[1,5,7] = 0.18767505884170532, t[2,11,19] = 0.49620935320854187,
     * t[0,8,3] = 0.6905557513237, sum = 169.69303985591978
     */
    @Test
    void nonSquareTargetMatchesTimmReference() {
        ImagePreprocessing p = ImagePreprocessing.imagenet(16, 0.875, ImageInterpolation.BILINEAR).withSize(12, 20);
        assertArrayEquals(new int[] {13, 22}, p.scaleSize());
        assertArrayEquals(new int[] {22, 16}, p.resizedSize(40, 30)); // 16.5 rounds half to even
        Tensor t = p.apply(ResizeTest.pattern(40, 30));
        assertArrayEquals(new int[] {1, 3, 12, 20}, t.shape());
        float[] v = t.toFloatArray();
        assertEquals(0.039814990013837814f, at(v, 12, 20, 0, 0, 0), 0f);
        assertEquals(0.18767505884170532f, at(v, 12, 20, 1, 5, 7), 0f);
        assertEquals(0.49620935320854187f, at(v, 12, 20, 2, 11, 19), 0f);
        assertEquals(0.6905557513237f, at(v, 12, 20, 0, 8, 3), 0f);
        assertEquals(169.69303985591978, sum(v), 1e-9);
    }

    private static float at(float[] nchw, int h, int w, int c, int y, int x) {
        return nchw[(c * h + y) * w + x];
    }

    private static double sum(float[] v) {
        double s = 0;
        for (float f : v) s += f;
        return s;
    }

    @Test
    void normalizationAndRanges() {
        RgbImage white = RgbImage.filled(10, 8, 255, 255, 255);
        RgbImage black = RgbImage.filled(10, 8, 0, 0, 0);
        ImagePreprocessing half = ImagePreprocessing.inception(4, 1.0, ImageInterpolation.BILINEAR);
        for (float v : half.apply(white).toFloatArray()) assertEquals(1f, v, 0f);
        for (float v : half.apply(black).toFloatArray()) assertEquals(-1f, v, 0f);
        ImagePreprocessing in = ImagePreprocessing.imagenet(4, 0.875, ImageInterpolation.BICUBIC);
        float[] w = in.apply(white).toFloatArray();
        assertEquals((1f - 0.485f) / 0.229f, w[0], 0f);
        assertEquals((1f - 0.456f) / 0.224f, w[16], 0f);
        assertEquals((1f - 0.406f) / 0.225f, w[32], 0f);
    }

    @Test
    void batchStacksImagesInOrder() {
        ImagePreprocessing p = ImagePreprocessing.imagenet(8, 0.875, ImageInterpolation.BICUBIC);
        RgbImage a = ResizeTest.pattern(20, 13), b = ResizeTest.pattern(11, 17), c = RgbImage.filled(9, 9, 1, 2, 3);
        Tensor batch = p.apply(List.of(a, b, c));
        assertArrayEquals(new int[] {3, 3, 8, 8}, batch.shape());
        float[] all = batch.toFloatArray();
        RgbImage[] imgs = {a, b, c};
        for (int n = 0; n < 3; n++) {
            float[] one = p.apply(imgs[n]).toFloatArray();
            assertArrayEquals(one, Arrays.copyOfRange(all, n * 192, (n + 1) * 192), 0f, "image " + n);
        }
        assertNotEquals(Arrays.toString(Arrays.copyOfRange(all, 0, 192)), Arrays.toString(Arrays.copyOfRange(all, 192, 384)));
    }

    @Test
    void nhwcLayoutIsThePermutation() {
        ImagePreprocessing p = ImagePreprocessing.imagenet(6, 0.875, ImageInterpolation.BILINEAR).withSize(5, 7);
        List<RgbImage> imgs = List.of(ResizeTest.pattern(20, 13), ResizeTest.pattern(13, 20));
        float[] nchw = p.apply(imgs, ResamplePrecision.UINT8, ChannelLayout.NCHW).toFloatArray();
        Tensor t = p.apply(imgs, ResamplePrecision.UINT8, ChannelLayout.NHWC);
        assertArrayEquals(new int[] {2, 5, 7, 3}, t.shape());
        float[] nhwc = t.toFloatArray();
        for (int n = 0; n < 2; n++)
            for (int c = 0; c < 3; c++)
                for (int y = 0; y < 5; y++)
                    for (int x = 0; x < 7; x++)
                        assertEquals(nchw[((n * 3 + c) * 5 + y) * 7 + x], nhwc[((n * 5 + y) * 7 + x) * 3 + c], 0f);
    }

    @Test
    void loadReadsFilesEndToEnd() throws IOException {
        BufferedImage img = new BufferedImage(30, 20, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 20; y++)
            for (int x = 0; x < 30; x++) img.setRGB(x, y, (x * 8) << 16 | (y * 12) << 8 | 77);
        Path f = dir.resolve("in.png");
        ImageIO.write(img, "png", f.toFile());
        ImagePreprocessing p = ImagePreprocessing.imagenet(12, 0.875, ImageInterpolation.BICUBIC);
        Tensor t = p.load(List.of(f, f));
        assertArrayEquals(new int[] {2, 3, 12, 12}, t.shape());
        assertArrayEquals(p.apply(Images.read(f)).toFloatArray(), Arrays.copyOf(t.toFloatArray(), 432), 0f);
        ImageReadException e = assertThrows(ImageReadException.class, () -> p.load(List.of(f, dir.resolve("missing.jpg"))));
        assertTrue(e.getMessage().contains("missing.jpg"), e.getMessage());
    }

    @Test
    void validation() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ImagePreprocessing.imagenet(224, 0, ImageInterpolation.BICUBIC));
        assertTrue(e.getMessage().contains("cropFraction"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ImagePreprocessing.imagenet(224, 1.1, ImageInterpolation.BICUBIC));
        assertTrue(e.getMessage().contains("1.1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ImagePreprocessing.imagenet(0, 0.875, ImageInterpolation.BICUBIC));
        assertTrue(e.getMessage().contains("height=0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ImagePreprocessing.of(224, 0.875, ImageInterpolation.BICUBIC, new double[] {0.5, 0.5}, new double[] {1, 1, 1}));
        assertTrue(e.getMessage().contains("mean"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ImagePreprocessing.of(224, 0.875, ImageInterpolation.BICUBIC, new double[] {0, 0, 0}, new double[] {1, 0, 1}));
        assertTrue(e.getMessage().contains("std[1]"), e.getMessage());
        ImagePreprocessing p = ImagePreprocessing.imagenet(8, 0.875, ImageInterpolation.BICUBIC);
        e = assertThrows(IllegalArgumentException.class, () -> p.apply(List.of()));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ImageTransforms.toTensor(
                List.of(RgbImage.filled(2, 2, 0, 0, 0), RgbImage.filled(3, 2, 0, 0, 0)),
                new double[] {0, 0, 0}, new double[] {1, 1, 1}, ChannelLayout.NCHW));
        assertTrue(e.getMessage().contains("images[1] is 3x2"), e.getMessage());
        // the record copies its arrays
        double[] mean = {0.1, 0.2, 0.3};
        ImagePreprocessing q = ImagePreprocessing.of(8, 1, ImageInterpolation.BILINEAR, mean, new double[] {1, 1, 1});
        mean[0] = 9;
        assertEquals(0.1, q.mean()[0]);
        q.mean()[1] = 9;
        assertEquals(0.2, q.mean()[1]);
        assertEquals(q, ImagePreprocessing.of(8, 1, ImageInterpolation.BILINEAR, new double[] {0.1, 0.2, 0.3}, new double[] {1, 1, 1}));
    }
}
