package dev.efficientnet.cli.safety;

import dev.efficientnet.core.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Finds NaN/Inf values (and negative BatchNorm variances) in weights and outputs, naming the tensors. */
public final class FiniteValues {
    private FiniteValues() {
    }

    /** One description per bad tensor of {@code tensors}, e.g. "'stem.conv.weight' has 3 NaN/Inf values". */
    public static List<String> problems(Map<String, Tensor> tensors) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            float[] v = e.getValue().toFloatArray();
            long bad = 0;
            long negative = 0;
            boolean variance = e.getKey().endsWith("running_var");
            for (float f : v) {
                if (!Float.isFinite(f)) bad++;
                else if (variance && f < 0) negative++;
            }
            if (bad > 0) out.add("'" + e.getKey() + "' has " + bad + " NaN/Inf value" + (bad == 1 ? "" : "s"));
            if (negative > 0) out.add("'" + e.getKey() + "' has " + negative + " negative variance" + (negative == 1 ? "" : "s"));
        }
        return out;
    }

    /** "a, b, c and N more" for a one-line message. */
    public static String summary(List<String> problems) {
        int shown = Math.min(3, problems.size());
        return String.join("; ", problems.subList(0, shown)) + (problems.size() > shown ? " and " + (problems.size() - shown) + " more" : "");
    }
}
