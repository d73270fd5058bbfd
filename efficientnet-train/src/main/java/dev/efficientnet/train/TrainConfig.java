package dev.efficientnet.train;

import dev.efficientnet.models.spec.ModelSpec;
import dev.efficientnet.models.spec.Presets;
import dev.efficientnet.train.progressive.ProgressiveSchedule;
import dev.efficientnet.train.progressive.Stage;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything that defines a training run; saved as {@code config.json} in the run folder and in
 * every checkpoint, so a run can be resumed from its folder alone. Build with {@link #builder(String)}.
 *
 * @param arch            preset name ({@link Presets#names()})
 * @param widthMult       width multiplier replacing the preset's, or null
 * @param depthMult       depth multiplier replacing the preset's, or null
 * @param inChannels      input channels of the stem: 1 (grayscale fed directly) or 3 (grayscale replicated)
 * @param numClasses      classifier outputs
 * @param dropPath        stochastic-depth rate of the last block, or null for the preset's
 * @param epochs          number of epochs (&gt;= 1)
 * @param batchSize       default batch size (a stage may override it)
 * @param schedule        the progressive-learning stages (one stage = no progressive learning)
 * @param optimizer       the optimizer
 * @param lr              base learning rate
 * @param weightDecay     weight decay (not applied to biases and BN parameters)
 * @param lrSchedule      learning-rate schedule
 * @param warmupEpochs    linear warmup length (capped at half the run)
 * @param minLr           final rate of the cosine schedule
 * @param emaDecay        decay of the weight EMA (0 disables it); the effective decay of update n is
 *                        {@code min(emaDecay, (1 + n) / (10 + n))} (TF's warmup)
 * @param labelSmoothing  label smoothing
 * @param randAugOps      RandAugment operations per image (the magnitude comes from the stage)
 * @param hflip           random horizontal flips
 * @param cropScaleMin    smallest area fraction of the random resized crop (timm: 0.08)
 * @param translate       largest random shift as a fraction of the image side (0 = none), see
 *                        {@link dev.efficientnet.train.augment.RandomTranslate}
 * @param randomErasing   random-erasing probability
 * @param evalResolution  extra final evaluation size (FixRes), or 0 for none
 * @param seed            seed of weights, data order, augmentation and dropout
 * @param gradClip        global gradient-norm clip (0 = off)
 * @param workers         data-loading threads
 * @param trainLastStages fine-tuning: -1 trains everything; 0 trains only the classifier (backbone
 *                        frozen); N &gt; 0 trains the last N stages, the head and the classifier
 * @param initWeights     weights to start from (a checkpoint or a safetensors file), or null
 * @param data            data location recorded for {@code --resume}, or null
 * @param cutmixAlpha     CutMix Beta parameter (0 = off); with the stage's mixup α also on, a batch
 *                        gets CutMix with probability {@code mixSwitchProb}, else mixup
 * @param mixSwitchProb   probability of CutMix rather than mixup when both are on (timm: 0.5)
 * @param randAugMstd     RandAugment magnitude spread: each op's level is drawn from
 *                        N(magnitude, mstd²), clipped to [0, 30] (0 = fixed; above 100 = uniform in [0, magnitude], timm's convention)
 * @param lrSteps         {@link LrScheduleKind#STEP}: one value, the decay interval in epochs;
 *                        {@link LrScheduleKind#MULTISTEP}: the milestone epochs; empty for the other schedules
 * @param lrGamma         factor of each step decay
 * @param fixresSteps     FixRes fine-tuning steps at {@code evalResolution} after training (0 = none),
 *                        see {@link FixRes}
 * @param fixresClassifier whether the FixRes step also trains the classifier (else only the BN statistics)
 */
public record TrainConfig(String arch, Double widthMult, Double depthMult, int inChannels, int numClasses, Double dropPath,
                          int epochs, int batchSize, ProgressiveSchedule schedule,
                          OptimizerKind optimizer, double lr, double weightDecay, LrScheduleKind lrSchedule,
                          double warmupEpochs, double minLr, double emaDecay, double labelSmoothing, int randAugOps,
                          boolean hflip, double cropScaleMin, double translate, double randomErasing, int evalResolution, long seed, double gradClip, int workers,
                          int trainLastStages, String initWeights, String data,
                          double cutmixAlpha, double mixSwitchProb, double randAugMstd, List<Double> lrSteps, double lrGamma,
                          int fixresSteps, boolean fixresClassifier) {

    /** Validates the values. */
    public TrainConfig {
        Objects.requireNonNull(arch, "arch");
        Objects.requireNonNull(schedule, "schedule");
        Objects.requireNonNull(optimizer, "optimizer");
        Objects.requireNonNull(lrSchedule, "lrSchedule");
        if (!Presets.contains(arch)) throw new IllegalArgumentException("unknown architecture '" + arch + "'");
        if (inChannels != 1 && inChannels != 3) throw new IllegalArgumentException("inChannels must be 1 or 3, got " + inChannels);
        if (numClasses < 1) throw new IllegalArgumentException("numClasses must be >= 1, got " + numClasses);
        if (epochs < 1) throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        if (!(lr > 0) || Double.isInfinite(lr)) throw new IllegalArgumentException("lr must be > 0, got " + lr);
        if (!(weightDecay >= 0)) throw new IllegalArgumentException("weight decay must be >= 0, got " + weightDecay);
        if (!(warmupEpochs >= 0)) throw new IllegalArgumentException("warmup epochs must be >= 0, got " + warmupEpochs);
        if (!(minLr >= 0)) throw new IllegalArgumentException("minLr must be >= 0, got " + minLr);
        if (!(emaDecay >= 0 && emaDecay < 1)) throw new IllegalArgumentException("EMA decay must be in [0, 1), got " + emaDecay);
        if (!(labelSmoothing >= 0 && labelSmoothing < 1))
            throw new IllegalArgumentException("label smoothing must be in [0, 1), got " + labelSmoothing);
        if (randAugOps < 0) throw new IllegalArgumentException("RandAugment ops must be >= 0, got " + randAugOps);
        if (!(cropScaleMin > 0 && cropScaleMin <= 1))
            throw new IllegalArgumentException("crop scale minimum must be in (0, 1], got " + cropScaleMin);
        if (!(translate >= 0 && translate < 0.5))
            throw new IllegalArgumentException("translate fraction must be in [0, 0.5), got " + translate);
        if (!(randomErasing >= 0 && randomErasing <= 1))
            throw new IllegalArgumentException("random erasing probability must be in [0, 1], got " + randomErasing);
        if (evalResolution < 0) throw new IllegalArgumentException("eval resolution must be >= 0, got " + evalResolution);
        if (!(gradClip >= 0)) throw new IllegalArgumentException("gradient clip must be >= 0, got " + gradClip);
        if (workers < 1) throw new IllegalArgumentException("workers must be >= 1, got " + workers);
        if (trainLastStages < -1) throw new IllegalArgumentException("trainLastStages must be >= -1, got " + trainLastStages);
        if (!(cutmixAlpha >= 0) || Double.isInfinite(cutmixAlpha)) throw new IllegalArgumentException("CutMix alpha must be >= 0, got " + cutmixAlpha);
        if (!(mixSwitchProb >= 0 && mixSwitchProb <= 1))
            throw new IllegalArgumentException("mixup/CutMix switch probability must be in [0, 1], got " + mixSwitchProb);
        if (!(randAugMstd >= 0) || Double.isInfinite(randAugMstd))
            throw new IllegalArgumentException("RandAugment magnitude std must be >= 0 and finite, got " + randAugMstd);
        lrSteps = List.copyOf(Objects.requireNonNull(lrSteps, "lrSteps"));
        lrSchedule.checkSteps(lrSteps, lrGamma);
        if (fixresSteps < 0) throw new IllegalArgumentException("FixRes steps must be >= 0, got " + fixresSteps);
        if (fixresSteps > 0 && evalResolution <= 0)
            throw new IllegalArgumentException("FixRes fine-tuning needs a test size (eval resolution > 0)");
        if (fixresClassifier && fixresSteps == 0)
            throw new IllegalArgumentException("FixRes classifier fine-tuning needs FixRes steps > 0");
    }

    /** A builder with the defaults of {@link Builder}. */
    public static Builder builder(String arch) {
        return new Builder(arch);
    }

    /** A builder initialised from this config. */
    public Builder toBuilder() {
        Builder b = new Builder(arch);
        b.widthMult = widthMult; b.depthMult = depthMult; b.inChannels = inChannels; b.numClasses = numClasses;
        b.dropPath = dropPath; b.epochs = epochs; b.batchSize = batchSize; b.schedule = schedule; b.optimizer = optimizer;
        b.lr = lr; b.weightDecay = weightDecay; b.lrSchedule = lrSchedule; b.warmupEpochs = warmupEpochs; b.minLr = minLr;
        b.emaDecay = emaDecay; b.labelSmoothing = labelSmoothing; b.randAugOps = randAugOps; b.hflip = hflip; b.cropScaleMin = cropScaleMin;
        b.translate = translate; b.randomErasing = randomErasing; b.evalResolution = evalResolution; b.seed = seed; b.gradClip = gradClip;
        b.workers = workers; b.trainLastStages = trainLastStages; b.initWeights = initWeights; b.data = data;
        b.cutmixAlpha = cutmixAlpha; b.mixSwitchProb = mixSwitchProb; b.randAugMstd = randAugMstd; b.lrSteps = lrSteps;
        b.lrGamma = lrGamma; b.fixresSteps = fixresSteps; b.fixresClassifier = fixresClassifier;
        return b;
    }

    /** The model spec: the preset with the overrides, {@code inChannels} and {@code numClasses}. */
    public ModelSpec modelSpec() {
        ModelSpec base = Presets.get(arch);
        ModelSpec s = base.withWidthDepth(widthMult != null ? widthMult : base.widthMult(), depthMult != null ? depthMult : base.depthMult())
                .withNumClasses(numClasses).withInChannels(inChannels)
                .withDropout(schedule.stages().get(0).dropout());
        if (dropPath != null) s = s.withDropPath(dropPath);
        return s;
    }

    /** The final training image size (the last stage's). */
    public int finalSize() {
        return schedule.last().imageSize();
    }

    // ---- JSON ------------------------------------------------------------------------------------

    /** This config as a JSON-ready map (see {@link dev.efficientnet.core.io.Json}). */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("arch", arch);
        m.put("width_mult", widthMult);
        m.put("depth_mult", depthMult);
        m.put("in_channels", inChannels);
        m.put("num_classes", numClasses);
        m.put("drop_path", dropPath);
        m.put("epochs", epochs);
        m.put("batch_size", batchSize);
        Map<String, Object> sched = new LinkedHashMap<>();
        sched.put("name", schedule.name());
        List<Object> stages = new ArrayList<>();
        for (Stage st : schedule.stages()) {
            Map<String, Object> sm = new LinkedHashMap<>();
            sm.put("image_size", st.imageSize());
            sm.put("dropout", st.dropout());
            sm.put("randaug_magnitude", st.randAugMagnitude());
            sm.put("mixup_alpha", st.mixupAlpha());
            sm.put("batch_size", st.batchSize());
            stages.add(sm);
        }
        sched.put("stages", stages);
        m.put("progressive", sched);
        m.put("optimizer", optimizer.id());
        m.put("lr", lr);
        m.put("weight_decay", weightDecay);
        m.put("lr_schedule", lrSchedule.id());
        m.put("warmup_epochs", warmupEpochs);
        m.put("min_lr", minLr);
        m.put("ema_decay", emaDecay);
        m.put("label_smoothing", labelSmoothing);
        m.put("randaug_ops", randAugOps);
        m.put("hflip", hflip);
        m.put("crop_scale_min", cropScaleMin);
        m.put("translate", translate);
        m.put("random_erasing", randomErasing);
        m.put("eval_resolution", evalResolution);
        m.put("seed", seed);
        m.put("grad_clip", gradClip);
        m.put("workers", workers);
        m.put("train_last_stages", trainLastStages);
        m.put("init_weights", initWeights);
        m.put("data", data);
        m.put("cutmix_alpha", cutmixAlpha);
        m.put("mix_switch_prob", mixSwitchProb);
        m.put("randaug_mstd", randAugMstd);
        m.put("lr_steps", new ArrayList<Object>(lrSteps));
        m.put("lr_gamma", lrGamma);
        m.put("fixres_steps", fixresSteps);
        m.put("fixres_classifier", fixresClassifier);
        return m;
    }

    /** Reads a config written by {@link #toJson()}; a missing or mistyped key is an {@link IllegalArgumentException}. */
    @SuppressWarnings("unchecked")
    public static TrainConfig fromJson(Map<String, Object> m) {
        Builder b = new Builder(str(m, "arch"));
        b.widthMult = optDouble(m, "width_mult");
        b.depthMult = optDouble(m, "depth_mult");
        b.inChannels = integer(m, "in_channels");
        b.numClasses = integer(m, "num_classes");
        b.dropPath = optDouble(m, "drop_path");
        b.epochs = integer(m, "epochs");
        b.batchSize = integer(m, "batch_size");
        Map<String, Object> sched = (Map<String, Object>) get(m, "progressive");
        List<Stage> stages = new ArrayList<>();
        for (Object o : (List<Object>) get(sched, "stages")) {
            Map<String, Object> sm = (Map<String, Object>) o;
            stages.add(new Stage(stages.size(), integer(sm, "image_size"), dbl(sm, "dropout"), dbl(sm, "randaug_magnitude"),
                    dbl(sm, "mixup_alpha"), integer(sm, "batch_size")));
        }
        b.schedule = ProgressiveSchedule.of(str(sched, "name"), stages);
        b.optimizer = OptimizerKind.parse(str(m, "optimizer"));
        b.lr = dbl(m, "lr");
        b.weightDecay = dbl(m, "weight_decay");
        b.lrSchedule = LrScheduleKind.parse(str(m, "lr_schedule"));
        b.warmupEpochs = dbl(m, "warmup_epochs");
        b.minLr = dbl(m, "min_lr");
        b.emaDecay = dbl(m, "ema_decay");
        b.labelSmoothing = dbl(m, "label_smoothing");
        b.randAugOps = integer(m, "randaug_ops");
        b.hflip = (Boolean) get(m, "hflip");
        b.cropScaleMin = dbl(m, "crop_scale_min");
        Double translate = optDouble(m, "translate"); // absent in configs written before it existed
        b.translate = translate == null ? 0 : translate;
        b.randomErasing = dbl(m, "random_erasing");
        b.evalResolution = integer(m, "eval_resolution");
        b.seed = ((Number) get(m, "seed")).longValue();
        b.gradClip = dbl(m, "grad_clip");
        b.workers = integer(m, "workers");
        b.trainLastStages = integer(m, "train_last_stages");
        b.initWeights = (String) m.get("init_weights");
        b.data = (String) m.get("data");
        // keys below are absent in configs written before they existed: the defaults reproduce those runs
        Double v;
        if ((v = optDouble(m, "cutmix_alpha")) != null) b.cutmixAlpha = v;
        if ((v = optDouble(m, "mix_switch_prob")) != null) b.mixSwitchProb = v;
        if ((v = optDouble(m, "randaug_mstd")) != null) b.randAugMstd = v;
        if (m.get("lr_steps") != null) {
            List<Double> steps = new ArrayList<>();
            for (Object o : (List<Object>) m.get("lr_steps")) steps.add(((Number) o).doubleValue());
            b.lrSteps = steps;
        }
        if ((v = optDouble(m, "lr_gamma")) != null) b.lrGamma = v;
        if (m.get("fixres_steps") != null) b.fixresSteps = integer(m, "fixres_steps");
        if (m.get("fixres_classifier") != null) b.fixresClassifier = (Boolean) m.get("fixres_classifier");
        return b.build();
    }

    private static Object get(Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (v == null) throw new IllegalArgumentException("training config has no '" + key + "'");
        return v;
    }

    private static String str(Map<String, Object> m, String key) {
        return (String) get(m, key);
    }

    private static int integer(Map<String, Object> m, String key) {
        return ((Number) get(m, key)).intValue();
    }

    private static double dbl(Map<String, Object> m, String key) {
        return ((Number) get(m, key)).doubleValue();
    }

    private static Double optDouble(Map<String, Object> m, String key) {
        Object v = m.get(key);
        return v == null ? null : ((Number) v).doubleValue();
    }

    /**
     * Mutable builder. Defaults: 3 input channels, 10 classes, 10 epochs, batch 64, no progressive
     * learning at the preset's train resolution with its dropout, RMSProp-TF, lr 0.01, weight decay
     * 1e-5, cosine schedule with 1 warmup epoch to 0, EMA 0.999, label smoothing 0.1, RandAugment 2 ops,
     * horizontal flips on, crop scale 0.08..1, no translation, no random erasing, no FixRes, seed 0, no clipping, 2 workers,
     * no CutMix (switch probability 0.5), fixed RandAugment magnitude, step decay factor 0.1, no FixRes fine-tuning.
     */
    public static final class Builder {
        private final String arch;
        private Double widthMult;
        private Double depthMult;
        private int inChannels = 3;
        private int numClasses = 10;
        private Double dropPath;
        private int epochs = 10;
        private int batchSize = 64;
        private ProgressiveSchedule schedule;
        private OptimizerKind optimizer = OptimizerKind.RMSPROP_TF;
        private double lr = 0.01;
        private double weightDecay = 1e-5;
        private LrScheduleKind lrSchedule = LrScheduleKind.COSINE;
        private double warmupEpochs = 1;
        private double minLr;
        private double emaDecay = 0.999;
        private double labelSmoothing = 0.1;
        private int randAugOps = 2;
        private boolean hflip = true;
        private double cropScaleMin = 0.08;
        private double translate;
        private double randomErasing;
        private int evalResolution;
        private long seed;
        private double gradClip;
        private int workers = 2;
        private int trainLastStages = -1;
        private String initWeights;
        private String data;
        private double cutmixAlpha;
        private double mixSwitchProb = 0.5;
        private double randAugMstd;
        private List<Double> lrSteps = List.of();
        private double lrGamma = 0.1;
        private int fixresSteps;
        private boolean fixresClassifier;

        private Builder(String arch) {
            this.arch = arch;
        }

        /** Width multiplier override. */
        public Builder widthMult(Double v) { widthMult = v; return this; }
        /** Depth multiplier override. */
        public Builder depthMult(Double v) { depthMult = v; return this; }
        /** Stem input channels (1 or 3). */
        public Builder inChannels(int v) { inChannels = v; return this; }
        /** Class count. */
        public Builder numClasses(int v) { numClasses = v; return this; }
        /** Drop-path override. */
        public Builder dropPath(Double v) { dropPath = v; return this; }
        /** Epochs. */
        public Builder epochs(int v) { epochs = v; return this; }
        /** Default batch size. */
        public Builder batchSize(int v) { batchSize = v; return this; }
        /** Progressive schedule. */
        public Builder schedule(ProgressiveSchedule v) { schedule = v; return this; }
        /** Optimizer. */
        public Builder optimizer(OptimizerKind v) { optimizer = v; return this; }
        /** Base learning rate. */
        public Builder lr(double v) { lr = v; return this; }
        /** Weight decay. */
        public Builder weightDecay(double v) { weightDecay = v; return this; }
        /** LR schedule. */
        public Builder lrSchedule(LrScheduleKind v) { lrSchedule = v; return this; }
        /** Warmup epochs. */
        public Builder warmupEpochs(double v) { warmupEpochs = v; return this; }
        /** Final cosine rate. */
        public Builder minLr(double v) { minLr = v; return this; }
        /** EMA decay (0 = off). */
        public Builder emaDecay(double v) { emaDecay = v; return this; }
        /** Label smoothing. */
        public Builder labelSmoothing(double v) { labelSmoothing = v; return this; }
        /** RandAugment ops per image. */
        public Builder randAugOps(int v) { randAugOps = v; return this; }
        /** Horizontal flips. */
        public Builder hflip(boolean v) { hflip = v; return this; }
        /** Smallest area fraction of the random resized crop. */
        public Builder cropScaleMin(double v) { cropScaleMin = v; return this; }
        /** Largest random shift as a fraction of the image side (0 = none). */
        public Builder translate(double v) { translate = v; return this; }
        /** Random-erasing probability. */
        public Builder randomErasing(double v) { randomErasing = v; return this; }
        /** Extra FixRes evaluation size (0 = none). */
        public Builder evalResolution(int v) { evalResolution = v; return this; }
        /** Seed. */
        public Builder seed(long v) { seed = v; return this; }
        /** Gradient clip (0 = off). */
        public Builder gradClip(double v) { gradClip = v; return this; }
        /** Loader threads. */
        public Builder workers(int v) { workers = v; return this; }
        /** Fine-tuning: -1 all, 0 classifier only, N last stages + head. */
        public Builder trainLastStages(int v) { trainLastStages = v; return this; }
        /** Initial weights file. */
        public Builder initWeights(String v) { initWeights = v; return this; }
        /** Data location (recorded for resume). */
        public Builder data(String v) { data = v; return this; }
        /** CutMix Beta parameter (0 = off). */
        public Builder cutmixAlpha(double v) { cutmixAlpha = v; return this; }
        /** Probability of CutMix rather than mixup when both are on. */
        public Builder mixSwitchProb(double v) { mixSwitchProb = v; return this; }
        /** RandAugment magnitude std (0 = fixed, &gt; 100 = uniform). */
        public Builder randAugMstd(double v) { randAugMstd = v; return this; }
        /** Step-schedule interval (one value) or milestones (multistep), in epochs. */
        public Builder lrSteps(List<Double> v) { lrSteps = v; return this; }
        /** Step-decay factor. */
        public Builder lrGamma(double v) { lrGamma = v; return this; }
        /** FixRes fine-tuning steps at the eval resolution (0 = none). */
        public Builder fixresSteps(int v) { fixresSteps = v; return this; }
        /** Whether the FixRes step also trains the classifier. */
        public Builder fixresClassifier(boolean v) { fixresClassifier = v; return this; }

        /** The config; without a schedule, one stage at the preset's train size and dropout. */
        public TrainConfig build() {
            ProgressiveSchedule s = schedule;
            if (s == null) {
                ModelSpec p = Presets.get(arch);
                s = ProgressiveSchedule.none(p.trainResolution(), p.dropoutRate(), 0, 0);
            }
            return new TrainConfig(arch, widthMult, depthMult, inChannels, numClasses, dropPath, epochs, batchSize, s,
                    optimizer, lr, weightDecay, lrSchedule, warmupEpochs, minLr, emaDecay, labelSmoothing, randAugOps, hflip,
                    cropScaleMin, translate, randomErasing, evalResolution, seed, gradClip, workers, trainLastStages, initWeights, data,
                    cutmixAlpha, mixSwitchProb, randAugMstd, lrSteps, lrGamma, fixresSteps, fixresClassifier);
        }
    }
}
