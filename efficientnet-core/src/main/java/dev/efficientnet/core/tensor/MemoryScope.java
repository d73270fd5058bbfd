package dev.efficientnet.core.tensor;

import dev.efficientnet.core.autograd.GradMode;
import dev.efficientnet.core.backend.Backend;
import dev.efficientnet.core.backend.Storage;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * A step-sized arena. Every tensor allocated on this thread while the scope is open is pooled and
 * handed back to the backend when the scope closes, so a training or inference loop that opens one
 * scope per step reuses the same buffers every step and its off-heap footprint stays flat.
 *
 * <pre>{@code
 * try (MemoryScope step = MemoryScope.open()) {
 *     Tensor loss = model.forward(x).crossEntropy(y);
 *     loss.backward();
 *     optimizer.step();
 *     lossValue = loss.item();          // read before the scope closes
 * }
 * }</pre>
 *
 * A tensor that must outlive the scope is passed to {@link #keep}; it then belongs to the enclosing
 * scope (or to the garbage collector when there is none). Reading a tensor whose scope has closed
 * throws {@link IllegalStateException} rather than returning recycled data. Scopes nest and are
 * per thread.
 */
public final class MemoryScope implements AutoCloseable {
    private static final ThreadLocal<MemoryScope> CURRENT = new ThreadLocal<>();

    private final MemoryScope parent;
    private final Thread owner;
    private final List<Storage> owned = new ArrayList<>();
    private final Set<Storage> ownedSet = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Set<Storage> kept = Collections.newSetFromMap(new IdentityHashMap<>());
    private boolean closed;

    private MemoryScope(MemoryScope parent) {
        this.parent = parent;
        this.owner = Thread.currentThread();
    }

    /** {@return the scope} */
    public static MemoryScope open() {
        MemoryScope s = new MemoryScope(CURRENT.get());
        CURRENT.set(s);
        return s;
    }

    /** {@return the innermost open scope of this thread, or null} */
    public static MemoryScope current() {
        return CURRENT.get();
    }

    /**
     * Runs {@code body} with no scope active, so what it allocates is long-lived (parameters,
     * optimizer state, running statistics).
     *
     * @param <T> the result type
     * @param body the code to run
     * @return what {@code body} returns
     */
    public static <T> T outside(Supplier<T> body) {
        MemoryScope saved = CURRENT.get();
        CURRENT.remove();
        try {
            return body.get();
        } finally {
            if (saved != null) CURRENT.set(saved);
        }
    }

    /**
     * Keeps {@code t} (and every view of its storage) alive past this scope; returns {@code t}.
     *
     * @param <T> the result type
     * @param t the tensor to keep
     * @return {@code t}
     */
    public <T extends Tensor> T keep(T t) {
        kept.add(t.storage());
        return t;
    }

    /** {@return number of buffers registered with this scope so far (including any released early)} */
    public int size() {
        return owned.size();
    }

    /**
     * The buffers registered with this scope since it had {@code mark} of them ({@link #size()}),
     * in allocation order. The autograd engine uses it to learn which buffers a backward rule made.
     *
     * @param mark an earlier {@link #size()}
     * @return the buffers registered with this scope since it had {@code mark} of them ({@link #size()}), in allocation order
     */
    public List<Storage> allocatedSince(int mark) {
        return new ArrayList<>(owned.subList(mark, owned.size()));
    }

    /**
     * Hands {@code storage} back to the backend now instead of when the scope closes, for callers
     * that know the buffer is dead: the autograd engine releases a gradient once every rule that
     * reads it has run, and {@link #applyInOrder} releases each step's input once the next step
     * has consumed it. Buffers this scope does not own, or that were {@link #keep kept}, are left
     * alone. Returns whether the buffer was released. Every tensor on it is dead afterwards.
     *
     * @param storage the storage
     * @return true if the storage was handed back
     */
    public boolean releaseNow(Storage storage) {
        if (closed || kept.contains(storage) || !ownedSet.remove(storage)) return false;
        Backend.current().release(storage);
        return true;
    }

    /**
     * Runs {@code steps} in order on {@code x} (each on the previous one's output). When no graph
     * is being recorded ({@link GradMode} disabled) and a scope is
     * open, each step runs in its own nested scope that keeps only the step's output, and an
     * output of an earlier step is released once the next step has consumed it, so an inference
     * pass holds one step's temporaries at a time instead of the whole pass's. Otherwise (training,
     * or no scope) it is a plain loop: the graph holds the intermediates for backward.
     *
     * @param x the input
     * @param steps the steps
     * @return the last step's output
     */
    public static Tensor applyInOrder(Tensor x, List<? extends UnaryOperator<Tensor>> steps) {
        MemoryScope outer = CURRENT.get();
        if (outer == null || GradMode.isEnabled()) {
            for (UnaryOperator<Tensor> step : steps) x = step.apply(x);
            return x;
        }
        Tensor in = x;
        for (UnaryOperator<Tensor> step : steps) {
            Tensor out;
            try (MemoryScope inner = open()) {
                out = inner.keep(step.apply(x));
            }
            // x was made by an earlier step (not the caller's input) and nothing else holds it.
            if (x != in && out.storage() != x.storage()) outer.releaseNow(x.storage());
            x = out;
        }
        return x;
    }

    void register(Storage storage) {
        owned.add(storage);
        ownedSet.add(storage);
    }

    @Override
    public void close() {
        if (closed) return;
        if (Thread.currentThread() != owner)
            throw new IllegalStateException("MemoryScope closed on thread " + Thread.currentThread().getName()
                    + " but opened on " + owner.getName());
        if (CURRENT.get() != this)
            throw new IllegalStateException("MemoryScope closed out of order: close inner scopes first");
        closed = true;
        Backend backend = Backend.current();
        for (Storage s : owned) {
            if (kept.contains(s)) {
                if (parent != null) parent.register(s);
            } else {
                backend.release(s);
            }
        }
        owned.clear();
        ownedSet.clear();
        kept.clear();
        if (parent != null) CURRENT.set(parent);
        else CURRENT.remove();
    }
}
