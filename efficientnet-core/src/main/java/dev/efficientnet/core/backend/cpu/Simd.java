package dev.efficientnet.core.backend.cpu;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the Vector API kernels ({@link VectorMath}) are used: only when the JVM was started with
 * {@code --add-modules jdk.incubator.vector} (the launcher, the tests and the benchmarks do this on
 * Java 17+), the property {@code efficientnet.simd} is not {@code false}, and a self-test against
 * {@link Math#exp} passes. Otherwise the scalar kernels, which C2 auto-vectorizes, run.
 */
final class Simd {
    private static final Logger LOG = LoggerFactory.getLogger(Simd.class);

    /** True when {@link VectorMath} is in use. */
    static final boolean ENABLED = detect();

    private Simd() {
    }

    private static boolean detect() {
        if ("false".equalsIgnoreCase(System.getProperty("efficientnet.simd"))) return false;
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            LOG.debug("jdk.incubator.vector not in the boot layer: scalar exp kernels");
            return false;
        }
        try {
            int n = 4 * VectorMath.lanes();
            float[] x = new float[n];
            float[] y = new float[n];
            for (int i = 0; i < n; i++) x[i] = -20f + 40f * i / n;
            VectorMath.sigmoid(x, y, n);
            for (int i = 0; i < n; i++) {
                double ref = 1 / (1 + Math.exp(-x[i]));
                if (!(Math.abs(y[i] - ref) <= 1e-6 * ref)) {
                    LOG.warn("Vector API sigmoid self-test failed at x={} ({} vs {}): scalar kernels", x[i], y[i], ref);
                    return false;
                }
            }
            LOG.debug("Vector API exp kernels on, {} float lanes", VectorMath.lanes());
            return true;
        } catch (LinkageError | RuntimeException e) {
            LOG.warn("Vector API unavailable ({}): scalar exp kernels", e.toString());
            return false;
        }
    }
}
