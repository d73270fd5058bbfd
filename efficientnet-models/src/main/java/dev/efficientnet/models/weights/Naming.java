package dev.efficientnet.models.weights;

import java.util.Collection;

/**
 * The three parameter namings a checkpoint can use.
 *
 * <ul>
 *   <li>{@link #NATIVE}: this library's {@code stateDict()} names ({@code stem.conv.weight},
 *       {@code stages.S.B.dw.conv.weight}, ...) with convolution weights in this library's layout
 *       {@code [kH, kW, in/groups, out]} (depthwise {@code [kH, kW, C, 1]}).</li>
 *   <li>{@link #TIMM}: timm's {@code EfficientNet} ({@code conv_stem}, {@code bn1},
 *       {@code blocks.S.B.conv_dw}, ..., {@code conv_head}, {@code bn2}, {@code classifier}),
 *       PyTorch layouts {@code [out, in/groups, kH, kW]}.</li>
 *   <li>{@link #TORCHVISION}: torchvision's {@code EfficientNet} ({@code features.0.0},
 *       {@code features.(S+1).B.block.K.0}, ..., {@code classifier.1}), PyTorch layouts.</li>
 * </ul>
 */
public enum Naming {
    /** This library's own names and layouts. */
    NATIVE("stem.conv.weight"),
    /** timm names, PyTorch layouts. */
    TIMM("conv_stem.weight"),
    /** torchvision names, PyTorch layouts. */
    TORCHVISION("features.0.0.weight");

    private final String marker;

    Naming(String marker) {
        this.marker = marker;
    }

    /** {@return the stem conv weight's name: present in every checkpoint of this naming} */
    public String marker() {
        return marker;
    }

    /** {@return true when tensors of this naming use PyTorch layouts ({@code [out, in/groups, kH, kW]})} */
    public boolean pytorchLayout() {
        return this != NATIVE;
    }

    /** {@return the lower-case name used on command lines and in file metadata ({@code native}, {@code timm}, {@code torchvision})} */
    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * Parses {@link #id()} (case-insensitive; {@code tv} is accepted for torchvision).
     *
     * @param value the value
     * @throws IllegalArgumentException naming the value and the accepted ones
     * @return the naming
     */
    public static Naming parse(String value) {
        if (value != null) {
            String v = value.trim().toLowerCase(java.util.Locale.ROOT);
            if (v.equals("tv")) return TORCHVISION;
            for (Naming n : values()) if (n.id().equals(v)) return n;
        }
        throw new IllegalArgumentException("unknown naming '" + value + "'; expected native, timm or torchvision");
    }

    /**
     * True for state-dict entries that carry no model state and are ignored on import:
     * BN {@code num_batches_tracked} counters and {@code n_averaged} of EMA wrappers.
     *
     * @param key the key
     * @return true for state-dict entries that carry no model state and are ignored on import: BN {@code num_batches_tracked} counters and {@code n_averaged} of EMA wrappers
     */
    public static boolean isBookkeeping(String key) {
        String last = key.substring(key.lastIndexOf('.') + 1);
        return last.equals("num_batches_tracked") || last.equals("n_averaged");
    }

    /**
     * Detects the naming of a checkpoint from its keys (bookkeeping keys are ignored); keys may all
     * share a prefix such as {@code module.} (see {@link Detected#prefix()}).
     *
     * @param keys the keys
     * @throws IllegalArgumentException when no naming's stem-conv key is present
     * @return the detected naming and prefix
     */
    public static Detected detect(Collection<String> keys) {
        for (Naming n : values()) {
            for (String k : keys) {
                if (!k.endsWith(n.marker)) continue;
                String prefix = k.substring(0, k.length() - n.marker.length());
                if (!prefix.isEmpty() && !prefix.endsWith(".")) continue;
                boolean all = true;
                for (String other : keys) {
                    if (!other.startsWith(prefix) && !isBookkeeping(other)) {
                        all = false;
                        break;
                    }
                }
                if (all) return new Detected(n, prefix);
            }
        }
        StringBuilder sample = new StringBuilder();
        int i = 0;
        for (String k : keys) {
            if (i++ == 5) {
                sample.append(", ...");
                break;
            }
            sample.append(i == 1 ? "" : ", ").append(k);
        }
        throw new IllegalArgumentException("cannot tell the naming of a checkpoint with " + keys.size() + " keys ["
                + sample + "]: expected one of " + NATIVE.marker + " (native), " + TIMM.marker + " (timm), "
                + TORCHVISION.marker + " (torchvision), optionally under a common prefix such as 'module.'");
    }

    /**
     * The result of {@link #detect}: the naming and the prefix every key carries ({@code ""} for none).
     *
     * @param naming the parameter naming convention
     * @param prefix the prefix every key carries ({@code ""} for none)
     */
    public record Detected(Naming naming, String prefix) {
    }
}
