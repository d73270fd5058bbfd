package dev.efficientnet.train.augment;

import dev.efficientnet.core.tensor.Rng;

import java.util.SplittableRandom;

/**
 * Batch-level Mixup and CutMix with soft targets, following timm's {@code Mixup} in "batch" mode:
 * example {@code i} is mixed with example {@code n-1-i} (the batch reversed) with one
 * {@code lambda ~ Beta(alpha, alpha)} for the batch. When both are enabled, CutMix is chosen with
 * probability {@code switchProb} (0.5: half/half, as automl does), else Mixup. CutMix pastes a box
 * of area fraction about {@code 1 - lambda} (clipped at the borders) and corrects lambda to the
 * actual pasted area. Targets are
 * {@code lambda * smooth(y_i) + (1 - lambda) * smooth(y_{n-1-i})} with label smoothing folded in:
 * {@code smooth(y) = (1 - s) * onehot(y) + s / numClasses}; every row sums to 1.
 */
public final class MixupCutmix {
    /** What was applied to a batch. */
    public enum Mode { NONE, MIXUP, CUTMIX }

    /**
     * The outcome of {@link #apply}.
     *
     * @param mode    what was applied
     * @param lambda  the weight of each slot's own example (1 for NONE)
     * @param targets soft targets {@code [n, numClasses]} row-major
     */
    public record Result(Mode mode, double lambda, float[] targets) {
    }

    private final double mixupAlpha;
    private final double cutmixAlpha;
    private final double prob;
    private final double switchProb;
    private final double labelSmoothing;
    private final int numClasses;

    /**
     * @param mixupAlpha     Beta parameter of Mixup (0 disables)
     * @param cutmixAlpha    Beta parameter of CutMix (0 disables)
     * @param prob           probability of mixing a batch at all (timm {@code mix_prob}, usually 1)
     * @param switchProb     probability of CutMix when both are enabled
     * @param labelSmoothing label smoothing in [0, 1)
     * @param numClasses     number of classes (at least 1)
     */
    public MixupCutmix(double mixupAlpha, double cutmixAlpha, double prob, double switchProb, double labelSmoothing,
                       int numClasses) {
        if (!(mixupAlpha >= 0)) throw new IllegalArgumentException("mixupAlpha must be >= 0, got " + mixupAlpha);
        if (!(cutmixAlpha >= 0)) throw new IllegalArgumentException("cutmixAlpha must be >= 0, got " + cutmixAlpha);
        if (!(prob >= 0 && prob <= 1)) throw new IllegalArgumentException("mix prob must be in [0, 1], got " + prob);
        if (!(switchProb >= 0 && switchProb <= 1))
            throw new IllegalArgumentException("switchProb must be in [0, 1], got " + switchProb);
        checkSmoothing(labelSmoothing);
        if (numClasses < 1) throw new IllegalArgumentException("numClasses must be >= 1, got " + numClasses);
        this.mixupAlpha = mixupAlpha;
        this.cutmixAlpha = cutmixAlpha;
        this.prob = prob;
        this.switchProb = switchProb;
        this.labelSmoothing = labelSmoothing;
        this.numClasses = numClasses;
    }

    private static void checkSmoothing(double s) {
        if (!(s >= 0 && s < 1)) throw new IllegalArgumentException("labelSmoothing must be in [0, 1), got " + s);
    }

    /** Whether Mixup or CutMix is enabled. */
    public boolean mixes() {
        return prob > 0 && (mixupAlpha > 0 || cutmixAlpha > 0);
    }

    /**
     * Smoothed one-hot targets {@code [labels.length, numClasses]}: {@code 1 - s + s/K} on the label,
     * {@code s/K} elsewhere.
     */
    public static float[] smoothOneHot(int[] labels, int numClasses, double smoothing) {
        checkSmoothing(smoothing);
        if (numClasses < 1) throw new IllegalArgumentException("numClasses must be >= 1, got " + numClasses);
        float off = (float) (smoothing / numClasses);
        float on = (float) (1 - smoothing + smoothing / numClasses);
        float[] t = new float[labels.length * numClasses];
        java.util.Arrays.fill(t, off);
        for (int i = 0; i < labels.length; i++) {
            int l = labels[i];
            if (l < 0 || l >= numClasses)
                throw new IllegalArgumentException("labels[" + i + "] = " + l + " is outside [0, " + numClasses + ")");
            t[i * numClasses + l] = on;
        }
        return t;
    }

    /**
     * Mixes the NCHW batch {@code images} in place and returns the soft targets.
     *
     * @param images {@code n * c * h * w} values, NCHW
     * @param labels the {@code n} hard labels
     */
    public Result apply(float[] images, int n, int c, int h, int w, int[] labels, Rng rng) {
        if (images.length != (long) n * c * h * w)
            throw new IllegalArgumentException("images has length " + images.length + ", expected n*c*h*w = "
                    + n + "*" + c + "*" + h + "*" + w);
        if (labels.length != n) throw new IllegalArgumentException("labels has length " + labels.length + ", expected n = " + n);
        float[] base = smoothOneHot(labels, numClasses, labelSmoothing);
        SplittableRandom r = Rngs.split(rng);
        if (!mixes() || r.nextDouble() >= prob) return new Result(Mode.NONE, 1, base);
        boolean cutmix;
        if (mixupAlpha > 0 && cutmixAlpha > 0) cutmix = r.nextDouble() < switchProb;
        else cutmix = cutmixAlpha > 0;
        double lam = Rngs.beta(r, cutmix ? cutmixAlpha : mixupAlpha);
        int plane = h * w, img = c * plane;
        if (cutmix) {
            double ratio = Math.sqrt(1 - lam);
            int ch = (int) (h * ratio), cw = (int) (w * ratio);
            int cy = r.nextInt(h), cx = r.nextInt(w);
            int y0 = clip(cy - ch / 2, h), y1 = clip(cy + ch / 2, h);
            int x0 = clip(cx - cw / 2, w), x1 = clip(cx + cw / 2, w);
            lam = 1 - (double) (y1 - y0) * (x1 - x0) / plane;
            for (int i = 0; i < n / 2; i++) {
                int j = n - 1 - i;
                for (int k = 0; k < c; k++) {
                    int oi = i * img + k * plane, oj = j * img + k * plane;
                    for (int y = y0; y < y1; y++) {
                        int row = y * w;
                        for (int x = x0; x < x1; x++) {
                            float t = images[oi + row + x];
                            images[oi + row + x] = images[oj + row + x];
                            images[oj + row + x] = t;
                        }
                    }
                }
            }
        } else {
            float a = (float) lam, b = (float) (1 - lam);
            for (int i = 0; i < n / 2; i++) {
                int oi = i * img, oj = (n - 1 - i) * img;
                for (int k = 0; k < img; k++) {
                    float u = images[oi + k], v = images[oj + k];
                    images[oi + k] = a * u + b * v;
                    images[oj + k] = a * v + b * u;
                }
            }
        }
        float[] t = new float[base.length];
        float a = (float) lam, b = (float) (1 - lam);
        for (int i = 0; i < n; i++) {
            int j = n - 1 - i;
            for (int k = 0; k < numClasses; k++)
                t[i * numClasses + k] = a * base[i * numClasses + k] + b * base[j * numClasses + k];
        }
        return new Result(cutmix ? Mode.CUTMIX : Mode.MIXUP, lam, t);
    }

    private static int clip(int v, int size) {
        return Math.max(0, Math.min(size, v));
    }

    @Override
    public String toString() {
        return "MixupCutmix(mixup=" + mixupAlpha + ", cutmix=" + cutmixAlpha + ", prob=" + prob + ", switch=" + switchProb
                + ", smoothing=" + labelSmoothing + ", classes=" + numClasses + ")";
    }
}
