package dev.efficientnet.models.weights;

import dev.efficientnet.core.backend.Backend;
import dev.efficientnet.core.io.Safetensors;
import dev.efficientnet.core.tensor.DType;
import dev.efficientnet.core.tensor.MemoryScope;
import dev.efficientnet.core.tensor.Tensor;
import dev.efficientnet.models.EfficientNet;
import dev.efficientnet.models.spec.ModelSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Loads checkpoints into an {@link EfficientNet} and exports it, in any {@link Naming}.
 *
 * <p><b>Loading</b> detects the naming from the keys (timm, torchvision or native, optionally
 * under a common prefix such as {@code module.}), ignores bookkeeping entries such as
 * {@code num_batches_tracked}, and checks every key and shape before writing anything: a mismatch
 * fails with one {@link WeightLoadException} listing all problems and leaves the model untouched.
 * PyTorch layouts are converted once, at load time.
 *
 * <pre>{@code
 * EfficientNet model = EfficientNet.create(Presets.get("tf_efficientnet_b0"));
 * Weights.load(model, Path.of("model.safetensors"));          // timm or torchvision or native
 * Weights.save(model, Path.of("out.safetensors"), Naming.TIMM); // loadable by timm
 * }</pre>
 *
 * <p><b>Exporting</b> writes the model's parameters and BN running statistics (no
 * {@code num_batches_tracked}; PyTorch fills it in) in the chosen naming, converting convolution
 * weights to PyTorch's {@code [out, in/groups, kH, kW]} for timm and torchvision. A load followed by
 * an export in the same naming reproduces the checkpoint's tensors bit for bit.
 */
public final class Weights {
    private static final Logger LOG = LoggerFactory.getLogger(Weights.class);

    private Weights() {
    }

    // ---- loading ------------------------------------------------------------------------------

    /** Loads a weights file (safetensors or PyTorch .pth/.pt) strictly ({@link LoadOptions#STRICT}). */
    public static LoadResult load(EfficientNet model, Path file) throws IOException {
        return load(model, file, LoadOptions.STRICT);
    }

    /**
     * Loads a weights file, safetensors or PyTorch {@code .pth}/{@code .pt} (detected from its first
     * bytes, see {@link WeightFile}); tensors are read only after every key and shape was checked.
     */
    public static LoadResult load(EfficientNet model, Path file, LoadOptions options) throws IOException {
        if (file == null) throw new IllegalArgumentException("file is null");
        try (WeightFile f = WeightFile.open(file)) {
            return load(model, f, options);
        }
    }

    /** Loads weights read from {@code in} (safetensors or PyTorch; not closed); {@code name} is for messages. */
    public static LoadResult load(EfficientNet model, InputStream in, String name, LoadOptions options) throws IOException {
        try (WeightFile f = WeightFile.open(in, name)) {
            return load(model, f, options);
        }
    }

    /** Loads weights from classpath resource {@code resource} (safetensors or PyTorch). */
    public static LoadResult loadResource(EfficientNet model, String resource, LoadOptions options) throws IOException {
        try (WeightFile f = WeightFile.openResource(resource)) {
            return load(model, f, options);
        }
    }

    /** Loads an opened {@link WeightFile} (left open). */
    public static LoadResult load(EfficientNet model, WeightFile f, LoadOptions options) throws IOException {
        if (f == null) throw new IllegalArgumentException("weight file is null");
        return load(model, new Source() {
            @Override
            public List<String> keys() {
                return f.names();
            }

            @Override
            public int[] shape(String key) {
                return f.shape(key);
            }

            @Override
            public float[] floats(String key) throws IOException {
                return f.floats(key);
            }

            @Override
            public String describe() {
                return f.describe();
            }

            @Override
            public Map<String, String> metadata() {
                return f.metadata();
            }
        }, options);
    }

    /** Loads a map of tensors strictly. */
    public static LoadResult load(EfficientNet model, Map<String, Tensor> state) {
        return load(model, state, LoadOptions.STRICT);
    }

    /** Loads a map of tensors (any naming, PyTorch layouts for timm/torchvision). */
    public static LoadResult load(EfficientNet model, Map<String, Tensor> state, LoadOptions options) {
        if (state == null) throw new IllegalArgumentException("state is null");
        for (Map.Entry<String, Tensor> e : state.entrySet())
            if (e.getValue() == null) throw new IllegalArgumentException("state: tensor '" + e.getKey() + "' is null");
        try {
            return load(model, new Source() {
                @Override
                public List<String> keys() {
                    return new ArrayList<>(state.keySet());
                }

                @Override
                public int[] shape(String key) {
                    return state.get(key).shape();
                }

                @Override
                public float[] floats(String key) {
                    return state.get(key).toFloatArray();
                }

                @Override
                public String describe() {
                    return "map";
                }
            }, options);
        } catch (IOException e) {
            throw new IllegalStateException("unreachable: a map cannot fail to read", e);
        }
    }

    private interface Source {
        List<String> keys();

        int[] shape(String key);

        float[] floats(String key) throws IOException;

        String describe();

        default Map<String, String> metadata() {
            return Map.of();
        }
    }

    private static LoadResult load(EfficientNet model, Source src, LoadOptions options) throws IOException {
        if (model == null) throw new IllegalArgumentException("model is null");
        if (options == null) throw new IllegalArgumentException("options is null");
        long t0 = System.nanoTime();
        List<String> keys = src.keys();
        List<String> ignored = new ArrayList<>();
        Set<String> live = new LinkedHashSet<>();
        for (String k : keys) {
            if (k == null) throw new IllegalArgumentException(src.describe() + ": null key");
            if (Naming.isBookkeeping(k)) ignored.add(k);
            else live.add(k);
        }
        Naming.Detected detected;
        try {
            detected = Naming.detect(live);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(src.describe() + ": " + e.getMessage(), e);
        }
        Naming naming = detected.naming();
        String prefix = detected.prefix();
        NameMapping mapping = NameMapping.of(model);

        List<String> missing = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        List<String> mismatched = new ArrayList<>();
        List<NameMapping.Entry> present = new ArrayList<>();
        for (NameMapping.Entry e : mapping.entries()) {
            if (options.skipClassifier() && e.classifier()) continue;
            String key = prefix + e.name(naming);
            if (!live.contains(key)) {
                missing.add(key);
                continue;
            }
            int[] have = src.shape(key);
            int[] want = e.shape(naming);
            if (!Arrays.equals(have, want))
                mismatched.add(key + ": checkpoint " + Arrays.toString(have) + " vs model " + Arrays.toString(want));
            else present.add(e);
        }
        List<String> skipped = new ArrayList<>();
        for (String k : live) {
            NameMapping.Entry e = mapping.find(naming, k.substring(prefix.length()));
            if (e == null) unexpected.add(k);
            else if (options.skipClassifier() && e.classifier()) skipped.add(k);
        }
        if (!mismatched.isEmpty() || (options.strict() && (!missing.isEmpty() || !unexpected.isEmpty())))
            throw new WeightLoadException(src.describe(), naming, missing, unexpected, mismatched);
        // the structure fits: now make sure the weights' source computes like the model (padding, BN eps)
        if (options.checkConventions())
            WeightConventions.check(model.spec(), naming, src.metadata() == null ? Map.of() : src.metadata(), src.describe());

        // read and convert everything before writing, so a read error cannot leave a half-loaded model
        Map<String, Tensor> state = model.stateDict();
        List<float[]> staged = new ArrayList<>(present.size());
        for (NameMapping.Entry e : present) {
            String key = prefix + e.name(naming);
            float[] data = src.floats(key);
            staged.add(naming.pytorchLayout() ? e.layout().toNative(data, src.shape(key)) : data);
        }
        for (int i = 0; i < present.size(); i++) write(state.get(present.get(i).nativeName()), staged.get(i));
        unexpected.addAll(skipped);
        LOG.info("loaded {} tensors ({} naming{}) from {} into {} in {} ms{}", present.size(), naming.id(),
                prefix.isEmpty() ? "" : ", prefix '" + prefix + "'", src.describe(), model.spec().name(),
                (System.nanoTime() - t0) / 1_000_000,
                missing.isEmpty() && unexpected.isEmpty() ? "" : "; missing " + missing + ", unused " + unexpected);
        return new LoadResult(naming, prefix, present.size(), missing, unexpected, ignored);
    }

    private static void write(Tensor target, float[] data) {
        if (target.dtype() == DType.FLOAT32) {
            Backend.current().write(target.storage(), data);
        } else {
            double[] d = new double[data.length];
            for (int i = 0; i < d.length; i++) d[i] = data[i];
            Backend.current().write(target.storage(), d);
        }
    }

    // ---- export -------------------------------------------------------------------------------

    /**
     * The model's parameters and BN running statistics in {@code naming}, PyTorch layouts for timm
     * and torchvision, as new float32 tensors (long-lived, outside any open memory scope), in
     * state-dict order.
     */
    public static Map<String, Tensor> export(EfficientNet model, Naming naming) {
        if (model == null || naming == null) throw new IllegalArgumentException("model and naming are required");
        NameMapping mapping = NameMapping.of(model);
        Map<String, Tensor> state = model.stateDict();
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (NameMapping.Entry e : mapping.entries()) {
            float[] data = state.get(e.nativeName()).toFloatArray();
            int[] shape = e.shape(naming);
            float[] converted = naming.pytorchLayout() ? e.layout().toTorch(data, e.nativeShape()) : data;
            out.put(e.name(naming), MemoryScope.outside(() -> Tensor.of(converted, shape)));
        }
        return out;
    }

    /**
     * Writes the model as a safetensors file in {@code naming} (see {@link #export}), atomically.
     * The metadata records {@code format=pt}, the naming and the model's preset, multipliers and
     * class count.
     */
    public static void save(EfficientNet model, Path file, Naming naming) throws IOException {
        if (file == null) throw new IllegalArgumentException("file is null");
        Map<String, Tensor> tensors = export(model, naming);
        Safetensors.write(file, tensors, metadata(model.spec(), naming));
        LOG.info("saved {} tensors of {} to {} ({} naming)", tensors.size(), model.spec().name(), file, naming.id());
    }

    /** The metadata {@link #save} writes. */
    public static Map<String, String> metadata(ModelSpec spec, Naming naming) {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("naming", naming.id());
        meta.put("preset", spec.name());
        meta.put("width_mult", Double.toString(spec.widthMult()));
        meta.put("depth_mult", Double.toString(spec.depthMult()));
        meta.put("num_classes", Integer.toString(spec.numClasses()));
        meta.put("in_channels", Integer.toString(spec.inChannels()));
        meta.put(WeightConventions.PADDING, spec.padding().name());
        meta.put(WeightConventions.BN_EPS, Double.toString(spec.bnEps()));
        meta.put(WeightConventions.ACTIVATION, spec.activation().name());
        return meta;
    }
}
