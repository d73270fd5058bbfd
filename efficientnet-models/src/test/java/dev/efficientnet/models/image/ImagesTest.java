package dev.efficientnet.models.image;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class ImagesTest {
    @TempDir
    Path dir;

    // ---- fixtures ---------------------------------------------------------------------------

    private static int r(int x, int y) {
        return (x * 37 + y * 11) & 0xFF;
    }

    private static int g(int x, int y) {
        return (x * x * 13 + y * 29 + 7) & 0xFF;
    }

    private static int b(int x, int y) {
        return (255 - x * 19 - y * y * 31) & 0xFF;
    }

    private Path write(BufferedImage img, String format, String name) throws IOException {
        Path p = dir.resolve(name);
        assertTrue(ImageIO.write(img, format, p.toFile()), "no ImageIO writer for " + format + " / " + img.getType());
        return p;
    }

    private static BufferedImage rgbImage(int w, int h, int type) {
        BufferedImage img = new BufferedImage(w, h, type);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                img.setRGB(x, y, 0x7F000000 | r(x, y) << 16 | g(x, y) << 8 | b(x, y));
        return img;
    }

    /** PNG IHDR bit depth and color type, to check that a fixture really has the intended layout. */
    private static int[] pngDepthAndColorType(Path png) throws IOException {
        byte[] d = Files.readAllBytes(png);
        return new int[] {d[24] & 0xFF, d[25] & 0xFF};
    }

    private static void assertPixel(RgbImage img, int x, int y, int rr, int gg, int bb) {
        float[] got = {img.get(x, y, 0), img.get(x, y, 1), img.get(x, y, 2)};
        assertTrue(Arrays.equals(got, new float[] {rr, gg, bb}),
                "pixel (" + x + "," + y + "): expected [" + rr + ", " + gg + ", " + bb + "] got " + Arrays.toString(got));
    }

    // ---- decoding -----------------------------------------------------------------------------

    @Test
    void rgbPngExact() throws IOException {
        Path p = write(rgbImage(7, 5, BufferedImage.TYPE_INT_RGB), "png", "rgb.png");
        assertEquals(8, pngDepthAndColorType(p)[0]);
        assertEquals(2, pngDepthAndColorType(p)[1]);
        RgbImage img = Images.read(p);
        assertEquals(7, img.width());
        assertEquals(5, img.height());
        assertEquals(7 * 5 * 3, img.toArray().length);
        for (int y = 0; y < 5; y++)
            for (int x = 0; x < 7; x++) assertPixel(img, x, y, r(x, y), g(x, y), b(x, y));
    }

    @Test
    void rgbaPngDropsAlphaLikePil() throws IOException {
        Path p = write(rgbImage(6, 4, BufferedImage.TYPE_INT_ARGB), "png", "rgba.png");
        assertEquals(6, pngDepthAndColorType(p)[1]);
        RgbImage img = Images.read(p);
        // alpha is 0x7F everywhere: dropping keeps the stored colors, compositing on white would not
        for (int y = 0; y < 4; y++)
            for (int x = 0; x < 6; x++) assertPixel(img, x, y, r(x, y), g(x, y), b(x, y));
    }

    @Test
    void grayPngReplicatedToThreeChannels() throws IOException {
        BufferedImage gray = new BufferedImage(5, 3, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 3; y++)
            for (int x = 0; x < 5; x++) gray.getRaster().setSample(x, y, 0, x * 50 + y * 3);
        Path p = write(gray, "png", "gray.png");
        assertEquals(0, pngDepthAndColorType(p)[1]);
        RgbImage img = Images.read(p);
        for (int y = 0; y < 3; y++)
            for (int x = 0; x < 5; x++) {
                int v = x * 50 + y * 3; // raw value: no gamma conversion of the linear gray color space
                assertPixel(img, x, y, v, v, v);
            }
    }

    @Test
    void grayAlphaPngDropsAlpha() throws IOException {
        ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_GRAY), true, false,
                Transparency.TRANSLUCENT, DataBuffer.TYPE_BYTE);
        WritableRaster ras = cm.createCompatibleWritableRaster(4, 2);
        for (int y = 0; y < 2; y++)
            for (int x = 0; x < 4; x++) {
                ras.setSample(x, y, 0, 60 * x + y);
                ras.setSample(x, y, 1, 10);
            }
        Path p = write(new BufferedImage(cm, ras, false, null), "png", "la.png");
        assertEquals(4, pngDepthAndColorType(p)[1]);
        RgbImage img = Images.read(p);
        assertPixel(img, 3, 1, 181, 181, 181);
        assertPixel(img, 0, 0, 0, 0, 0);
    }

    @Test
    void indexedPngUsesPalette() throws IOException {
        byte[] rs = {(byte) 255, 0, 12, (byte) 200};
        byte[] gs = {0, (byte) 255, 34, (byte) 100};
        byte[] bs = {0, 0, 56, (byte) 50};
        byte[] as = {(byte) 255, (byte) 255, (byte) 255, 0}; // entry 3 transparent: dropped like PIL
        IndexColorModel icm = new IndexColorModel(2, 4, rs, gs, bs, as);
        BufferedImage img = new BufferedImage(4, 3, BufferedImage.TYPE_BYTE_INDEXED, icm);
        for (int y = 0; y < 3; y++)
            for (int x = 0; x < 4; x++) img.getRaster().setSample(x, y, 0, (x + y) % 4);
        Path p = write(img, "png", "indexed.png");
        assertEquals(3, pngDepthAndColorType(p)[1]);
        RgbImage got = Images.read(p);
        for (int y = 0; y < 3; y++)
            for (int x = 0; x < 4; x++) {
                int i = (x + y) % 4;
                assertPixel(got, x, y, rs[i] & 0xFF, gs[i] & 0xFF, bs[i] & 0xFF);
            }
    }

    @Test
    void sixteenBitPngsKeepTheHighByte() throws IOException {
        BufferedImage gray = new BufferedImage(3, 2, BufferedImage.TYPE_USHORT_GRAY);
        int[] vals = {0, 255, 256, 0x7FFF, 0x80FF, 0xFFFF};
        for (int i = 0; i < 6; i++) gray.getRaster().setSample(i % 3, i / 3, 0, vals[i]);
        Path pg = write(gray, "png", "gray16.png");
        assertEquals(16, pngDepthAndColorType(pg)[0]);
        RgbImage g16 = Images.read(pg);
        for (int i = 0; i < 6; i++) {
            int v = vals[i] >> 8;
            assertPixel(g16, i % 3, i / 3, v, v, v);
        }

        ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), false, false,
                Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
        WritableRaster ras = cm.createCompatibleWritableRaster(2, 2);
        for (int y = 0; y < 2; y++)
            for (int x = 0; x < 2; x++) {
                ras.setSample(x, y, 0, 0x1234 + x);
                ras.setSample(x, y, 1, 0xABCD);
                ras.setSample(x, y, 2, 0x00FF + 0x100 * y);
            }
        Path pc = write(new BufferedImage(cm, ras, false, null), "png", "rgb16.png");
        assertEquals(16, pngDepthAndColorType(pc)[0]);
        assertEquals(2, pngDepthAndColorType(pc)[1]);
        RgbImage c16 = Images.read(pc);
        assertPixel(c16, 1, 0, 0x12, 0xAB, 0x00);
        assertPixel(c16, 0, 1, 0x12, 0xAB, 0x01);
    }

    @Test
    void jpegDecodesToRgbInRange() throws IOException {
        // 8x8-aligned flat blocks survive JPEG almost exactly
        BufferedImage img = new BufferedImage(16, 8, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < 8; y++)
            for (int x = 0; x < 16; x++) img.setRGB(x, y, x < 8 ? 0xC83214 : 0x1E64F0);
        Path p = write(img, "jpg", "flat.jpg");
        RgbImage got = Images.read(p);
        assertEquals(16, got.width());
        assertEquals(8, got.height());
        float[] left = {got.get(3, 3, 0), got.get(3, 3, 1), got.get(3, 3, 2)};
        float[] right = {got.get(12, 4, 0), got.get(12, 4, 1), got.get(12, 4, 2)};
        assertClose(new float[] {0xC8, 0x32, 0x14}, left, 4, "left block");
        assertClose(new float[] {0x1E, 0x64, 0xF0}, right, 4, "right block");
        for (float v : got.toArray()) {
            assertTrue(v >= 0 && v <= 255 && v == Math.rint(v), "sample " + v + " not an integer in 0..255");
        }
    }

    @Test
    void grayJpegReplicated() throws IOException {
        BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 8; y++)
            for (int x = 0; x < 8; x++) img.getRaster().setSample(x, y, 0, 90);
        RgbImage got = Images.read(write(img, "jpg", "gray.jpg"));
        for (int c = 0; c < 3; c++) assertEquals(90, got.get(4, 4, c), 1.0);
    }

    private static void assertClose(float[] want, float[] got, float tol, String what) {
        for (int i = 0; i < want.length; i++)
            assertEquals(want[i], got[i], tol, what + ": expected " + Arrays.toString(want) + " got " + Arrays.toString(got));
    }

    /**
     * A 16x16 Adobe CMYK JPEG of four flat 8x8 blocks written by Pillow 9.4, and the values of
     * {@code Image.open(f).convert("RGB")}:
     * <pre>
     * a = np.zeros((16,16,4), np.uint8)
     * cols = [(10,200,30,40),(250,20,120,0),(0,0,0,255),(128,64,32,16)]
     * for i,(by,bx) in enumerate([(0,0),(0,8),(8,0),(8,8)]): a[by:by+8,bx:bx+8] = cols[i]
     * Image.fromarray(a,'CMYK').save(b, 'JPEG', quality=100)
     * -> RGB (0,0)=[207,46,190] (8,0)=[5,235,135] (0,8)=[0,0,0] (8,8)=[119,179,209]
     * </pre>
     */
    private static final String CMYK_JPEG = "/9j/7gAOQWRvYmUAZAAAAAAA/9sAQwABAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEB/8AAFAgAEAAQBEMRAE0RAFkRAEsRAP/EAB8AAAEFAQEBAQEBAAAAAAAAAAABAgMEBQYHCAkKC//EALUQAAIBAwMCBAMFBQQEAAABfQECAwAEEQUSITFBBhNRYQcicRQygZGhCCNCscEVUtHwJDNicoIJChYXGBkaJSYnKCkqNDU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6g4SFhoeIiYqSk5SVlpeYmZqio6Slpqeoqaqys7S1tre4ubrCw8TFxsfIycrS09TV1tfY2drh4uPk5ebn6Onq8fLz9PX29/j5+v/aAA4EQwBNAFkASwAAPwD+6iv5t6/sIr+riv8AB/r/AFoK/kvr9QK/30K+oK/vAr/AHr/P/r+f+vz/AK/3eK//2Q==";

    @Test
    void cmykJpegConvertedLikePil() throws IOException {
        Path p = dir.resolve("cmyk.jpg");
        Files.write(p, Base64.getDecoder().decode(CMYK_JPEG));
        RgbImage img = Images.read(p);
        assertEquals(16, img.width());
        assertPixel(img, 0, 0, 207, 46, 190);
        assertPixel(img, 8, 0, 5, 235, 135);
        assertPixel(img, 0, 8, 0, 0, 0);
        assertPixel(img, 8, 8, 119, 179, 209);
        assertPixel(img, 4, 4, 207, 46, 190);
    }

    @Test
    void cmykFormulaMatchesPilIntegerRounding() {
        // Pillow cmyk2rgb: nk - MULDIV255(c, nk), e.g. C=94 K=217 -> 24 (checked against Pillow 9.4)
        assertEquals(24, Images.cmykChannel(94, 255 - 217));
        assertEquals(19, Images.cmykChannel(130, 255 - 217));
        assertEquals(9, Images.cmykChannel(195, 255 - 217));
        assertEquals(255, Images.cmykChannel(0, 255));
        assertEquals(0, Images.cmykChannel(255, 255));
    }

    @Test
    void bmpAndGifRead() throws IOException {
        RgbImage bmp = Images.read(write(rgbImage(5, 4, BufferedImage.TYPE_INT_RGB), "bmp", "x.bmp"));
        RgbImage gifSrc = Images.read(write(rgbImage(5, 4, BufferedImage.TYPE_INT_RGB), "png", "ref.png"));
        assertEquals(gifSrc, bmp);
        BufferedImage few = new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 4; y++)
            for (int x = 0; x < 4; x++) few.setRGB(x, y, (x + y) % 2 == 0 ? 0xFF0000 : 0x00FF00);
        RgbImage gif = Images.read(write(few, "gif", "x.gif"));
        assertPixel(gif, 0, 0, 255, 0, 0);
        assertPixel(gif, 1, 0, 0, 255, 0);
    }

    // ---- failures -----------------------------------------------------------------------------

    private ImageReadException assertFails(Path p, String... fragments) {
        ImageReadException e = assertThrows(ImageReadException.class, () -> Images.read(p));
        assertTrue(e.getMessage().contains(p.toString()), "message does not name the file: " + e.getMessage());
        assertEquals(p, e.file());
        for (String f : fragments)
            assertTrue(e.getMessage().toLowerCase().contains(f.toLowerCase()),
                    "message lacks '" + f + "': " + e.getMessage());
        return e;
    }

    @Test
    void missingFileDirectoryAndEmptyFile() throws IOException {
        assertFails(dir.resolve("nope.png"), "does not exist");
        assertFails(dir, "directory");
        Path empty = Files.createFile(dir.resolve("empty.jpg"));
        assertFails(empty, "empty");
    }

    @Test
    void nonImageFile() throws IOException {
        Path p = dir.resolve("notes.png");
        Files.writeString(p, "this is not an image at all\n");
        assertFails(p, "not a recognized image format");
    }

    @Test
    void truncatedPng() throws IOException {
        Path ok = write(rgbImage(64, 64, BufferedImage.TYPE_INT_RGB), "png", "big.png");
        byte[] d = Files.readAllBytes(ok);
        Path p = dir.resolve("trunc.png");
        Files.write(p, Arrays.copyOf(d, d.length * 6 / 10));
        assertFails(p);
        Path sigOnly = dir.resolve("sig.png");
        Files.write(sigOnly, Arrays.copyOf(d, 8));
        assertFails(sigOnly);
    }

    @Test
    void truncatedJpegIsRejectedNotGrayFilled() throws IOException {
        Path ok = write(rgbImage(64, 64, BufferedImage.TYPE_3BYTE_BGR), "jpg", "big.jpg");
        byte[] d = Files.readAllBytes(ok);
        Path p = dir.resolve("trunc.jpg");
        Files.write(p, Arrays.copyOf(d, d.length * 8 / 10));
        assertFails(p, "truncated");
    }

    @Test
    void corruptPngData() throws IOException {
        byte[] d = Files.readAllBytes(write(rgbImage(32, 32, BufferedImage.TYPE_INT_RGB), "png", "c.png"));
        int idat = indexOf(d, "IDAT".getBytes(StandardCharsets.US_ASCII));
        assertTrue(idat > 0);
        int len = ByteBuffer.wrap(d, idat - 4, 4).getInt();
        for (int i = idat + 6; i < idat + 4 + len; i++) d[i] = (byte) 0xFF; // keep the zlib header, break the data
        Path p = dir.resolve("corrupt.png");
        Files.write(p, d);
        assertFails(p, "corrupt");
    }

    @Test
    void damagedFilesNeverThrowUncheckedExceptions() throws IOException {
        byte[] png = Files.readAllBytes(write(rgbImage(24, 16, BufferedImage.TYPE_INT_RGB), "png", "f.png"));
        byte[] jpg = Files.readAllBytes(write(rgbImage(24, 16, BufferedImage.TYPE_3BYTE_BGR), "jpg", "f.jpg"));
        Path p = dir.resolve("fuzz.bin");
        int tried = 0, failed = 0;
        for (byte[] src : new byte[][] {png, jpg}) {
            for (int cut = 1; cut < src.length; cut += 13) {
                Files.write(p, Arrays.copyOf(src, cut));
                failed += readOrCheckedFailure(p);
                tried++;
            }
            for (int pos = 0; pos < src.length; pos += 11) {
                byte[] d = src.clone();
                d[pos] ^= (byte) 0x5A;
                Files.write(p, d);
                failed += readOrCheckedFailure(p);
                tried++;
            }
        }
        assertTrue(failed > tried / 4, "only " + failed + " of " + tried + " damaged files failed");
    }

    private static int readOrCheckedFailure(Path p) {
        try {
            RgbImage img = Images.read(p);
            assertEquals(img.width() * img.height() * 3, img.toArray().length);
            return 0;
        } catch (ImageReadException e) {
            assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
            return 1;
        } catch (Throwable t) {
            fail("unexpected " + t + " for damaged file", t);
            return 0;
        }
    }

    private static int indexOf(byte[] d, byte[] pat) {
        outer:
        for (int i = 0; i + pat.length <= d.length; i++) {
            for (int j = 0; j < pat.length; j++) if (d[i + j] != pat[j]) continue outer;
            return i;
        }
        return -1;
    }

    // ---- decompression bombs ------------------------------------------------------------------

    private static byte[] chunk(String type, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(12 + data.length);
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        b.putInt(data.length).put(t).put(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        b.putInt((int) crc.getValue());
        return b.array();
    }

    @Test
    void hugeDeclaredPngRejectedBeforeDecoding() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        // 50000 x 40000 RGB, 8-bit; no IDAT at all, so reaching the decoder would fail differently
        out.write(chunk("IHDR", ByteBuffer.allocate(13).putInt(50_000).putInt(40_000).put((byte) 8).put((byte) 2)
                .put((byte) 0).put((byte) 0).put((byte) 0).array()));
        out.write(chunk("IEND", new byte[0]));
        Path p = dir.resolve("bomb.png");
        Files.write(p, out.toByteArray());
        assertFails(p, "50000x40000", "above the limit", "not decoded");
    }

    @Test
    void hugeDeclaredJpegRejectedBeforeDecoding() throws IOException {
        byte[] d = Files.readAllBytes(write(rgbImage(16, 16, BufferedImage.TYPE_3BYTE_BGR), "jpg", "s.jpg"));
        int sof = indexOf(d, new byte[] {(byte) 0xFF, (byte) 0xC0});
        assertTrue(sof > 0);
        d[sof + 5] = (byte) 0xFD; // height 65000
        d[sof + 6] = (byte) 0xE8;
        d[sof + 7] = (byte) 0xFD; // width 65000
        d[sof + 8] = (byte) 0xE8;
        Path p = dir.resolve("bomb.jpg");
        Files.write(p, d);
        assertFails(p, "65000x65000", "above the limit");
    }

    @Test
    void customPixelLimit() throws IOException {
        Path p = write(rgbImage(10, 10, BufferedImage.TYPE_INT_RGB), "png", "ten.png");
        assertEquals(10, Images.read(p, 100).width());
        ImageReadException e = assertThrows(ImageReadException.class, () -> Images.read(p, 99));
        assertTrue(e.getMessage().contains("100 pixels"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Images.read(p, 0));
    }

    @Test
    void bufferedImageRoundTrip() {
        float[] d = new float[4 * 3 * 3];
        for (int i = 0; i < d.length; i++) d[i] = (i * 23) % 256;
        RgbImage img = RgbImage.of(4, 3, d);
        assertEquals(img, Images.fromBufferedImage(Images.toBufferedImage(img)));
    }
}
