package dev.efficientnet.models.image;

import java.util.Arrays;
import java.util.Objects;

/**
 * An immutable RGB image of float samples on the 0..255 scale, stored interleaved in HWC order:
 * the sample of channel {@code c} (0 = R, 1 = G, 2 = B) at column {@code x}, row {@code y} is
 * {@code data[(y * width + x) * 3 + c]}.
 *
 * <p>Images decoded by {@link Images#read} hold whole numbers in [0, 255] (8-bit values, exactly
 * what PIL's {@code convert("RGB")} yields), which keeps the {@link ResamplePrecision#UINT8
 * PIL-exact} resize path bit-exact. Results of the {@link ResamplePrecision#FLOAT float} resize
 * path may be fractional and, for bicubic, slightly outside [0, 255]. Conversion to a model input
 * (divide by 255, normalize) happens in {@link ImageTransforms#toTensor}.
 */
public final class RgbImage {
    /** Channels per pixel. */
    public static final int CHANNELS = 3;

    private final int width;
    private final int height;
    private final float[] data;

    private RgbImage(int width, int height, float[] data) {
        this.width = width;
        this.height = height;
        this.data = data;
    }

    /**
     * An image holding a copy of {@code hwc} (interleaved RGB, row-major, 0..255 scale).
     *
     * @param width the width in pixels
     * @param height the height in pixels
     * @param hwc the pixels in HWC layout
     * @throws IllegalArgumentException if a dimension is not positive, the length is not
     *                                  {@code width * height * 3}, or a sample is not finite
     * @return an image holding a copy of {@code hwc} (interleaved RGB, row-major, 0..255 scale)
     */
    public static RgbImage of(int width, int height, float[] hwc) {
        Objects.requireNonNull(hwc, "hwc");
        checkSize(width, height);
        long expected = (long) width * height * CHANNELS;
        if (hwc.length != expected)
            throw new IllegalArgumentException("hwc has " + hwc.length + " samples but a " + width + "x" + height
                    + " RGB image needs " + expected);
        for (int i = 0; i < hwc.length; i++) {
            if (!Float.isFinite(hwc[i]))
                throw new IllegalArgumentException("hwc[" + i + "] is not finite: " + hwc[i]);
        }
        return new RgbImage(width, height, hwc.clone());
    }

    /**
     * An image with every pixel set to {@code (r, g, b)}.
     *
     * @param width the width in pixels
     * @param height the height in pixels
     * @param r the red value
     * @param g the green value
     * @param b the blue value
     * @return an image with every pixel set to {@code (r, g, b)}
     */
    public static RgbImage filled(int width, int height, float r, float g, float b) {
        checkSize(width, height);
        float[] d = new float[checkedLength(width, height)];
        for (int i = 0; i < d.length; i += CHANNELS) {
            d[i] = r;
            d[i + 1] = g;
            d[i + 2] = b;
        }
        return of(width, height, d);
    }

    /** Wraps {@code data} without copying; for code in this package that owns the array. */
    static RgbImage wrap(int width, int height, float[] data) {
        checkSize(width, height);
        if (data.length != (long) width * height * CHANNELS)
            throw new IllegalStateException("internal: " + data.length + " samples for " + width + "x" + height);
        return new RgbImage(width, height, data);
    }

    static void checkSize(int width, int height) {
        if (width < 1 || height < 1)
            throw new IllegalArgumentException("image size must be positive, got width=" + width + " height=" + height);
    }

    static int checkedLength(int width, int height) {
        long n = (long) width * height * CHANNELS;
        if (n > Integer.MAX_VALUE - 8)
            throw new IllegalArgumentException("image " + width + "x" + height + " is too large for one array ("
                    + n + " samples)");
        return (int) n;
    }

    /** {@return width in pixels} */
    public int width() {
        return width;
    }

    /** {@return height in pixels} */
    public int height() {
        return height;
    }

    /**
     * Sample of channel {@code c} (0 = R, 1 = G, 2 = B) at column {@code x}, row {@code y}.
     *
     * @param x the x coordinate
     * @param y the y coordinate
     * @param c the channel (0 red, 1 green, 2 blue)
     * @return sample of channel {@code c} (0 = R, 1 = G, 2 = B) at column {@code x}, row {@code y}
     */
    public float get(int x, int y, int c) {
        Objects.checkIndex(x, width);
        Objects.checkIndex(y, height);
        Objects.checkIndex(c, CHANNELS);
        return data[(y * width + x) * CHANNELS + c];
    }

    /** {@return a copy of the samples (HWC interleaved, 0..255 scale)} */
    public float[] toArray() {
        return data.clone();
    }

    /** The backing array without a copy; callers in this package must not modify it. */
    float[] raw() {
        return data;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RgbImage other && other.width == width && other.height == height
                && Arrays.equals(other.data, data);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * width + height) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "RgbImage[" + width + "x" + height + "]";
    }
}
