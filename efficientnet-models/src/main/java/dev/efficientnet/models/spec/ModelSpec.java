package dev.efficientnet.models.spec;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A complete, immutable EfficientNet description: pure data, no tensors.
 *
 * <p>The record holds the unscaled {@link Architecture} plus the width/depth multipliers; the
 * resolved network ({@link #stemChannels()}, {@link #stages()}, {@link #headChannels()},
 * {@link #blocks()}) is derived from them on demand, so {@link #withWidthDepth} can never leave
 * stale values behind. Layout: stem conv k3 s2 + BN + act &rarr; {@link #blocks()} &rarr; head
 * 1&times;1 conv + BN + act &rarr; global average pool &rarr; dropout &rarr; linear.
 *
 * @param name            preset or user name (kept unchanged by the withers)
 * @param architecture    base table and scaling policy
 * @param widthMult       channel multiplier applied to the architecture
 * @param depthMult       repeat multiplier applied to the architecture
 * @param numClasses      classifier outputs; 0 means no classifier (features only)
 * @param inChannels      input image channels (3, or 1 for grayscale)
 * @param padding         conv padding mode
 * @param bnEps           BatchNorm epsilon
 * @param bnMomentum      BatchNorm momentum in PyTorch convention: {@code running = (1 - m) * running + m * batch}
 *                        (TF's decay 0.99 is m = 0.01)
 * @param activation      activation function
 * @param dropoutRate     dropout before the classifier
 * @param dropPathRate    stochastic-depth rate of the last block (block i gets rate &middot; i / blocks)
 * @param trainResolution default training input size
 * @param evalResolution  default evaluation input size
 * @param preprocessing   eval preprocessing
 */
public record ModelSpec(String name, Architecture architecture, double widthMult, double depthMult,
                        int numClasses, int inChannels, Padding padding, double bnEps, double bnMomentum,
                        Activation activation, double dropoutRate, double dropPathRate,
                        int trainResolution, int evalResolution, Preprocessing preprocessing) {

    /** Stem conv kernel. */
    public static final int STEM_KERNEL = 3;
    /** Stem conv stride. */
    public static final int STEM_STRIDE = 2;

    /** Validates every field. */
    public ModelSpec {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name is required");
        }
        if (architecture == null || padding == null || activation == null || preprocessing == null) {
            throw new IllegalArgumentException("architecture, padding, activation and preprocessing are required");
        }
        Scaling.checkMultiplier("width", widthMult);
        Scaling.checkMultiplier("depth", depthMult);
        if (numClasses < 0) {
            throw new IllegalArgumentException("numClasses must be >= 0, got " + numClasses);
        }
        if (inChannels < 1) {
            throw new IllegalArgumentException("inChannels must be >= 1, got " + inChannels);
        }
        if (!(bnEps > 0)) {
            throw new IllegalArgumentException("BN eps must be positive, got " + bnEps);
        }
        if (!(bnMomentum > 0 && bnMomentum <= 1)) {
            throw new IllegalArgumentException("BN momentum (PyTorch convention) must be in (0, 1], got " + bnMomentum);
        }
        if (!(dropoutRate >= 0 && dropoutRate < 1)) {
            throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropoutRate);
        }
        if (!(dropPathRate >= 0 && dropPathRate < 1)) {
            throw new IllegalArgumentException("drop path rate must be in [0, 1), got " + dropPathRate);
        }
        if (trainResolution < 1 || evalResolution < 1) {
            throw new IllegalArgumentException("resolutions must be >= 1");
        }
    }

    /**
     * A spec with PyTorch-native defaults: width/depth 1, 1000 classes, 3 input channels,
     * symmetric padding, BN eps 1e-5 / momentum 0.1, SiLU, dropout 0.2, drop path 0.2, 224 px,
     * ImageNet preprocessing (crop 0.875, bicubic).
     */
    public static ModelSpec of(String name, Architecture architecture) {
        return new ModelSpec(name, architecture, 1.0, 1.0, 1000, 3, Padding.SYMMETRIC, 1e-5, 0.1,
                Activation.SILU, 0.2, 0.2, 224, 224, Preprocessing.imagenet(0.875, Interpolation.BICUBIC));
    }

    // ---------------------------------------------------------------- resolved structure

    /** V1 or V2. */
    public ModelFamily family() {
        return architecture.family();
    }

    /** Stem output channels after width scaling. */
    public int stemChannels() {
        return architecture.scaledStem(widthMult);
    }

    /** Stage table after width/depth scaling: actual in/out channels and repeats. */
    public List<StageSpec> stages() {
        return architecture.scaledStages(widthMult, depthMult);
    }

    /** Head conv output channels (= classifier input features). */
    public int headChannels() {
        return architecture.scaledHead(widthMult);
    }

    /** Total number of blocks. */
    public int totalBlocks() {
        int n = 0;
        for (StageSpec s : stages()) {
            n += s.repeats();
        }
        return n;
    }

    /** Every block in order, fully resolved: the list the model builder builds from. */
    public List<BlockSpec> blocks() {
        List<StageSpec> stages = stages();
        int total = 0;
        for (StageSpec s : stages) {
            total += s.repeats();
        }
        List<BlockSpec> blocks = new ArrayList<>(total);
        int global = 0;
        for (int si = 0; si < stages.size(); si++) {
            StageSpec s = stages.get(si);
            for (int bi = 0; bi < s.repeats(); bi++) {
                int in = bi == 0 ? s.inChannels() : s.outChannels();
                int stride = bi == 0 ? s.stride() : 1;
                int se = s.hasSe() ? Math.max(1, (int) (in * s.seRatio())) : 0;
                double dp = dropPathRate * global / total;
                blocks.add(new BlockSpec(si, bi, global, s.type(), in, s.midChannels(bi, in), s.outChannels(),
                        s.expandRatio(), s.kernel(), stride, se, stride == 1 && in == s.outChannels() && s.forceInChannels() == 0, dp));
                global++;
            }
        }
        return List.copyOf(blocks);
    }

    // ---------------------------------------------------------------- counts

    /**
     * Exact trainable parameter count: conv weights, SE conv biases (no other conv has a bias),
     * BN gamma and beta (running stats excluded), classifier weight and bias.
     */
    public long params() {
        try {
            long p = Math.addExact(Math.addExact(stemParams(), headParams()), classifierParams());
            for (BlockSpec b : blocks()) {
                p = Math.addExact(p, b.params());
            }
            return p;
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("the parameter count of " + name + " overflows a 64-bit integer");
        }
    }

    /** Conv and linear multiply-accumulates for a square input. */
    public long macs(int resolution) {
        return macs(resolution, resolution);
    }

    /**
     * Conv and linear multiply-accumulates for one {@code height &times; width} image: for a
     * conv, out_h &middot; out_w &middot; out_c &middot; (in_c / groups) &middot; k&sup2; (SE convs at
     * 1&times;1); for the linear layer, in &middot; out. Biases, BN, activations, pooling and
     * the SE/residual elementwise products are not counted.
     */
    public long macs(int height, int width) {
        long m = 0;
        for (StageSummary row : summary(height, width)) {
            m = Math.addExact(m, row.macs());
        }
        return m;
    }

    /** Per-part summary at a square input size. */
    public List<StageSummary> summary(int resolution) {
        return summary(resolution, resolution);
    }

    /**
     * Per-part summary (stem, each stage, head, classifier) at a given input size; the rows'
     * params and MACs add up to {@link #params()} and {@link #macs(int, int)}.
     */
    public List<StageSummary> summary(int height, int width) {
        try {
            return summaryExact(height, width);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("at " + height + "x" + width + " the MAC count overflows a 64-bit integer"
                    + " (the input is too large)");
        }
    }

    private List<StageSummary> summaryExact(int height, int width) {
        List<StageSummary> rows = new ArrayList<>();
        int stem = stemChannels();
        int h = padding.outputSize(height, STEM_KERNEL, STEM_STRIDE);
        int w = padding.outputSize(width, STEM_KERNEL, STEM_STRIDE);
        long kk = (long) STEM_KERNEL * STEM_KERNEL;
        rows.add(new StageSummary(StageSummary.Kind.STEM, "stem", null, STEM_KERNEL, STEM_STRIDE, 1,
                inChannels, stem, 1, h, w, stemParams(),
                BlockSpec.mul(h, w, stem, inChannels, kk)));
        List<StageSpec> stages = stages();
        List<BlockSpec> blocks = blocks();
        int b = 0;
        for (int si = 0; si < stages.size(); si++) {
            StageSpec s = stages.get(si);
            long p = 0;
            long m = 0;
            for (int r = 0; r < s.repeats(); r++, b++) {
                BlockSpec block = blocks.get(b);
                p = Math.addExact(p, block.params());
                m = Math.addExact(m, block.macs(h, w, padding));
                h = block.outputSize(h, padding);
                w = block.outputSize(w, padding);
            }
            rows.add(new StageSummary(StageSummary.Kind.STAGE, "stage" + (si + 1), s.type(), s.kernel(), s.stride(),
                    s.expandRatio(), s.inChannels(), s.outChannels(), s.repeats(), h, w, p, m));
        }
        int last = stages.get(stages.size() - 1).outChannels();
        int head = headChannels();
        rows.add(new StageSummary(StageSummary.Kind.HEAD, "head", null, 1, 1, 1, last, head, 1, h, w,
                headParams(), BlockSpec.mul(h, w, head, last)));
        rows.add(new StageSummary(StageSummary.Kind.CLASSIFIER, "classifier", null, 0, 1, 1, head, numClasses, 1,
                1, 1, classifierParams(), (long) head * numClasses));
        return List.copyOf(rows);
    }

    private long stemParams() {
        long stem = stemChannels();
        return inChannels * stem * STEM_KERNEL * STEM_KERNEL + 2 * stem;
    }

    private long headParams() {
        List<StageSpec> stages = stages();
        long last = stages.get(stages.size() - 1).outChannels();
        long head = headChannels();
        return last * head + 2 * head;
    }

    private long classifierParams() {
        return (long) headChannels() * numClasses + numClasses;
    }

    /**
     * Multi-scale taps: for each reduction 2, 4, 8, 16, 32 the output of the last stage at that
     * reduction (timm {@code feature_info}, e.g. B0 16/24/40/112/320 channels), then the head map
     * (reduction 32, {@link #headChannels()} channels), which timm's {@code features_only} omits.
     */
    public List<FeatureInfo> featureInfo() {
        List<FeatureInfo> taps = new ArrayList<>();
        List<StageSpec> stages = stages();
        int reduction = STEM_STRIDE;
        FeatureInfo pending = new FeatureInfo(FeatureInfo.Kind.STEM, reduction, stemChannels(), -1, -1);
        int lastBlock = -1;
        for (int si = 0; si < stages.size(); si++) {
            StageSpec s = stages.get(si);
            if (s.stride() == 2) {
                taps.add(pending);
                reduction *= 2;
            }
            lastBlock += s.repeats();
            pending = new FeatureInfo(FeatureInfo.Kind.STAGE, reduction, s.outChannels(), si, lastBlock);
        }
        taps.add(pending);
        taps.add(new FeatureInfo(FeatureInfo.Kind.HEAD, reduction, headChannels(), -1, -1));
        return List.copyOf(taps);
    }

    /** A human-readable table of {@link #summary(int, int)} with totals (returned, not printed). */
    public String describe(int resolution) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%s  (%s, width %s, depth %s, %s padding, %d classes) @ %dx%d%n",
                name, family(), widthMult, depthMult, padding, numClasses, resolution, resolution));
        sb.append(String.format(Locale.ROOT, "%-10s %-12s %2s %2s %2s %5s %5s %3s %9s %14s %17s%n",
                "part", "block", "k", "s", "e", "in", "out", "r", "out HxW", "params", "MACs"));
        for (StageSummary r : summary(resolution, resolution)) {
            sb.append(String.format(Locale.ROOT, "%-10s %-12s %2d %2d %2d %5d %5d %3d %9s %,14d %,17d%n",
                    r.name(), r.blockType() == null ? "-" : r.blockType().name(), r.kernel(), r.stride(),
                    r.expandRatio(), r.inChannels(), r.outChannels(), r.repeats(),
                    r.outHeight() + "x" + r.outWidth(), r.params(), r.macs()));
        }
        sb.append(String.format(Locale.ROOT, "total: %d blocks, %,d params, %,d MACs%n",
                totalBlocks(), params(), macs(resolution)));
        return sb.toString();
    }

    // ---------------------------------------------------------------- withers

    /** This spec with other width/depth multipliers; they replace (not multiply) the current ones. */
    public ModelSpec withWidthDepth(double width, double depth) {
        return new ModelSpec(name, architecture, width, depth, numClasses, inChannels, padding, bnEps, bnMomentum,
                activation, dropoutRate, dropPathRate, trainResolution, evalResolution, preprocessing);
    }

    /**
     * This spec with the multipliers of {@code scaling} and both resolutions set to
     * {@code scaling.scaleResolution(baseResolution)}.
     */
    public ModelSpec withCompoundScaling(CompoundScaling scaling, int baseResolution) {
        int res = scaling.scaleResolution(baseResolution);
        return withWidthDepth(scaling.widthMultiplier(), scaling.depthMultiplier()).withResolution(res, res);
    }

    /** This spec with another class count (0 = no classifier). */
    public ModelSpec withNumClasses(int classes) {
        return new ModelSpec(name, architecture, widthMult, depthMult, classes, inChannels, padding, bnEps, bnMomentum,
                activation, dropoutRate, dropPathRate, trainResolution, evalResolution, preprocessing);
    }

    /** This spec with another input channel count (preprocessing is left as is). */
    public ModelSpec withInChannels(int channels) {
        return new ModelSpec(name, architecture, widthMult, depthMult, numClasses, channels, padding, bnEps, bnMomentum,
                activation, dropoutRate, dropPathRate, trainResolution, evalResolution, preprocessing);
    }

    /** This spec with another padding mode. */
    public ModelSpec withPadding(Padding mode) {
        return new ModelSpec(name, architecture, widthMult, depthMult, numClasses, inChannels, mode, bnEps, bnMomentum,
                activation, dropoutRate, dropPathRate, trainResolution, evalResolution, preprocessing);
    }

    /** This spec with another BN eps and momentum (PyTorch convention). */
    public ModelSpec withBatchNorm(double eps, double momentum) {
        return new ModelSpec(name, architecture, widthMult, depthMult, numClasses, inChannels, padding, eps, momentum,
                activation, dropoutRate, dropPathRate, trainResolution, evalResolution, preprocessing);
    }

    /** This spec with another activation. */
    public ModelSpec withActivation(Activation act) {
        return new ModelSpec(name, architecture, widthMult, depthMult, numClasses, inChannels, padding, bnEps, bnMomentum,
                act, dropoutRate, dropPathRate, trainResolution, evalResolution, preprocessing);
    }

    /** This spec with another classifier dropout. */
    public ModelSpec withDropout(double rate) {
        return new ModelSpec(name, architecture, widthMult, depthMult, numClasses, inChannels, padding, bnEps, bnMomentum,
                activation, rate, dropPathRate, trainResolution, evalResolution, preprocessing);
    }

    /** This spec with another drop-path (stochastic depth) rate. */
    public ModelSpec withDropPath(double rate) {
        return new ModelSpec(name, architecture, widthMult, depthMult, numClasses, inChannels, padding, bnEps, bnMomentum,
                activation, dropoutRate, rate, trainResolution, evalResolution, preprocessing);
    }

    /** This spec with other default train/eval resolutions. */
    public ModelSpec withResolution(int train, int eval) {
        return new ModelSpec(name, architecture, widthMult, depthMult, numClasses, inChannels, padding, bnEps, bnMomentum,
                activation, dropoutRate, dropPathRate, train, eval, preprocessing);
    }

    /** This spec with other preprocessing. */
    public ModelSpec withPreprocessing(Preprocessing pre) {
        return new ModelSpec(name, architecture, widthMult, depthMult, numClasses, inChannels, padding, bnEps, bnMomentum,
                activation, dropoutRate, dropPathRate, trainResolution, evalResolution, pre);
    }

    /** This spec with another name. */
    public ModelSpec withName(String newName) {
        return new ModelSpec(newName, architecture, widthMult, depthMult, numClasses, inChannels, padding, bnEps,
                bnMomentum, activation, dropoutRate, dropPathRate, trainResolution, evalResolution, preprocessing);
    }

    /** This spec with another architecture (multipliers kept). */
    public ModelSpec withArchitecture(Architecture arch) {
        return new ModelSpec(name, arch, widthMult, depthMult, numClasses, inChannels, padding, bnEps, bnMomentum,
                activation, dropoutRate, dropPathRate, trainResolution, evalResolution, preprocessing);
    }
}
