package dev.efficientnet.models.spec;

/**
 * Compound scaling multipliers: width (channels), depth (repeats) and resolution.
 *
 * <p>The EfficientNet paper derives them from one coefficient &phi;: depth = &alpha;<sup>&phi;</sup>,
 * width = &beta;<sup>&phi;</sup>, resolution = &gamma;<sup>&phi;</sup> with &alpha; = 1.2,
 * &beta; = 1.1, &gamma; = 1.15 (&alpha;&middot;&beta;&sup2;&middot;&gamma;&sup2; &asymp; 2, so FLOPs
 * grow about 2<sup>&phi;</sup>). <b>The official B1&ndash;B7 presets do not follow the formula</b>:
 * they come from a hand-tuned table (e.g. B1 is width 1.0, depth 1.1, 240 px, while &phi; = 1 gives
 * width 1.1, depth 1.2, 258 px). {@link Presets} therefore uses the table; this type is for
 * exploring new sizes, and {@link #of(double, double)} wraps explicit multipliers.
 *
 * @param widthMultiplier      channel multiplier (fed to {@link Scaling#roundFilters})
 * @param depthMultiplier      repeat multiplier (fed to {@link Scaling#roundRepeats})
 * @param resolutionMultiplier input-size multiplier
 * @param phi                  the compound coefficient, or NaN when the multipliers were given explicitly
 */
public record CompoundScaling(double widthMultiplier, double depthMultiplier, double resolutionMultiplier, double phi) {
    /** Paper depth base &alpha;. */
    public static final double ALPHA = 1.2;
    /** Paper width base &beta;. */
    public static final double BETA = 1.1;
    /** Paper resolution base &gamma;. */
    public static final double GAMMA = 1.15;

    /**
     * Validates that the multipliers are positive.
     *
     * @param widthMultiplier the channel (width) multiplier
     * @param depthMultiplier the depth (repeat) multiplier
     * @param resolutionMultiplier the resolution multiplier
     * @param phi the compound-scaling coefficient
     */
    public CompoundScaling {
        Scaling.checkMultiplier("width", widthMultiplier);
        Scaling.checkMultiplier("depth", depthMultiplier);
        Scaling.checkMultiplier("resolution", resolutionMultiplier);
    }

    /**
     * Multipliers from &phi; with the paper's &alpha; = 1.2, &beta; = 1.1, &gamma; = 1.15.
     *
     * @param phi the compound-scaling coefficient
     * @return multipliers from &phi; with the paper's &alpha; = 1.2, &beta; = 1.1, &gamma; = 1.15
     */
    public static CompoundScaling fromPhi(double phi) {
        return fromPhi(phi, ALPHA, BETA, GAMMA);
    }

    /**
     * Multipliers from &phi; with custom bases (depth &alpha;, width &beta;, resolution &gamma;).
     *
     * @param phi the compound-scaling coefficient
     * @param alpha the alpha factor
     * @param beta the beta factor
     * @param gamma the decay factor
     * @return multipliers from &phi; with custom bases (depth &alpha;, width &beta;, resolution &gamma;)
     */
    public static CompoundScaling fromPhi(double phi, double alpha, double beta, double gamma) {
        if (Double.isNaN(phi) || Double.isInfinite(phi)) {
            throw new IllegalArgumentException("phi must be finite, got " + phi);
        }
        return new CompoundScaling(Math.pow(beta, phi), Math.pow(alpha, phi), Math.pow(gamma, phi), phi);
    }

    /**
     * Explicit width and depth multipliers, resolution unchanged.
     *
     * @param widthMultiplier the channel (width) multiplier
     * @param depthMultiplier the depth (repeat) multiplier
     * @return explicit width and depth multipliers, resolution unchanged
     */
    public static CompoundScaling of(double widthMultiplier, double depthMultiplier) {
        return new CompoundScaling(widthMultiplier, depthMultiplier, 1.0, Double.NaN);
    }

    /**
     * Explicit width, depth and resolution multipliers.
     *
     * @param widthMultiplier the channel (width) multiplier
     * @param depthMultiplier the depth (repeat) multiplier
     * @param resolutionMultiplier the resolution multiplier
     * @return explicit width, depth and resolution multipliers
     */
    public static CompoundScaling of(double widthMultiplier, double depthMultiplier, double resolutionMultiplier) {
        return new CompoundScaling(widthMultiplier, depthMultiplier, resolutionMultiplier, Double.NaN);
    }

    /** {@return true when built from &phi;} */
    public boolean fromFormula() {
        return !Double.isNaN(phi);
    }

    /**
     * {@code round(baseResolution * resolutionMultiplier)}, e.g. 224 &rarr; 258 for &phi; = 1.
     *
     * @param baseResolution the base input resolution
     * @return {@code round(baseResolution * resolutionMultiplier)}, e.g
     */
    public int scaleResolution(int baseResolution) {
        if (baseResolution < 1) {
            throw new IllegalArgumentException("resolution must be >= 1, got " + baseResolution);
        }
        return (int) Math.round(baseResolution * resolutionMultiplier);
    }

    /**
     * Ideal FLOPs growth, depth &middot; width&sup2; &middot; resolution&sup2; (before channel and
     * repeat rounding): about 2<sup>&phi;</sup> for the paper bases.
     *
     * @return ideal FLOPs growth, depth &middot; width&sup2; &middot; resolution&sup2; (before channel and repeat rounding): about 2<sup>&phi;</sup> for the paper bases
     */
    public double flopsMultiplier() {
        return depthMultiplier * widthMultiplier * widthMultiplier * resolutionMultiplier * resolutionMultiplier;
    }
}
