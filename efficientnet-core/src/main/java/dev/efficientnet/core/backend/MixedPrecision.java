package dev.efficientnet.core.backend;

/**
 * Opt-in bfloat16 compute for training (decision D28): while enabled on a thread, the dense and
 * pointwise convolutions that thread runs (forward, backward-data, backward-weights) read their
 * input, weights and output gradient rounded to bfloat16 and accumulate and write in float32.
 * Everything else stays float32: the parameters (master weights) and their gradients, the
 * optimizer state, batch norm, activations, depthwise convolutions and the loss. Enabled only
 * where the backend runs bfloat16 natively ({@link #bf16Supported()}: oneDNN with AVX512-BF16 or
 * AMX); {@link #enableBf16()} refuses elsewhere rather than silently computing in float32.
 */
public final class MixedPrecision implements AutoCloseable {
    private static final ThreadLocal<Boolean> BF16 = ThreadLocal.withInitial(() -> Boolean.FALSE);

    private final boolean previous;
    private boolean closed;

    private MixedPrecision(boolean previous) {
        this.previous = previous;
    }

    /** True while the calling thread runs its convolutions in bfloat16. */
    public static boolean bf16Convolutions() {
        return BF16.get();
    }

    /** True when the current backend runs bfloat16 convolutions natively on this CPU. */
    public static boolean bf16Supported() {
        return Backend.current().supportsBf16Convolutions();
    }

    /**
     * Runs this thread's convolutions in bfloat16 until the returned scope is closed (scopes nest;
     * closing restores the previous setting).
     *
     * @throws UnsupportedOperationException when {@link #bf16Supported()} is false
     */
    public static MixedPrecision enableBf16() {
        if (!bf16Supported())
            throw new UnsupportedOperationException("bf16 training needs a CPU with AVX512-BF16 or AMX (and oneDNN); "
                    + "this one has neither: use float32");
        MixedPrecision scope = new MixedPrecision(BF16.get());
        BF16.set(Boolean.TRUE);
        return scope;
    }

    /** Restores the setting in force when this scope was opened. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        BF16.set(previous);
    }
}
