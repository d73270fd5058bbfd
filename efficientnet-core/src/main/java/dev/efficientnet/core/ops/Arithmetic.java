package dev.efficientnet.core.ops;

import dev.efficientnet.core.autograd.Node;
import dev.efficientnet.core.backend.Backend;
import dev.efficientnet.core.backend.BinaryOp;
import dev.efficientnet.core.tensor.Shapes;
import dev.efficientnet.core.tensor.Tensor;

import java.util.Arrays;

/** Broadcasting add, sub, mul, div and scalar affine maps, with their gradients. */
public final class Arithmetic {
    private Arithmetic() {
    }

    /**
     * {@code a + b} with broadcasting.
     *
     * @param a the first operand
     * @param b the second operand
     * @return {@code a + b} with broadcasting
     */
    public static Tensor add(Tensor a, Tensor b) {
        return binary(BinaryOp.ADD, a, b);
    }

    /**
     * {@code a - b} with broadcasting.
     *
     * @param a the first operand
     * @param b the second operand
     * @return {@code a - b} with broadcasting
     */
    public static Tensor sub(Tensor a, Tensor b) {
        return binary(BinaryOp.SUB, a, b);
    }

    /**
     * {@code a * b} with broadcasting.
     *
     * @param a the first operand
     * @param b the second operand
     * @return {@code a * b} with broadcasting
     */
    public static Tensor mul(Tensor a, Tensor b) {
        return binary(BinaryOp.MUL, a, b);
    }

    /**
     * {@code a / b} with broadcasting.
     *
     * @param a the first operand
     * @param b the second operand
     * @return {@code a / b} with broadcasting
     */
    public static Tensor div(Tensor a, Tensor b) {
        return binary(BinaryOp.DIV, a, b);
    }

    /**
     * {@code x * scale + shift}.
     *
     * @param x the input
     * @param scale the scale
     * @param shift the shift
     * @return {@code x * scale + shift}
     */
    public static Tensor affine(Tensor x, double scale, double shift) {
        Tensor out = Tensor.empty(x.dtype(), x.shape());
        Backend.current().affine(x, scale, shift, out);
        if (Node.shouldRecord(x)) {
            Node.record(out, new Node(x) {
                @Override
                protected Tensor[] backward(Tensor g) {
                    return new Tensor[]{scale == 1 ? g : affine(g, scale, 0)};
                }
            });
        }
        return out;
    }

    static void sameDtype(String op, Tensor a, Tensor b) {
        if (a.dtype() != b.dtype())
            throw new IllegalArgumentException(op + ": dtype mismatch " + a.dtype() + " vs " + b.dtype());
    }

    private static Tensor binary(BinaryOp op, Tensor a, Tensor b) {
        sameDtype(op.name().toLowerCase(), a, b);
        Tensor out = Tensor.empty(a.dtype(), Shapes.broadcast(a.shape(), b.shape()));
        Backend.current().binary(op, a, b, out);
        if (Node.shouldRecord(a, b)) Node.record(out, new BinaryNode(op, a, b, out));
        return out;
    }

    /** Sums a broadcast gradient back to {@code shape}. */
    static Tensor sumTo(Tensor g, int[] shape) {
        if (Arrays.equals(g.shape(), shape)) return g;
        int[] axes = Shapes.broadcastAxes(shape, g.shape());
        Tensor reduced = Reductions.sum(g, axes, true);
        return reduced.viewAs(shape);
    }

    /**
     * {@code sumTo(g * other, shape)}; when {@code other} has the gradient's shape and the result
     * is reduced, the product is never materialized (the SE gate's gradient reduces an activation-
     * sized product to {@code [N,1,1,C]}).
     */
    private static Tensor productSumTo(Tensor g, Tensor other, int[] shape) {
        int[] gs = g.shape();
        if (Arrays.equals(gs, shape) || !Arrays.equals(other.shape(), gs)) return sumTo(mul(g, other), shape);
        int[] axes = Shapes.broadcastAxes(shape, gs);
        int[] kept = gs.clone();
        for (int ax : axes) kept[ax] = 1;
        Tensor out = Tensor.empty(g.dtype(), kept);
        Backend.current().multiplyReduce(g, other, axes, out);
        return out.viewAs(shape);
    }

    private static final class BinaryNode extends Node {
        private final BinaryOp op;
        private Tensor a;
        private Tensor b;
        private Tensor out;

        BinaryNode(BinaryOp op, Tensor a, Tensor b, Tensor out) {
            super(a, b);
            this.op = op;
            this.a = a;
            this.b = b;
            this.out = out;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor ga = null;
            Tensor gb = null;
            boolean needA = needsGrad(0);
            boolean needB = needsGrad(1);
            switch (op) {
                case ADD -> {
                    if (needA) ga = sumTo(g, a.shape());
                    if (needB) gb = sumTo(g, b.shape());
                }
                case SUB -> {
                    if (needA) ga = sumTo(g, a.shape());
                    if (needB) gb = sumTo(affine(g, -1, 0), b.shape());
                }
                case MUL -> {
                    if (needA) ga = productSumTo(g, b, a.shape());
                    if (needB) gb = productSumTo(g, a, b.shape());
                }
                case DIV -> {
                    if (needA) ga = sumTo(div(g, b), a.shape());
                    if (needB) gb = sumTo(affine(div(mul(g, out), b), -1, 0), b.shape());
                }
            }
            return new Tensor[]{ga, gb};
        }

        @Override
        protected void releaseSaved() {
            a = null;
            b = null;
            out = null;
        }
    }
}
