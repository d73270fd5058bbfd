package dev.efficientnet.models.weights;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The outcome of {@link Conformance#compare}: one {@link Check} per compared tensor, in the order
 * of our outputs (so activations appear in network order), then the reference tensors we did not
 * produce.
 */
public final class ConformanceReport {

    /** How a tensor was compared. */
    public enum Metric {
        /** {@code max|ours - ref| / max(1, max|ref|)} (logits, features, activations, loss, running statistics). */
        MAX_ABS,
        /** {@code ||ours - ref|| / ||ref||} (gradients). */
        REL_NORM,
        /** The shapes differ. */
        SHAPE,
        /** Present on one side only. */
        MISSING
    }

    /**
     * One compared tensor.
     *
     * @param key    the tensor's name ({@code logits}, {@code act.blocks.1.0}, {@code grad.conv_stem.weight}, ...)
     * @param metric how it was compared
     * @param error  the relative error by {@code metric} (NaN for SHAPE/MISSING)
     * @param limit  the tolerance
     * @param passed whether {@code error <= limit}
     * @param detail a human-readable explanation
     */
    public record Check(String key, Metric metric, double error, double limit, boolean passed, String detail) {
        @Override
        public String toString() {
            return (passed ? "ok   " : "FAIL ") + key + ": " + detail;
        }
    }

    private final List<Check> checks;

    ConformanceReport(List<Check> checks) {
        this.checks = List.copyOf(checks);
    }

    /** {@return every check, in order} */
    public List<Check> checks() {
        return checks;
    }

    /** {@return true when every check passed (and there was at least one)} */
    public boolean passed() {
        return !checks.isEmpty() && checks.stream().allMatch(Check::passed);
    }

    /** {@return the failed checks} */
    public List<Check> failures() {
        List<Check> out = new ArrayList<>();
        for (Check c : checks) if (!c.passed()) out.add(c);
        return out;
    }

    /** {@return gradient checks that passed only as round-off of an exactly-zero gradient ({@link Conformance.Tolerance#zeroGradRel()})} */
    public List<Check> zeroGradients() {
        List<Check> out = new ArrayList<>();
        for (Check c : checks) if (c.passed() && c.metric() == Metric.REL_NORM && c.error() > c.limit()) out.add(c);
        return out;
    }

    /**
     * The check of {@code key}, if compared.
     *
     * @param key the key
     * @return the check of {@code key}, if compared
     */
    public Optional<Check> check(String key) {
        return checks.stream().filter(c -> c.key().equals(key)).findFirst();
    }

    /** {@return the first activation ({@code act.*}, network order) that differs: where a mismatch starts} */
    public Optional<Check> firstFailingActivation() {
        return checks.stream().filter(c -> !c.passed() && c.key().startsWith(Conformance.ACT)).findFirst();
    }

    /**
     * The worst relative error among the checks whose key starts with {@code prefix}.
     *
     * @param prefix the prefix
     * @return the worst relative error among the checks whose key starts with {@code prefix}
     */
    public double worst(String prefix) {
        double w = 0;
        for (Check c : checks) if (c.key().startsWith(prefix)) w = Math.max(w, Double.isNaN(c.error()) ? Double.POSITIVE_INFINITY : c.error());
        return w;
    }

    /**
     * A short multi-line summary: counts, the first differing activation (the layer where a
     * mismatch starts), then every failure (at most 25) or, when all passed, the worst errors.
     *
     * @return a short multi-line summary: counts, the first differing activation (the layer where a mismatch starts), then every failure (at most 25) or, when all passed, the worst errors
     */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        List<Check> failures = failures();
        sb.append(String.format(Locale.ROOT, "%d tensors compared, %d failed", checks.size(), failures.size()));
        firstFailingActivation().ifPresent(c -> sb.append("; first differing layer: ").append(c.key()).append(" (")
                .append(c.detail()).append(')'));
        sb.append('\n');
        if (failures.isEmpty()) {
            for (String p : new String[]{"logits", "features", "act.", "train_logits", "loss", "grad.", "after."}) {
                boolean any = checks.stream().anyMatch(c -> c.key().startsWith(p));
                if (any && !p.equals("grad.")) sb.append(String.format(Locale.ROOT, "  worst %-13s %.3e%n", p, worst(p)));
            }
            double g = 0;
            for (Check c : checks)
                if (c.metric() == Metric.REL_NORM && c.error() <= c.limit()) g = Math.max(g, c.error());
            if (checks.stream().anyMatch(c -> c.metric() == Metric.REL_NORM))
                sb.append(String.format(Locale.ROOT, "  worst %-13s %.3e (%d zero gradients within round-off)%n", "grad.", g,
                        zeroGradients().size()));
        } else {
            int n = 0;
            for (Check c : failures) {
                if (n++ == 25) {
                    sb.append("  ... ").append(failures.size() - 25).append(" more\n");
                    break;
                }
                sb.append("  ").append(c).append('\n');
            }
        }
        return sb.toString();
    }

    /** {@return every check, one per line} */
    public String table() {
        StringBuilder sb = new StringBuilder();
        for (Check c : checks) sb.append(c).append('\n');
        return sb.toString();
    }

    @Override
    public String toString() {
        return summary();
    }
}
