package dev.efficientnet.core.optim;

import dev.efficientnet.core.tensor.Tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiPredicate;

/**
 * Builds the parameter list of an optimizer from named tensors, splitting them into a weight-decay
 * group and a no-decay group as timm's {@code param_groups_weight_decay} does.
 *
 * <p>Naming convention: names are dot-separated module paths ending in the tensor's role, e.g.
 * {@code "stem.conv.weight"}, {@code "blocks.1.0.bn1.weight"} (BN gamma), {@code "blocks.1.0.bn1.bias"}
 * (BN beta), {@code "head.fc.bias"}. The {@linkplain #DEFAULT_NO_DECAY default rule} excludes every
 * tensor of rank &lt;= 1 (biases, BN gamma and beta, scalars) and every name ending in {@code ".bias"};
 * callers with other conventions pass their own predicate. Tensors that do not
 * {@linkplain Tensor#requiresGrad() require a gradient} are frozen and left out, as in timm.
 */
public final class ParamGroups {
    /** timm's rule: no decay for rank &lt;= 1 tensors and names ending in {@code ".bias"}. */
    public static final BiPredicate<String, Tensor> DEFAULT_NO_DECAY =
            (name, t) -> t.rank() <= 1 || name.endsWith(".bias");

    private ParamGroups() {
    }

    /**
     * Parameters in map order with the {@linkplain #DEFAULT_NO_DECAY default} no-decay rule.
     *
     * @param named the tensors by name
     * @return parameters in map order with the {@linkplain #DEFAULT_NO_DECAY default} no-decay rule
     */
    public static List<Parameter> of(Map<String, Tensor> named) {
        return of(named, DEFAULT_NO_DECAY);
    }

    /**
     * Default rule plus the listed names (e.g. a model's {@code no_weight_decay} set).
     *
     * @param named the tensors by name
     * @param extraNoDecay extra parameter names excluded from weight decay
     * @return default rule plus the listed names (e.g
     */
    public static List<Parameter> of(Map<String, Tensor> named, Set<String> extraNoDecay) {
        Objects.requireNonNull(extraNoDecay, "extraNoDecay");
        return of(named, DEFAULT_NO_DECAY.or((name, t) -> extraNoDecay.contains(name)));
    }

    /**
     * Parameters in map order (use a {@link java.util.LinkedHashMap} for a stable order); those for
     * which {@code noDecay} is true get {@link Parameter#weightDecay()} false.
     *
     * @param named the tensors by name
     * @param noDecay selects the parameters excluded from weight decay
     * @return parameters in map order (use a {@link java.util.LinkedHashMap} for a stable order); those for which {@code noDecay} is true get {@link Parameter#weightDecay()} false
     */
    public static List<Parameter> of(Map<String, Tensor> named, BiPredicate<String, Tensor> noDecay) {
        Objects.requireNonNull(named, "named");
        Objects.requireNonNull(noDecay, "noDecay");
        List<Parameter> out = new ArrayList<>(named.size());
        for (Map.Entry<String, Tensor> e : named.entrySet()) {
            Tensor t = e.getValue();
            if (t == null) throw new IllegalArgumentException("parameter '" + e.getKey() + "' is null");
            if (!t.requiresGrad()) continue;
            out.add(new Parameter(e.getKey(), t, !noDecay.test(e.getKey(), t)));
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * The parameters that receive weight decay.
     *
     * @param params the parameters
     * @return the parameters that receive weight decay
     */
    public static List<Parameter> decayed(List<Parameter> params) {
        return params.stream().filter(Parameter::weightDecay).toList();
    }

    /**
     * The parameters excluded from weight decay.
     *
     * @param params the parameters
     * @return the parameters excluded from weight decay
     */
    public static List<Parameter> notDecayed(List<Parameter> params) {
        return params.stream().filter(p -> !p.weightDecay()).toList();
    }
}
