package dev.efficientnet.core.backend;

import dev.efficientnet.core.backend.cpu.CpuBackend;

/** Holds the process-wide {@link Backend}; the CPU backend is created lazily on first use. */
public final class Backends {
    private static volatile Backend current;

    private Backends() {
    }

    /** {@return the installed backend, creating the CPU one on first call} */
    public static Backend current() {
        Backend b = current;
        if (b == null) {
            synchronized (Backends.class) {
                b = current;
                if (b == null) {
                    b = new CpuBackend();
                    current = b;
                }
            }
        }
        return b;
    }

    /**
     * Installs another backend (call before any tensor is created).
     *
     * @param backend the backend
     */
    public static synchronized void install(Backend backend) {
        current = backend;
    }
}
