package dev.efficientnet.models.weights;

import dev.efficientnet.models.EfficientNet;
import dev.efficientnet.models.spec.ModelSpec;
import dev.efficientnet.models.spec.Presets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The model a weights file describes, for {@link EfficientNet#fromWeights}: the preset, multipliers,
 * class count and input channels recorded in the metadata of files this library wrote (or the
 * {@code arch} of a PyTorch training checkpoint); otherwise inferred from the tensors: the naming
 * selects the candidate presets (torchvision names: the torchvision presets; timm names: the
 * {@code tf_}/{@code timm_} presets and the symmetric ones timm shares), the classifier gives the
 * class count, the stem the input channels, and a candidate must have exactly the file's parameter
 * count and then pass a strict load (keys, shapes, conventions). Presets whose tensors are
 * identical but compute differently (timm's {@code efficientnet_b0} and {@code tf_efficientnet_b0}
 * share every shape) cannot be told apart by shapes: that is an error naming the candidates, to be
 * resolved with {@link #fromWeights(Path, String)}.
 */
public final class WeightSpecs {
    private static final Logger LOG = LoggerFactory.getLogger(WeightSpecs.class);

    private WeightSpecs() {
    }

    /** Builds the model {@code file} describes and loads it strictly. */
    public static EfficientNet fromWeights(Path file) throws IOException {
        return fromWeights(file, null);
    }

    /** Builds preset {@code preset} (null: as the file describes) with the file's class count and loads it strictly. */
    public static EfficientNet fromWeights(Path file, String preset) throws IOException {
        try (WeightFile f = WeightFile.open(file)) {
            return fromWeights(f, preset);
        }
    }

    /** As {@link #fromWeights(Path, String)} for an opened file (left open). */
    public static EfficientNet fromWeights(WeightFile f, String preset) throws IOException {
        ModelSpec spec = preset != null ? withFileShape(f, Presets.get(preset)) : infer(f);
        EfficientNet net = EfficientNet.create(spec);
        Weights.load(net, f, LoadOptions.STRICT);
        return net;
    }

    /** The spec {@code f} describes (see the class comment); nothing is loaded. */
    public static ModelSpec infer(WeightFile f) throws IOException {
        Map<String, String> meta = f.metadata();
        String preset = meta.get("preset");
        if (preset != null && Presets.contains(preset)) {
            ModelSpec spec = Presets.get(preset);
            try {
                double w = Double.parseDouble(meta.getOrDefault("width_mult", Double.toString(spec.widthMult())));
                double d = Double.parseDouble(meta.getOrDefault("depth_mult", Double.toString(spec.depthMult())));
                spec = spec.withWidthDepth(w, d);
                if (meta.containsKey("num_classes")) spec = spec.withNumClasses(Integer.parseInt(meta.get("num_classes")));
                if (meta.containsKey("in_channels")) spec = spec.withInChannels(Integer.parseInt(meta.get("in_channels")));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(f.describe() + ": damaged metadata (" + e.getMessage() + ")", e);
            }
            return spec;
        }
        String arch = meta.get("arch");
        if (arch != null && Presets.contains(arch)) return withFileShape(f, Presets.get(arch));

        Shape shape = shape(f);
        List<String> fits = new ArrayList<>();
        List<String> counted = new ArrayList<>();
        for (String name : candidates(shape.naming())) {
            ModelSpec s = shapeOf(Presets.get(name), shape);
            if (s.params() != shape.params()) continue;
            counted.add(name);
            if (loads(s, f)) fits.add(name);
        }
        if (fits.isEmpty())
            throw new IllegalArgumentException(f.describe() + ": no preset fits these " + shape.naming().id() + "-named weights ("
                    + shape.params() + " parameters, " + shape.classes() + " classes" + (counted.isEmpty() ? "" : "; same count: " + counted)
                    + "); build the spec yourself (custom multipliers?) and use Weights.load");
        if (fits.size() > 1)
            throw new IllegalArgumentException(f.describe() + ": the tensors fit presets " + fits + ", which compute differently "
                    + "(padding, BN eps); the file does not say which: pass the preset, e.g. EfficientNet.fromWeights(path, \""
                    + fits.get(fits.size() - 1) + "\")");
        LOG.info("{}: inferred preset {} ({} classes) from the tensors", f.describe(), fits.get(0), shape.classes());
        return shapeOf(Presets.get(fits.get(0)), shape);
    }

    private record Shape(Naming naming, String prefix, long params, int classes, int inChannels) {
    }

    private static Shape shape(WeightFile f) {
        List<String> live = new ArrayList<>();
        for (String k : f.names()) if (!Naming.isBookkeeping(k)) live.add(k);
        Naming.Detected d;
        try {
            d = Naming.detect(live);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(f.describe() + ": " + e.getMessage(), e);
        }
        long params = 0;
        for (String k : live) {
            if (k.endsWith("running_mean") || k.endsWith("running_var")) continue;
            long n = 1;
            for (int s : f.shape(k)) n *= s;
            params += n;
        }
        String bias = d.prefix() + switch (d.naming()) {
            case TIMM -> "classifier.bias";
            case TORCHVISION -> "classifier.1.bias";
            case NATIVE -> "head.classifier.bias";
        };
        int classes = live.contains(bias) ? f.shape(bias)[0] : 0;
        int[] stem = f.shape(d.prefix() + d.naming().marker());
        int in = d.naming() == Naming.NATIVE ? stem[2] : stem[1];
        return new Shape(d.naming(), d.prefix(), params, classes, in);
    }

    private static ModelSpec shapeOf(ModelSpec preset, Shape s) {
        return preset.withNumClasses(s.classes()).withInChannels(s.inChannels());
    }

    private static ModelSpec withFileShape(WeightFile f, ModelSpec preset) {
        return shapeOf(preset, shape(f));
    }

    private static Set<String> candidates(Naming naming) {
        Set<String> out = new LinkedHashSet<>();
        for (String n : Presets.names()) {
            if (Presets.isUserPreset(n)) continue;
            boolean tvName = !n.startsWith("tf_") && !n.startsWith("timm_");
            switch (naming) {
                case TORCHVISION -> {
                    if (tvName) out.add(n);
                }
                case TIMM -> {
                    // timm's own efficientnet_b0..b4 are torchvision's structure with eps 1e-5: the plain presets
                    if (!tvName || n.matches("efficientnet_b[0-4]")) out.add(n);
                }
                case NATIVE -> out.add(n);
            }
        }
        return out;
    }

    /** True when {@code f} loads strictly into {@code spec} (keys, shapes and conventions). */
    private static boolean loads(ModelSpec spec, WeightFile f) {
        try {
            WeightConventions.check(spec, shape(f).naming(), f.metadata(), f.describe());
            NameMapping mapping = NameMapping.of(EfficientNet.create(spec));
            Shape s = shape(f);
            Set<String> keys = new LinkedHashSet<>();
            for (String k : f.names()) if (!Naming.isBookkeeping(k)) keys.add(k);
            if (keys.size() != mapping.entries().size()) return false;
            for (NameMapping.Entry e : mapping.entries()) {
                String k = s.prefix() + e.name(s.naming());
                if (!keys.contains(k) || !java.util.Arrays.equals(f.shape(k), e.shape(s.naming()))) return false;
            }
            return true;
        } catch (IncompatibleWeightsException e) {
            return false;
        }
    }
}
