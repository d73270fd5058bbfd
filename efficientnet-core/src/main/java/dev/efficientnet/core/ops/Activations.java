package dev.efficientnet.core.ops;

import dev.efficientnet.core.autograd.Node;
import dev.efficientnet.core.backend.Backend;
import dev.efficientnet.core.backend.UnaryOp;
import dev.efficientnet.core.tensor.Tensor;

/**
 * Element-wise activations and math functions with their gradients. Derivatives at the kinks follow
 * PyTorch: ReLU and ReLU6 pass no gradient at 0 (and at 6), hard-sigmoid passes 1/6 only strictly
 * inside (-3, 3), hard-swish uses {@code x/3 + 1/2} on [-3, 3] (so -1/2 at -3 and 3/2 at 3), and
 * abs has gradient 0 at 0.
 */
public final class Activations {
    private Activations() {
    }

    /**
     * SiLU / swish: {@code x * sigmoid(x)}.
     *
     * @param x the input
     * @return SiLU / swish: {@code x * sigmoid(x)}
     */
    public static Tensor silu(Tensor x) {
        return unary(UnaryOp.SILU, x);
    }

    /**
     * Logistic sigmoid {@code 1 / (1 + exp(-x))}.
     *
     * @param x the input
     * @return logistic sigmoid {@code 1 / (1 + exp(-x))}
     */
    public static Tensor sigmoid(Tensor x) {
        return unary(UnaryOp.SIGMOID, x);
    }

    /**
     * {@code max(x, 0)}.
     *
     * @param x the input
     * @return {@code max(x, 0)}
     */
    public static Tensor relu(Tensor x) {
        return unary(UnaryOp.RELU, x);
    }

    /**
     * {@code min(max(x, 0), 6)}.
     *
     * @param x the input
     * @return {@code min(max(x, 0), 6)}
     */
    public static Tensor relu6(Tensor x) {
        return unary(UnaryOp.RELU6, x);
    }

    /**
     * Hard-swish: {@code x * relu6(x + 3) / 6}.
     *
     * @param x the input
     * @return hard-swish: {@code x * relu6(x + 3) / 6}
     */
    public static Tensor hardSwish(Tensor x) {
        return unary(UnaryOp.HARD_SWISH, x);
    }

    /**
     * Hard-sigmoid: {@code relu6(x + 3) / 6}.
     *
     * @param x the input
     * @return hard-sigmoid: {@code relu6(x + 3) / 6}
     */
    public static Tensor hardSigmoid(Tensor x) {
        return unary(UnaryOp.HARD_SIGMOID, x);
    }

    /**
     * Hyperbolic tangent.
     *
     * @param x the input
     * @return hyperbolic tangent
     */
    public static Tensor tanh(Tensor x) {
        return unary(UnaryOp.TANH, x);
    }

    /**
     * {@code e^x}.
     *
     * @param x the input
     * @return {@code e^x}
     */
    public static Tensor exp(Tensor x) {
        return unary(UnaryOp.EXP, x);
    }

    /**
     * Natural logarithm (NaN below 0, -inf at 0).
     *
     * @param x the input
     * @return natural logarithm (NaN below 0, -inf at 0)
     */
    public static Tensor log(Tensor x) {
        return unary(UnaryOp.LOG, x);
    }

    /**
     * Square root (NaN below 0; infinite gradient at 0).
     *
     * @param x the input
     * @return square root (NaN below 0; infinite gradient at 0)
     */
    public static Tensor sqrt(Tensor x) {
        return unary(UnaryOp.SQRT, x);
    }

    /**
     * {@code x^2}.
     *
     * @param x the input
     * @return {@code x^2}
     */
    public static Tensor square(Tensor x) {
        return unary(UnaryOp.SQUARE, x);
    }

    /**
     * {@code |x|}.
     *
     * @param x the input
     * @return {@code |x|}
     */
    public static Tensor abs(Tensor x) {
        return unary(UnaryOp.ABS, x);
    }

    /**
     * Applies the element-wise kernel {@code op} with its gradient.
     *
     * @param op the unary operation
     * @param x the input
     * @return the result
     */
    public static Tensor unary(UnaryOp op, Tensor x) {
        if (op == null) throw new IllegalArgumentException("unary: op is null");
        if (x == null) throw new IllegalArgumentException(op.name().toLowerCase() + ": x is null");
        Tensor out = Tensor.empty(x.dtype(), x.shape());
        Backend.current().unary(op, x, out);
        if (Node.shouldRecord(x)) Node.record(out, new UnaryNode(op, x, derivativeUsesOutput(op) ? out : null));
        return out;
    }

    /** Ops whose derivative is cheapest from the output (the kernel recomputes it otherwise). */
    private static boolean derivativeUsesOutput(UnaryOp op) {
        return op == UnaryOp.EXP || op == UnaryOp.SQRT || op == UnaryOp.TANH || op == UnaryOp.SIGMOID;
    }

    private static final class UnaryNode extends Node {
        private final UnaryOp op;
        private Tensor x;
        private Tensor y;

        UnaryNode(UnaryOp op, Tensor x, Tensor y) {
            super(x);
            this.op = op;
            this.x = x;
            this.y = y;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor gx = Tensor.empty(x.dtype(), x.shape());
            Backend.current().unaryGrad(op, x, y, g, gx);
            return new Tensor[]{gx};
        }

        @Override
        protected void releaseSaved() {
            x = null;
            y = null;
        }
    }
}
