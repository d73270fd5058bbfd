package dev.efficientnet.train.search;

import dev.efficientnet.models.spec.CompoundScaling;
import dev.efficientnet.models.spec.ModelSpec;

import java.util.Objects;

/**
 * The network a search scales: a spec (its width and depth multipliers are the base w0, d0; its
 * class count and input channels those of the data) and the base input size r0.
 *
 * <p>Scaling by (&alpha;, &beta;, &gamma;) at &phi; gives width w0&middot;&beta;<sup>&phi;</sup>,
 * depth d0&middot;&alpha;<sup>&phi;</sup> and resolution round(r0&middot;&gamma;<sup>&phi;</sup>);
 * channels and repeats are then rounded by the two rules of
 * {@link dev.efficientnet.models.spec.Scaling}: {@code roundFilters} (torchvision/timm
 * {@code round_filters}/{@code _make_divisible}: multiples of 8, never 10 % below) and
 * {@code roundRepeats} ({@code ceil(repeats * depth)}).
 *
 * @param spec       the base spec
 * @param resolution the base input size r0
 */
public record ScaleBase(ModelSpec spec, int resolution) {
    /** Validates. */
    public ScaleBase {
        Objects.requireNonNull(spec, "spec");
        if (resolution < 1) throw new IllegalArgumentException("base resolution must be >= 1, got " + resolution);
    }

    /** Input size at (p, &phi;): round(r0&middot;&gamma;<sup>&phi;</sup>). */
    public int resolution(ScalePoint p, double phi) {
        return CompoundScaling.fromPhi(phi, p.alpha(), p.beta(), p.gamma()).scaleResolution(resolution);
    }

    /** The base scaled by {@code p} to {@code phi}, named {@code name}, train and eval size set to {@link #resolution(ScalePoint, double)}. */
    public ModelSpec scaled(ScalePoint p, double phi, String name) {
        CompoundScaling cs = CompoundScaling.fromPhi(phi, p.alpha(), p.beta(), p.gamma());
        int res = cs.scaleResolution(resolution);
        return spec.withWidthDepth(spec.widthMult() * cs.widthMultiplier(), spec.depthMult() * cs.depthMultiplier())
                .withResolution(res, res).withName(name);
    }

    /** MACs of the base at r0. */
    public long macs() {
        return spec.macs(resolution);
    }
}
