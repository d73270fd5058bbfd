package dev.efficientnet.models.image;

/**
 * Resampling filter of a resize, with PIL's definitions ({@code Image.BILINEAR}, {@code
 * Image.BICUBIC}). When downscaling by a factor {@code s > 1} the filter is stretched by {@code s}
 * (support {@code s * support()}), so the resize averages over the covered source area instead of
 * aliasing; this is PIL's (and torchvision's PIL path's) antialiasing.
 *
 * <p>Bicubic uses the Keys kernel with {@code a = -0.5} as PIL does, not {@code a = -0.75} of
 * PyTorch's tensor {@code interpolate}: timm's eval transforms run on PIL images.
 */
public enum ImageInterpolation {
    /** Triangle filter, support 1. */
    BILINEAR(1.0) {
        @Override
        public double weight(double x) {
            if (x < 0.0) x = -x;
            if (x < 1.0) return 1.0 - x;
            return 0.0;
        }
    },
    /** Keys cubic convolution with {@code a = -0.5}, support 2. */
    BICUBIC(2.0) {
        @Override
        public double weight(double x) {
            final double a = -0.5;
            if (x < 0.0) x = -x;
            if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
            if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
            return 0.0;
        }
    };

    private final double support;

    ImageInterpolation(double support) {
        this.support = support;
    }

    /** {@return half-width of the filter at scale 1 (in source pixels)} */
    public double support() {
        return support;
    }

    /**
     * The filter value at distance {@code x} (in filter units) from the sample center.
     *
     * @param x the distance from the sample center, in filter units
     * @return the filter value at distance {@code x} (in filter units) from the sample center
     */
    public abstract double weight(double x);

    /**
     * Parses {@code "bilinear"} / {@code "bicubic"} (any case, as in timm configs).
     *
     * @param name the name
     * @return the interpolation
     */
    public static ImageInterpolation parse(String name) {
        if (name == null) throw new IllegalArgumentException("interpolation name is null");
        for (ImageInterpolation i : values()) {
            if (i.name().equalsIgnoreCase(name.trim())) return i;
        }
        throw new IllegalArgumentException("unknown interpolation '" + name + "'; expected bilinear or bicubic");
    }
}
