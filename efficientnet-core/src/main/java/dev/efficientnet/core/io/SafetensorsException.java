package dev.efficientnet.core.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A safetensors file that cannot be read or written as asked: malformed or hostile content, a
 * missing tensor, a value that does not convert exactly. The message starts with the file and
 * names the tensor and the offending value.
 */
public class SafetensorsException extends IOException {
    private final transient Path file;

    /**
     * A problem with {@code file}; the message is {@code "<file>: <problem>"}.
     *
     * @param file the file
     * @param problem what is wrong
     */
    public SafetensorsException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    /**
     * A problem with {@code file} caused by {@code cause}.
     *
     * @param file the file
     * @param problem what is wrong
     * @param cause the cause
     */
    public SafetensorsException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    /** {@return the file concerned} */
    public Path file() {
        return file;
    }
}
