package dev.efficientnet.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Facts about the running process reported by the benchmarks. */
public final class SystemInfo {
    private static final Path PROC_STATUS = Path.of("/proc/self/status");

    private SystemInfo() {
    }

    /** Peak resident set size in MB (VmHWM of /proc/self/status), or -1 where unavailable. */
    public static double peakRssMb() {
        try {
            return peakRssMb(Files.readString(PROC_STATUS));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Peak RSS in MB parsed from the text of a /proc/PID/status file, or -1 if it has no VmHWM line. */
    static double peakRssMb(String status) {
        for (String line : status.split("\n")) {
            if (!line.startsWith("VmHWM:")) continue;
            String[] parts = line.substring("VmHWM:".length()).trim().split("\\s+");
            try {
                double kb = Double.parseDouble(parts[0]);
                return Math.round(kb / 1024.0 * 10) / 10.0;
            } catch (NumberFormatException e) {
                return -1;
            }
        }
        return -1;
    }

    /** Processors available to the JVM (the kernels' thread count). */
    public static int threads() {
        return Runtime.getRuntime().availableProcessors();
    }

    /** The running Java version, e.g. "25" or "17.0.12". */
    public static String javaVersion() {
        return System.getProperty("java.version", "unknown");
    }
}
