package dev.efficientnet.cli;

import dev.efficientnet.models.spec.ModelSpec;
import dev.efficientnet.models.spec.Presets;

import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * Resolves an ARCH argument to a {@link ModelSpec}. Names are the presets of {@link Presets}; the
 * lookup also accepts any letter case and '-' for '_' ({@code EfficientNet-B0}). An unknown name
 * is a usage error (exit 2) whose one-line message lists every known name.
 */
public final class Architectures implements Iterable<String> {

    /** For picocli's {@code completionCandidates}: the known names in help texts. */
    public Architectures() {
    }

    @Override
    public Iterator<String> iterator() {
        return Presets.names().iterator();
    }

    /** The canonical preset name for {@code arch}, or a usage error listing the known names. */
    public static String canonicalName(String arch) {
        if (arch != null) {
            String canonical = Presets.canonicalName(arch);
            if (canonical != null) return canonical;
        }
        List<String> names = Presets.names();
        String hint = closest(arch, names);
        throw CliException.usage("unknown architecture '" + arch + "'"
                + (hint == null ? "" : " (did you mean " + hint + "?)")
                + "; known: " + String.join(", ", names));
    }

    /** The preset called {@code arch} with no overrides. */
    public static ModelSpec resolve(String arch) {
        return resolve(arch, null);
    }

    /**
     * The preset called {@code arch}, with the width/depth/class overrides of {@code options} (which
     * may be null). Invalid override values are usage errors.
     */
    public static ModelSpec resolve(String arch, ModelOptions options) {
        String name = canonicalName(arch);
        ModelSpec spec = Presets.get(name);
        if (options == null || !options.isSet()) return spec;
        double w = options.widthMult() != null ? options.widthMult() : spec.widthMult();
        double d = options.depthMult() != null ? options.depthMult() : spec.depthMult();
        int n = options.numClasses() != null ? options.numClasses() : spec.numClasses();
        if (!(w > 0) || Double.isInfinite(w)) throw CliException.usage("--width-mult must be positive, got " + w);
        if (!(d > 0) || Double.isInfinite(d)) throw CliException.usage("--depth-mult must be positive, got " + d);
        if (n < 0) throw CliException.usage("--num-classes must be >= 0, got " + n);
        try {
            ModelSpec scaled = Presets.get(name, w, d, n);
            scaled.blocks(); // resolve every scaled size now: an overflow is a usage error naming the options
            scaled.headChannels();
            scaled.params();
            return scaled;
        } catch (IllegalArgumentException | ArithmeticException e) {
            String opts = (options.widthMult() != null ? " --width-mult " + w : "") + (options.depthMult() != null ? " --depth-mult " + d : "")
                    + (options.numClasses() != null ? " --num-classes " + n : "");
            throw CliException.usage(opts.strip() + ": " + e.getMessage());
        }
    }

    /** The known name nearest to {@code arch} by edit distance, if close enough to be a typo. */
    static String closest(String arch, List<String> names) {
        if (arch == null || arch.isBlank()) return null;
        String a = arch.toLowerCase(Locale.ROOT).replace('-', '_');
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String n : names) {
            int d = editDistance(a, n);
            if (d < bestDistance) {
                bestDistance = d;
                best = n;
            }
        }
        return bestDistance <= Math.max(2, a.length() / 5) ? best : null;
    }

    private static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
