package dev.efficientnet.models.image;

import java.io.IOException;
import java.nio.file.Path;

/**
 * An image file could not be read: missing or unreadable path, empty file, unknown format, corrupt
 * or truncated data, or declared dimensions above the decoding limit. The message names the file
 * and the problem.
 */
public class ImageReadException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;

    /**
     * A failure reading {@code file}, described by {@code problem}.
     *
     * @param file the file
     * @param problem what is wrong
     */
    public ImageReadException(Path file, String problem) {
        super(message(file, problem));
        this.file = file;
    }

    /**
     * A failure reading {@code file}, described by {@code problem}, caused by {@code cause}.
     *
     * @param file the file
     * @param problem what is wrong
     * @param cause the cause
     */
    public ImageReadException(Path file, String problem, Throwable cause) {
        super(message(file, problem), cause);
        this.file = file;
    }

    private static String message(Path file, String problem) {
        return "cannot read image " + file + ": " + problem;
    }

    /** {@return the file that failed (null only if the exception was deserialized)} */
    public Path file() {
        return file;
    }
}
