package dev.efficientnet.cli.safety;

import dev.efficientnet.cli.CliException;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The top-level error policy of the command line: every failure becomes one line and an exit code.
 * Input and usage problems (a {@link CliException} usage error, any {@link IOException} — missing,
 * unreadable, damaged files, read-only or full disks — and {@link IllegalArgumentException}s, the
 * library's "bad value" errors) exit 2; running out of memory and anything unexpected exit 1 with a
 * hint that {@code --debug} or {@value #DEBUG_ENV}{@code =1} shows the stack trace.
 */
public final class Failures {
    /** Environment variable that makes unexpected failures print their stack trace. */
    public static final String DEBUG_ENV = "EFFICIENTNET_DEBUG";

    private Failures() {
    }

    /** An exit code and its one-line message. */
    public record Outcome(int exitCode, String message, boolean unexpected) {
    }

    /** True if {@value #DEBUG_ENV} is set to something other than 0/false/empty. */
    public static boolean debugFromEnvironment() {
        String v = System.getenv(DEBUG_ENV);
        return v != null && !v.isBlank() && !v.equals("0") && !v.equalsIgnoreCase("false");
    }

    /** Classifies {@code t} (its cause chain is searched for a known kind). */
    public static Outcome classify(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof CliException ce) return new Outcome(ce.exitCode(), ce.getMessage(), false);
        }
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof OutOfMemoryError) {
                Runtime rt = Runtime.getRuntime();
                return new Outcome(CliException.FAILURE, String.format(java.util.Locale.ROOT,
                        "out of memory (%s; Java heap limit %.1f GiB): use a smaller --batch, resolution or model, or give the JVM more memory (-Xmx)",
                        oneLine(c.getMessage()), rt.maxMemory() / (double) (1L << 30)), false);
            }
            if (c instanceof IOException io) return new Outcome(CliException.USAGE, IoMessages.describe(io), false);
            if (c instanceof UncheckedIOException u && u.getCause() != null)
                return new Outcome(CliException.USAGE, IoMessages.describe(u.getCause()), false);
        }
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof IllegalArgumentException && c.getMessage() != null && !c.getMessage().isBlank()
                    && !(c instanceof NumberFormatException))
                return new Outcome(CliException.USAGE, oneLine(c.getMessage()), false);
        }
        return new Outcome(CliException.FAILURE, "internal error: " + oneLine(String.valueOf(t))
                + " (run with --debug or " + DEBUG_ENV + "=1 for the stack trace)", true);
    }

    /** {@code s} on one line. */
    public static String oneLine(String s) {
        if (s == null) return "";
        return s.replaceAll("\\s*\\R\\s*", " ").strip();
    }
}
