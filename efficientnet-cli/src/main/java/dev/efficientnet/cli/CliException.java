package dev.efficientnet.cli;

/**
 * A failure to report to the user as one line on stderr (no stack trace) with a given exit code:
 * {@link #USAGE} (2) for bad arguments, {@link #FAILURE} (1) for anything else.
 */
public final class CliException extends RuntimeException {
    /** Exit code of a usage error (bad argument value, unknown architecture). */
    public static final int USAGE = 2;
    /** Exit code of a runtime failure. */
    public static final int FAILURE = 1;

    private final int exitCode;

    /** A failure with {@code message} and {@code exitCode}. */
    public CliException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    /** A usage error (exit code 2). */
    public static CliException usage(String message) {
        return new CliException(USAGE, message);
    }

    /** The process exit code. */
    public int exitCode() {
        return exitCode;
    }
}
