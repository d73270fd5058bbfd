package dev.efficientnet.models.image;

import dev.efficientnet.core.tensor.Tensor;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Eval-time image operations with torchvision/PIL semantics: resize ({@link Resampler PIL's
 * antialiased separable resampling}), shorter-side resize, timm's keep-ratio resize, center crop
 * and conversion to a normalized float32 tensor.
 *
 * <p>All sizes are given as in the method names; arrays returned by the size helpers are
 * {@code {width, height}}.
 */
public final class ImageTransforms {
    private ImageTransforms() {
    }

    /**
     * Resize to {@code width x height} with PIL's 8-bit arithmetic ({@link ResamplePrecision#UINT8}).
     *
     * @param image the image
     * @param width the width in pixels
     * @param height the height in pixels
     * @param interpolation the resampling filter
     * @return resize to {@code width x height} with PIL's 8-bit arithmetic ({@link ResamplePrecision#UINT8})
     */
    public static RgbImage resize(RgbImage image, int width, int height, ImageInterpolation interpolation) {
        return resize(image, width, height, interpolation, ResamplePrecision.UINT8);
    }

    /**
     * Resize to {@code width x height} like PIL's {@code Image.resize(size, filter)}: antialiased
     * when downscaling, identity when the size is unchanged.
     *
     * @param image the image
     * @param width the width in pixels
     * @param height the height in pixels
     * @param interpolation the resampling filter
     * @param precision the arithmetic precision of resampling
     * @return resize to {@code width x height} like PIL's {@code Image.resize(size, filter)}: antialiased when downscaling, identity when the size is unchanged
     */
    public static RgbImage resize(RgbImage image, int width, int height, ImageInterpolation interpolation,
                                  ResamplePrecision precision) {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(interpolation, "interpolation");
        Objects.requireNonNull(precision, "precision");
        checkPositive("width", width);
        checkPositive("height", height);
        RgbImage.checkedLength(width, height);
        return Resampler.resample(image, width, height, interpolation, precision, 0, 0, width, height);
    }

    /**
     * The size torchvision's {@code Resize(size)} (an int) gives a {@code width x height} image:
     * the shorter side becomes {@code size}, the longer {@code int(size * long / short)}
     * (truncated). Returns {@code {newWidth, newHeight}}.
     *
     * @param width the width in pixels
     * @param height the height in pixels
     * @param size the size
     * @return the size torchvision's {@code Resize(size)} (an int) gives a {@code width x height} image: the shorter side becomes {@code size}, the longer {@code int(size * long / short)} (truncated)
     */
    public static int[] shorterSideSize(int width, int height, int size) {
        checkPositive("width", width);
        checkPositive("height", height);
        checkPositive("size", size);
        int shortSide = Math.min(width, height);
        int longSide = Math.max(width, height);
        double scaledLong = (double) ((long) size * longSide) / shortSide;
        if (scaledLong >= Integer.MAX_VALUE)
            throw new IllegalArgumentException("resizing a " + width + "x" + height + " image to shorter side " + size
                    + " gives a longer side of " + (long) scaledLong + " pixels");
        int newLong = (int) scaledLong;
        return width <= height ? new int[] {size, newLong} : new int[] {newLong, size};
    }

    /**
     * The size timm's {@code ResizeKeepRatio(target, longest=0)} gives a {@code width x height}
     * image: scale by {@code 1 / min(height / targetHeight, width / targetWidth)} so the image
     * covers the target, each side rounded half-to-even (Python's {@code round}). Returns
     * {@code {newWidth, newHeight}}.
     *
     * @param width the width in pixels
     * @param height the height in pixels
     * @param targetHeight the target height
     * @param targetWidth the target width
     * @return the size timm's {@code ResizeKeepRatio(target, longest=0)} gives a {@code width x height} image: scale by {@code 1 / min(height / targetHeight, width / targetWidth)} so the image covers the target, each side rounded half-to-even (Python's {@code round})
     */
    public static int[] keepRatioCoverSize(int width, int height, int targetHeight, int targetWidth) {
        checkPositive("width", width);
        checkPositive("height", height);
        checkPositive("targetHeight", targetHeight);
        checkPositive("targetWidth", targetWidth);
        double ratio = Math.min((double) height / targetHeight, (double) width / targetWidth);
        double w = Math.rint(width / ratio);
        double h = Math.rint(height / ratio);
        if (w >= Integer.MAX_VALUE || h >= Integer.MAX_VALUE)
            throw new IllegalArgumentException("keep-ratio resize of a " + width + "x" + height + " image to cover "
                    + targetWidth + "x" + targetHeight + " is too large");
        return new int[] {Math.max(1, (int) w), Math.max(1, (int) h)};
    }

    /**
     * Resize so the shorter side is {@code size} (torchvision {@code Resize(int)}).
     *
     * @param image the image
     * @param size the size
     * @param interpolation the resampling filter
     * @param precision the arithmetic precision of resampling
     * @return resize so the shorter side is {@code size} (torchvision {@code Resize(int)})
     */
    public static RgbImage resizeShorterSide(RgbImage image, int size, ImageInterpolation interpolation,
                                             ResamplePrecision precision) {
        Objects.requireNonNull(image, "image");
        int[] s = shorterSideSize(image.width(), image.height(), size);
        return resize(image, s[0], s[1], interpolation, precision);
    }

    /**
     * Offset of a torchvision center crop of {@code crop} samples from an axis of {@code size}
     * samples: {@code round((size - crop) / 2)} (half to even) when the crop fits, otherwise minus
     * the zero padding put before the image ({@code (crop - size) // 2}). Output index {@code i}
     * reads input index {@code i + offset}; indices outside the image are zero.
     *
     * @param size the size
     * @param crop the crop size
     * @return offset of a torchvision center crop of {@code crop} samples from an axis of {@code size} samples: {@code round((size - crop) / 2)} (half to even) when the crop fits, otherwise minus the zero padding put before the image ({@code (crop - size) // 2})
     */
    public static int centerCropOffset(int size, int crop) {
        checkPositive("size", size);
        checkPositive("crop", crop);
        if (crop > size) return -((crop - size) / 2);
        return (int) Math.rint((size - crop) / 2.0);
    }

    /**
     * torchvision {@code CenterCrop((height, width))}: a {@code width x height} window at the
     * center; where the crop is larger than the image the image is zero-padded (black) first.
     *
     * @param image the image
     * @param height the height in pixels
     * @param width the width in pixels
     * @return torchvision {@code CenterCrop((height, width))}: a {@code width x height} window at the center; where the crop is larger than the image the image is zero-padded (black) first
     */
    public static RgbImage centerCrop(RgbImage image, int height, int width) {
        Objects.requireNonNull(image, "image");
        int left = centerCropOffset(image.width(), width);
        int top = centerCropOffset(image.height(), height);
        return crop(image, left, top, width, height);
    }

    /**
     * The {@code width x height} window whose top-left corner is at ({@code left}, {@code top});
     * parts outside the image are zero (PIL's {@code crop} semantics).
     *
     * @param image the image
     * @param left the left padding
     * @param top the top padding
     * @param width the width in pixels
     * @param height the height in pixels
     * @return the {@code width x height} window whose top-left corner is at ({@code left}, {@code top}); parts outside the image are zero (PIL's {@code crop} semantics)
     */
    public static RgbImage crop(RgbImage image, int left, int top, int width, int height) {
        Objects.requireNonNull(image, "image");
        checkPositive("width", width);
        checkPositive("height", height);
        float[] out = new float[RgbImage.checkedLength(width, height)];
        float[] in = image.raw();
        int c = RgbImage.CHANNELS;
        int xa = Math.max(0, left), xb = (int) Math.min((long) image.width(), (long) left + width);
        int ya = Math.max(0, top), yb = (int) Math.min((long) image.height(), (long) top + height);
        for (int y = ya; y < yb && xa < xb; y++) {
            System.arraycopy(in, (y * image.width() + xa) * c, out, ((y - top) * width + (xa - left)) * c, (xb - xa) * c);
        }
        return RgbImage.wrap(width, height, out);
    }

    /**
     * {@code centerCrop(resize(image, resizeWidth, resizeHeight), cropHeight, cropWidth)} computed
     * without materializing the full resize: only the pixels inside the crop are resampled. The
     * values are identical to resizing first and cropping after.
     *
     * @param image the image
     * @param resizeWidth the resized width
     * @param resizeHeight the resized height
     * @param cropHeight the crop height
     * @param cropWidth the crop width
     * @param interpolation the resampling filter
     * @param precision the arithmetic precision of resampling
     * @return {@code centerCrop(resize(image, resizeWidth, resizeHeight), cropHeight, cropWidth)} computed without materializing the full resize: only the pixels inside the crop are resampled
     */
    public static RgbImage resizeAndCenterCrop(RgbImage image, int resizeWidth, int resizeHeight, int cropHeight,
                                               int cropWidth, ImageInterpolation interpolation,
                                               ResamplePrecision precision) {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(interpolation, "interpolation");
        Objects.requireNonNull(precision, "precision");
        checkPositive("resizeWidth", resizeWidth);
        checkPositive("resizeHeight", resizeHeight);
        int left = centerCropOffset(resizeWidth, cropWidth);
        int top = centerCropOffset(resizeHeight, cropHeight);
        int xa = Math.max(0, left), xb = Math.min(resizeWidth, left + cropWidth);
        int ya = Math.max(0, top), yb = Math.min(resizeHeight, top + cropHeight);
        RgbImage window = Resampler.resample(image, resizeWidth, resizeHeight, interpolation, precision,
                xa, ya, xb - xa, yb - ya);
        if (xa == left && ya == top && xb - xa == cropWidth && yb - ya == cropHeight) return window;
        return crop(window, left - xa, top - ya, cropWidth, cropHeight);
    }

    /**
     * torchvision {@code ToTensor()} then {@code Normalize(mean, std)} of one image: a float32
     * tensor {@code [1, 3, H, W]} with {@code (v / 255 - mean[c]) / std[c]}, computed in float32
     * as torch does.
     *
     * @param image the image
     * @param mean the per-channel mean
     * @param std the per-channel standard deviation
     * @return torchvision {@code ToTensor()} then {@code Normalize(mean, std)} of one image: a float32 tensor {@code [1, 3, H, W]} with {@code (v / 255 - mean[c]) / std[c]}, computed in float32 as torch does
     */
    public static Tensor toTensor(RgbImage image, double[] mean, double[] std) {
        return toTensor(List.of(Objects.requireNonNull(image, "image")), mean, std, ChannelLayout.NCHW);
    }

    /**
     * Stacks equally sized images into a normalized float32 batch, {@code [N, 3, H, W]} or {@code
     * [N, H, W, 3]} by {@code layout} (see {@link #toTensor(RgbImage, double[], double[])}).
     *
     * @param images the images
     * @param mean the per-channel mean
     * @param std the per-channel standard deviation
     * @param layout the channel layout
     * @return the batch
     */
    public static Tensor toTensor(List<RgbImage> images, double[] mean, double[] std, ChannelLayout layout) {
        Objects.requireNonNull(images, "images");
        Objects.requireNonNull(layout, "layout");
        if (images.isEmpty()) throw new IllegalArgumentException("images is empty; need at least one image");
        checkChannelParams(mean, std);
        RgbImage first = Objects.requireNonNull(images.get(0), "images[0]");
        int w = first.width(), h = first.height();
        int c = RgbImage.CHANNELS;
        long per = (long) w * h * c;
        if (per * images.size() > Integer.MAX_VALUE - 8)
            throw new IllegalArgumentException("batch of " + images.size() + " images of " + w + "x" + h + " is too large");
        float[] m = new float[c], s = new float[c];
        for (int i = 0; i < c; i++) {
            m[i] = (float) mean[i];
            s[i] = (float) std[i];
        }
        float[] out = new float[(int) (per * images.size())];
        int plane = w * h;
        for (int n = 0; n < images.size(); n++) {
            RgbImage img = Objects.requireNonNull(images.get(n), "images[" + n + "]");
            if (img.width() != w || img.height() != h)
                throw new IllegalArgumentException("images[" + n + "] is " + img.width() + "x" + img.height()
                        + " but images[0] is " + w + "x" + h + "; all images of a batch must have one size");
            float[] in = img.raw();
            int base = (int) (n * per);
            if (layout == ChannelLayout.NHWC) {
                for (int i = 0; i < plane * c; i++) out[base + i] = (in[i] / 255f - m[i % c]) / s[i % c];
            } else {
                for (int p = 0; p < plane; p++) {
                    for (int ch = 0; ch < c; ch++) {
                        out[base + ch * plane + p] = (in[p * c + ch] / 255f - m[ch]) / s[ch];
                    }
                }
            }
        }
        int[] shape = layout == ChannelLayout.NHWC ? new int[] {images.size(), h, w, c} : new int[] {images.size(), c, h, w};
        return Tensor.of(out, shape);
    }

    static void checkChannelParams(double[] mean, double[] std) {
        if (mean == null || mean.length != RgbImage.CHANNELS)
            throw new IllegalArgumentException("mean must have 3 values (R, G, B), got "
                    + (mean == null ? "null" : Arrays.toString(mean)));
        if (std == null || std.length != RgbImage.CHANNELS)
            throw new IllegalArgumentException("std must have 3 values (R, G, B), got "
                    + (std == null ? "null" : Arrays.toString(std)));
        for (int i = 0; i < RgbImage.CHANNELS; i++) {
            if (!Double.isFinite(mean[i]))
                throw new IllegalArgumentException("mean[" + i + "] must be finite, got " + mean[i]);
            if (!(std[i] > 0) || !Double.isFinite(std[i]))
                throw new IllegalArgumentException("std[" + i + "] must be positive and finite, got " + std[i]);
        }
    }

    private static void checkPositive(String name, int v) {
        if (v < 1) throw new IllegalArgumentException(name + " must be positive, got " + v);
    }
}
