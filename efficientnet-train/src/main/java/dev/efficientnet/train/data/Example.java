package dev.efficientnet.train.data;

import java.util.Objects;

/**
 * One example: pixels as float HWC (row-major, channels interleaved) on the [0, 1] scale, with
 * 1 (grayscale) or more (usually 3, RGB) channels, and its integer class label.
 *
 * @param pixels   {@code height * width * channels} samples in HWC order
 * @param height   image height in pixels (at least 1)
 * @param width    image width in pixels (at least 1)
 * @param channels channels per pixel (at least 1)
 * @param label    class index (not validated here; datasets check their own label range)
 */
public record Example(float[] pixels, int height, int width, int channels, int label) {
    /** Validates that the array length matches the dimensions. */
    public Example {
        Objects.requireNonNull(pixels, "pixels");
        if (height < 1 || width < 1 || channels < 1)
            throw new IllegalArgumentException("Example dimensions must be positive, got height=" + height
                    + " width=" + width + " channels=" + channels);
        if ((long) height * width * channels != pixels.length)
            throw new IllegalArgumentException("Example pixels has length " + pixels.length + " but height*width*channels = "
                    + height + "*" + width + "*" + channels + " = " + ((long) height * width * channels));
    }

    /** The same label and shape with other pixels (of the same length). */
    public Example withPixels(float[] newPixels) {
        return new Example(newPixels, height, width, channels, label);
    }

    /** Other pixels and size, same label. */
    public Example withPixels(float[] newPixels, int newHeight, int newWidth, int newChannels) {
        return new Example(newPixels, newHeight, newWidth, newChannels, label);
    }
}
