package dev.efficientnet.models.pretrained;

import dev.efficientnet.models.pretrained.PretrainedWeights.HashKind;
import dev.efficientnet.models.spec.Interpolation;
import dev.efficientnet.models.spec.Preprocessing;
import dev.efficientnet.models.spec.Presets;
import dev.efficientnet.models.weights.Naming;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The published pretrained weights of the presets (ImageNet-1k classifiers), first entry of a preset
 * = its default. Every URL, file name and hash comes from the publisher's own source: torchvision
 * 0.14's {@code torchvision/models/efficientnet.py} (URLs whose file names carry the first 8 hex
 * digits of the file's SHA-256, which torchvision checks) and timm's
 * {@code timm/models/efficientnet.py} pretrained configs (GitHub release URLs with the same
 * torch.hub file-name convention, or Hugging Face hub ids, for which no hash is published: see
 * {@link PretrainedWeights.HashKind}). No hash here was computed by this project.
 * Presets without published weights ({@code timm_efficientnet_b6/b7}, {@code efficientnet_lite1..4})
 * have no entry.
 *
 * <p>{@link #register} adds or replaces entries (a mirror, private weights, tests); the system
 * property {@code efficientnet.pretrained.mirror} or the environment variable
 * {@code EFFICIENTNET_PRETRAINED_MIRROR} replaces every URL by {@code <mirror>/<fileName>}.
 */
public final class PretrainedRegistry {
    /** System property naming a mirror base URL. */
    public static final String MIRROR_PROPERTY = "efficientnet.pretrained.mirror";
    /** Environment variable naming a mirror base URL. */
    public static final String MIRROR_ENV = "EFFICIENTNET_PRETRAINED_MIRROR";

    private static final Map<String, List<PretrainedWeights>> BUILT_IN = new LinkedHashMap<>();
    private static final Map<String, List<PretrainedWeights>> USER = new ConcurrentHashMap<>();

    private static final String TV = "https://download.pytorch.org/models/";
    private static final String TIMM_GH = "https://github.com/rwightman/pytorch-image-models/releases/download/v0.1-weights/";
    private static final String TIMM_GH_V2 = "https://github.com/rwightman/pytorch-image-models/releases/download/v0.1-effv2-weights/";
    private static final List<Double> IMNET_MEAN = Preprocessing.IMAGENET_MEAN;
    private static final List<Double> IMNET_STD = Preprocessing.IMAGENET_STD;
    private static final List<Double> HALF = Preprocessing.HALF;

    static {
        // torchvision 0.14 (torchvision/models/efficientnet.py): IMAGENET1K_V1 unless noted; DEFAULT first
        tv("efficientnet_b0", "IMAGENET1K_V1", "efficientnet_b0_rwightman-3dd342df.pth", 224, 256, Interpolation.BICUBIC, IMNET_MEAN, IMNET_STD);
        tv("efficientnet_b1", "IMAGENET1K_V2", "efficientnet_b1-c27df63c.pth", 240, 255, Interpolation.BILINEAR, IMNET_MEAN, IMNET_STD);
        tv("efficientnet_b1", "IMAGENET1K_V1", "efficientnet_b1_rwightman-533bc792.pth", 240, 256, Interpolation.BICUBIC, IMNET_MEAN, IMNET_STD);
        tv("efficientnet_b2", "IMAGENET1K_V1", "efficientnet_b2_rwightman-bcdf34b7.pth", 288, 288, Interpolation.BICUBIC, IMNET_MEAN, IMNET_STD);
        tv("efficientnet_b3", "IMAGENET1K_V1", "efficientnet_b3_rwightman-cf984f9c.pth", 300, 320, Interpolation.BICUBIC, IMNET_MEAN, IMNET_STD);
        tv("efficientnet_b4", "IMAGENET1K_V1", "efficientnet_b4_rwightman-7eb33cd5.pth", 380, 384, Interpolation.BICUBIC, IMNET_MEAN, IMNET_STD);
        tv("efficientnet_b5", "IMAGENET1K_V1", "efficientnet_b5_lukemelas-b6417697.pth", 456, 456, Interpolation.BICUBIC, IMNET_MEAN, IMNET_STD);
        tv("efficientnet_b6", "IMAGENET1K_V1", "efficientnet_b6_lukemelas-c76e70fd.pth", 528, 528, Interpolation.BICUBIC, IMNET_MEAN, IMNET_STD);
        tv("efficientnet_b7", "IMAGENET1K_V1", "efficientnet_b7_lukemelas-dcc49843.pth", 600, 600, Interpolation.BICUBIC, IMNET_MEAN, IMNET_STD);
        tv("efficientnet_v2_s", "IMAGENET1K_V1", "efficientnet_v2_s-dd5fe13b.pth", 384, 384, Interpolation.BILINEAR, IMNET_MEAN, IMNET_STD);
        tv("efficientnet_v2_m", "IMAGENET1K_V1", "efficientnet_v2_m-dc08266a.pth", 480, 480, Interpolation.BILINEAR, IMNET_MEAN, IMNET_STD);
        tv("efficientnet_v2_l", "IMAGENET1K_V1", "efficientnet_v2_l-59c71312.pth", 480, 480, Interpolation.BICUBIC, HALF, HALF);

        // timm (timm/models/efficientnet.py default_cfgs): the first tag listed for the architecture
        String[] ns = {"c0e6a31c", "99dd0c41", "00306e48", "9d44bf68", "d6313a46", "6f26d0cf", "51548356", "1dbc32de"};
        int[] size = {224, 240, 260, 300, 380, 456, 528, 600};
        double[] crop = {0.875, 0.882, 0.890, 0.904, 0.922, 0.934, 0.942, 0.949};
        for (int b = 0; b < 8; b++)
            timm("tf_efficientnet_b" + b, "tf_efficientnet_b" + b + ".ns_jft_in1k", TIMM_GH,
                    "tf_efficientnet_b" + b + "_ns-" + ns[b] + ".pth", size[b], crop[b], Interpolation.BICUBIC, IMNET_MEAN, IMNET_STD);
        timm("tf_efficientnetv2_s", "tf_efficientnetv2_s.in21k_ft_in1k", TIMM_GH_V2, "tf_efficientnetv2_s_21ft1k-d7dafa41.pth",
                300, 1.0, Interpolation.BICUBIC, HALF, HALF);
        timm("tf_efficientnetv2_m", "tf_efficientnetv2_m.in21k_ft_in1k", TIMM_GH_V2, "tf_efficientnetv2_m_21ft1k-bf41664a.pth",
                384, 1.0, Interpolation.BICUBIC, HALF, HALF);
        timm("tf_efficientnetv2_l", "tf_efficientnetv2_l.in21k_ft_in1k", TIMM_GH_V2, "tf_efficientnetv2_l_21ft1k-60127a9d.pth",
                384, 1.0, Interpolation.BICUBIC, HALF, HALF);
        timm("tf_efficientnetv2_xl", "tf_efficientnetv2_xl.in21k_ft_in1k", TIMM_GH_V2, "tf_efficientnetv2_xl_in21ft1k-06c35c48.pth",
                384, 1.0, Interpolation.BICUBIC, HALF, HALF);
        timm("tf_efficientnetv2_b0", "tf_efficientnetv2_b0.in1k", TIMM_GH_V2, "tf_efficientnetv2_b0-c7cc451f.pth",
                192, 0.875, Interpolation.BICUBIC, IMNET_MEAN, IMNET_STD);
        timm("tf_efficientnetv2_b1", "tf_efficientnetv2_b1.in1k", TIMM_GH_V2, "tf_efficientnetv2_b1-be6e41b0.pth",
                192, 0.882, Interpolation.BICUBIC, IMNET_MEAN, IMNET_STD);
        timm("tf_efficientnetv2_b2", "tf_efficientnetv2_b2.in1k", TIMM_GH_V2, "tf_efficientnetv2_b2-847de54e.pth",
                208, 0.890, Interpolation.BICUBIC, IMNET_MEAN, IMNET_STD);
        // timm lists b3.in21k_ft_in1k first, but only on the hub (no hash); in1k has a hashed URL
        timm("tf_efficientnetv2_b3", "tf_efficientnetv2_b3.in1k", TIMM_GH_V2, "tf_efficientnetv2_b3-57773f13.pth",
                240, 0.904, Interpolation.BICUBIC, IMNET_MEAN, IMNET_STD);
        String[] lite = {"0aa007d2", "bde8b488", "dcccb7df", "b733e338", "741542c3"};
        int[] liteSize = {224, 240, 260, 300, 380};
        double[] liteCrop = {0.875, 0.882, 0.890, 0.904, 0.920};
        for (int i = 0; i < 5; i++)
            timm("tf_efficientnet_lite" + i, "tf_efficientnet_lite" + i + ".in1k", TIMM_GH, "tf_efficientnet_lite" + i + "-" + lite[i] + ".pth",
                    liteSize[i], liteCrop[i], i < 3 ? Interpolation.BICUBIC : Interpolation.BILINEAR, HALF, HALF);
        timm("efficientnet_lite0", "efficientnet_lite0.ra_in1k", TIMM_GH, "efficientnet_lite0_ra-37913777.pth",
                224, 0.875, Interpolation.BICUBIC, IMNET_MEAN, IMNET_STD);
        // timm's PyTorch-native B5 (eps 1e-5): published on the Hugging Face hub only, without a hash
        add(new PretrainedWeights("timm_efficientnet_b5", "timm", "efficientnet_b5.sw_in12k_ft_in1k",
                "efficientnet_b5.sw_in12k_ft_in1k.safetensors",
                "https://huggingface.co/timm/efficientnet_b5.sw_in12k_ft_in1k/resolve/main/model.safetensors", "", HashKind.NONE,
                Naming.TIMM, 1000, 448, 448, Interpolation.BICUBIC, IMNET_MEAN, IMNET_STD));
    }

    private PretrainedRegistry() {
    }

    private static void tv(String preset, String tag, String file, int crop, int resize, Interpolation interp, List<Double> mean,
                           List<Double> std) {
        add(new PretrainedWeights(preset, "torchvision", tag, file, TV + file, hashOf(file), HashKind.SHA256_PREFIX,
                Naming.TORCHVISION, 1000, crop, resize, interp, mean, std));
    }

    private static void timm(String preset, String tag, String base, String file, int size, double cropPct, Interpolation interp,
                             List<Double> mean, List<Double> std) {
        int resize = (int) Math.floor(size / cropPct); // timm: scale_size = floor(img_size / crop_pct)
        add(new PretrainedWeights(preset, "timm", tag, file, base + file, hashOf(file), HashKind.SHA256_PREFIX, Naming.TIMM, 1000,
                size, resize, interp, mean, std));
    }

    /** The torch.hub hash in a file name: the hex digits after the last '-' before the extension. */
    static String hashOf(String file) {
        String stem = file.substring(0, file.lastIndexOf('.'));
        return stem.substring(stem.lastIndexOf('-') + 1);
    }

    private static void add(PretrainedWeights w) {
        BUILT_IN.computeIfAbsent(w.preset(), k -> new ArrayList<>()).add(w);
    }

    /**
     * Adds {@code w} as the default entry of its preset (in front of the built-in ones), process-wide;
     * an earlier registration with the same tag is replaced.
     */
    public static void register(PretrainedWeights w) {
        if (w == null) throw new IllegalArgumentException("weights entry is null");
        USER.compute(w.preset(), (k, old) -> {
            List<PretrainedWeights> l = new ArrayList<>();
            l.add(w);
            if (old != null) for (PretrainedWeights o : old) if (!o.tag().equals(w.tag())) l.add(o);
            return List.copyOf(l);
        });
    }

    /** Removes every registered (non-built-in) entry of {@code preset}. */
    public static void unregister(String preset) {
        USER.remove(preset);
    }

    /** Every entry of {@code preset}, default first (empty when nothing is published). */
    public static List<PretrainedWeights> entries(String preset) {
        List<PretrainedWeights> out = new ArrayList<>(USER.getOrDefault(preset, List.of()));
        out.addAll(BUILT_IN.getOrDefault(preset, List.of()));
        return mirrored(out);
    }

    /** Presets with at least one entry, in registry order. */
    public static List<String> presets() {
        List<String> out = new ArrayList<>(BUILT_IN.keySet());
        for (String p : USER.keySet()) if (!out.contains(p)) out.add(p);
        return out;
    }

    /** The default entry of {@code preset}, if any. */
    public static Optional<PretrainedWeights> find(String preset) {
        List<PretrainedWeights> e = entries(preset);
        return e.isEmpty() ? Optional.empty() : Optional.of(e.get(0));
    }

    /** The entry of {@code preset} with {@code tag} (null: the default). */
    public static PretrainedWeights get(String preset, String tag) {
        List<PretrainedWeights> e = entries(preset);
        if (e.isEmpty()) {
            String why = Presets.contains(preset) ? "no pretrained weights are published for preset " + preset
                    : "unknown preset '" + preset + "'";
            throw new IllegalArgumentException(why + "; presets with pretrained weights: " + String.join(", ", presets()));
        }
        if (tag == null) return e.get(0);
        for (PretrainedWeights w : e) if (w.tag().equals(tag)) return w;
        List<String> tags = new ArrayList<>();
        for (PretrainedWeights w : e) tags.add(w.tag());
        throw new IllegalArgumentException("preset " + preset + " has no pretrained weights tagged '" + tag + "'; tags: " + tags);
    }

    private static List<PretrainedWeights> mirrored(List<PretrainedWeights> in) {
        String mirror = System.getProperty(MIRROR_PROPERTY);
        if (mirror == null || mirror.isBlank()) mirror = System.getenv(MIRROR_ENV);
        if (mirror == null || mirror.isBlank()) return List.copyOf(in);
        String base = mirror.endsWith("/") ? mirror : mirror + "/";
        List<PretrainedWeights> out = new ArrayList<>();
        for (PretrainedWeights w : in)
            out.add(new PretrainedWeights(w.preset(), w.source(), w.tag(), w.fileName(), base + w.fileName(), w.hash(), w.hashKind(),
                    w.naming(), w.numClasses(), w.inputSize(), w.resizeSize(), w.interpolation(), w.mean(), w.std()));
        return List.copyOf(out);
    }
}
