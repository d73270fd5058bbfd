package dev.efficientnet.core.ops;

import dev.efficientnet.core.backend.UnaryOp;
import dev.efficientnet.core.tensor.Tensor;

import java.util.Locale;

/** A named activation function, for layer configuration: {@code act.apply(x)}. */
public enum Activation {
    /** No activation: returns its input unchanged. */
    IDENTITY(null),
    /** SiLU / swish {@code x * sigmoid(x)} (every EfficientNet V1/V2). */
    SILU(UnaryOp.SILU),
    /** Logistic sigmoid (squeeze-excitation gates). */
    SIGMOID(UnaryOp.SIGMOID),
    /** {@code max(x, 0)}. */
    RELU(UnaryOp.RELU),
    /** {@code min(max(x, 0), 6)} (EfficientNet-Lite). */
    RELU6(UnaryOp.RELU6),
    /** {@code x * relu6(x + 3) / 6}. */
    HARD_SWISH(UnaryOp.HARD_SWISH),
    /** {@code relu6(x + 3) / 6}. */
    HARD_SIGMOID(UnaryOp.HARD_SIGMOID),
    /** Hyperbolic tangent. */
    TANH(UnaryOp.TANH);

    private final UnaryOp op;

    Activation(UnaryOp op) {
        this.op = op;
    }

    /**
     * Applies the activation (with gradient); {@link #IDENTITY} returns {@code x} itself.
     *
     * @param x the input
     * @return the activated tensor ({@code x} itself for {@code IDENTITY})
     */
    public Tensor apply(Tensor x) {
        return op == null ? x : Activations.unary(op, x);
    }

    /** {@return the element-wise kernel, or null for {@link #IDENTITY}} */
    public UnaryOp unaryOp() {
        return op;
    }

    /**
     * Parses a name case-insensitively, accepting {@code -} for {@code _} and the aliases
     * {@code swish} (SiLU), {@code hswish}/{@code hard_swish}, {@code hsigmoid}, {@code none}/{@code linear}.
     *
     * @param name the name
     * @return the activation
     */
    public static Activation parse(String name) {
        if (name == null) throw new IllegalArgumentException("activation name is null");
        String n = name.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        switch (n) {
            case "SWISH":
                return SILU;
            case "HSWISH":
                return HARD_SWISH;
            case "HSIGMOID":
                return HARD_SIGMOID;
            case "NONE":
            case "LINEAR":
                return IDENTITY;
            default:
                break;
        }
        for (Activation a : values()) if (a.name().equals(n)) return a;
        throw new IllegalArgumentException("unknown activation '" + name + "'; expected one of "
                + java.util.Arrays.toString(values()) + " (or swish, hswish, hsigmoid, none)");
    }
}
