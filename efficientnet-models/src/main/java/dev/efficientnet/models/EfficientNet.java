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
    private final ModelSpec spec;
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
                    : new FusedMBConv(b.inChannels(), b.midChannels(), b.outChannels(), b.kernel(), b.stride(), b.seChannels(), b.dropPathRate(), s, rng);
            stage.add(block);
            blocks.add(block);
        }
        int lastChannels = spec.blocks().get(spec.blocks().size() - 1).outChannels();
        this.head = registerModule("head", new Head(lastChannels, spec.headChannels(), spec.numClasses(), spec.dropoutRate(), s, rng));
    }

    /**
     * Builds a model with weights initialised from {@code seed}.
     *
     * @param spec the model specification
     * @param seed the seed
     * @return the model
     */
    public static EfficientNet create(ModelSpec spec, long seed) {
        return new EfficientNet(spec, seed);
    }

    /**
     * Builds a model with seed 0.
     *
     * @param spec the model specification
     * @return the model
     */
    public static EfficientNet create(ModelSpec spec) {
        return new EfficientNet(spec, 0);
    }

    /**
     * Builds a preset by name ({@link Presets#names()}).
     *
     * @param preset the preset name
     * @return the model
     */
    public static EfficientNet create(String preset) {
        return new EfficientNet(Presets.get(preset), 0);
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
     *
     * @return the random source of every dropout and drop-path layer (seeded from the build seed); its state goes into checkpoints so a resumed run draws the same masks
     */
    public Rng rng() {
        return rng;
    }

    /** {@return the spec this model was built from} */
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
        return forwardHead(forwardFeatures(x));
    }

    /**
     * Pooled pre-logits features {@code [N, headChannels]} (planned like {@link #forward}).
     *
     * @param x the input
     * @return pooled pre-logits features {@code [N, headChannels]} (planned like {@link #forward})
     */
    public Tensor forwardFeatures(Tensor x) {
        if (planned(x)) {
            Tensor out = inferencePlans().forward(x, true);
            if (out != null) return out;
        }
        return head.pool(headMap(body(toNhwc(x))));
    }

    /** {@return the cache of compiled inference plans of this model (created on first use)} */
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
     * Dropout and classifier on pooled features.
     *
     * @param pooled the pooled input
     * @return dropout and classifier on pooled features
     */
    public Tensor forwardHead(Tensor pooled) {
        return head.logits(pooled);
    }

    /**
     * The multi-scale feature maps, NCHW: one per entry of {@link ModelSpec#featureInfo()} (the
     * reductions 2/4/8/16/32 and finally the pre-pool head map), in that order.
     *
     * @param x the input
     * @return the multi-scale feature maps, NCHW: one per entry of {@link ModelSpec#featureInfo()} (the reductions 2/4/8/16/32 and finally the pre-pool head map), in that order
     */
    public List<Tensor> forwardIntermediates(Tensor x) {
        List<FeatureInfo> taps = spec.featureInfo();
        List<Tensor> out = new ArrayList<>();
        Tensor y = stem.forward(toNhwc(x));
        for (FeatureInfo f : taps) if (f.kind() == FeatureInfo.Kind.STEM) out.add(ShapeOps.nhwcToNchw(y));
        for (int i = 0; i < blocks.size(); i++) {
            y = blocks.get(i).forward(y);
            for (FeatureInfo f : taps)
                if (f.kind() == FeatureInfo.Kind.STAGE && f.blockIndex() == i) out.add(ShapeOps.nhwcToNchw(y));
        }
        Tensor map = headMap(y);
        for (FeatureInfo f : taps) if (f.kind() == FeatureInfo.Kind.HEAD) out.add(ShapeOps.nhwcToNchw(map));
        return out;
    }

    /**
     * The output of the stem and of every block, NCHW, in order (for debugging against a reference).
     *
     * @param x the input
     * @return the output of the stem and of every block, NCHW, in order (for debugging against a reference)
     */
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
     *
     * @param on whether it is on
     * @return this model
     */
    public EfficientNet setActivationCheckpointing(boolean on) {
        this.checkpointActivations = on;
        return this;
    }

    /** {@return whether training forwards checkpoint each stage ({@link #setActivationCheckpointing})} */
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

    /** {@return the head (conv, bn, dropout, classifier)} */
    public Head head() {
        return head;
    }

    /** {@return the stem conv + BN + act} */
    public ConvBnAct stem() {
        return stem;
    }

    /**
     * Stage {@code i} as a sequence of blocks.
     *
     * @param i the index
     * @return stage {@code i} as a sequence of blocks
     */
    public Sequential stage(int i) {
        return (Sequential) stages.get(i);
    }

    /** {@return number of stages} */
    public int stageCount() {
        return stages.size();
    }

    /** {@return every block in order} */
    public List<Block> blocks() {
        return List.copyOf(blocks);
    }

    /**
     * Sets the classifier dropout rate (progressive learning raises it with the image size).
     *
     * @param rate the rate
     */
    public void setDropout(double rate) {
        head.dropout().setRate(rate);
    }

    /** {@return the classifier dropout module} */
    public Dropout dropout() {
        return head.dropout();
    }

    /**
     * Scales every block's drop-path rate so the last block has {@code rate} (rate × i / blocks,
     * as the spec's linear rule).
     *
     * @param rate the rate
     */
    public void setDropPath(double rate) {
        int total = blocks.size();
        for (int i = 0; i < total; i++) if (blocks.get(i).hasResidual()) blocks.get(i).dropPath().setRate(rate * i / total);
    }
}
