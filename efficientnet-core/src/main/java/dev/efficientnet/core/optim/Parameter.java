package dev.efficientnet.core.optim;

import dev.efficientnet.core.tensor.Tensor;

import java.util.Objects;

/**
 * A trainable tensor as an optimizer sees it: a unique name (the checkpoint key of its state,
 * e.g. {@code "blocks.0.0.conv_dw.weight"}), the tensor itself, whose {@link Tensor#grad()} holds the
 * gradient, and whether the optimizer's weight decay applies to it.
 *
 * @param name        unique, non-empty name
 * @param value       the parameter tensor (updated in place)
 * @param weightDecay true if weight decay applies (false for biases and BN gamma/beta by convention)
 */
public record Parameter(String name, Tensor value, boolean weightDecay) {
    /**
     * Validates the fields.
     *
     * @param name the name
     * @param value the value
     * @param weightDecay the weight decay
     */
    public Parameter {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        if (name.isEmpty()) throw new IllegalArgumentException("parameter name must not be empty");
    }

    /**
     * A parameter with weight decay enabled.
     *
     * @param name the name
     * @param value the value
     * @return a parameter with weight decay enabled
     */
    public static Parameter of(String name, Tensor value) {
        return new Parameter(name, value, true);
    }

    /**
     * A parameter excluded from weight decay.
     *
     * @param name the name
     * @param value the value
     * @return a parameter excluded from weight decay
     */
    public static Parameter noDecay(String name, Tensor value) {
        return new Parameter(name, value, false);
    }
}
