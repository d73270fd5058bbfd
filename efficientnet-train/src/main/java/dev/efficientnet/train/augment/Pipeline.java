package dev.efficientnet.train.augment;

import dev.efficientnet.core.tensor.Rng;
import dev.efficientnet.train.data.Example;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * The full input pipeline of one training stage: per-example transforms (in [0, 1] space), then
 * normalization {@code (x - mean) / std} into the NCHW batch, then batch-level Mixup/CutMix with
 * label smoothing folded into the soft targets. Immutable; the {@code with...} methods return
 * modified copies, so progressive learning builds one pipeline per stage, e.g.
 * {@code Pipeline.train(10).withRandAugment(2, 5).withMixup(0.0)} ... {@code withRandAugment(2, 15)}.
 *
 * <p>The output image size is not part of the pipeline: it is passed per epoch
 * ({@link dev.efficientnet.train.data.DataLoader#epoch}) and handed to every transform; an example
 * that is not {@code size x size} after the transforms is resized to it.
 *
 * <p>Order of the standard transforms (kept whatever order the {@code with...} calls come in):
 * crop/resize, translation, horizontal flip, RandAugment, random erasing, then any custom transforms.
 */
public final class Pipeline {
    /** ImageNet channel means (RGB), as in timm and torchvision. */
    public static final double[] IMAGENET_MEAN = {0.485, 0.456, 0.406};
    /** ImageNet channel standard deviations (RGB). */
    public static final double[] IMAGENET_STD = {0.229, 0.224, 0.225};

    private final List<Transform> transforms;
    private final double mixupAlpha;
    private final double cutmixAlpha;
    private final double mixProb;
    private final double switchProb;
    private final double labelSmoothing;
    private final int numClasses;
    private final double[] mean;
    private final double[] std;
    private final MixupCutmix mixer;

    private Pipeline(List<Transform> transforms, double mixupAlpha, double cutmixAlpha, double mixProb,
                     double switchProb, double labelSmoothing, int numClasses, double[] mean, double[] std) {
        if (numClasses < 1) throw new IllegalArgumentException("numClasses must be >= 1, got " + numClasses);
        Objects.requireNonNull(mean, "mean");
        Objects.requireNonNull(std, "std");
        if (mean.length == 0 || mean.length != std.length)
            throw new IllegalArgumentException("mean and std must have the same non-zero length, got " + mean.length
                    + " and " + std.length);
        for (int i = 0; i < std.length; i++)
            if (!(std[i] > 0) || !Double.isFinite(mean[i]))
                throw new IllegalArgumentException("std[" + i + "] must be > 0 and mean finite, got mean=" + mean[i]
                        + " std=" + std[i]);
        for (Transform t : transforms) Objects.requireNonNull(t, "transform");
        this.transforms = List.copyOf(transforms);
        this.mixupAlpha = mixupAlpha;
        this.cutmixAlpha = cutmixAlpha;
        this.mixProb = mixProb;
        this.switchProb = switchProb;
        this.labelSmoothing = labelSmoothing;
        this.numClasses = numClasses;
        this.mean = mean.clone();
        this.std = std.clone();
        this.mixer = new MixupCutmix(mixupAlpha, cutmixAlpha, mixProb, switchProb, labelSmoothing, numClasses);
    }

    /**
     * The basic training pipeline: {@link RandomResizedCrop} (scale [0.08, 1]) and
     * {@link HorizontalFlip}(0.5), ImageNet normalization, no RandAugment, erasing, mixing or smoothing.
     */
    public static Pipeline train(int numClasses) {
        return new Pipeline(List.of(new RandomResizedCrop(), new HorizontalFlip(0.5)), 0, 0, 1, 0.5, 0, numClasses,
                IMAGENET_MEAN, IMAGENET_STD);
    }

    /**
     * A training pipeline in one call.
     *
     * @param randAugMagnitude RandAugment level (2 ops, see {@link RandAugment}); 0 disables RandAugment
     */
    public static Pipeline train(int numClasses, double randAugMagnitude, double mixupAlpha, double cutmixAlpha,
                                 double labelSmoothing) {
        Pipeline p = train(numClasses).withMixup(mixupAlpha).withCutmix(cutmixAlpha).withLabelSmoothing(labelSmoothing);
        return randAugMagnitude > 0 ? p.withRandAugment(2, randAugMagnitude) : p;
    }

    /** The evaluation pipeline: {@link Resize} to the epoch's size, ImageNet normalization. */
    public static Pipeline eval(int numClasses) {
        return of(List.of(new Resize()), numClasses);
    }

    /** The timm/automl evaluation pipeline: {@link CenterCrop}({@code cropPct}), ImageNet normalization. */
    public static Pipeline evalCenterCrop(int numClasses, double cropPct) {
        return of(List.of(new CenterCrop(cropPct)), numClasses);
    }

    /** A pipeline with exactly {@code transforms}, ImageNet normalization, no mixing or smoothing. */
    public static Pipeline of(List<Transform> transforms, int numClasses) {
        return new Pipeline(transforms, 0, 0, 1, 0.5, 0, numClasses, IMAGENET_MEAN, IMAGENET_STD);
    }

    private Pipeline copy(List<Transform> t, double mix, double cut, double mp, double sp, double ls, double[] m, double[] s) {
        return new Pipeline(t, mix, cut, mp, sp, ls, numClasses, m, s);
    }

    private static int rank(Transform t) {
        if (t instanceof RandomResizedCrop || t instanceof Resize || t instanceof CenterCrop) return 0;
        if (t instanceof RandomTranslate) return 1;
        if (t instanceof HorizontalFlip) return 2;
        if (t instanceof RandAugment) return 3;
        if (t instanceof RandomErasing) return 4;
        return 5;
    }

    private Pipeline replacing(Class<? extends Transform> kind, Transform replacement) {
        List<Transform> t = new ArrayList<>();
        for (Transform x : transforms) if (!kind.isInstance(x)) t.add(x);
        if (replacement != null) t.add(replacement);
        t.sort(Comparator.comparingInt(Pipeline::rank));
        return copy(t, mixupAlpha, cutmixAlpha, mixProb, switchProb, labelSmoothing, mean, std);
    }

    /** Replaces RandAugment by {@code numOps} ops at level {@code magnitude} (0 ops removes it). */
    public Pipeline withRandAugment(int numOps, double magnitude) {
        return withRandAugment(numOps == 0 ? null : new RandAugment(numOps, magnitude));
    }

    /** Replaces RandAugment ({@code null} removes it). */
    public Pipeline withRandAugment(RandAugment randAugment) {
        return replacing(RandAugment.class, randAugment);
    }

    /** Replaces random erasing by one with probability {@code p} (0 removes it). */
    public Pipeline withRandomErasing(double p) {
        return replacing(RandomErasing.class, p == 0 ? null : new RandomErasing(p));
    }

    /** Replaces the random shift by one of at most {@code maxFraction} of the side (0 removes it). */
    public Pipeline withTranslate(double maxFraction) {
        return replacing(RandomTranslate.class, maxFraction == 0 ? null : new RandomTranslate(maxFraction));
    }

    /** Replaces the horizontal flip by one with probability {@code p} (0 removes it). */
    public Pipeline withHorizontalFlip(double p) {
        return replacing(HorizontalFlip.class, p == 0 ? null : new HorizontalFlip(p));
    }

    /** Replaces the random resized crop's scale range (adds one if absent, replacing any resize/center crop). */
    public Pipeline withCropScale(double scaleMin, double scaleMax) {
        List<Transform> t = new ArrayList<>();
        for (Transform x : transforms) if (rank(x) != 0) t.add(x);
        t.add(new RandomResizedCrop(scaleMin, scaleMax));
        t.sort(Comparator.comparingInt(Pipeline::rank));
        return copy(t, mixupAlpha, cutmixAlpha, mixProb, switchProb, labelSmoothing, mean, std);
    }

    /** Mixup with Beta({@code alpha}, {@code alpha}); 0 disables it. */
    public Pipeline withMixup(double alpha) {
        return copy(transforms, alpha, cutmixAlpha, mixProb, switchProb, labelSmoothing, mean, std);
    }

    /** CutMix with Beta({@code alpha}, {@code alpha}); 0 disables it. */
    public Pipeline withCutmix(double alpha) {
        return copy(transforms, mixupAlpha, alpha, mixProb, switchProb, labelSmoothing, mean, std);
    }

    /** Probability that a batch is mixed at all (default 1). */
    public Pipeline withMixProb(double prob) {
        return copy(transforms, mixupAlpha, cutmixAlpha, prob, switchProb, labelSmoothing, mean, std);
    }

    /** Probability of CutMix rather than Mixup when both are on (default 0.5). */
    public Pipeline withSwitchProb(double prob) {
        return copy(transforms, mixupAlpha, cutmixAlpha, mixProb, prob, labelSmoothing, mean, std);
    }

    /** Label smoothing folded into the soft targets. */
    public Pipeline withLabelSmoothing(double smoothing) {
        return copy(transforms, mixupAlpha, cutmixAlpha, mixProb, switchProb, smoothing, mean, std);
    }

    /**
     * Normalization constants: one value per channel, or a single value for all channels; a 3-value
     * mean/std applied to 1-channel images uses the average of the three.
     */
    public Pipeline withNormalization(double[] mean, double[] std) {
        return copy(transforms, mixupAlpha, cutmixAlpha, mixProb, switchProb, labelSmoothing, mean, std);
    }

    /** The per-example transforms, in order. */
    public List<Transform> transforms() {
        return transforms;
    }

    /** Replaces all per-example transforms. */
    public Pipeline withTransforms(List<Transform> newTransforms) {
        return copy(newTransforms, mixupAlpha, cutmixAlpha, mixProb, switchProb, labelSmoothing, mean, std);
    }

    /** Mixup alpha (0 = off). */
    public double mixupAlpha() {
        return mixupAlpha;
    }

    /** Probability of CutMix rather than Mixup when both are on. */
    public double switchProb() {
        return switchProb;
    }

    /** CutMix alpha (0 = off). */
    public double cutmixAlpha() {
        return cutmixAlpha;
    }

    /** Label smoothing. */
    public double labelSmoothing() {
        return labelSmoothing;
    }

    /** Number of classes of the soft targets. */
    public int numClasses() {
        return numClasses;
    }

    /** Normalization means (a copy). */
    public double[] mean() {
        return mean.clone();
    }

    /** Normalization standard deviations (a copy). */
    public double[] std() {
        return std.clone();
    }

    /** Whether batches get soft targets (Mixup, CutMix or label smoothing on). */
    public boolean softTargets() {
        return mixer.mixes() || labelSmoothing > 0;
    }

    /** The RandAugment of this pipeline, or null. */
    public RandAugment randAugment() {
        for (Transform t : transforms) if (t instanceof RandAugment r) return r;
        return null;
    }

    /**
     * Runs the per-example transforms and ensures the result is {@code size x size} (resizing if
     * needed); values stay in [0, 1].
     */
    public Example process(Example e, int size, Rng rng) {
        if (size < 1) throw new IllegalArgumentException("size must be positive, got " + size);
        Example cur = e;
        for (Transform t : transforms) {
            Example next = t.apply(cur, size, rng);
            if (next == null) throw new IllegalStateException("transform " + t + " returned null");
            if (next.channels() != cur.channels())
                throw new IllegalStateException("transform " + t + " changed channels from " + cur.channels() + " to "
                        + next.channels());
            cur = next;
        }
        if (cur.height() != size || cur.width() != size) {
            float[] out = FloatImages.resize(cur.pixels(), cur.height(), cur.width(), cur.channels(), size, size);
            cur = cur.withPixels(FloatImages.clamp01(out), size, size, cur.channels());
        }
        return cur;
    }

    /**
     * Writes {@code e} (HWC) normalized into slot {@code slot} of the NCHW buffer {@code dst}
     * (whose images are {@code e}'s size).
     */
    public void writeNormalized(Example e, float[] dst, int slot) {
        int c = e.channels(), plane = e.height() * e.width();
        int base = slot * c * plane;
        if (base + c * plane > dst.length)
            throw new IllegalArgumentException("slot " + slot + " does not fit a buffer of length " + dst.length);
        float[] p = e.pixels();
        for (int ch = 0; ch < c; ch++) {
            float m = (float) channelValue(mean, ch, c), inv = (float) (1 / channelValue(std, ch, c));
            int o = base + ch * plane;
            for (int i = 0, s = ch; i < plane; i++, s += c) dst[o + i] = (p[s] - m) * inv;
        }
    }

    private static double channelValue(double[] v, int ch, int channels) {
        if (v.length == 1) return v[0];
        if (v.length == channels) return v[ch];
        if (channels == 1) return Arrays.stream(v).average().orElseThrow();
        throw new IllegalArgumentException("normalization has " + v.length + " values but images have " + channels
                + " channels");
    }

    /**
     * Applies Mixup/CutMix to the normalized NCHW batch in place and returns the soft targets, or
     * null when {@link #softTargets()} is false (labels are still range-checked).
     */
    public float[] mixBatch(float[] images, int n, int c, int h, int w, int[] labels, Rng rng) {
        for (int i = 0; i < labels.length; i++)
            if (labels[i] < 0 || labels[i] >= numClasses)
                throw new IllegalArgumentException("label " + labels[i] + " of batch slot " + i + " is outside [0, "
                        + numClasses + ") of the pipeline's numClasses");
        if (!softTargets()) return null;
        return mixer.apply(images, n, c, h, w, labels, rng).targets();
    }

    @Override
    public String toString() {
        return "Pipeline(" + transforms + ", mixup=" + mixupAlpha + ", cutmix=" + cutmixAlpha + ", smoothing="
                + labelSmoothing + ", classes=" + numClasses + ", mean=" + Arrays.toString(mean) + ", std="
                + Arrays.toString(std) + ")";
    }
}
