package dev.efficientnet.train.augment;

import dev.efficientnet.core.tensor.Rng;
import dev.efficientnet.train.data.Example;

import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * RandAugment (Cubuk et al.) with the op set of timm's {@code rand_augment_transforms} and automl's
 * {@code distort_image_with_randaugment} (without automl's Cutout, see {@link RandomErasing}):
 * {@code numOps} ops chosen uniformly with replacement, each applied with probability {@code prob}
 * (timm: 0.5; automl applies every chosen op: use 1.0).
 *
 * <p><b>Magnitude scale.</b> Magnitudes are the automl/timm <em>levels</em>: an op's strength is
 * {@code level / 10} times its maximum argument (timm's {@code _LEVEL_DENOM = 10}, automl's
 * {@code _MAX_LEVEL = 10}), so level 10 is timm's strongest setting ({@code rand-m10}). Levels above
 * 10 extrapolate linearly, as automl does for EfficientNetV2's progressive schedule (5 -&gt; 15/20/25);
 * levels are accepted in {@code [0, 30]} and op arguments are clamped to their valid range
 * (posterize bits [0, 8], solarize threshold [0, 256], solarize-add [0, 255], translate at most the
 * image size, rotation at most 180 degrees). Op arguments at level {@code m}:
 * rotate {@code ±3m} degrees; shear {@code ±0.03m}; translate {@code ±0.045m} of the image size;
 * posterize {@code int(0.4m)} bits kept; solarize threshold {@code int(25.6m)}/255; solarize-add
 * {@code +int(11m)}/255 below 128/255; color/contrast/brightness/sharpness enhancement factor
 * {@code 0.18m + 0.1}. AutoContrast, Equalize and Invert ignore the level. With
 * {@code magnitudeStd > 0} each op's level is drawn from a normal around {@code magnitude}
 * (infinity: uniform in [0, magnitude]), clipped to [0, 30].
 *
 * <p>Geometric ops sample bilinearly and fill uncovered pixels with {@code fill} (default 0.5,
 * automl's gray 128); all outputs are clipped to [0, 1]. On 1-channel images Color is the identity
 * and the others act on the single channel.
 */
public final class RandAugment implements Transform {
    /** The largest accepted level. */
    public static final double MAX_LEVEL = 30;

    /** The RandAugment operations. */
    public enum Op {
        AUTO_CONTRAST, EQUALIZE, INVERT, ROTATE, POSTERIZE, SOLARIZE, SOLARIZE_ADD, COLOR, CONTRAST, BRIGHTNESS,
        SHARPNESS, SHEAR_X, SHEAR_Y, TRANSLATE_X, TRANSLATE_Y;

        /** Whether the op's argument gets a random sign. */
        public boolean signed() {
            return this == ROTATE || this == SHEAR_X || this == SHEAR_Y || this == TRANSLATE_X || this == TRANSLATE_Y;
        }
    }

    private final int numOps;
    private final double magnitude;
    private final double magnitudeStd;
    private final double prob;
    private final float fill;
    private final List<Op> ops;

    /** {@code numOps} ops at level {@code magnitude}, each with probability 0.5 (timm's default), gray fill. */
    public RandAugment(int numOps, double magnitude) {
        this(numOps, magnitude, 0, 0.5, 0.5f, List.of(Op.values()));
    }

    /**
     * The full form.
     *
     * @param numOps       ops per image (0 disables)
     * @param magnitude    level in [0, 30], see the class comment
     * @param magnitudeStd per-op level noise (0: fixed level; infinity: uniform in [0, magnitude])
     * @param prob         probability that each chosen op is applied
     * @param fill         value of pixels uncovered by rotate/shear/translate, in [0, 1]
     * @param ops          the op set to choose from (non-empty)
     */
    public RandAugment(int numOps, double magnitude, double magnitudeStd, double prob, float fill, List<Op> ops) {
        if (numOps < 0) throw new IllegalArgumentException("numOps must be >= 0, got " + numOps);
        if (!(magnitude >= 0 && magnitude <= MAX_LEVEL))
            throw new IllegalArgumentException("magnitude must be in [0, " + MAX_LEVEL + "], got " + magnitude);
        if (!(magnitudeStd >= 0)) throw new IllegalArgumentException("magnitudeStd must be >= 0, got " + magnitudeStd);
        if (!(prob >= 0 && prob <= 1)) throw new IllegalArgumentException("prob must be in [0, 1], got " + prob);
        if (!(fill >= 0 && fill <= 1)) throw new IllegalArgumentException("fill must be in [0, 1], got " + fill);
        Objects.requireNonNull(ops, "ops");
        if (ops.isEmpty()) throw new IllegalArgumentException("ops must not be empty");
        this.numOps = numOps;
        this.magnitude = magnitude;
        this.magnitudeStd = magnitudeStd;
        this.prob = prob;
        this.fill = fill;
        this.ops = List.copyOf(ops);
    }

    /** Per-op level noise (0: fixed level; infinity: uniform in [0, magnitude]). */
    public double magnitudeStd() {
        return magnitudeStd;
    }

    /** Ops per image. */
    public int numOps() {
        return numOps;
    }

    /** The level. */
    public double magnitude() {
        return magnitude;
    }

    /** The per-op application probability. */
    public double prob() {
        return prob;
    }

    /** A copy with another level (for progressive learning). */
    public RandAugment withMagnitude(double newMagnitude) {
        return new RandAugment(numOps, newMagnitude, magnitudeStd, prob, fill, ops);
    }

    @Override
    public Example apply(Example e, int size, Rng rng) {
        if (numOps == 0) return e;
        SplittableRandom r = Rngs.split(rng);
        Example cur = e;
        for (int i = 0; i < numOps; i++) {
            Op op = ops.get(r.nextInt(ops.size()));
            boolean applied = prob >= 1 || r.nextDouble() < prob;
            double level = magnitude;
            if (magnitudeStd > 0) {
                level = Double.isInfinite(magnitudeStd) ? r.nextDouble() * magnitude : magnitude + magnitudeStd * Rngs.normal(r);
                level = Math.max(0, Math.min(MAX_LEVEL, level));
            }
            boolean negate = r.nextBoolean();
            if (applied) cur = applyOp(op, cur, level, negate, fill);
        }
        return cur;
    }

    /**
     * Applies one op at {@code level} (see the class comment); {@code negate} flips the sign of signed
     * ops. Returns a new example; values stay in [0, 1].
     */
    public static Example applyOp(Op op, Example e, double level, boolean negate, float fill) {
        float[] p = e.pixels();
        int h = e.height(), w = e.width(), c = e.channels();
        double sign = negate ? -1 : 1;
        float[] out = switch (op) {
            case AUTO_CONTRAST -> autoContrast(p, c);
            case EQUALIZE -> equalize(p, c);
            case INVERT -> {
                float[] o = new float[p.length];
                for (int i = 0; i < p.length; i++) o[i] = 1 - p[i];
                yield o;
            }
            case ROTATE -> {
                double deg = sign * Math.min(180, level / 10 * 30);
                double a = Math.toRadians(deg), cos = Math.cos(a), sin = Math.sin(a);
                double cx = w / 2.0, cy = h / 2.0;
                // inverse map of a counter-clockwise rotation about the center
                double[] m = {cos, -sin, cx - cos * cx + sin * cy, sin, cos, cy - sin * cx - cos * cy};
                yield FloatImages.affine(p, h, w, c, m, fill);
            }
            case POSTERIZE -> posterize(p, (int) Math.max(0, Math.min(8, (long) (level / 10 * 4))));
            case SOLARIZE -> {
                double threshold = Math.max(0, Math.min(256, (long) (level / 10 * 256)));
                float[] o = new float[p.length];
                for (int i = 0; i < p.length; i++) o[i] = quant(p[i]) >= threshold ? 1 - p[i] : p[i];
                yield o;
            }
            case SOLARIZE_ADD -> {
                float add = (float) (Math.max(0, Math.min(255, (long) (level / 10 * 110))) / 255.0);
                float[] o = new float[p.length];
                for (int i = 0; i < p.length; i++) o[i] = quant(p[i]) < 128 ? Math.min(1f, p[i] + add) : p[i];
                yield o;
            }
            case COLOR -> c == 3 ? blendWithGray(p, enhance(level)) : p.clone();
            case CONTRAST -> contrast(p, c, enhance(level));
            case BRIGHTNESS -> {
                float f = enhance(level);
                float[] o = new float[p.length];
                for (int i = 0; i < p.length; i++) o[i] = p[i] * f;
                yield o;
            }
            case SHARPNESS -> sharpness(p, h, w, c, enhance(level));
            case SHEAR_X -> FloatImages.affine(p, h, w, c, new double[]{1, sign * level / 10 * 0.3, 0, 0, 1, 0}, fill);
            case SHEAR_Y -> FloatImages.affine(p, h, w, c, new double[]{1, 0, 0, sign * level / 10 * 0.3, 1, 0}, fill);
            case TRANSLATE_X -> FloatImages.affine(p, h, w, c,
                    new double[]{1, 0, sign * Math.min(1, level / 10 * 0.45) * w, 0, 1, 0}, fill);
            case TRANSLATE_Y -> FloatImages.affine(p, h, w, c,
                    new double[]{1, 0, 0, 0, 1, sign * Math.min(1, level / 10 * 0.45) * h}, fill);
        };
        return e.withPixels(FloatImages.clamp01(out));
    }

    private static float enhance(double level) {
        return (float) (level / 10 * 1.8 + 0.1);
    }

    /** The 8-bit value of a [0, 1] sample. */
    private static int quant(float v) {
        int q = Math.round(v * 255f);
        return q < 0 ? 0 : Math.min(255, q);
    }

    private static float[] autoContrast(float[] p, int c) {
        float[] o = new float[p.length];
        for (int ch = 0; ch < c; ch++) {
            float lo = Float.POSITIVE_INFINITY, hi = Float.NEGATIVE_INFINITY;
            for (int i = ch; i < p.length; i += c) {
                lo = Math.min(lo, p[i]);
                hi = Math.max(hi, p[i]);
            }
            if (hi - lo < 1e-6f) {
                for (int i = ch; i < p.length; i += c) o[i] = p[i];
            } else {
                float s = 1 / (hi - lo);
                for (int i = ch; i < p.length; i += c) o[i] = (p[i] - lo) * s;
            }
        }
        return o;
    }

    /** PIL's ImageOps.equalize per channel on the 8-bit quantized values. */
    private static float[] equalize(float[] p, int c) {
        float[] o = new float[p.length];
        int[] hist = new int[256];
        int[] lut = new int[256];
        for (int ch = 0; ch < c; ch++) {
            java.util.Arrays.fill(hist, 0);
            for (int i = ch; i < p.length; i += c) hist[quant(p[i])]++;
            int last = 255;
            while (last > 0 && hist[last] == 0) last--;
            int total = 0;
            for (int v : hist) total += v;
            int step = (total - hist[last]) / 255;
            if (step == 0) {
                for (int i = ch; i < p.length; i += c) o[i] = p[i];
                continue;
            }
            int n = step / 2;
            for (int i = 0; i < 256; i++) {
                lut[i] = Math.min(255, n / step);
                n += hist[i];
            }
            for (int i = ch; i < p.length; i += c) o[i] = lut[quant(p[i])] / 255f;
        }
        return o;
    }

    private static float[] posterize(float[] p, int bits) {
        if (bits >= 8) return p.clone();
        int mask = ~((1 << (8 - bits)) - 1) & 0xFF;
        float[] o = new float[p.length];
        for (int i = 0; i < p.length; i++) o[i] = (quant(p[i]) & mask) / 255f;
        return o;
    }

    private static float[] blendWithGray(float[] p, float f) {
        float[] o = new float[p.length];
        for (int i = 0; i < p.length; i += 3) {
            float g = 0.299f * p[i] + 0.587f * p[i + 1] + 0.114f * p[i + 2];
            o[i] = g + f * (p[i] - g);
            o[i + 1] = g + f * (p[i + 1] - g);
            o[i + 2] = g + f * (p[i + 2] - g);
        }
        return o;
    }

    /** PIL's ImageEnhance.Contrast: blend with the mean gray level of the whole image. */
    private static float[] contrast(float[] p, int c, float f) {
        double sum = 0;
        int n = p.length / c;
        if (c == 3) {
            for (int i = 0; i < p.length; i += 3) sum += 0.299 * p[i] + 0.587 * p[i + 1] + 0.114 * p[i + 2];
        } else {
            for (int i = 0; i < p.length; i += c) sum += p[i];
        }
        float mean = Math.round(sum / n * 255) / 255f;
        float[] o = new float[p.length];
        for (int i = 0; i < p.length; i++) o[i] = mean + f * (p[i] - mean);
        return o;
    }

    /** PIL's ImageEnhance.Sharpness: blend with the SMOOTH-filtered image (3x3, center 5, total 13); borders kept. */
    private static float[] sharpness(float[] p, int h, int w, int c, float f) {
        float[] o = p.clone();
        if (h < 3 || w < 3) return o;
        for (int y = 1; y < h - 1; y++) {
            for (int x = 1; x < w - 1; x++) {
                int i = (y * w + x) * c;
                for (int ch = 0; ch < c; ch++) {
                    int k = i + ch;
                    float s = 0;
                    for (int dy = -1; dy <= 1; dy++) {
                        int r = k + dy * w * c;
                        s += p[r - c] + p[r] + p[r + c];
                    }
                    float smooth = (s + 4 * p[k]) / 13f;
                    o[k] = smooth + f * (p[k] - smooth);
                }
            }
        }
        return o;
    }

    @Override
    public String toString() {
        return "RandAugment(n=" + numOps + ", m=" + magnitude + (magnitudeStd > 0 ? ", mstd=" + magnitudeStd : "")
                + ", p=" + prob + ")";
    }
}
