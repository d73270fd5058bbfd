package dev.efficientnet.models.spec;

import dev.efficientnet.core.io.AtomicFiles;
import dev.efficientnet.core.io.Json;
import dev.efficientnet.core.io.JsonException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A JSON file of complete model specs ("presets"), e.g. the family a {@code scale-search} writes;
 * {@code train}, {@code summary} and {@code bench} read it with {@code --preset-file} and
 * {@link #register} makes its entries usable by name everywhere a preset name is.
 *
 * <p>Layout: {@code {"presets": [ {...}, ... ]}}; each entry holds every field of a
 * {@link ModelSpec}: {@code name}, {@code family} ({@code EFFICIENTNET_V1}/{@code _V2}),
 * {@code stem}, {@code blocks} (the unscaled stage table as timm block strings, see
 * {@link BlockStrings#formatTimm(StageSpec)}), {@code head_rule}, {@code head_channels},
 * {@code divisor}, {@code round_limit} (and, only when true, {@code fixed_stem} and
 * {@code fixed_first_last_repeats}: EfficientNet-Lite), {@code width_mult}, {@code depth_mult},
 * {@code num_classes}, {@code in_channels}, {@code padding}, {@code bn_eps}, {@code bn_momentum},
 * {@code activation}, {@code dropout}, {@code drop_path}, {@code train_resolution},
 * {@code eval_resolution} and {@code preprocessing} ({@code mean}, {@code std}, {@code crop},
 * {@code interpolation}). Other keys (e.g. {@code params}, {@code macs}, {@code alpha}, {@code phi})
 * are informational and ignored on reading. {@code read(write(x)) == x} for every spec.
 */
public final class PresetFile {
    private PresetFile() {
    }

    /** The JSON object of one spec (all fields, in the documented order). */
    public static Map<String, Object> toJson(ModelSpec s) {
        Architecture a = s.architecture();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", s.name());
        m.put("family", a.family().name());
        m.put("stem", a.stemChannels());
        m.put("blocks", new ArrayList<Object>(BlockStrings.formatTimm(a.stages())));
        m.put("head_rule", a.headRule().name());
        m.put("head_channels", a.headChannels());
        m.put("divisor", a.divisor());
        m.put("round_limit", a.roundLimit());
        if (a.fixedStem()) m.put("fixed_stem", true);
        if (a.fixedFirstLastRepeats()) m.put("fixed_first_last_repeats", true);
        m.put("width_mult", s.widthMult());
        m.put("depth_mult", s.depthMult());
        m.put("num_classes", s.numClasses());
        m.put("in_channels", s.inChannels());
        m.put("padding", s.padding().name());
        m.put("bn_eps", s.bnEps());
        m.put("bn_momentum", s.bnMomentum());
        m.put("activation", s.activation().name());
        m.put("dropout", s.dropoutRate());
        m.put("drop_path", s.dropPathRate());
        m.put("train_resolution", s.trainResolution());
        m.put("eval_resolution", s.evalResolution());
        Preprocessing p = s.preprocessing();
        Map<String, Object> pm = new LinkedHashMap<>();
        pm.put("mean", new ArrayList<Object>(p.mean()));
        pm.put("std", new ArrayList<Object>(p.std()));
        pm.put("crop", p.cropFraction());
        pm.put("interpolation", p.interpolation().name());
        m.put("preprocessing", pm);
        return m;
    }

    /**
     * The spec of one JSON object written by {@link #toJson}.
     *
     * @throws IllegalArgumentException naming the entry and the missing or bad key
     */
    @SuppressWarnings("unchecked")
    public static ModelSpec fromJson(Map<String, Object> m) {
        String name = str(m, "name", "?");
        try {
            ModelFamily family = enumValue(ModelFamily.class, m, "family", name);
            int stem = integer(m, "stem", name);
            Object blocksValue = get(m, "blocks", name);
            if (!(blocksValue instanceof List<?> list) || list.isEmpty()) {
                throw new IllegalArgumentException("preset '" + name + "': 'blocks' must be a non-empty list of block strings");
            }
            List<String> blocks = new ArrayList<>();
            for (Object o : list) {
                if (!(o instanceof String b)) {
                    throw new IllegalArgumentException("preset '" + name + "': 'blocks' must hold strings, got " + o);
                }
                blocks.add(b);
            }
            Architecture arch = new Architecture(family, stem, BlockStrings.parseTimm(blocks, stem),
                    enumValue(HeadRule.class, m, "head_rule", name), integer(m, "head_channels", name),
                    integer(m, "divisor", name), dbl(m, "round_limit", name))
                    .withFixedStemAndEnds(Boolean.TRUE.equals(m.get("fixed_stem")),
                            Boolean.TRUE.equals(m.get("fixed_first_last_repeats")));
            Object pv = get(m, "preprocessing", name);
            if (!(pv instanceof Map<?, ?>)) {
                throw new IllegalArgumentException("preset '" + name + "': 'preprocessing' must be an object");
            }
            Map<String, Object> pm = (Map<String, Object>) pv;
            Preprocessing pre = new Preprocessing(doubles(pm, "mean", name), doubles(pm, "std", name),
                    dbl(pm, "crop", name), enumValue(Interpolation.class, pm, "interpolation", name));
            return new ModelSpec(name, arch, dbl(m, "width_mult", name), dbl(m, "depth_mult", name),
                    integer(m, "num_classes", name), integer(m, "in_channels", name),
                    enumValue(Padding.class, m, "padding", name), dbl(m, "bn_eps", name), dbl(m, "bn_momentum", name),
                    enumValue(Activation.class, m, "activation", name), dbl(m, "dropout", name),
                    dbl(m, "drop_path", name), integer(m, "train_resolution", name),
                    integer(m, "eval_resolution", name), pre);
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("preset '")) throw e;
            throw new IllegalArgumentException("preset '" + name + "': " + e.getMessage(), e);
        }
    }

    /** The document of {@code specs}, each entry followed by its {@code extra} keys (by name; may be empty). */
    public static Map<String, Object> document(List<ModelSpec> specs, Map<String, Map<String, Object>> extra) {
        List<Object> list = new ArrayList<>();
        for (ModelSpec s : specs) {
            Map<String, Object> m = toJson(s);
            Map<String, Object> x = extra == null ? null : extra.get(s.name());
            if (x != null) {
                for (Map.Entry<String, Object> e : x.entrySet()) m.putIfAbsent(e.getKey(), e.getValue());
            }
            list.add(m);
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("presets", list);
        return doc;
    }

    /** Writes {@link #document} atomically (pretty JSON). */
    public static void write(Path file, List<ModelSpec> specs, Map<String, Map<String, Object>> extra) throws IOException {
        AtomicFiles.writeString(file, Json.writePretty(document(specs, extra)) + "\n");
    }

    /**
     * Reads every spec of a preset file.
     *
     * @throws IOException              when the file cannot be read
     * @throws IllegalArgumentException for bad JSON, a bad entry or a repeated name (the message names the file)
     */
    @SuppressWarnings("unchecked")
    public static List<ModelSpec> read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new NoSuchFileException(file.toString(), null, "no such preset file");
        Object doc;
        try {
            doc = Json.read(file);
        } catch (JsonException e) {
            throw new IllegalArgumentException(file + ": not valid JSON: " + e.getMessage(), e);
        }
        if (!(doc instanceof Map<?, ?> map) || !(map.get("presets") instanceof List<?> list)) {
            throw new IllegalArgumentException(file + ": expected an object with a \"presets\" list");
        }
        List<ModelSpec> out = new ArrayList<>();
        Set<String> names = new LinkedHashSet<>();
        for (Object o : list) {
            if (!(o instanceof Map<?, ?>)) throw new IllegalArgumentException(file + ": every preset must be an object");
            ModelSpec s;
            try {
                s = fromJson((Map<String, Object>) o);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
            }
            if (!names.add(s.name())) throw new IllegalArgumentException(file + ": preset '" + s.name() + "' appears twice");
            out.add(s);
        }
        if (out.isEmpty()) throw new IllegalArgumentException(file + ": the \"presets\" list is empty");
        return List.copyOf(out);
    }

    /** Reads {@code file} and {@link Presets#register registers} every entry; returns the names. */
    public static List<String> register(Path file) throws IOException {
        List<ModelSpec> specs = read(file);
        List<String> names = new ArrayList<>();
        for (ModelSpec s : specs) {
            if (Presets.contains(s.name()) && !Presets.isUserPreset(s.name())) {
                throw new IllegalArgumentException(file + ": preset '" + s.name() + "' would redefine a built-in preset");
            }
        }
        for (ModelSpec s : specs) {
            Presets.register(s);
            names.add(s.name());
        }
        return List.copyOf(names);
    }

    // ------------------------------------------------------------------ helpers

    private static Object get(Map<String, Object> m, String key, String name) {
        Object v = m.get(key);
        if (v == null) throw new IllegalArgumentException("preset '" + name + "' has no '" + key + "'");
        return v;
    }

    private static String str(Map<String, Object> m, String key, String name) {
        Object v = get(m, key, name);
        if (!(v instanceof String s)) throw new IllegalArgumentException("preset '" + name + "': '" + key + "' must be a string");
        return s;
    }

    private static int integer(Map<String, Object> m, String key, String name) {
        Object v = get(m, key, name);
        if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
            throw new IllegalArgumentException("preset '" + name + "': '" + key + "' must be an integer, got " + v);
        }
        return n.intValue();
    }

    private static double dbl(Map<String, Object> m, String key, String name) {
        Object v = get(m, key, name);
        if (!(v instanceof Number n)) throw new IllegalArgumentException("preset '" + name + "': '" + key + "' must be a number, got " + v);
        return n.doubleValue();
    }

    private static List<Double> doubles(Map<String, Object> m, String key, String name) {
        Object v = get(m, key, name);
        if (!(v instanceof List<?> list)) throw new IllegalArgumentException("preset '" + name + "': '" + key + "' must be a list");
        List<Double> out = new ArrayList<>();
        for (Object o : list) {
            if (!(o instanceof Number n)) throw new IllegalArgumentException("preset '" + name + "': '" + key + "' must hold numbers");
            out.add(n.doubleValue());
        }
        return out;
    }

    private static <E extends Enum<E>> E enumValue(Class<E> type, Map<String, Object> m, String key, String name) {
        String v = str(m, key, name);
        try {
            return Enum.valueOf(type, v.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            List<String> ok = new ArrayList<>();
            for (E c : type.getEnumConstants()) ok.add(c.name());
            throw new IllegalArgumentException("preset '" + name + "': '" + key + "' is '" + v + "', expected one of " + ok);
        }
    }
}
