package dev.efficientnet.models;

import dev.efficientnet.core.autograd.Checkpoint;
import dev.efficientnet.core.autograd.GradMode;
import dev.efficientnet.core.ops.Activation;
import dev.efficientnet.core.ops.Padding;
import dev.efficientnet.core.ops.ShapeOps;
import dev.efficientnet.core.tensor.DType;
import dev.efficientnet.core.tensor.MemoryScope;
import dev.efficientnet.core.tensor.Rng;
import dev.efficientnet.core.tensor.Tensor;
import dev.efficientnet.layers.Block;
import dev.efficientnet.layers.ConvBnAct;
import dev.efficientnet.layers.Dropout;
import dev.efficientnet.layers.FusedMBConv;
import dev.efficientnet.layers.Head;
import dev.efficientnet.layers.LayerSettings;
import dev.efficientnet.layers.Linear;
import dev.efficientnet.layers.MBConv;
import dev.efficientnet.layers.Module;
import dev.efficientnet.layers.Sequential;
import dev.efficientnet.models.infer.InferencePlans;
import dev.efficientnet.models.spec.BlockSpec;
import dev.efficientnet.models.spec.BlockType;
import dev.efficientnet.models.spec.FeatureInfo;
import dev.efficientnet.models.spec.ModelSpec;
import dev.efficientnet.models.spec.Presets;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An EfficientNet V1 or V2 built from a {@link ModelSpec}: {@code stem} → {@code stages.S.B}
 * blocks → {@code head} (conv, bn, classifier). One class serves every preset; the spec decides
 * block types, widths, depths, padding and batch-norm settings.
 *
 * <p>Inputs and outputs at this public edge are NCHW (PyTorch's convention); inside, activations
 * are NHWC. Parameter names are this library's native naming (see {@code docs/weights.md});
 * convolution weights are stored as {@code [kH, kW, in/groups, out]}.
 */
public final class EfficientNet extends Module {
    private volatile ModelSpec spec;
    private final ConvBnAct stem;
    private final Sequential stages;
    private final Head head;
    private final List<Block> blocks = new ArrayList<>();
    private final Rng rng;
    private volatile InferencePlans plans;
    private boolean checkpointActivations;

    private EfficientNet(ModelSpec spec, long seed) {
        this.spec = spec;
        Rng rng = new Rng(seed);
        this.rng = rng;
        LayerSettings s = new LayerSettings(padding(spec), spec.bnEps(), spec.bnMomentum(), activation(spec));
        this.stem = registerModule("stem", new ConvBnAct(spec.inChannels(), spec.stemChannels(), ModelSpec.STEM_KERNEL,
                ModelSpec.STEM_STRIDE, 1, s, s.activation(), rng));
        this.stages = registerModule("stages", new Sequential());
        Sequential stage = null;
        int currentStage = -1;
        for (BlockSpec b : spec.blocks()) {
            if (b.stageIndex() != currentStage) {
                stage = new Sequential();
                stages.add(stage);
                currentStage = b.stageIndex();
            }
            Block block = b.type() == BlockType.MBCONV
                    ? new MBConv(b.inChannels(), b.midChannels(), b.outChannels(), b.kernel(), b.stride(), b.seChannels(), b.dropPathRate(), s, rng)
                    : new FusedMBConv(b.inChannels(), b.midChannels(), b.outChannels(), b.kernel(), b.stride(), b.seChannels(),
                            !b.hasResidual(), b.dropPathRate(), s, rng);
            stage.add(block);
            blocks.add(block);
        }
        int lastChannels = spec.blocks().get(spec.blocks().size() - 1).outChannels();
        this.head = registerModule("head", new Head(lastChannels, spec.headChannels(), spec.numClasses(), spec.dropoutRate(), s, rng));
    }

    /** Builds a model with weights initialised from {@code seed}. */
    public static EfficientNet create(ModelSpec spec, long seed) {
        return new EfficientNet(spec, seed);
    }

    /** Builds a model with seed 0. */
    public static EfficientNet create(ModelSpec spec) {
        return new EfficientNet(spec, 0);
    }

    /** Builds a preset by name ({@link Presets#names()}). */
    public static EfficientNet create(String preset) {
        return new EfficientNet(Presets.get(preset), 0);
    }

    /**
     * Builds the model a weights file describes (safetensors or PyTorch {@code .pth}) and loads it:
     * the preset in the file's metadata, else the one its tensors fit (see
     * {@link dev.efficientnet.models.weights.WeightSpecs}).
     */
    public static EfficientNet fromWeights(java.nio.file.Path file) throws java.io.IOException {
        return dev.efficientnet.models.weights.WeightSpecs.fromWeights(file);
    }

    /**
     * {@code preset} with its published ImageNet weights ({@link dev.efficientnet.models.pretrained.PretrainedRegistry}),
     * downloaded once (with its checksum checked) into the user cache {@code ~/.cache/efficientnet-java}
     * and read from there afterwards, also offline.
     *
     * @throws dev.efficientnet.models.pretrained.PretrainedException no network and nothing cached, or a checksum mismatch
     */
    public static EfficientNet pretrained(String preset) throws java.io.IOException {
        return dev.efficientnet.models.pretrained.Pretrained.load(preset);
    }

    /** Builds {@code preset} with the file's class count and input channels and loads the file strictly. */
    public static EfficientNet fromWeights(java.nio.file.Path file, String preset) throws java.io.IOException {
        return dev.efficientnet.models.weights.WeightSpecs.fromWeights(file, preset);
    }

    private static Padding padding(ModelSpec spec) {
        return switch (spec.padding()) {
            case TF_SAME -> Padding.same();
            case SYMMETRIC -> Padding.symmetric();
        };
    }

    private static Activation activation(ModelSpec spec) {
        return Activation.valueOf(spec.activation().name());
    }

    /**
     * The random source of every dropout and drop-path layer (seeded from the build seed); its
     * state goes into checkpoints so a resumed run draws the same masks.
     */
    public Rng rng() {
        return rng;
    }

    /** The spec this model was built from. */
    public ModelSpec spec() {
        return spec;
    }

    /**
     * Logits {@code [N, classes]} for NCHW input {@code [N, inChannels, H, W]}.
     *
     * <p>In eval mode, for a float32 input that needs no gradient, with gradients disabled or outside
     * any {@link MemoryScope}, this runs the model's compiled {@link #inferencePlans() inference plan}
     * (decision D25): same values within float32 round-off, no autograd graph, no per-call native
     * allocation. To back-propagate through a model in eval mode, call it with {@link GradMode}
     * enabled inside a {@link MemoryScope}.
     */
    @Override
    public Tensor forward(Tensor x) {
        if (planned(x)) {
            Tensor out = inferencePlans().forward(x, false);
            if (out != null) return out;
        }
        return head.logits(head.pool(headMap(body(toNhwc(x)))));
    }

    /**
     * The unpooled final feature map, NCHW {@code [N, headChannels, H/32, W/32]}: stem, every block,
     * head conv + BN + activation (timm's {@code forward_features}). {@link #forwardHead} turns it
     * into logits; {@code forward(x)} equals {@code forwardHead(forwardFeatures(x))}.
     *
     * <p>Until decision D34 this method returned the pooled pre-logits features; that is now
     * {@link #forwardPreLogits}.
     */
    public Tensor forwardFeatures(Tensor x) {
        return ShapeOps.nhwcToNchw(headMap(body(toNhwc(x))));
    }

    /**
     * Pooled pre-logits features {@code [N, headChannels]} (timm's
     * {@code forward_head(forward_features(x), pre_logits=True)}); planned like {@link #forward}.
     */
    public Tensor forwardPreLogits(Tensor x) {
        if (planned(x)) {
            Tensor out = inferencePlans().forward(x, true);
            if (out != null) return out;
        }
        return head.pool(headMap(body(toNhwc(x))));
    }

    /** The cache of compiled inference plans of this model (created on first use). */
    public InferencePlans inferencePlans() {
        InferencePlans p = plans;
        if (p == null) {
            synchronized (this) {
                p = plans;
                if (p == null) plans = p = new InferencePlans(this);
            }
        }
        return p;
    }

    private boolean planned(Tensor x) {
        if (isTraining() || x.requiresGrad() || x.dtype() != DType.FLOAT32) return false;
        if (GradMode.isEnabled() && MemoryScope.current() != null) return false;
        checkInput(x);
        return inferencePlans().usable();
    }

    /**
     * The head on features (timm's {@code forward_head}): an NCHW map from {@link #forwardFeatures}
     * is globally average-pooled, then dropout and classifier give the logits. Pooled features
     * {@code [N, headChannels]} (as {@link #forwardPreLogits} returns) are accepted too and only go
     * through dropout and classifier.
     */
    public Tensor forwardHead(Tensor features) {
        return forwardHead(features, false);
    }

    /**
     * {@link #forwardHead(Tensor)}; with {@code preLogits} it stops after pooling and returns
     * {@code [N, headChannels]} (timm's {@code pre_logits=True}).
     */
    public Tensor forwardHead(Tensor features, boolean preLogits) {
        if (features == null) throw new IllegalArgumentException("features is null");
        int[] s = features.shape();
        Tensor pooled;
        if (s.length == 4) {
            if (s[1] != head.features())
                throw new IllegalArgumentException(spec.name() + ": forwardHead expects an NCHW map with " + head.features()
                        + " channels, got shape " + Arrays.toString(s));
            pooled = head.pool(ShapeOps.nchwToNhwc(features));
        } else if (s.length == 2 && s[1] == head.features()) {
            pooled = features;
        } else {
            throw new IllegalArgumentException(spec.name() + ": forwardHead expects [N, " + head.features() + ", H, W] or [N, "
                    + head.features() + "], got shape " + Arrays.toString(s));
        }
        return preLogits ? pooled : head.logits(pooled);
    }

    /**
     * Replaces the classifier in place by a freshly initialised one with {@code numClasses} outputs
     * (0 removes it: {@link #forward} then returns pooled features), as timm's
     * {@code reset_classifier}. Every other weight is kept; {@link #spec()} reports the new class count.
     */
    public void resetClassifier(int numClasses) {
        if (numClasses < 0) throw new IllegalArgumentException("numClasses must be >= 0, got " + numClasses);
        synchronized (this) {
            head.resetClassifier(numClasses, rng);
            spec = spec.withNumClasses(numClasses);
            InferencePlans old = plans;
            plans = null;
            if (old != null) old.clear();
        }
    }

    /**
     * The multi-scale feature maps, NCHW: one per entry of {@link ModelSpec#featureInfo()} (the
     * reductions 2/4/8/16/32 and finally the pre-pool head map), in that order.
     */
    public List<Tensor> forwardIntermediates(Tensor x) {
        return forwardIntermediates(x, null);
    }

    /**
     * The feature maps at {@code outIndices} (indices into {@link ModelSpec#featureInfo()}, as timm's
     * {@code out_indices}; {@code 0..4} are the reductions 2..32, {@code 5} the head map), NCHW, in
     * the order given. Computation stops after the last block needed: the head conv runs only when
     * index {@code 5} (the last) is asked for, the classifier never. Null or empty means all.
     */
    public List<Tensor> forwardIntermediates(Tensor x, int... outIndices) {
        List<FeatureInfo> taps = spec.featureInfo();
        int[] idx = outIndices == null || outIndices.length == 0 ? java.util.stream.IntStream.range(0, taps.size()).toArray() : outIndices.clone();
        for (int i : idx)
            if (i < 0 || i >= taps.size())
                throw new IllegalArgumentException(spec.name() + ": out index " + i + " is outside 0.." + (taps.size() - 1)
                        + " (feature info " + taps.size() + " entries)");
        Tensor[] out = new Tensor[idx.length];
        int lastBlock = -1;
        boolean needHead = false;
        for (int i : idx) {
            FeatureInfo f = taps.get(i);
            if (f.kind() == FeatureInfo.Kind.HEAD) needHead = true;
            else if (f.kind() == FeatureInfo.Kind.STAGE) lastBlock = Math.max(lastBlock, f.blockIndex());
        }
        if (needHead) lastBlock = blocks.size() - 1;
        Tensor y = stem.forward(toNhwc(x));
        fill(out, idx, taps, FeatureInfo.Kind.STEM, -1, y);
        for (int b = 0; b <= lastBlock; b++) {
            y = blocks.get(b).forward(y);
            fill(out, idx, taps, FeatureInfo.Kind.STAGE, b, y);
        }
        if (needHead) fill(out, idx, taps, FeatureInfo.Kind.HEAD, -1, headMap(y));
        return new ArrayList<>(Arrays.asList(out));
    }

    private static void fill(Tensor[] out, int[] idx, List<FeatureInfo> taps, FeatureInfo.Kind kind, int block, Tensor nhwc) {
        Tensor nchw = null;
        for (int k = 0; k < idx.length; k++) {
            FeatureInfo f = taps.get(idx[k]);
            if (f.kind() != kind || (kind == FeatureInfo.Kind.STAGE && f.blockIndex() != block)) continue;
            if (nchw == null) nchw = ShapeOps.nhwcToNchw(nhwc);
            out[k] = nchw;
        }
    }

    /** The output of the stem and of every block, NCHW, in order (for debugging against a reference). */
    public List<Tensor> blockOutputs(Tensor x) {
        List<Tensor> out = new ArrayList<>();
        Tensor y = stem.forward(toNhwc(x));
        out.add(ShapeOps.nhwcToNchw(y));
        for (Block b : blocks) {
            y = b.forward(y);
            out.add(ShapeOps.nhwcToNchw(y));
        }
        out.add(ShapeOps.nhwcToNchw(headMap(y)));
        return out;
    }

    private Tensor body(Tensor nhwc) {
        if (!checkpointActivations || !isTraining() || !GradMode.isEnabled()) return stages.forward(stem.forward(nhwc));
        Tensor y = stem.forward(nhwc);
        for (int i = 0; i < stages.size(); i++) {
            Module stage = stages.get(i);
            // A frozen stage fed by frozen layers records nothing: nothing to recompute.
            boolean trains = y.requiresGrad() || stage.parameters().stream().anyMatch(Tensor::requiresGrad);
            y = trains ? Checkpoint.apply(y, stage::forward, rng) : stage.forward(y);
        }
        return y;
    }

    /**
     * Turns activation checkpointing on or off (off by default): in training, each stage keeps only
     * its input for backward and recomputes its activations there ({@link Checkpoint}): less memory
     * for one more forward pass of the stages.
     */
    public EfficientNet setActivationCheckpointing(boolean on) {
        this.checkpointActivations = on;
        return this;
    }

    /** Whether training forwards checkpoint each stage ({@link #setActivationCheckpointing}). */
    public boolean activationCheckpointing() {
        return checkpointActivations;
    }

    private Tensor headMap(Tensor y) {
        return head.featureMap(y);
    }

    private Tensor toNhwc(Tensor x) {
        checkInput(x);
        return ShapeOps.nchwToNhwc(x);
    }

    private void checkInput(Tensor x) {
        int[] s = x.shape();
        if (s.length != 4)
            throw new IllegalArgumentException(spec.name() + ": input must be NCHW [N, " + spec.inChannels() + ", H, W], got shape " + Arrays.toString(s));
        if (s[1] != spec.inChannels())
            throw new IllegalArgumentException(spec.name() + ": input has " + s[1] + " channels, the model expects " + spec.inChannels()
                    + " (shape " + Arrays.toString(s) + ")");
        if (s[0] < 1) throw new IllegalArgumentException(spec.name() + ": batch size must be >= 1, got shape " + Arrays.toString(s));
        if (s[2] < 1 || s[3] < 1) throw new IllegalArgumentException(spec.name() + ": image height and width must be >= 1, got shape " + Arrays.toString(s));
    }

    /** The head (conv, bn, dropout, classifier). */
    public Head head() {
        return head;
    }

    /** The stem conv + BN + act. */
    public ConvBnAct stem() {
        return stem;
    }

    /** Stage {@code i} as a sequence of blocks. */
    public Sequential stage(int i) {
        return (Sequential) stages.get(i);
    }

    /** Number of stages. */
    public int stageCount() {
        return stages.size();
    }

    /** Every block in order. */
    public List<Block> blocks() {
        return List.copyOf(blocks);
    }

    /**
     * The architecture, one line per layer group, readable like PyTorch's module repr: the spec's
     * conventions, the stem, every block ({@code stages.S.B}: type, kernel, stride, expansion,
     * channels, SE width, residual) and the head.
     */
    @Override
    public String toString() {
        ModelSpec sp = spec;
        String act = sp.activation().name();
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(java.util.Locale.ROOT, "EfficientNet(%s: %s, width %s, depth %s, %s padding, BN eps %s, %s, %,d params)%n",
                sp.name(), sp.family(), sp.widthMult(), sp.depthMult(), sp.padding(), sp.bnEps(), act, parameterCount()));
        sb.append(String.format(java.util.Locale.ROOT, "  stem: Conv %dx%d s%d %d->%d, BN, %s%n", ModelSpec.STEM_KERNEL,
                ModelSpec.STEM_KERNEL, ModelSpec.STEM_STRIDE, sp.inChannels(), sp.stemChannels(), act));
        for (BlockSpec b : sp.blocks()) {
            sb.append(String.format(java.util.Locale.ROOT, "  stages.%d.%d: %s k%d s%d e%d %d->%d%s%s%n", b.stageIndex(), b.blockIndex(),
                    b.type() == BlockType.MBCONV ? (b.hasExpandConv() ? "MBConv" : "DepthwiseSeparable") : (b.hasExpandConv() ? "FusedMBConv" : "ConvBnAct"),
                    b.kernel(), b.stride(), b.expandRatio(), b.inChannels(), b.outChannels(),
                    b.hasSe() ? ", SE " + b.seChannels() : "", b.hasResidual() ? ", residual" : ""));
        }
        int last = sp.blocks().get(sp.blocks().size() - 1).outChannels();
        sb.append(String.format(java.util.Locale.ROOT, "  head: Conv 1x1 %d->%d, BN, %s, global avg pool", last, head.features(), act));
        Linear cls = head.classifier();
        if (cls != null)
            sb.append(String.format(java.util.Locale.ROOT, ", dropout %s, Linear %d->%d", head.dropout().rate(), cls.inFeatures(), cls.outFeatures()));
        sb.append(String.format(java.util.Locale.ROOT, "%n)"));
        return sb.toString();
    }

    /** Sets the classifier dropout rate (progressive learning raises it with the image size). */
    public void setDropout(double rate) {
        head.dropout().setRate(rate);
    }

    /** The classifier dropout module. */
    public Dropout dropout() {
        return head.dropout();
    }

    /**
     * Scales every block's drop-path rate so the last block has {@code rate} (rate × i / blocks,
     * as the spec's linear rule).
     */
    public void setDropPath(double rate) {
        int total = blocks.size();
        for (int i = 0; i < total; i++) if (blocks.get(i).hasResidual()) blocks.get(i).dropPath().setRate(rate * i / total);
    }
}
