package dev.efficientnet.models.weights;

import dev.efficientnet.models.spec.Activation;
import dev.efficientnet.models.spec.ModelFamily;
import dev.efficientnet.models.spec.ModelSpec;
import dev.efficientnet.models.spec.Padding;
import dev.efficientnet.models.spec.Presets;

import java.util.Locale;
import java.util.Map;

/**
 * The numerical conventions a checkpoint was trained under that its tensors' shapes do not show:
 * the padding rule, the BN epsilon and the activation. {@link Weights#load} checks them against
 * the model before loading, so that weights never load silently into a preset that computes
 * differently:
 *
 * <ul>
 *   <li>a file written by this library records its preset and conventions in its metadata; they
 *       must match the model's (an {@code efficientnet_b0} export does not load into
 *       {@code tf_efficientnet_b0});</li>
 *   <li>without that metadata, timm-named weights are timm's model: {@code tf_*} models use TF SAME
 *       padding and eps 1e-3, every other timm EfficientNet symmetric padding and eps 1e-5 (so timm's
 *       {@code efficientnet_b5} weights do not load into torchvision's {@code efficientnet_b5},
 *       eps 1e-3, but into {@code timm_efficientnet_b5});</li>
 *   <li>torchvision-named weights are torchvision's model: symmetric padding, eps 1e-5 for B0–B4 and
 *       1e-3 for B5–B7 and V2.</li>
 * </ul>
 *
 * @param padding the padding rule
 * @param bnEps the batch-norm epsilon
 * @param activation the activation
 */
public record WeightConventions(Padding padding, double bnEps, Activation activation) {
    /** Metadata keys written by {@link Weights#metadata}. */
    static final String PADDING = "padding";
    static final String BN_EPS = "bn_eps";
    static final String ACTIVATION = "activation";

    /**
     * The conventions of {@code spec}.
     *
     * @param spec the model specification
     * @return the conventions of {@code spec}
     */
    public static WeightConventions of(ModelSpec spec) {
        return new WeightConventions(spec.padding(), spec.bnEps(), spec.activation());
    }

    /**
     * True when both compute the same function from the same tensors (eps compared to 1e-9 relative).
     *
     * @param o the other conventions
     * @return true when both compute the same function from the same tensors (eps compared to 1e-9 relative)
     */
    public boolean matches(WeightConventions o) {
        return padding == o.padding && activation == o.activation && Math.abs(bnEps - o.bnEps) <= 1e-9 * Math.max(bnEps, o.bnEps);
    }

    @Override
    public String toString() {
        return (padding == Padding.TF_SAME ? "TF SAME" : "symmetric") + " padding, BN eps " + eps(bnEps) + ", "
                + activation.name().toLowerCase(Locale.ROOT);
    }

    private static String eps(double e) {
        return Math.abs(e - 1e-3) < 1e-12 ? "1e-3" : Math.abs(e - 1e-5) < 1e-14 ? "1e-5" : Double.toString(e);
    }

    /**
     * Refuses weights whose source conventions differ from the model's.
     *
     * @param spec     the model's spec
     * @param naming   the checkpoint's detected naming
     * @param metadata the file's metadata (empty for in-memory maps)
     * @param source   the file or "map", for the message
     * @throws IncompatibleWeightsException naming what differs and the preset to use
     */
    static void check(ModelSpec spec, Naming naming, Map<String, String> metadata, String source) {
        WeightConventions model = of(spec);
        String filePreset = metadata.get("preset");
        if (filePreset != null) {
            WeightConventions file = fromMetadata(metadata);
            if (file == null) return; // an unknown custom spec without recorded conventions: nothing to compare
            if (!file.matches(model))
                throw new IncompatibleWeightsException(source + " was exported from preset " + filePreset + " (" + file
                        + ") but the model is " + spec.name() + " (" + model + "): its outputs would differ; load it into "
                        + filePreset + (Presets.contains(filePreset) ? "" : " (a spec with those settings)"),
                        Presets.contains(filePreset) ? filePreset : null);
            return;
        }
        switch (naming) {
            case TIMM -> checkTimm(spec, model, source);
            case TORCHVISION -> checkTorchvision(spec, model, source);
            case NATIVE -> {
                // native names without metadata come from Weights.export: no source model to compare with
            }
        }
    }

    private static WeightConventions fromMetadata(Map<String, String> meta) {
        String preset = meta.get("preset");
        try {
            if (meta.containsKey(PADDING) && meta.containsKey(BN_EPS) && meta.containsKey(ACTIVATION))
                return new WeightConventions(Padding.valueOf(meta.get(PADDING)), Double.parseDouble(meta.get(BN_EPS)),
                        Activation.valueOf(meta.get(ACTIVATION)));
        } catch (IllegalArgumentException e) {
            // damaged values: fall back to the preset name
        }
        return Presets.contains(preset) ? of(Presets.get(preset)) : null;
    }

    private static void checkTimm(ModelSpec spec, WeightConventions model, String source) {
        boolean tf = spec.padding() == Padding.TF_SAME;
        double expected = tf ? 1e-3 : 1e-5;
        WeightConventions timm = new WeightConventions(spec.padding(), expected, spec.activation());
        if (timm.matches(model)) return;
        String base = baseName(spec.name());
        String suggestion = null;
        String hint;
        if (!tf && base != null && base.matches("efficientnet_b[5-7]")) {
            suggestion = "timm_" + base;
            hint = "load them into preset " + suggestion + " (timm's " + base + ")"
                    + ", or into tf_" + base + " if they are timm's TF port tf_" + base;
        } else if (!tf && base != null && base.startsWith("efficientnet_v2_")) {
            String tfName = "tf_efficientnetv2_" + base.substring("efficientnet_v2_".length());
            suggestion = Presets.contains(tfName) ? tfName : null;
            hint = "no preset reproduces timm's efficientnetv2_* (eps 1e-5); timm's TF ports go into " + tfName
                    + ", or build the spec with withBatchNorm(1e-5, 0.1)";
        } else {
            hint = "build the spec with withBatchNorm(" + (tf ? "1e-3" : "1e-5") + ", momentum)";
        }
        throw new IncompatibleWeightsException(source + ": timm-named weights without this library's metadata come from timm's "
                + (tf ? "TF-ported" : "PyTorch-native") + " model (" + timm + ") but preset " + spec.name() + " uses BN eps "
                + eps(spec.bnEps()) + ", which gives wrong outputs; " + hint, suggestion);
    }

    private static void checkTorchvision(ModelSpec spec, WeightConventions model, String source) {
        String base = baseName(spec.name());
        ModelSpec tv = base != null && Presets.contains(base) ? Presets.get(base) : null;
        WeightConventions expected;
        if (tv != null) expected = of(tv);
        else if (spec.family() == ModelFamily.EFFICIENTNET_V2)
            expected = new WeightConventions(Padding.SYMMETRIC, 1e-3, spec.activation());
        else if (spec.padding() == Padding.TF_SAME || !(Math.abs(spec.bnEps() - 1e-5) < 1e-14 || Math.abs(spec.bnEps() - 1e-3) < 1e-12))
            expected = new WeightConventions(Padding.SYMMETRIC, 1e-5, spec.activation()); // torchvision B0-B4 (B5-B7 use 1e-3)
        else return; // a custom V1 spec, symmetric, with one of torchvision's two eps values
        if (expected.matches(model)) return;
        String suggestion = tv != null ? tv.name() : null;
        throw new IncompatibleWeightsException(source + ": torchvision-named weights without this library's metadata come from torchvision's model ("
                + expected + ") but preset " + spec.name() + " has " + model + ", which gives wrong outputs; "
                + (suggestion != null ? "load them into preset " + suggestion : "build a spec with those settings"), suggestion);
    }

    /**
     * The torchvision-style name of a preset's architecture: {@code tf_efficientnet_b5} and
     * {@code timm_efficientnet_b5} → {@code efficientnet_b5}, {@code tf_efficientnetv2_s} →
     * {@code efficientnet_v2_s}; null for names outside the presets' pattern.
     */
    static String baseName(String name) {
        if (name == null) return null;
        String n = name;
        if (n.startsWith("tf_")) n = n.substring(3);
        else if (n.startsWith("timm_")) n = n.substring(5);
        if (n.matches("efficientnet_b[0-7]")) return n;
        if (n.matches("efficientnetv2_(s|m|l|xl|b[0-3])")) return "efficientnet_v2_" + n.substring("efficientnetv2_".length());
        if (n.matches("efficientnet_v2_(s|m|l)")) return n;
        return null;
    }
}
