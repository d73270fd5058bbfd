package dev.efficientnet.core.optim;

import dev.efficientnet.core.tensor.Tensor;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A snapshot of an optimizer for checkpoints: its per-parameter buffers keyed
 * {@code "<parameter name>.<buffer>"} (e.g. {@code "head.fc.weight.momentum_buffer"}) and its scalars
 * ({@code "step"}, {@code "lr"}, the hyper-parameters, per-parameter step counts). Loading it into an
 * optimizer built over the same parameters makes the following steps bit-identical.
 *
 * @param type    the optimizer kind ({@code "sgd"}, {@code "rmsprop_tf"}, {@code "adamw"})
 * @param tensors the buffers (copies detached from the optimizer)
 * @param scalars the scalar state
 */
public record OptimizerState(String type, Map<String, Tensor> tensors, Map<String, Double> scalars) {
    /**
     * Copies the maps (keeping their order) into unmodifiable ones.
     *
     * @param type the type
     * @param tensors the tensors by name
     * @param scalars the scalars
     */
    public OptimizerState {
        Objects.requireNonNull(type, "type");
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(tensors, "tensors")));
        scalars = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(scalars, "scalars")));
    }
}
