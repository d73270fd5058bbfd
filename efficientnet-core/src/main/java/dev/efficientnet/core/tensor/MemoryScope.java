package dev.efficientnet.core.tensor;

import dev.efficientnet.core.backend.Backend;
import dev.efficientnet.core.backend.Storage;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

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
    private final Set<Storage> kept = Collections.newSetFromMap(new IdentityHashMap<>());
    private boolean closed;

    private MemoryScope(MemoryScope parent) {
        this.parent = parent;
        this.owner = Thread.currentThread();
    }

    /** Opens a scope on the current thread; close it with try-with-resources. */
    public static MemoryScope open() {
        MemoryScope s = new MemoryScope(CURRENT.get());
        CURRENT.set(s);
        return s;
    }

    /** The innermost open scope of this thread, or null. */
    public static MemoryScope current() {
        return CURRENT.get();
    }

    /**
     * Runs {@code body} with no scope active, so what it allocates is long-lived (parameters,
     * optimizer state, running statistics).
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

    /** Keeps {@code t} (and every view of its storage) alive past this scope; returns {@code t}. */
    public <T extends Tensor> T keep(T t) {
        kept.add(t.storage());
        return t;
    }

    /** Number of buffers this scope will release on close. */
    public int size() {
        return owned.size();
    }

    void register(Storage storage) {
        owned.add(storage);
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
        kept.clear();
        if (parent != null) CURRENT.set(parent);
        else CURRENT.remove();
    }
}
