package dev.efficientnet.core.autograd;

/**
 * Per-thread switch for graph recording. Inference runs inside {@link #disabled()} so no graph
 * nodes or saved tensors are kept:
 * <pre>{@code try (var g = GradMode.disabled()) { logits = model.forward(x); } }</pre>
 */
public final class GradMode implements AutoCloseable {
    private static final ThreadLocal<Boolean> ENABLED = ThreadLocal.withInitial(() -> Boolean.TRUE);

    private final boolean previous;

    private GradMode(boolean enabled) {
        previous = ENABLED.get();
        ENABLED.set(enabled);
    }

    /** {@return the handle that restores the previous mode when closed} */
    public static GradMode disabled() {
        return new GradMode(false);
    }

    /** {@return the handle that restores the previous mode when closed} */
    public static GradMode enabled() {
        return new GradMode(true);
    }

    /** {@return true when ops on this thread record graph nodes} */
    public static boolean isEnabled() {
        return ENABLED.get();
    }

    @Override
    public void close() {
        ENABLED.set(previous);
    }
}
