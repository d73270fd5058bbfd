package dev.efficientnet.core.ops;

import dev.efficientnet.core.autograd.Autograd;
import dev.efficientnet.core.autograd.GradMode;
import dev.efficientnet.core.autograd.Node;
import dev.efficientnet.core.backend.Backend;
import dev.efficientnet.core.backend.BinaryOp;
import dev.efficientnet.core.tensor.Tensor;

import java.util.Arrays;
import java.util.function.UnaryOperator;

/**
 * Squeeze-and-excitation as one autograd node: {@code x * gateOf(globalAvgPool(x))} for NHWC
 * {@code x}, where {@code gateOf} maps the pooled {@code [N,C]} to a gate of {@code N·C} elements
 * (any shape, e.g. {@code [N,1,1,C]}) through small differentiable ops (the reduce and expand 1×1
 * convs and the sigmoid).
 *
 * <p>Why one node: composed from a broadcast multiply and a global pool, the backward makes five
 * passes over the activation-sized tensors (the gradient through the gate, the gate's gradient
 * reduction, the pool gradient's fill and multiply, and the sum of the two gradients of {@code x}).
 * Here it makes two: {@code dgate = sum_hw(g * x)}, then, after the small gate graph has been
 * back-propagated to the pooled input ({@code dpool}), {@code dx = g * gate + dpool / (H·W)} in
 * one pass. The gate graph is back-propagated by a nested {@link Autograd#backward} from inside
 * this node's rule; its parameters accumulate their gradients as usual.
 */
public final class SqueezeExcitation {
    private SqueezeExcitation() {
    }

    /**
     * {@code x * gateOf(globalAvgPool(x))}, the gate reshaped to {@code [N,1,1,C]}.
     *
     * @param x the input
     * @param gateOf computes the gate from the pooled input
     * @return {@code x * gateOf(globalAvgPool(x))}, the gate reshaped to {@code [N,1,1,C]}
     */
    public static Tensor apply(Tensor x, UnaryOperator<Tensor> gateOf) {
        if (x == null || x.rank() != 4)
            throw new IllegalArgumentException("squeezeExcitation: x must be NHWC [N,H,W,C], got "
                    + (x == null ? "null" : "shape " + Arrays.toString(x.shape())));
        int n = x.dim(0);
        int c = x.dim(3);
        if (!GradMode.isEnabled() || !x.requiresGrad()) {
            Tensor gate = gateOf.apply(Pooling.globalAvgPool(x));
            return x.mul(reshapeGate(gate, n, c));
        }
        Tensor pooled;
        try (GradMode g = GradMode.disabled()) {
            pooled = Pooling.globalAvgPool(x);
        }
        Capture capture = new Capture();
        Node.record(pooled, capture);
        Tensor gate = reshapeGate(gateOf.apply(pooled), n, c);
        Tensor out = Tensor.empty(x.dtype(), x.shape());
        Backend.current().binary(BinaryOp.MUL, x, gate, out);
        return Node.record(out, new SeNode(x, gate, capture));
    }

    private static Tensor reshapeGate(Tensor gate, int n, int c) {
        if (gate.numel() != (long) n * c)
            throw new IllegalArgumentException("squeezeExcitation: the gate must have N*C = " + n * c
                    + " elements, got shape " + Arrays.toString(gate.shape()));
        return Arrays.equals(gate.shape(), new int[]{n, 1, 1, c}) ? gate : gate.reshape(n, 1, 1, c);
    }

    /** Stands in for the pool in the gate graph: receives the pooled input's gradient. */
    private static final class Capture extends Node {
        private Tensor target;
        private boolean received;

        Capture() {
            super();
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Backend.current().copy(g, target);
            received = true;
            return new Tensor[0];
        }
    }

    private static final class SeNode extends Node {
        private Tensor x;
        private Tensor gate;
        private Capture capture;

        SeNode(Tensor x, Tensor gate, Capture capture) {
            super(x);
            this.x = x;
            this.gate = gate;
            this.capture = capture;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Backend b = Backend.current();
            int n = x.dim(0);
            int h = x.dim(1);
            int w = x.dim(2);
            int c = x.dim(3);
            Tensor dgate = Tensor.empty(x.dtype(), n, 1, 1, c);
            b.multiplyReduce(g, x, new int[]{1, 2}, dgate);
            // Allocated before the nested pass, so that pass does not recycle it.
            Tensor dpool = Tensor.empty(x.dtype(), n, c);
            capture.target = dpool;
            if (gate.requiresGrad()) Autograd.backward(gate, dgate);
            if (capture.received) b.affine(dpool, 1.0 / ((double) h * w), 0, dpool);
            else b.fill(dpool, 0);
            Tensor gx = Tensor.empty(x.dtype(), x.shape());
            b.multiplyAdd(g, gate, dpool.viewAs(n, 1, 1, c), gx);
            return new Tensor[]{gx};
        }

        @Override
        protected void releaseSaved() {
            x = null;
            gate = null;
            capture = null;
        }
    }
}
