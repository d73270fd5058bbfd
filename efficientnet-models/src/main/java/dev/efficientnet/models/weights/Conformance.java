package dev.efficientnet.models.weights;

import dev.efficientnet.core.autograd.GradMode;
import dev.efficientnet.core.ops.Losses;
import dev.efficientnet.core.tensor.MemoryScope;
import dev.efficientnet.core.tensor.Tensor;
import dev.efficientnet.layers.Block;
import dev.efficientnet.models.EfficientNet;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Produces the tensors a PyTorch reference run records, in a chosen {@link Naming} and PyTorch
 * layouts, and compares two such sets. The keys are those of the reference fixtures
 * ({@code shared/fixtures/README.md}):
 * <ul>
 *   <li>eval mode ({@link #evalOutputs}): {@code logits}, {@code features} (pooled pre-logits),
 *       {@code act.<module>} — the NCHW output of the stem, of every block and of the head
 *       (after BN and activation), named as in {@link NameMapping#activationNames};</li>
 *   <li>one train step ({@link #trainStep}): {@code train_logits}, {@code loss} (shape
 *       {@code [1]}), {@code grad.<parameter>} for every parameter and {@code after.<buffer>}
 *       for every BN running mean/var after the step.</li>
 * </ul>
 * Tolerances ({@link Tolerance}): logits, features, activations, loss and running statistics
 * must satisfy {@code max|ours - ref| <= maxAbsRel * max(1, max|ref|)}; gradients
 * {@code ||ours - ref|| / ||ref|| <= gradNormRel}, except gradients that are zero up to float32
 * round-off (see {@link Tolerance#zeroGradRel()}).
 */
public final class Conformance {
    /** Eval-mode logits. */
    public static final String LOGITS = "logits";
    /** Eval-mode pooled features. */
    public static final String FEATURES = "features";
    /** Train-mode logits. */
    public static final String TRAIN_LOGITS = "train_logits";
    /** Mean cross-entropy of the train step, shape {@code [1]}. */
    public static final String LOSS = "loss";
    /** Prefix of the per-module eval activations. */
    public static final String ACT = "act.";
    /** Prefix of the parameter gradients. */
    public static final String GRAD = "grad.";
    /** Prefix of the BN running statistics after the train step. */
    public static final String AFTER = "after.";

    /**
     * Comparison tolerances.
     *
     * @param maxAbsRel   for max-abs checks, relative to {@code max(1, max|ref|)}
     * @param gradNormRel for gradients, relative L2 norm
     * @param zeroGradRel a gradient whose difference is at most this fraction of the global norm of
     *                    all reference gradients also passes: it is float32 round-off of a gradient
     *                    that is exactly zero in exact arithmetic (e.g. the bias of a BN whose output
     *                    only reaches a 1&times;1 conv followed by a train-mode BN, which removes any
     *                    constant shift), where a relative comparison of two round-off values is
     *                    meaningless. Such checks are marked "zero gradient" in the report.
     */
    public record Tolerance(double maxAbsRel, double gradNormRel, double zeroGradRel) {
        /** The fixtures' tolerances: 1e-4 and 1e-3, zero-gradient floor 1e-6. */
        public static final Tolerance DEFAULT = new Tolerance(1e-4, 1e-3, 1e-6);

        /** Validates. */
        public Tolerance {
            if (!(maxAbsRel >= 0) || !(gradNormRel >= 0) || !(zeroGradRel >= 0))
                throw new IllegalArgumentException("tolerances must be >= 0, got " + maxAbsRel + ", " + gradNormRel + ", " + zeroGradRel);
        }

        /** The given max-abs and gradient tolerances with the default zero-gradient floor. */
        public Tolerance(double maxAbsRel, double gradNormRel) {
            this(maxAbsRel, gradNormRel, 1e-6);
        }
    }

    private Conformance() {
    }

    /**
     * Runs {@code input} (NCHW) through the model in eval mode without recording a graph and
     * returns {@code logits}, {@code features} and {@code act.*} (NCHW), as long-lived float32
     * tensors. The model's train/eval mode is restored afterwards.
     */
    public static Map<String, Tensor> evalOutputs(EfficientNet model, Tensor input, Naming naming) {
        requireArgs(model, input, naming);
        List<String> actNames = NameMapping.of(model).activationNames(naming);
        boolean wasTraining = model.isTraining();
        Map<String, Tensor> out = new LinkedHashMap<>();
        model.eval();
        try (GradMode g = GradMode.disabled(); MemoryScope scope = MemoryScope.open()) {
            out.put(LOGITS, persist(model.forward(input)));
            out.put(FEATURES, persist(model.forwardPreLogits(input)));
            List<Tensor> acts = model.blockOutputs(input);
            if (acts.size() != actNames.size())
                throw new IllegalStateException("blockOutputs gave " + acts.size() + " tensors, expected " + actNames.size());
            for (int i = 0; i < acts.size(); i++) out.put(ACT + actNames.get(i), persist(acts.get(i)));
        } finally {
            model.train(wasTraining);
        }
        return out;
    }

    /**
     * One training step as the reference records it: train mode (BN on batch statistics, running
     * statistics updated), dropout and drop path off for the step, previous gradients zeroed,
     * forward, mean cross-entropy against {@code target} (class indices as floats, shape
     * {@code [N]}, or per-sample distributions {@code [N, K]}), backward. No optimizer step.
     *
     * <p>Returns {@code train_logits}, {@code loss} ({@code [1]}), {@code grad.<name>} for every
     * parameter that received a gradient and {@code after.<name>} for every BN running statistic,
     * named in {@code naming} and in its layout, as long-lived float32 tensors. The model keeps
     * the gradients and the updated running statistics; its mode, dropout and drop-path rates are
     * restored.
     */
    public static Map<String, Tensor> trainStep(EfficientNet model, Tensor input, Tensor target, Naming naming) {
        requireArgs(model, input, naming);
        if (target == null) throw new IllegalArgumentException("target is null");
        NameMapping mapping = NameMapping.of(model);
        boolean wasTraining = model.isTraining();
        double dropout = model.dropout().rate();
        List<Block> blocks = model.blocks();
        double[] dropPath = new double[blocks.size()];
        for (int i = 0; i < dropPath.length; i++) dropPath[i] = blocks.get(i).dropPath().rate();
        Map<String, Tensor> out = new LinkedHashMap<>();
        try {
            model.setDropout(0);
            for (Block b : blocks) b.dropPath().setRate(0);
            model.train(true);
            model.zeroGrad();
            try (GradMode g = GradMode.enabled(); MemoryScope scope = MemoryScope.open()) {
                Tensor logits = model.forward(input);
                Tensor loss = Losses.crossEntropy(logits, target);
                loss.backward();
                out.put(TRAIN_LOGITS, persist(logits));
                double l = loss.item();
                out.put(LOSS, MemoryScope.outside(() -> Tensor.of(new float[]{(float) l}, 1)));
            }
        } finally {
            model.setDropout(dropout);
            for (int i = 0; i < dropPath.length; i++) blocks.get(i).dropPath().setRate(dropPath[i]);
            model.train(wasTraining);
        }
        Map<String, Tensor> state = model.stateDict();
        for (NameMapping.Entry e : mapping.entries()) {
            if (e.buffer()) continue;
            Tensor grad = state.get(e.nativeName()).grad();
            if (grad != null) out.put(GRAD + e.name(naming), convert(e, grad, naming));
        }
        for (NameMapping.Entry e : mapping.entries())
            if (e.buffer()) out.put(AFTER + e.name(naming), convert(e, state.get(e.nativeName()), naming));
        return out;
    }

    private static void requireArgs(EfficientNet model, Tensor input, Naming naming) {
        if (model == null) throw new IllegalArgumentException("model is null");
        if (input == null) throw new IllegalArgumentException("input is null");
        if (naming == null) throw new IllegalArgumentException("naming is null");
    }

    private static Tensor persist(Tensor t) {
        float[] data = t.toFloatArray();
        int[] shape = t.shape();
        return MemoryScope.outside(() -> Tensor.of(data, shape));
    }

    private static Tensor convert(NameMapping.Entry e, Tensor t, Naming naming) {
        float[] data = t.toFloatArray();
        float[] converted = naming.pytorchLayout() ? e.layout().toTorch(data, e.nativeShape()) : data;
        int[] shape = e.shape(naming);
        return MemoryScope.outside(() -> Tensor.of(converted, shape));
    }

    // ---- comparison ----------------------------------------------------------------------------

    /**
     * Compares {@code ours} with {@code reference}: every tensor of {@code ours} (in its order),
     * then every reference tensor missing from {@code ours} in a group ours covers (the groups are
     * {@code act.*}, {@code grad.*}, {@code after.*} and each single key), so that within a group
     * the key sets must be equal. Keys of {@code reference} in groups ours does not produce (e.g.
     * {@code input}, or the train-step tensors when comparing eval outputs) are ignored.
     */
    public static ConformanceReport compare(Map<String, Tensor> ours, Map<String, Tensor> reference, Tolerance tol) {
        if (ours == null || reference == null || tol == null)
            throw new IllegalArgumentException("ours, reference and tolerance are required");
        java.util.List<ConformanceReport.Check> checks = new java.util.ArrayList<>();
        Set<String> groups = new LinkedHashSet<>();
        double globalSq = 0;
        for (Map.Entry<String, Tensor> e : reference.entrySet()) {
            if (!e.getKey().startsWith(GRAD) || !ours.containsKey(e.getKey())) continue;
            for (double v : e.getValue().toDoubleArray()) globalSq += v * v;
        }
        double zeroFloor = tol.zeroGradRel() * Math.sqrt(globalSq);
        for (Map.Entry<String, Tensor> e : ours.entrySet()) {
            String key = e.getKey();
            groups.add(group(key));
            Tensor ref = reference.get(key);
            boolean grad = key.startsWith(GRAD);
            double limit = grad ? tol.gradNormRel() : tol.maxAbsRel();
            ConformanceReport.Metric metric = grad ? ConformanceReport.Metric.REL_NORM : ConformanceReport.Metric.MAX_ABS;
            if (ref == null) {
                checks.add(new ConformanceReport.Check(key, ConformanceReport.Metric.MISSING, Double.NaN, limit, false,
                        "not in the reference"));
                continue;
            }
            Tensor mine = e.getValue();
            if (!Arrays.equals(mine.shape(), ref.shape())) {
                checks.add(new ConformanceReport.Check(key, ConformanceReport.Metric.SHAPE, Double.NaN, limit, false,
                        "shape " + Arrays.toString(mine.shape()) + " vs reference " + Arrays.toString(ref.shape())));
                continue;
            }
            checks.add(grad ? relNorm(key, mine.toDoubleArray(), ref.toDoubleArray(), limit, zeroFloor)
                    : maxAbs(key, mine.toDoubleArray(), ref.toDoubleArray(), limit));
        }
        for (String key : reference.keySet()) {
            if (!ours.containsKey(key) && groups.contains(group(key)))
                checks.add(new ConformanceReport.Check(key, ConformanceReport.Metric.MISSING, Double.NaN,
                        key.startsWith(GRAD) ? tol.gradNormRel() : tol.maxAbsRel(), false, "only in the reference"));
        }
        return new ConformanceReport(checks);
    }

    private static String group(String key) {
        for (String p : new String[]{ACT, GRAD, AFTER}) if (key.startsWith(p)) return p;
        return key;
    }

    private static ConformanceReport.Check maxAbs(String key, double[] a, double[] r, double limit) {
        double maxDiff = 0;
        double maxRef = 0;
        int at = -1;
        for (int i = 0; i < a.length; i++) {
            double d = Math.abs(a[i] - r[i]);
            if (!(d <= maxDiff)) { // also catches NaN
                maxDiff = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
                at = i;
            }
            maxRef = Math.max(maxRef, Math.abs(r[i]));
        }
        double err = maxDiff / Math.max(1, maxRef);
        String detail = String.format(Locale.ROOT, "max|diff| %.3e (rel %.3e, limit %.1e), max|ref| %.3e%s", maxDiff, err,
                limit, maxRef, at >= 0 ? String.format(Locale.ROOT, ", worst at flat index %d: ours %.6g ref %.6g", at, a[at], r[at]) : "");
        return new ConformanceReport.Check(key, ConformanceReport.Metric.MAX_ABS, err, limit, err <= limit, detail);
    }

    private static ConformanceReport.Check relNorm(String key, double[] a, double[] r, double limit, double zeroFloor) {
        double diff = 0;
        double ref = 0;
        double mine = 0;
        for (int i = 0; i < a.length; i++) {
            double d = a[i] - r[i];
            diff += d * d;
            ref += r[i] * r[i];
            mine += a[i] * a[i];
        }
        diff = Math.sqrt(diff);
        ref = Math.sqrt(ref);
        mine = Math.sqrt(mine);
        double err = ref > 0 ? diff / ref : (diff == 0 ? 0 : Double.POSITIVE_INFINITY);
        if (Double.isNaN(err)) err = Double.POSITIVE_INFINITY;
        if (err <= limit) {
            return new ConformanceReport.Check(key, ConformanceReport.Metric.REL_NORM, err, limit, true,
                    String.format(Locale.ROOT, "||diff||/||ref|| %.3e (limit %.1e), ||ref|| %.3e", err, limit, ref));
        }
        boolean zero = diff <= zeroFloor;
        String detail = zero
                ? String.format(Locale.ROOT, "zero gradient: ||diff|| %.3e <= floor %.3e (||ref|| %.3e, ||ours|| %.3e are round-off; relative %.3e)",
                diff, zeroFloor, ref, mine, err)
                : String.format(Locale.ROOT, "||diff||/||ref|| %.3e (limit %.1e), ||ref|| %.3e, ||ours|| %.3e", err, limit, ref, mine);
        return new ConformanceReport.Check(key, ConformanceReport.Metric.REL_NORM, err, limit, zero, detail);
    }
}
