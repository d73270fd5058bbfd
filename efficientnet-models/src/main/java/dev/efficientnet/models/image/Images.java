package dev.efficientnet.models.image;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Reads image files into {@link RgbImage}s with the values PIL's {@code Image.open(f).convert("RGB")}
 * produces, using ImageIO (JPEG, PNG, GIF, BMP, TIFF, WBMP, plus any installed ImageIO plugin).
 *
 * <ul>
 *   <li>RGB: the stored 8-bit samples; embedded ICC profiles are ignored, as PIL ignores them.</li>
 *   <li>Grayscale: replicated to three channels.</li>
 *   <li>Alpha (RGBA, gray+alpha, transparent palette entries): the alpha channel is dropped, not
 *       composited, as in PIL's {@code convert("RGB")}.</li>
 *   <li>Palette/indexed images (PNG, GIF): looked up in the palette.</li>
 *   <li>16-bit samples: the high byte ({@code v >> 8}), which is how PIL unpacks 16-bit RGB PNGs.
 *       For 16-bit grayscale PIL's {@code convert("RGB")} clips the raw value at 255 (turning most
 *       images white); this reader scales like the RGB case instead.</li>
 *   <li>Samples of other bit depths (1, 2, 4 bits): scaled to 0..255 ({@code round(v * 255 / max)}).</li>
 *   <li>CMYK JPEGs (as ImageIO reports them): PIL's conversion {@code R = (255 - K) * (255 - C) / 255}
 *       on the raw samples, with PIL's integer rounding.</li>
 *   <li>Multi-image files (animated GIF, multi-page TIFF): the first image.</li>
 *   <li>EXIF orientation is not applied (neither PIL's {@code open} nor timm's loader applies it).</li>
 * </ul>
 *
 * <p>Every failure is an {@link ImageReadException} naming the file: missing, unreadable or empty
 * files, unknown formats, corrupt or truncated data (a JPEG whose data ends early is rejected, as
 * PIL rejects it by default, rather than returned half gray). Declared dimensions are checked
 * against a pixel limit before any pixel is decoded, so decompression bombs are refused cheaply.
 */
public final class Images {
    /** Default limit on {@code width * height} of a decoded image: 100 megapixels. */
    public static final long DEFAULT_MAX_PIXELS = 100_000_000L;

    private static final Logger LOG = LoggerFactory.getLogger(Images.class);
    /** Heap per pixel while decoding: the ImageIO raster (up to 4 bytes) plus the float RGB result (12 bytes). */
    static final long HEAP_BYTES_PER_PIXEL = 16;

    private Images() {
    }

    /** Reads {@code file} as RGB, refusing images above {@link #DEFAULT_MAX_PIXELS}. */
    public static RgbImage read(Path file) throws ImageReadException {
        return read(file, DEFAULT_MAX_PIXELS);
    }

    /**
     * Reads {@code file} as RGB.
     *
     * @param maxPixels the largest accepted {@code width * height}, checked before decoding
     * @throws ImageReadException if the file cannot be read or decoded, or is too large
     */
    public static RgbImage read(Path file, long maxPixels) throws ImageReadException {
        Objects.requireNonNull(file, "file");
        if (maxPixels < 1) throw new IllegalArgumentException("maxPixels must be positive, got " + maxPixels);
        if (!Files.exists(file)) throw new ImageReadException(file, "file does not exist");
        if (Files.isDirectory(file)) throw new ImageReadException(file, "is a directory, not an image file");
        if (!Files.isReadable(file)) throw new ImageReadException(file, "file is not readable (permission denied)");
        try {
            if (Files.size(file) == 0) throw new ImageReadException(file, "file is empty");
            try (ImageInputStream in = open(file)) {
                if (in == null) throw new ImageReadException(file, "ImageIO cannot open the file");
                Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
                if (!readers.hasNext())
                    throw new ImageReadException(file, "not a recognized image format (ImageIO reads "
                            + new TreeSet<>(List.of(ImageIO.getReaderFormatNames())).toString().toLowerCase(Locale.ROOT) + ")");
                ImageReader reader = readers.next();
                if ("png".equalsIgnoreCase(reader.getFormatName())) checkPngChunks(file);
                try {
                    return decode(file, reader, in, maxPixels);
                } finally {
                    reader.dispose();
                }
            }
        } catch (ImageReadException e) {
            throw e;
        } catch (IOException e) {
            throw new ImageReadException(file, "corrupt, truncated or unreadable image data: " + describe(e), e);
        } catch (RuntimeException e) {
            throw new ImageReadException(file, "corrupt or unsupported image data: " + describe(e), e);
        } catch (OutOfMemoryError e) {
            throw new ImageReadException(file, "not enough memory to decode the image (" + e.getMessage()
                    + "); lower maxPixels or raise the heap size", e);
        }
    }

    private static ImageInputStream open(Path file) throws IOException {
        try {
            return ImageIO.createImageInputStream(file.toFile());
        } catch (UnsupportedOperationException notDefaultFileSystem) {
            InputStream s = Files.newInputStream(file);
            return new MemoryCacheImageInputStream(s) {
                @Override
                public void close() throws IOException {
                    try {
                        super.close();
                    } finally {
                        s.close();
                    }
                }
            };
        }
    }

    /**
     * Verifies the CRC of every PNG chunk up to IEND, as PIL does: ImageIO ignores them, so a
     * corrupted file could otherwise decode to silently different pixels.
     */
    static void checkPngChunks(Path file) throws IOException {
        try (java.nio.channels.SeekableByteChannel ch = Files.newByteChannel(file)) {
            long size = ch.size();
            long pos = 8;
            java.nio.ByteBuffer head = java.nio.ByteBuffer.allocate(8);
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(1 << 16);
            java.util.zip.CRC32 crc = new java.util.zip.CRC32();
            while (pos + 12 <= size) {
                head.clear();
                readFully(ch, head, pos);
                long length = head.getInt(0) & 0xFFFFFFFFL;
                String type = new String(head.array(), 4, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
                if (length > size - pos - 12)
                    throw new ImageReadException(file, "PNG chunk " + type + " at byte " + pos + " declares " + length
                            + " bytes, past the end of the file (truncated?)");
                crc.reset();
                crc.update(head.array(), 4, 4);
                for (long done = 0; done < length; ) {
                    buf.clear().limit((int) Math.min(buf.capacity(), length - done));
                    readFully(ch, buf, pos + 8 + done);
                    crc.update(buf.array(), 0, buf.limit());
                    done += buf.limit();
                }
                head.clear().limit(4);
                readFully(ch, head, pos + 8 + length);
                if ((head.getInt(0) & 0xFFFFFFFFL) != crc.getValue())
                    throw new ImageReadException(file, "PNG chunk " + type + " at byte " + pos + " has a bad CRC (corrupt file)");
                if (type.equals("IEND")) return;
                pos += 12 + length;
            }
        }
    }

    private static void readFully(java.nio.channels.SeekableByteChannel ch, java.nio.ByteBuffer buf, long position) throws IOException {
        long p = position;
        ch.position(position);
        while (buf.hasRemaining()) {
            int r = ch.read(buf);
            if (r < 0) throw new java.io.EOFException("end of file at byte " + p);
            p += r;
        }
    }

    private static RgbImage decode(Path file, ImageReader reader, ImageInputStream in, long maxPixels)
            throws IOException {
        reader.setInput(in, true, true);
        String format = reader.getFormatName().toUpperCase(Locale.ROOT);
        int width = reader.getWidth(0);
        int height = reader.getHeight(0);
        if (width < 1 || height < 1)
            throw new ImageReadException(file, format + " header declares an invalid size " + width + "x" + height);
        long pixels = (long) width * height;
        if (pixels > maxPixels)
            throw new ImageReadException(file, format + " image declares " + width + "x" + height + " = " + pixels
                    + " pixels, above the limit of " + maxPixels + " (possible decompression bomb); not decoded");
        // the decoded raster (up to 4 bytes per pixel for 8-bit data) plus the float RGB result (12 bytes per pixel)
        long heapNeeded = pixels * HEAP_BYTES_PER_PIXEL;
        Runtime rt = Runtime.getRuntime();
        long freeHeap = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        if (heapNeeded > freeHeap) {
            // "used" includes garbage not yet collected (earlier images of a stream): collect once, as the JVM
            // would before an OutOfMemoryError, and judge on what is really free
            System.gc();
            freeHeap = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        }
        if (heapNeeded > freeHeap)
            throw new ImageReadException(file, format + " image declares " + width + "x" + height + " pixels, which need about "
                    + (heapNeeded >> 20) + " MiB of heap to decode but only " + (freeHeap >> 20)
                    + " MiB are free (raise -Xmx or lower maxPixels); not decoded");
        List<String> warnings = new ArrayList<>();
        reader.addIIOReadWarningListener((source, warning) -> {
            if (warnings.size() < 16) warnings.add(warning);
        });
        BufferedImage image = reader.read(0);
        if (image == null) throw new ImageReadException(file, format + " reader returned no image");
        for (String w : warnings) {
            String lw = w.toLowerCase(Locale.ROOT);
            if (lw.contains("truncated") || lw.contains("premature end"))
                throw new ImageReadException(file, format + " data is truncated (" + w + ")");
        }
        if (!warnings.isEmpty()) LOG.debug("{}: ImageIO warnings while decoding: {}", file, warnings);
        if (image.getWidth() != width || image.getHeight() != height)
            throw new ImageReadException(file, format + " decoded size " + image.getWidth() + "x" + image.getHeight()
                    + " differs from the declared " + width + "x" + height);
        try {
            return toRgb(image);
        } catch (IllegalArgumentException e) {
            throw new ImageReadException(file, "unsupported pixel layout: " + e.getMessage(), e);
        }
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        String s = m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
        Throwable c = e.getCause();
        if (c != null && c != e && c.getMessage() != null && !s.contains(c.getMessage())) s += " (" + c.getMessage() + ")";
        return s;
    }

    /**
     * Converts a decoded image to RGB with the rules in the class comment (raw samples, alpha
     * dropped, no color management), independent of how ImageIO laid out the pixels.
     */
    public static RgbImage fromBufferedImage(BufferedImage image) {
        Objects.requireNonNull(image, "image");
        return toRgb(image);
    }

    private static RgbImage toRgb(BufferedImage image) {
        int w = image.getWidth(), h = image.getHeight();
        float[] out = new float[RgbImage.checkedLength(w, h)];
        ColorModel cm = image.getColorModel();
        Raster raster = image.getRaster();
        if (cm instanceof IndexColorModel icm) {
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                raster.getSamples(0, y, w, 1, 0, row);
                for (int x = 0; x < w; x++) {
                    int i = (y * w + x) * 3, p = row[x];
                    out[i] = icm.getRed(p);
                    out[i + 1] = icm.getGreen(p);
                    out[i + 2] = icm.getBlue(p);
                }
            }
            return RgbImage.wrap(w, h, out);
        }
        int csType = cm.getColorSpace().getType();
        int colors = cm.getNumColorComponents();
        int dataType = raster.getDataBuffer().getDataType();
        boolean integral = dataType == DataBuffer.TYPE_BYTE || dataType == DataBuffer.TYPE_USHORT
                || dataType == DataBuffer.TYPE_INT;
        if (cm instanceof ComponentColorModel && integral && !cm.isAlphaPremultiplied()
                && raster.getNumBands() == cm.getNumComponents()) {
            if (csType == ColorSpace.TYPE_GRAY && colors == 1) {
                int[] lut = lut(cm.getComponentSize(0));
                int[] row = new int[w];
                for (int y = 0; y < h; y++) {
                    raster.getSamples(0, y, w, 1, 0, row);
                    for (int x = 0; x < w; x++) {
                        float v = lut[row[x]];
                        int i = (y * w + x) * 3;
                        out[i] = v;
                        out[i + 1] = v;
                        out[i + 2] = v;
                    }
                }
                return RgbImage.wrap(w, h, out);
            }
            if ((csType == ColorSpace.TYPE_RGB && colors == 3) || (csType == ColorSpace.TYPE_CMYK && colors == 4)) {
                int[][] luts = new int[colors][];
                for (int b = 0; b < colors; b++) luts[b] = lut(cm.getComponentSize(b));
                int[][] rows = new int[colors][w];
                for (int y = 0; y < h; y++) {
                    for (int b = 0; b < colors; b++) raster.getSamples(0, y, w, 1, b, rows[b]);
                    for (int x = 0; x < w; x++) {
                        int i = (y * w + x) * 3;
                        if (colors == 3) {
                            out[i] = luts[0][rows[0][x]];
                            out[i + 1] = luts[1][rows[1][x]];
                            out[i + 2] = luts[2][rows[2][x]];
                        } else {
                            int nk = 255 - luts[3][rows[3][x]];
                            out[i] = cmykChannel(luts[0][rows[0][x]], nk);
                            out[i + 1] = cmykChannel(luts[1][rows[1][x]], nk);
                            out[i + 2] = cmykChannel(luts[2][rows[2][x]], nk);
                        }
                    }
                }
                return RgbImage.wrap(w, h, out);
            }
        }
        // packed RGB (DirectColorModel: BMP, INT_RGB/ARGB), premultiplied or exotic layouts:
        // let Java2D unpack to 8-bit sRGB and drop alpha
        if (cm.getNumColorComponents() != 3 && cm.getNumColorComponents() != 1)
            throw new IllegalArgumentException("color space with " + cm.getNumColorComponents()
                    + " components (type " + csType + ") is not supported");
        int[] argb = new int[w];
        for (int y = 0; y < h; y++) {
            image.getRGB(0, y, w, 1, argb, 0, w);
            for (int x = 0; x < w; x++) {
                int i = (y * w + x) * 3, p = argb[x];
                out[i] = (p >>> 16) & 0xFF;
                out[i + 1] = (p >>> 8) & 0xFF;
                out[i + 2] = p & 0xFF;
            }
        }
        return RgbImage.wrap(w, h, out);
    }

    /** PIL's {@code cmyk2rgb}: {@code clip8(nk - muldiv255(c, nk))} with {@code nk = 255 - k}. */
    static int cmykChannel(int c, int nk) {
        int tmp = c * nk + 128;
        int v = nk - (((tmp >> 8) + tmp) >> 8);
        return v < 0 ? 0 : Math.min(v, 255);
    }

    /** Maps raw samples of {@code bits} bits to 0..255. */
    private static int[] lut(int bits) {
        if (bits < 1 || bits > 16) throw new IllegalArgumentException(bits + "-bit samples are not supported");
        int max = (1 << bits) - 1;
        int[] lut = new int[max + 1];
        for (int v = 0; v <= max; v++) {
            if (bits == 8) lut[v] = v;
            else if (bits > 8) lut[v] = v >> (bits - 8);
            else lut[v] = (int) Math.round(v * 255.0 / max);
        }
        return lut;
    }

    /** An 8-bit sRGB {@code TYPE_INT_RGB} image of {@code image}, samples rounded and clipped to 0..255. */
    public static BufferedImage toBufferedImage(RgbImage image) {
        Objects.requireNonNull(image, "image");
        int w = image.width(), h = image.height();
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        float[] d = image.raw();
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = (y * w + x) * 3;
                row[x] = Resampler.toU8(d[i]) << 16 | Resampler.toU8(d[i + 1]) << 8 | Resampler.toU8(d[i + 2]);
            }
            out.setRGB(0, y, w, 1, row, 0, w);
        }
        return out;
    }
}
