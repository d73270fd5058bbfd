package dev.efficientnet.core.autograd;

import dev.efficientnet.core.backend.Storage;
import dev.efficientnet.core.tensor.MemoryScope;
import dev.efficientnet.core.tensor.Tensor;

import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Returns the buffers made during a backward pass to the {@link MemoryScope}'s pool as soon as they
 * are dead, so the pass reuses them instead of holding every gradient until the step ends.
 *
 * <p>Only buffers allocated by the pass itself are candidates (gradients, sums, temporaries of the
 * backward rules); the seed, saved activations and parameter gradients never are. A candidate is
 * released once no pending gradient (one waiting for its node's rule to run) lives on it; several
 * pending gradients may share one buffer (a rule may return {@code gradOutput} itself, or a view
 * of it, for more than one input), so pending gradients are counted per buffer.
 */
final class GradientBuffers {
    private static final GradientBuffers NONE = new GradientBuffers(null);

    private final MemoryScope scope;
    private int mark;
    /** Buffers made by the pass and not yet released, with their number of pending gradients. */
    private final Map<Storage, Integer> made = new IdentityHashMap<>();

    private GradientBuffers(MemoryScope scope) {
        this.scope = scope;
        this.mark = scope == null ? 0 : scope.size();
    }

    /** Tracks the current thread's scope; without a scope the garbage collector owns the buffers. */
    static GradientBuffers forCurrentScope() {
        MemoryScope s = MemoryScope.current();
        return s == null ? NONE : new GradientBuffers(s);
    }

    void addPending(Tensor grad) {
        if (scope == null) return;
        collectNew();
        made.computeIfPresent(grad.storage(), (k, n) -> n + 1);
    }

    void dropPending(Tensor grad) {
        if (scope == null) return;
        made.computeIfPresent(grad.storage(), (k, n) -> n - 1);
    }

    /** Releases every buffer made by the pass on which no pending gradient lives. */
    void releaseUnused() {
        if (scope == null) return;
        collectNew();
        for (Iterator<Map.Entry<Storage, Integer>> it = made.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Storage, Integer> e = it.next();
            if (e.getValue() == 0) {
                scope.releaseNow(e.getKey());
                it.remove();
            }
        }
    }

    /** Registers the buffers the scope gained since the last call. */
    private void collectNew() {
        int size = scope.size();
        if (size == mark) return;
        for (Storage s : scope.allocatedSince(mark)) made.putIfAbsent(s, 0);
        mark = size;
    }
}
