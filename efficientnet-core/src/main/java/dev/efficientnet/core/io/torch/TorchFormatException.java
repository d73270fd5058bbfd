package dev.efficientnet.core.io.torch;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A PyTorch checkpoint that cannot be read: not a {@code torch.save} zip, a malformed or hostile
 * pickle, a global outside the whitelist, a tensor whose storage is missing or too small. The
 * message starts with the file and fits on one line.
 */
public class TorchFormatException extends IOException {
    private final transient Path file;

    /** A problem with {@code file}; the message is {@code "<file>: <problem>"}. */
    public TorchFormatException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    /** A problem with {@code file} caused by {@code cause}. */
    public TorchFormatException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    /** The file concerned. */
    public Path file() {
        return file;
    }
}
