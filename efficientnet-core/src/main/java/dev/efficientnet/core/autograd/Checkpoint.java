package dev.efficientnet.core.autograd;

import dev.efficientnet.core.backend.Backend;
import dev.efficientnet.core.tensor.Rng;
import dev.efficientnet.core.tensor.Tensor;

import java.util.function.UnaryOperator;

/**
 * Activation checkpointing: {@code f(x)} runs without recording a graph, so none of its
 * intermediate activations are kept for backward (inside a {@code MemoryScope} a {@code Sequential}
 * then releases each child's output once the next child has consumed it); only {@code x} and the
 * output are kept. The backward rule runs {@code f} again on {@code x}, this time recording, and
 * back-propagates the output's gradient through that graph (a nested {@link Autograd#backward}):
 * the parameters inside {@code f} accumulate their gradients there, and the gradient of {@code x}
 * is returned. Memory: one checkpointed segment's activations at a time instead of all of them;
 * time: one more forward of each segment.
 *
 * <p>The recomputation must reproduce the first run: the states of the given {@link Rng}s (drop
 * path masks) are restored before it and put back after it, and while it runs
 * {@link #isRecomputing()} is true, which makes batch norm skip its running-statistics update
 * (the first run already made it).
 */
public final class Checkpoint {
    private static final ThreadLocal<Boolean> RECOMPUTING = ThreadLocal.withInitial(() -> Boolean.FALSE);

    private Checkpoint() {
    }

    /** {@return true while a checkpointed segment is being recomputed on this thread (during backward)} */
    public static boolean isRecomputing() {
        return RECOMPUTING.get();
    }

    /**
     * {@code f.apply(x)}, checkpointed when a graph is being recorded (otherwise a plain call).
     *
     * @param rngs the random generators {@code f} draws from, replayed in the recomputation
     * @param x the input
     * @param f the function
     * @return {@code f.apply(x)}, checkpointed when a graph is being recorded (otherwise a plain call)
     */
    public static Tensor apply(Tensor x, UnaryOperator<Tensor> f, Rng... rngs) {
        if (!GradMode.isEnabled() || isRecomputing()) return f.apply(x);
        long[] states = new long[rngs.length];
        for (int i = 0; i < rngs.length; i++) states[i] = rngs[i].state();
        Tensor out;
        try (GradMode g = GradMode.disabled()) {
            out = f.apply(x);
        }
        if (out == x) return out;
        return Node.record(out, new Recompute(x, f, rngs, states));
    }

    /** Receives the segment input's gradient in the recomputed graph. */
    private static final class Capture extends Node {
        private final Tensor target;
        private boolean received;

        Capture(Tensor target) {
            super();
            this.target = target;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Backend.current().copy(g, target);
            received = true;
            return new Tensor[0];
        }
    }

    private static final class Recompute extends Node {
        private Tensor x;
        private UnaryOperator<Tensor> f;
        private Rng[] rngs;
        private final long[] states;

        Recompute(Tensor x, UnaryOperator<Tensor> f, Rng[] rngs, long[] states) {
            super(x);
            this.x = x;
            this.f = f;
            this.rngs = rngs;
            this.states = states;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            boolean wantX = needsGrad(0);
            // Allocated before the nested pass, so that pass does not recycle it.
            Tensor gx = wantX ? Tensor.empty(x.dtype(), x.shape()) : null;
            Tensor in = x.detach();
            Capture capture = wantX ? new Capture(gx) : null;
            if (wantX) Node.record(in, capture);
            long[] now = new long[rngs.length];
            for (int i = 0; i < rngs.length; i++) {
                now[i] = rngs[i].state();
                rngs[i].setState(states[i]);
            }
            Tensor out;
            RECOMPUTING.set(Boolean.TRUE);
            try (GradMode m = GradMode.enabled()) {
                out = f.apply(in);
            } finally {
                RECOMPUTING.set(Boolean.FALSE);
                for (int i = 0; i < rngs.length; i++) rngs[i].setState(now[i]);
            }
            if (out.requiresGrad()) Autograd.backward(out, g);
            if (wantX && !capture.received) Backend.current().fill(gx, 0);
            return new Tensor[]{gx};
        }

        @Override
        protected void releaseSaved() {
            x = null;
            f = null;
            rngs = null;
        }
    }
}
