package dev.efficientnet.train.data;

import java.io.IOException;
import java.nio.file.Path;

/** Training data could not be read or is invalid. The message names the file (or source) and the problem. */
public class DataException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String source;

    /** A problem with {@code file}. */
    public DataException(Path file, String problem) {
        this(String.valueOf(file), problem, null);
    }

    /** A problem with {@code file}, caused by {@code cause}. */
    public DataException(Path file, String problem, Throwable cause) {
        this(String.valueOf(file), problem, cause);
    }

    /** A problem with a named source (a file name or a stream description). */
    public DataException(String source, String problem) {
        this(source, problem, null);
    }

    /** A problem with a named source (a file name or a stream description), caused by {@code cause}. */
    public DataException(String source, String problem, Throwable cause) {
        super(source + ": " + problem, cause);
        this.source = source;
    }

    /**
     * Wraps an exception whose message already names the file (such as an
     * {@link dev.efficientnet.models.image.ImageReadException}), keeping its message unchanged.
     */
    public static DataException wrapping(Path file, IOException cause) {
        return new DataException(String.valueOf(file), cause.getMessage(), cause, true);
    }

    private DataException(String source, String message, Throwable cause, boolean verbatim) {
        super(message, cause);
        this.source = source;
    }

    /** The file or source the problem is about. */
    public String source() {
        return source;
    }
}
