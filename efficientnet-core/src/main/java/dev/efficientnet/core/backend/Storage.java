package dev.efficientnet.core.backend;

import dev.efficientnet.core.tensor.DType;

/**
 * A flat, contiguous buffer owned by a {@link Backend}. Tensors are row-major views of a storage;
 * several tensors (reshapes) may share one. Once released back to its backend's pool the storage
 * must not be read again: every accessor then fails instead of returning someone else's data.
 */
public interface Storage {
    /** {@return element type} */
    DType dtype();

    /** {@return number of elements} */
    long length();

    /** {@return true once the buffer went back to the pool (its tensors are dead)} */
    boolean isReleased();

    /**
     * A write counter: it changes whenever a backend op writes into this buffer (copies, element-wise
     * results, optimizer updates, raw writes). Compiled inference plans compare it to notice changed
     * weights (decision D25). Backends without one return 0.
     *
     * @return a write counter: it changes whenever a backend op writes into this buffer (copies, element-wise results, optimizer updates, raw writes)
     */
    default long version() {
        return 0;
    }
}
