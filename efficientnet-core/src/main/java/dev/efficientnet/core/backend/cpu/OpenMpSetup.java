package dev.efficientnet.core.backend.cpu;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts OpenMP (used by ND4J and its oneDNN convolutions) into the passive wait policy before the
 * native library loads. With the default policy ND4J's OpenMP workers spin for a while after every
 * native op; on a machine with few cores they then compete with the Java kernels' threads (and
 * the JIT and GC) for the same cores, which made the small ops of a forward pass 10-100x slower
 * and the timings erratic. libgomp reads {@code OMP_WAIT_POLICY} once, when it is loaded, so this
 * sets the variable in the process environment through the C library's {@code setenv} (called via
 * JNA, which ND4J already depends on, by reflection so nothing breaks when it is absent).
 *
 * <p>An {@code OMP_WAIT_POLICY} already in the environment is left alone; the system property
 * {@code efficientnet.ompWaitPolicy} overrides the default {@code PASSIVE} ({@code none} disables
 * the change).
 */
final class OpenMpSetup {
    private static final Logger LOG = LoggerFactory.getLogger(OpenMpSetup.class);
    private static boolean done;

    private OpenMpSetup() {
    }

    /** Call before ND4J's native library is loaded; later calls do nothing. */
    static synchronized void configure() {
        if (done) return;
        done = true;
        String policy = System.getProperty("efficientnet.ompWaitPolicy", "PASSIVE");
        if (policy.equalsIgnoreCase("none") || System.getenv("OMP_WAIT_POLICY") != null) return;
        try {
            Class<?> nativeLibrary = Class.forName("com.sun.jna.NativeLibrary");
            Object libc = nativeLibrary.getMethod("getInstance", String.class).invoke(null, "c");
            Object setenv = nativeLibrary.getMethod("getFunction", String.class).invoke(libc, "setenv");
            Object rc = Class.forName("com.sun.jna.Function").getMethod("invokeInt", Object[].class)
                    .invoke(setenv, (Object) new Object[]{"OMP_WAIT_POLICY", policy, 0});
            LOG.debug("OMP_WAIT_POLICY={} (setenv returned {})", policy, rc);
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            LOG.debug("could not set OMP_WAIT_POLICY ({}); ND4J keeps OpenMP's default wait policy", e.toString());
        }
    }
}
