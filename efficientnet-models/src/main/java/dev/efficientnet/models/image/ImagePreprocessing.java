package dev.efficientnet.models.image;

import dev.efficientnet.core.tensor.Tensor;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The timm/torchvision eval transform of a model: resize, center crop, {@code ToTensor}, {@code
 * Normalize}. For a square target {@code size}:
 * <ol>
 *   <li>resize the shorter side to {@code floor(size / cropFraction)} (torchvision {@code
 *       Resize(int)}; the longer side becomes {@code int(short * long / short)}), with PIL's
 *       antialiased {@link ImageInterpolation bilinear or bicubic} filter;</li>
 *   <li>center-crop {@code size x size};</li>
 *   <li>divide by 255 and normalize per channel with {@code mean}/{@code std}, giving float32
 *       {@code [N, 3, size, size]}.</li>
 * </ol>
 * For a non-square target {@code (height, width)} step 1 is timm's {@code ResizeKeepRatio}: the
 * image is scaled (aspect kept) so it just covers {@code floor(height / cropFraction) x
 * floor(width / cropFraction)}. (timm builds that transform with its default bilinear filter; here
 * the configured filter is used.)
 *
 * <p>The default arithmetic is {@link ResamplePrecision#UINT8}, PIL's 8-bit resize on RGB images,
 * so for 8-bit images the tensors equal timm's bit for bit (float32 normalization included).
 *
 * @param height        output height
 * @param width         output width
 * @param cropFraction  center-crop fraction (timm {@code crop_pct}), in (0, 1]
 * @param interpolation resize filter
 * @param mean          per-channel mean (R, G, B) on the 0..1 scale
 * @param std           per-channel standard deviation (R, G, B), positive
 */
public record ImagePreprocessing(int height, int width, double cropFraction, ImageInterpolation interpolation,
                                 double[] mean, double[] std) {
    private static final double[] IMAGENET_MEAN = {0.485, 0.456, 0.406};
    private static final double[] IMAGENET_STD = {0.229, 0.224, 0.225};
    private static final double[] HALF = {0.5, 0.5, 0.5};

    /**
     * Validates and copies the arrays.
     *
     * @param height the height in pixels
     * @param width the width in pixels
     * @param cropFraction the fraction of the resized image kept by the centre crop
     * @param interpolation the resampling filter
     * @param mean the mean
     * @param std the standard deviation
     */
    public ImagePreprocessing {
        if (height < 1 || width < 1)
            throw new IllegalArgumentException("output size must be positive, got height=" + height + " width=" + width);
        if (!(cropFraction > 0 && cropFraction <= 1))
            throw new IllegalArgumentException("cropFraction must be in (0, 1], got " + cropFraction);
        Objects.requireNonNull(interpolation, "interpolation");
        ImageTransforms.checkChannelParams(mean, std);
        mean = mean.clone();
        std = std.clone();
    }

    /**
     * ImageNet mean/std (0.485, 0.456, 0.406) / (0.229, 0.224, 0.225), square {@code size}.
     *
     * @param size the size
     * @param cropFraction the fraction of the resized image kept by the centre crop
     * @param interpolation the resampling filter
     * @return ImageNet mean/std (0.485, 0.456, 0.406) / (0.229, 0.224, 0.225), square {@code size}
     */
    public static ImagePreprocessing imagenet(int size, double cropFraction, ImageInterpolation interpolation) {
        return new ImagePreprocessing(size, size, cropFraction, interpolation, IMAGENET_MEAN, IMAGENET_STD);
    }

    /**
     * Mean = std = 0.5 (inputs in [-1, 1]; timm's "inception" normalization), square {@code size}.
     *
     * @param size the size
     * @param cropFraction the fraction of the resized image kept by the centre crop
     * @param interpolation the resampling filter
     * @return mean = std = 0.5 (inputs in [-1, 1]; timm's "inception" normalization), square {@code size}
     */
    public static ImagePreprocessing inception(int size, double cropFraction, ImageInterpolation interpolation) {
        return new ImagePreprocessing(size, size, cropFraction, interpolation, HALF, HALF);
    }

    /**
     * Square {@code size} with the given normalization.
     *
     * @param size the size
     * @param cropFraction the fraction of the resized image kept by the centre crop
     * @param interpolation the resampling filter
     * @param mean the per-channel mean
     * @param std the per-channel standard deviation
     * @return square {@code size} with the given normalization
     */
    public static ImagePreprocessing of(int size, double cropFraction, ImageInterpolation interpolation,
                                        double[] mean, double[] std) {
        return new ImagePreprocessing(size, size, cropFraction, interpolation, mean, std);
    }

    /**
     * The same transform for an output of {@code height x width}.
     *
     * @param height the height in pixels
     * @param width the width in pixels
     * @return the same transform for an output of {@code height x width}
     */
    public ImagePreprocessing withSize(int height, int width) {
        return new ImagePreprocessing(height, width, cropFraction, interpolation, mean, std);
    }

    /** {@return the mean (a copy)} */
    @Override
    public double[] mean() {
        return mean.clone();
    }

    /** {@return the std (a copy)} */
    @Override
    public double[] std() {
        return std.clone();
    }

    /** {@return timm's {@code scale_size}: {@code {floor(height / cropFraction), floor(width / cropFraction)}}} */
    public int[] scaleSize() {
        return new int[] {(int) Math.floor(height / cropFraction), (int) Math.floor(width / cropFraction)};
    }

    /**
     * The {@code {width, height}} a {@code imageWidth x imageHeight} image is resized to before the crop.
     *
     * @param imageWidth the image width
     * @param imageHeight the image height
     * @return the {@code {width, height}} a {@code imageWidth x imageHeight} image is resized to before the crop
     */
    public int[] resizedSize(int imageWidth, int imageHeight) {
        int[] scale = scaleSize();
        if (scale[0] == scale[1]) return ImageTransforms.shorterSideSize(imageWidth, imageHeight, scale[0]);
        return ImageTransforms.keepRatioCoverSize(imageWidth, imageHeight, scale[0], scale[1]);
    }

    /**
     * Resize and center crop with PIL's 8-bit arithmetic: a {@code width x height} image.
     *
     * @param image the image
     * @return resize and center crop with PIL's 8-bit arithmetic: a {@code width x height} image
     */
    public RgbImage resizeAndCrop(RgbImage image) {
        return resizeAndCrop(image, ResamplePrecision.UINT8);
    }

    /**
     * Resize and center crop: a {@code width x height} image (only cropped pixels are computed).
     *
     * @param image the image
     * @param precision the arithmetic precision of resampling
     * @return resize and center crop: a {@code width x height} image (only cropped pixels are computed)
     */
    public RgbImage resizeAndCrop(RgbImage image, ResamplePrecision precision) {
        Objects.requireNonNull(image, "image");
        int[] size = resizedSize(image.width(), image.height());
        return ImageTransforms.resizeAndCenterCrop(image, size[0], size[1], height, width, interpolation, precision);
    }

    /**
     * The model input for one image: float32 {@code [1, 3, height, width]}.
     *
     * @param image the image
     * @return the model input for one image: float32 {@code [1, 3, height, width]}
     */
    public Tensor apply(RgbImage image) {
        return apply(List.of(Objects.requireNonNull(image, "image")));
    }

    /**
     * The model input for a batch: float32 {@code [N, 3, height, width]}.
     *
     * @param images the images
     * @return the model input for a batch: float32 {@code [N, 3, height, width]}
     */
    public Tensor apply(List<RgbImage> images) {
        return apply(images, ResamplePrecision.UINT8, ChannelLayout.NCHW);
    }

    /**
     * The model input for a batch with the given arithmetic and layout.
     *
     * @param images the images
     * @param precision the arithmetic precision of resampling
     * @param layout the channel layout
     * @return the model input for a batch with the given arithmetic and layout
     */
    public Tensor apply(List<RgbImage> images, ResamplePrecision precision, ChannelLayout layout) {
        Objects.requireNonNull(images, "images");
        List<RgbImage> cropped = new ArrayList<>(images.size());
        for (int i = 0; i < images.size(); i++)
            cropped.add(resizeAndCrop(Objects.requireNonNull(images.get(i), "images[" + i + "]"), precision));
        return ImageTransforms.toTensor(cropped, mean, std, layout);
    }

    /**
     * Reads and transforms image files into float32 {@code [N, 3, height, width]}.
     *
     * @param files the files
     * @return the batch
     * @throws ImageReadException if an image cannot be read or decoded
     */
    public Tensor load(List<Path> files) throws ImageReadException {
        Objects.requireNonNull(files, "files");
        if (files.isEmpty()) throw new IllegalArgumentException("files is empty; need at least one image file");
        List<RgbImage> cropped = new ArrayList<>(files.size());
        for (Path f : files) cropped.add(resizeAndCrop(Images.read(f)));
        return ImageTransforms.toTensor(cropped, mean, std, ChannelLayout.NCHW);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ImagePreprocessing p && p.height == height && p.width == width
                && Double.compare(p.cropFraction, cropFraction) == 0 && p.interpolation == interpolation
                && Arrays.equals(p.mean, mean) && Arrays.equals(p.std, std);
    }

    @Override
    public int hashCode() {
        return Objects.hash(height, width, cropFraction, interpolation, Arrays.hashCode(mean), Arrays.hashCode(std));
    }

    @Override
    public String toString() {
        return "ImagePreprocessing[" + height + "x" + width + ", crop " + cropFraction + ", " + interpolation
                + ", mean " + Arrays.toString(mean) + ", std " + Arrays.toString(std) + "]";
    }
}
