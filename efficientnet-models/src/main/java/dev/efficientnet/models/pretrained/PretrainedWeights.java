package dev.efficientnet.models.pretrained;

import dev.efficientnet.models.spec.Interpolation;
import dev.efficientnet.models.weights.Naming;

import java.util.List;
import java.util.Locale;

/**
 * One published pretrained checkpoint of a preset: where it is, how to check it, its naming and
 * the preprocessing it was evaluated with.
 *
 * @param preset        the preset it loads into
 * @param source        the publisher: {@code torchvision} or {@code timm}
 * @param tag           the publisher's name for it ({@code IMAGENET1K_V1}, {@code tf_efficientnet_b0.ns_jft_in1k})
 * @param fileName      the file name in the cache (the URL's last segment, or a unique name for hub URLs)
 * @param url           where to download it
 * @param hash          lower-case hex digits of its SHA-256: the full digest or a prefix (see {@code hashKind}); "" when none is published
 * @param hashKind      what {@code hash} is
 * @param naming        the tensor naming of the file
 * @param numClasses    classifier outputs (1000: ImageNet-1k, class names in {@link ImageNetClasses})
 * @param inputSize     evaluation crop size (square)
 * @param resizeSize    shorter side after resizing, before the center crop
 * @param interpolation resize interpolation
 * @param mean          per-channel mean (RGB, on [0, 1] values)
 * @param std           per-channel standard deviation
 */
public record PretrainedWeights(String preset, String source, String tag, String fileName, String url, String hash,
                                HashKind hashKind, Naming naming, int numClasses, int inputSize, int resizeSize,
                                Interpolation interpolation, List<Double> mean, List<Double> std) {
    /** What the {@code hash} of an entry is, and who vouches for it. */
    public enum HashKind {
        /** The full SHA-256 digest (64 hex digits). */
        SHA256,
        /**
         * A prefix of the SHA-256 digest (8+ hex digits) taken from the publisher's file name, by the
         * torch.hub convention ({@code name-<sha256 prefix>.pth}); torchvision checks it when it
         * downloads ({@code check_hash=True}).
         */
        SHA256_PREFIX,
        /** No hash is published (e.g. a Hugging Face hub file): only the download's own SHA-256 is recorded. */
        NONE
    }

    /** Validates the fields. */
    public PretrainedWeights {
        if (preset == null || preset.isBlank()) throw new IllegalArgumentException("preset is required");
        if (fileName == null || !fileName.matches("[A-Za-z0-9._-]+") || fileName.startsWith("."))
            throw new IllegalArgumentException("file name must be a plain name, got '" + fileName + "'");
        if (url == null || url.isBlank()) throw new IllegalArgumentException("url is required");
        if (hash == null) hash = "";
        hash = hash.toLowerCase(Locale.ROOT);
        if (hashKind == HashKind.SHA256 && !hash.matches("[0-9a-f]{64}"))
            throw new IllegalArgumentException("a SHA-256 has 64 hex digits, got '" + hash + "'");
        if (hashKind == HashKind.SHA256_PREFIX && !hash.matches("[0-9a-f]{8,63}"))
            throw new IllegalArgumentException("a SHA-256 prefix has 8 to 63 hex digits, got '" + hash + "'");
        if (hashKind == HashKind.NONE && !hash.isEmpty()) throw new IllegalArgumentException("hash given with kind NONE");
        mean = List.copyOf(mean);
        std = List.copyOf(std);
    }

    /** The crop fraction {@code inputSize / resizeSize}. */
    public double cropFraction() {
        return (double) inputSize / resizeSize;
    }

    /** A one-line description for listings. */
    public String describe() {
        return preset + " <- " + source + " " + tag + " (" + fileName + ", " + switch (hashKind) {
            case SHA256 -> "sha256 " + hash;
            case SHA256_PREFIX -> "sha256 prefix " + hash;
            case NONE -> "no published hash";
        } + ", " + naming.id() + " naming, " + inputSize + " px)";
    }
}
