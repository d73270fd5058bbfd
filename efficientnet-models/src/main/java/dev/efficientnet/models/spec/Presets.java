package dev.efficientnet.models.spec;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The named EfficientNet models, in two conventions.
 *
 * <p><b>PyTorch-native</b> ({@code efficientnet_b0..b7}, {@code efficientnet_v2_s/m/l}), as
 * torchvision builds them: symmetric padding; BN eps 1e-5 / momentum 0.1 for B0&ndash;B4,
 * eps 1e-3 / momentum 0.01 for B5&ndash;B7, eps 1e-3 / momentum 0.1 for V2; V1 head = 4 &times;
 * last stage; V2 head fixed at 1280. torchvision has no width/depth API for V2: overrides scale
 * every stage with its {@code adjust_channels} (10% rule) and keep the 1280 head.
 *
 * <p><b>TF-compatible</b> ({@code tf_efficientnet_b0..b7}, {@code tf_efficientnetv2_b0..b3},
 * {@code tf_efficientnetv2_s/m/l/xl}), as timm's {@code tf_} models, which load Google's
 * checkpoints: TF {@code SAME} padding, BN eps 1e-3. BN momentum: 0.01 for V1 (TF decay 0.99 in
 * PyTorch convention) and 0.1 for V2 (automl/Keras V2 use decay 0.9). Heads and rounding follow
 * timm: V1 and V2-S head {@code round_filters(1280)}, V2-M/L/XL head fixed 1280, 10% rule
 * everywhere except V2-B0..B3 (round limit 0).
 *
 * <p><b>timm's PyTorch-native B5&ndash;B7</b> ({@code timm_efficientnet_b5..b7}): timm's
 * {@code efficientnet_b5..b7} share torchvision's structure and padding but keep BN eps 1e-5, so
 * their weights need their own presets (timm's {@code efficientnet_b0..b4} equal torchvision's
 * presets of the same name).
 *
 * <p>At the preset multipliers both conventions have identical structure and parameter counts.
 * Every preset accepts width/depth overrides ({@link #get(String, double, double, int)}), which
 * replace the preset's own multipliers; the base table, head rule and rounding stay those of the
 * preset's source.
 */
public final class Presets {
    private static final double DROP_PATH = 0.2;
    private static final double TF_BN_EPS = 1e-3;
    private static final double TF_V1_BN_MOMENTUM = 0.01;
    private static final double TF_V2_BN_MOMENTUM = 0.1;

    /** torchvision V1: 10% rule, head 4 x last stage. */
    private static final Architecture TV_V1 = new Architecture(ModelFamily.EFFICIENTNET_V1, 32,
            StageTables.EFFICIENTNET_B0, HeadRule.FOUR_X_LAST_STAGE, 1280, 8, Scaling.V1_ROUND_LIMIT);
    /** timm V1: 10% rule, head round_filters(1280). */
    private static final Architecture TIMM_V1 = new Architecture(ModelFamily.EFFICIENTNET_V1, 32,
            StageTables.EFFICIENTNET_B0, HeadRule.SCALED, 1280, 8, Scaling.V1_ROUND_LIMIT);

    private Presets() {
    }

    private static final Map<String, Supplier<ModelSpec>> PRESETS = new LinkedHashMap<>();
    /** User presets ({@link #register}), e.g. read from a {@link PresetFile}; after the built-in ones. */
    private static final Map<String, ModelSpec> USER = new ConcurrentHashMap<>();

    static {
        PRESETS.put("efficientnet_b0", Presets::efficientnetB0);
        PRESETS.put("efficientnet_b1", Presets::efficientnetB1);
        PRESETS.put("efficientnet_b2", Presets::efficientnetB2);
        PRESETS.put("efficientnet_b3", Presets::efficientnetB3);
        PRESETS.put("efficientnet_b4", Presets::efficientnetB4);
        PRESETS.put("efficientnet_b5", Presets::efficientnetB5);
        PRESETS.put("efficientnet_b6", Presets::efficientnetB6);
        PRESETS.put("efficientnet_b7", Presets::efficientnetB7);
        PRESETS.put("efficientnet_v2_s", Presets::efficientnetV2S);
        PRESETS.put("efficientnet_v2_m", Presets::efficientnetV2M);
        PRESETS.put("efficientnet_v2_l", Presets::efficientnetV2L);
        PRESETS.put("tf_efficientnet_b0", Presets::tfEfficientnetB0);
        PRESETS.put("tf_efficientnet_b1", Presets::tfEfficientnetB1);
        PRESETS.put("tf_efficientnet_b2", Presets::tfEfficientnetB2);
        PRESETS.put("tf_efficientnet_b3", Presets::tfEfficientnetB3);
        PRESETS.put("tf_efficientnet_b4", Presets::tfEfficientnetB4);
        PRESETS.put("tf_efficientnet_b5", Presets::tfEfficientnetB5);
        PRESETS.put("tf_efficientnet_b6", Presets::tfEfficientnetB6);
        PRESETS.put("tf_efficientnet_b7", Presets::tfEfficientnetB7);
        PRESETS.put("tf_efficientnetv2_b0", Presets::tfEfficientnetV2B0);
        PRESETS.put("tf_efficientnetv2_b1", Presets::tfEfficientnetV2B1);
        PRESETS.put("tf_efficientnetv2_b2", Presets::tfEfficientnetV2B2);
        PRESETS.put("tf_efficientnetv2_b3", Presets::tfEfficientnetV2B3);
        PRESETS.put("tf_efficientnetv2_s", Presets::tfEfficientnetV2S);
        PRESETS.put("tf_efficientnetv2_m", Presets::tfEfficientnetV2M);
        PRESETS.put("tf_efficientnetv2_l", Presets::tfEfficientnetV2L);
        PRESETS.put("tf_efficientnetv2_xl", Presets::tfEfficientnetV2Xl);
        PRESETS.put("timm_efficientnet_b5", Presets::timmEfficientnetB5);
        PRESETS.put("timm_efficientnet_b6", Presets::timmEfficientnetB6);
        PRESETS.put("timm_efficientnet_b7", Presets::timmEfficientnetB7);
        PRESETS.put("tf_efficientnet_lite0", Presets::tfEfficientnetLite0);
        PRESETS.put("tf_efficientnet_lite1", Presets::tfEfficientnetLite1);
        PRESETS.put("tf_efficientnet_lite2", Presets::tfEfficientnetLite2);
        PRESETS.put("tf_efficientnet_lite3", Presets::tfEfficientnetLite3);
        PRESETS.put("tf_efficientnet_lite4", Presets::tfEfficientnetLite4);
        PRESETS.put("efficientnet_lite0", Presets::efficientnetLite0);
        PRESETS.put("efficientnet_lite1", Presets::efficientnetLite1);
        PRESETS.put("efficientnet_lite2", Presets::efficientnetLite2);
        PRESETS.put("efficientnet_lite3", Presets::efficientnetLite3);
        PRESETS.put("efficientnet_lite4", Presets::efficientnetLite4);
        PRESETS.put("tf_efficientnet_es", Presets::tfEfficientnetEs);
        PRESETS.put("tf_efficientnet_em", Presets::tfEfficientnetEm);
        PRESETS.put("tf_efficientnet_el", Presets::tfEfficientnetEl);
        PRESETS.put("efficientnet_es", Presets::efficientnetEs);
        PRESETS.put("efficientnet_em", Presets::efficientnetEm);
        PRESETS.put("efficientnet_el", Presets::efficientnetEl);
    }

    /** All preset names, PyTorch-native first, in a stable order. */
    public static List<String> names() {
        if (USER.isEmpty()) return List.copyOf(PRESETS.keySet());
        List<String> all = new java.util.ArrayList<>(PRESETS.keySet());
        all.addAll(new java.util.TreeSet<>(USER.keySet()));
        return List.copyOf(all);
    }

    /** True when {@code name} is a preset. */
    public static boolean contains(String name) {
        return PRESETS.containsKey(name) || name != null && USER.containsKey(name);
    }

    /**
     * The preset name {@code name} stands for, or null: the name itself, else (as the CLI accepts)
     * trimmed, in lower case, with {@code -} and spaces for {@code _}, and without a timm
     * pretrained tag ({@code tf_efficientnet_b0.ns_jft_in1k} &rarr; {@code tf_efficientnet_b0}).
     * User presets match exactly or after the same normalisation.
     */
    public static String canonicalName(String name) {
        if (name == null) return null;
        if (contains(name)) return name;
        String n = name.trim().toLowerCase(Locale.ROOT).replace('-', '_').replace(' ', '_');
        if (contains(n)) return n;
        int dot = n.indexOf('.');
        if (dot > 0 && contains(n.substring(0, dot))) return n.substring(0, dot);
        for (String u : USER.keySet())
            if (u.toLowerCase(Locale.ROOT).replace('-', '_').equals(n)) return u;
        return null;
    }

    /**
     * The preset called {@code name}, by exact name or any spelling {@link #canonicalName} accepts
     * ({@code EfficientNet-B0}, {@code TF_EFFICIENTNET_LITE0}, {@code efficientnet_b0.ra_in1k}).
     *
     * @throws IllegalArgumentException for an unknown name; the message lists all known names
     */
    public static ModelSpec get(String name) {
        if (name != null && !contains(name)) {
            String c = canonicalName(name);
            if (c != null) name = c;
        }
        Supplier<ModelSpec> s = name == null ? null : PRESETS.get(name);
        if (s == null) {
            ModelSpec user = name == null ? null : USER.get(name);
            if (user != null) return user;
            throw new IllegalArgumentException("Unknown EfficientNet preset '" + name + "'. Known presets: "
                    + String.join(", ", names()));
        }
        return s.get();
    }

    /**
     * Registers a user preset under {@code spec.name()} (process-wide; a later registration of the
     * same name replaces it). Built-in names cannot be replaced.
     *
     * @throws IllegalArgumentException when the name is a built-in preset
     */
    public static void register(ModelSpec spec) {
        if (PRESETS.containsKey(spec.name())) {
            throw new IllegalArgumentException("'" + spec.name() + "' is a built-in preset and cannot be redefined");
        }
        USER.put(spec.name(), spec);
    }

    /** True when {@code name} is a user preset ({@link #register}). */
    public static boolean isUserPreset(String name) {
        return name != null && USER.containsKey(name);
    }

    /** The preset with its width/depth multipliers replaced and another class count. */
    public static ModelSpec get(String name, double widthMult, double depthMult, int numClasses) {
        return get(name).withWidthDepth(widthMult, depthMult).withNumClasses(numClasses);
    }

    // ------------------------------------------------------------------ PyTorch-native V1

    /** torchvision EfficientNet-B0: w1.0 d1.0, 224 px, dropout 0.2. */
    public static ModelSpec efficientnetB0() {
        return torchvisionV1("efficientnet_b0", 1.0, 1.0, 224, 0.2, 0.875, false);
    }

    /** torchvision EfficientNet-B1: w1.0 d1.1, 240 px, dropout 0.2. */
    public static ModelSpec efficientnetB1() {
        return torchvisionV1("efficientnet_b1", 1.0, 1.1, 240, 0.2, 0.882, false);
    }

    /** torchvision EfficientNet-B2: w1.1 d1.2, 260 px, dropout 0.3. */
    public static ModelSpec efficientnetB2() {
        return torchvisionV1("efficientnet_b2", 1.1, 1.2, 260, 0.3, 0.890, false);
    }

    /** torchvision EfficientNet-B3: w1.2 d1.4, 300 px, dropout 0.3. */
    public static ModelSpec efficientnetB3() {
        return torchvisionV1("efficientnet_b3", 1.2, 1.4, 300, 0.3, 0.904, false);
    }

    /** torchvision EfficientNet-B4: w1.4 d1.8, 380 px, dropout 0.4. */
    public static ModelSpec efficientnetB4() {
        return torchvisionV1("efficientnet_b4", 1.4, 1.8, 380, 0.4, 0.922, false);
    }

    /** torchvision EfficientNet-B5: w1.6 d2.2, 456 px, dropout 0.4, BN eps 1e-3 momentum 0.01. */
    public static ModelSpec efficientnetB5() {
        return torchvisionV1("efficientnet_b5", 1.6, 2.2, 456, 0.4, 0.934, true);
    }

    /** torchvision EfficientNet-B6: w1.8 d2.6, 528 px, dropout 0.5, BN eps 1e-3 momentum 0.01. */
    public static ModelSpec efficientnetB6() {
        return torchvisionV1("efficientnet_b6", 1.8, 2.6, 528, 0.5, 0.942, true);
    }

    /** torchvision EfficientNet-B7: w2.0 d3.1, 600 px, dropout 0.5, BN eps 1e-3 momentum 0.01. */
    public static ModelSpec efficientnetB7() {
        return torchvisionV1("efficientnet_b7", 2.0, 3.1, 600, 0.5, 0.949, true);
    }

    // ------------------------------------------------------------------ timm's PyTorch-native B5-B7

    /**
     * timm's PyTorch-native {@code efficientnet_b5} (weights {@code efficientnet_b5.sw_in12k_ft_in1k}):
     * the structure of {@link #efficientnetB5()} but BN eps 1e-5 / momentum 0.1 (timm's default;
     * torchvision's B5 uses 1e-3). Eval 448 px, crop 1.0, bicubic, as that checkpoint.
     */
    public static ModelSpec timmEfficientnetB5() {
        return timmV1("timm_efficientnet_b5", 1.6, 2.2, 448, 0.4, 1.0);
    }

    /** timm's PyTorch-native {@code efficientnet_b6} (timm publishes no weights): BN eps 1e-5, 528 px. */
    public static ModelSpec timmEfficientnetB6() {
        return timmV1("timm_efficientnet_b6", 1.8, 2.6, 528, 0.5, 0.942);
    }

    /** timm's PyTorch-native {@code efficientnet_b7} (timm publishes no weights): BN eps 1e-5, 600 px. */
    public static ModelSpec timmEfficientnetB7() {
        return timmV1("timm_efficientnet_b7", 2.0, 3.1, 600, 0.5, 0.949);
    }

    // ------------------------------------------------------------------ EfficientNet-Lite

    /** timm tf_efficientnet_lite0 (TF weights): w1.0 d1.0, 224 px, dropout 0.2, ReLU6, no SE, mean/std 0.5. */
    public static ModelSpec tfEfficientnetLite0() {
        return lite("tf_efficientnet_lite0", true, 1.0, 1.0, 224, 0.2, 0.875);
    }

    /** timm tf_efficientnet_lite1: w1.0 d1.1, 240 px, dropout 0.2, crop 0.882. */
    public static ModelSpec tfEfficientnetLite1() {
        return lite("tf_efficientnet_lite1", true, 1.0, 1.1, 240, 0.2, 0.882);
    }

    /** timm tf_efficientnet_lite2: w1.1 d1.2, 260 px, dropout 0.3, crop 0.890. */
    public static ModelSpec tfEfficientnetLite2() {
        return lite("tf_efficientnet_lite2", true, 1.1, 1.2, 260, 0.3, 0.890);
    }

    /** timm tf_efficientnet_lite3: w1.2 d1.4, 300 px, dropout 0.3, crop 0.904, bilinear. */
    public static ModelSpec tfEfficientnetLite3() {
        return lite("tf_efficientnet_lite3", true, 1.2, 1.4, 300, 0.3, 0.904)
                .withPreprocessing(Preprocessing.half(0.904, Interpolation.BILINEAR));
    }

    /** timm tf_efficientnet_lite4: w1.4 d1.8, 380 px, dropout 0.3, crop 0.920, bilinear. */
    public static ModelSpec tfEfficientnetLite4() {
        return lite("tf_efficientnet_lite4", true, 1.4, 1.8, 380, 0.3, 0.920)
                .withPreprocessing(Preprocessing.half(0.920, Interpolation.BILINEAR));
    }

    /** timm efficientnet_lite0 (PyTorch-trained): symmetric padding, BN eps 1e-5, ImageNet mean/std. */
    public static ModelSpec efficientnetLite0() {
        return lite("efficientnet_lite0", false, 1.0, 1.0, 224, 0.2, 0.875);
    }

    /** timm efficientnet_lite1 (no published weights): w1.0 d1.1, 240 px. */
    public static ModelSpec efficientnetLite1() {
        return lite("efficientnet_lite1", false, 1.0, 1.1, 240, 0.2, 0.882);
    }

    /** timm efficientnet_lite2 (no published weights): w1.1 d1.2, 260 px. */
    public static ModelSpec efficientnetLite2() {
        return lite("efficientnet_lite2", false, 1.1, 1.2, 260, 0.3, 0.890);
    }

    /** timm efficientnet_lite3 (no published weights): w1.2 d1.4, 300 px. */
    public static ModelSpec efficientnetLite3() {
        return lite("efficientnet_lite3", false, 1.2, 1.4, 300, 0.3, 0.904);
    }

    /** timm efficientnet_lite4 (no published weights): w1.4 d1.8, 380 px. */
    public static ModelSpec efficientnetLite4() {
        return lite("efficientnet_lite4", false, 1.4, 1.8, 380, 0.3, 0.922);
    }

    // ------------------------------------------------------------------ EfficientNet-EdgeTPU

    /** timm tf_efficientnet_es (TF weights): EdgeTPU-S, w1.0 d1.0, 224 px, ReLU, mean/std 0.5. */
    public static ModelSpec tfEfficientnetEs() {
        return edge("tf_efficientnet_es", true, 1.0, 1.0, 224, 0.875);
    }

    /** timm tf_efficientnet_em: EdgeTPU-M, w1.0 d1.1, 240 px, crop 0.882. */
    public static ModelSpec tfEfficientnetEm() {
        return edge("tf_efficientnet_em", true, 1.0, 1.1, 240, 0.882);
    }

    /** timm tf_efficientnet_el: EdgeTPU-L, w1.2 d1.4, 300 px, crop 0.904. */
    public static ModelSpec tfEfficientnetEl() {
        return edge("tf_efficientnet_el", true, 1.2, 1.4, 300, 0.904);
    }

    /** timm efficientnet_es (PyTorch-trained): symmetric padding, BN eps 1e-5, ImageNet mean/std. */
    public static ModelSpec efficientnetEs() {
        return edge("efficientnet_es", false, 1.0, 1.0, 224, 0.875);
    }

    /** timm efficientnet_em (PyTorch-trained): w1.0 d1.1, 240 px. */
    public static ModelSpec efficientnetEm() {
        return edge("efficientnet_em", false, 1.0, 1.1, 240, 0.882);
    }

    /** timm efficientnet_el (PyTorch-trained): w1.2 d1.4, 300 px. */
    public static ModelSpec efficientnetEl() {
        return edge("efficientnet_el", false, 1.2, 1.4, 300, 0.904);
    }

    // ------------------------------------------------------------------ PyTorch-native V2

    /** torchvision EfficientNetV2-S: train 300 / eval 384, dropout 0.2, ImageNet mean/std, bilinear. */
    public static ModelSpec efficientnetV2S() {
        return torchvisionV2("efficientnet_v2_s", 24, StageTables.EFFICIENTNETV2_S, 300, 384, 0.2,
                Preprocessing.imagenet(1.0, Interpolation.BILINEAR));
    }

    /** torchvision EfficientNetV2-M: train 384 / eval 480, dropout 0.3, ImageNet mean/std, bilinear. */
    public static ModelSpec efficientnetV2M() {
        return torchvisionV2("efficientnet_v2_m", 24, StageTables.EFFICIENTNETV2_M, 384, 480, 0.3,
                Preprocessing.imagenet(1.0, Interpolation.BILINEAR));
    }

    /** torchvision EfficientNetV2-L (TF weights port): train 384 / eval 480, dropout 0.4, mean/std 0.5, bicubic. */
    public static ModelSpec efficientnetV2L() {
        return torchvisionV2("efficientnet_v2_l", 32, StageTables.EFFICIENTNETV2_L, 384, 480, 0.4,
                Preprocessing.half(1.0, Interpolation.BICUBIC));
    }

    // ------------------------------------------------------------------ TF-compatible V1

    /** timm tf_efficientnet_b0: w1.0 d1.0, 224 px, dropout 0.2, crop 0.875. */
    public static ModelSpec tfEfficientnetB0() {
        return tfV1("tf_efficientnet_b0", 1.0, 1.0, 224, 0.2, 0.875);
    }

    /** timm tf_efficientnet_b1: w1.0 d1.1, 240 px, dropout 0.2, crop 0.882. */
    public static ModelSpec tfEfficientnetB1() {
        return tfV1("tf_efficientnet_b1", 1.0, 1.1, 240, 0.2, 0.882);
    }

    /** timm tf_efficientnet_b2: w1.1 d1.2, 260 px, dropout 0.3, crop 0.890. */
    public static ModelSpec tfEfficientnetB2() {
        return tfV1("tf_efficientnet_b2", 1.1, 1.2, 260, 0.3, 0.890);
    }

    /** timm tf_efficientnet_b3: w1.2 d1.4, 300 px, dropout 0.3, crop 0.904. */
    public static ModelSpec tfEfficientnetB3() {
        return tfV1("tf_efficientnet_b3", 1.2, 1.4, 300, 0.3, 0.904);
    }

    /** timm tf_efficientnet_b4: w1.4 d1.8, 380 px, dropout 0.4, crop 0.922. */
    public static ModelSpec tfEfficientnetB4() {
        return tfV1("tf_efficientnet_b4", 1.4, 1.8, 380, 0.4, 0.922);
    }

    /** timm tf_efficientnet_b5: w1.6 d2.2, 456 px, dropout 0.4, crop 0.934. */
    public static ModelSpec tfEfficientnetB5() {
        return tfV1("tf_efficientnet_b5", 1.6, 2.2, 456, 0.4, 0.934);
    }

    /** timm tf_efficientnet_b6: w1.8 d2.6, 528 px, dropout 0.5, crop 0.942. */
    public static ModelSpec tfEfficientnetB6() {
        return tfV1("tf_efficientnet_b6", 1.8, 2.6, 528, 0.5, 0.942);
    }

    /** timm tf_efficientnet_b7: w2.0 d3.1, 600 px, dropout 0.5, crop 0.949. */
    public static ModelSpec tfEfficientnetB7() {
        return tfV1("tf_efficientnet_b7", 2.0, 3.1, 600, 0.5, 0.949);
    }

    // ------------------------------------------------------------------ TF-compatible V2

    /** timm tf_efficientnetv2_b0: V2 base w1.0 d1.0, train 192 / eval 224, dropout 0.2, crop 0.875. */
    public static ModelSpec tfEfficientnetV2B0() {
        return tfV2Base("tf_efficientnetv2_b0", 1.0, 1.0, 192, 224, 0.2, 0.875);
    }

    /** timm tf_efficientnetv2_b1: V2 base w1.0 d1.1, train 192 / eval 240, dropout 0.2, crop 0.882. */
    public static ModelSpec tfEfficientnetV2B1() {
        return tfV2Base("tf_efficientnetv2_b1", 1.0, 1.1, 192, 240, 0.2, 0.882);
    }

    /** timm tf_efficientnetv2_b2: V2 base w1.1 d1.2, train 208 / eval 260, dropout 0.3, crop 0.890. */
    public static ModelSpec tfEfficientnetV2B2() {
        return tfV2Base("tf_efficientnetv2_b2", 1.1, 1.2, 208, 260, 0.3, 0.890);
    }

    /** timm tf_efficientnetv2_b3: V2 base w1.2 d1.4, train 240 / eval 300, dropout 0.3, crop 0.904. */
    public static ModelSpec tfEfficientnetV2B3() {
        return tfV2Base("tf_efficientnetv2_b3", 1.2, 1.4, 240, 300, 0.3, 0.904);
    }

    /** timm tf_efficientnetv2_s: train 300 / eval 384, dropout 0.2, head round_filters(1280). */
    public static ModelSpec tfEfficientnetV2S() {
        return tfV2("tf_efficientnetv2_s", 24, StageTables.EFFICIENTNETV2_S, HeadRule.SCALED, 300, 384, 0.2);
    }

    /** timm tf_efficientnetv2_m: train 384 / eval 480, dropout 0.3, head fixed 1280. */
    public static ModelSpec tfEfficientnetV2M() {
        return tfV2("tf_efficientnetv2_m", 24, StageTables.EFFICIENTNETV2_M, HeadRule.FIXED, 384, 480, 0.3);
    }

    /** timm tf_efficientnetv2_l: train 384 / eval 480, dropout 0.4, head fixed 1280. */
    public static ModelSpec tfEfficientnetV2L() {
        return tfV2("tf_efficientnetv2_l", 32, StageTables.EFFICIENTNETV2_L, HeadRule.FIXED, 384, 480, 0.4);
    }

    /** timm tf_efficientnetv2_xl (21k pretraining): train 384 / eval 512, dropout 0.4, head fixed 1280. */
    public static ModelSpec tfEfficientnetV2Xl() {
        return tfV2("tf_efficientnetv2_xl", 32, StageTables.EFFICIENTNETV2_XL, HeadRule.FIXED, 384, 512, 0.4);
    }

    // ------------------------------------------------------------------ helpers

    private static ModelSpec torchvisionV1(String name, double w, double d, int res, double dropout, double crop,
                                           boolean tfBn) {
        return new ModelSpec(name, TV_V1, w, d, 1000, 3, Padding.SYMMETRIC,
                tfBn ? 1e-3 : 1e-5, tfBn ? 0.01 : 0.1, Activation.SILU, dropout, DROP_PATH, res, res,
                Preprocessing.imagenet(crop, Interpolation.BICUBIC));
    }

    private static ModelSpec timmV1(String name, double w, double d, int res, double dropout, double crop) {
        return new ModelSpec(name, TIMM_V1, w, d, 1000, 3, Padding.SYMMETRIC, 1e-5, 0.1, Activation.SILU, dropout,
                DROP_PATH, res, res, Preprocessing.imagenet(crop, Interpolation.BICUBIC));
    }

    /**
     * EfficientNet-Lite as timm's {@code _gen_efficientnet_lite}: the SE-free B0 table, ReLU6, stem 32
     * and head 1280 fixed, first/last stage repeats fixed, 10% rounding. {@code tf}: TF SAME padding,
     * BN eps 1e-3 / momentum 0.01 and mean/std 0.5 (Google's checkpoints); else symmetric, eps 1e-5
     * / momentum 0.1, ImageNet mean/std.
     */
    private static ModelSpec lite(String name, boolean tf, double w, double d, int res, double dropout, double crop) {
        Architecture arch = new Architecture(ModelFamily.EFFICIENTNET_V1, 32, StageTables.EFFICIENTNET_LITE0,
                HeadRule.FIXED, 1280, 8, Scaling.V1_ROUND_LIMIT, true, true);
        Preprocessing pre = tf ? Preprocessing.half(crop, Interpolation.BICUBIC) : Preprocessing.imagenet(crop, Interpolation.BICUBIC);
        return new ModelSpec(name, arch, w, d, 1000, 3, tf ? Padding.TF_SAME : Padding.SYMMETRIC,
                tf ? TF_BN_EPS : 1e-5, tf ? TF_V1_BN_MOMENTUM : 0.1, Activation.RELU6, dropout, DROP_PATH, res, res, pre);
    }

    /**
     * EfficientNet-EdgeTPU as timm's {@code _gen_efficientnet_edge}: the EdgeTPU table, ReLU, stem and
     * head round_filters(32 / 1280), 10% rounding, dropout 0.2 (as B0 and Lite0). {@code tf}: TF SAME,
     * BN eps 1e-3 / momentum 0.01, mean/std 0.5; else symmetric, eps 1e-5 / momentum 0.1, ImageNet.
     */
    private static ModelSpec edge(String name, boolean tf, double w, double d, int res, double crop) {
        Architecture arch = new Architecture(ModelFamily.EFFICIENTNET_V1, 32, StageTables.EFFICIENTNET_EDGETPU_S,
                HeadRule.SCALED, 1280, 8, Scaling.V1_ROUND_LIMIT);
        Preprocessing pre = tf ? Preprocessing.half(crop, Interpolation.BICUBIC) : Preprocessing.imagenet(crop, Interpolation.BICUBIC);
        return new ModelSpec(name, arch, w, d, 1000, 3, tf ? Padding.TF_SAME : Padding.SYMMETRIC,
                tf ? TF_BN_EPS : 1e-5, tf ? TF_V1_BN_MOMENTUM : 0.1, Activation.RELU, 0.2, DROP_PATH, res, res, pre);
    }

    private static ModelSpec torchvisionV2(String name, int stem, List<StageSpec> table, int train, int eval,
                                           double dropout, Preprocessing pre) {
        Architecture arch = new Architecture(ModelFamily.EFFICIENTNET_V2, stem, table, HeadRule.FIXED, 1280, 8,
                Scaling.V1_ROUND_LIMIT);
        return new ModelSpec(name, arch, 1.0, 1.0, 1000, 3, Padding.SYMMETRIC, 1e-3, 0.1, Activation.SILU,
                dropout, DROP_PATH, train, eval, pre);
    }

    private static ModelSpec tfV1(String name, double w, double d, int res, double dropout, double crop) {
        return new ModelSpec(name, TIMM_V1, w, d, 1000, 3, Padding.TF_SAME, TF_BN_EPS, TF_V1_BN_MOMENTUM,
                Activation.SILU, dropout, DROP_PATH, res, res, Preprocessing.imagenet(crop, Interpolation.BICUBIC));
    }

    private static ModelSpec tfV2Base(String name, double w, double d, int train, int eval, double dropout,
                                      double crop) {
        Architecture arch = new Architecture(ModelFamily.EFFICIENTNET_V2, 32, StageTables.EFFICIENTNETV2_BASE,
                HeadRule.SCALED, 1280, 8, Scaling.V2_ROUND_LIMIT);
        return new ModelSpec(name, arch, w, d, 1000, 3, Padding.TF_SAME, TF_BN_EPS, TF_V2_BN_MOMENTUM,
                Activation.SILU, dropout, DROP_PATH, train, eval, Preprocessing.imagenet(crop, Interpolation.BICUBIC));
    }

    private static ModelSpec tfV2(String name, int stem, List<StageSpec> table, HeadRule head, int train, int eval,
                                  double dropout) {
        Architecture arch = new Architecture(ModelFamily.EFFICIENTNET_V2, stem, table, head, 1280, 8,
                Scaling.V1_ROUND_LIMIT);
        return new ModelSpec(name, arch, 1.0, 1.0, 1000, 3, Padding.TF_SAME, TF_BN_EPS, TF_V2_BN_MOMENTUM,
                Activation.SILU, dropout, DROP_PATH, train, eval, Preprocessing.half(1.0, Interpolation.BICUBIC));
    }
}
