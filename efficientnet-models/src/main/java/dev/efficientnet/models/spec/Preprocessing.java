package dev.efficientnet.models.spec;

import java.util.List;

/**
 * Eval-time input preprocessing of a preset: resize to {@code floor(size / cropFraction)},
 * center-crop {@code size}, scale to [0, 1], normalize per channel with mean/std.
 *
 * @param mean          per-channel mean (in [0, 1] units)
 * @param std           per-channel std
 * @param cropFraction  center-crop fraction (timm {@code crop_pct}), in (0, 1]
 * @param interpolation resize interpolation
 */
public record Preprocessing(List<Double> mean, List<Double> std, double cropFraction, Interpolation interpolation) {
    /** ImageNet mean (torchvision/timm {@code IMAGENET_DEFAULT_MEAN}). */
    public static final List<Double> IMAGENET_MEAN = List.of(0.485, 0.456, 0.406);
    /** ImageNet std (torchvision/timm {@code IMAGENET_DEFAULT_STD}). */
    public static final List<Double> IMAGENET_STD = List.of(0.229, 0.224, 0.225);
    /** (0.5, 0.5, 0.5): inputs mapped to [-1, 1]; the TF V2-S/M/L/XL weights (timm {@code IMAGENET_INCEPTION_MEAN}). */
    public static final List<Double> HALF = List.of(0.5, 0.5, 0.5);

    /**
     * Validates and copies.
     *
     * @param mean the mean
     * @param std the standard deviation
     * @param cropFraction the fraction of the resized image kept by the centre crop
     * @param interpolation the resampling filter
     */
    public Preprocessing {
        if (mean == null || std == null || mean.isEmpty() || mean.size() != std.size()) {
            throw new IllegalArgumentException("mean and std must be non-empty and of equal length");
        }
        for (double s : std) {
            if (!(s > 0)) {
                throw new IllegalArgumentException("std must be positive, got " + std);
            }
        }
        if (!(cropFraction > 0 && cropFraction <= 1)) {
            throw new IllegalArgumentException("crop fraction must be in (0, 1], got " + cropFraction);
        }
        if (interpolation == null) {
            throw new IllegalArgumentException("interpolation is required");
        }
        mean = List.copyOf(mean);
        std = List.copyOf(std);
    }

    /**
     * ImageNet mean/std.
     *
     * @param cropFraction the fraction of the resized image kept by the centre crop
     * @param interpolation the resampling filter
     * @return ImageNet mean/std
     */
    public static Preprocessing imagenet(double cropFraction, Interpolation interpolation) {
        return new Preprocessing(IMAGENET_MEAN, IMAGENET_STD, cropFraction, interpolation);
    }

    /**
     * Mean = std = 0.5 (TF V2-S/M/L/XL weights).
     *
     * @param cropFraction the fraction of the resized image kept by the centre crop
     * @param interpolation the resampling filter
     * @return mean = std = 0.5 (TF V2-S/M/L/XL weights)
     */
    public static Preprocessing half(double cropFraction, Interpolation interpolation) {
        return new Preprocessing(HALF, HALF, cropFraction, interpolation);
    }

    /**
     * Resize size before the center crop: {@code floor(cropSize / cropFraction)} (timm).
     *
     * @param cropSize the crop size
     * @return resize size before the center crop: {@code floor(cropSize / cropFraction)} (timm)
     */
    public int resizeSize(int cropSize) {
        return (int) Math.floor(cropSize / cropFraction);
    }
}
