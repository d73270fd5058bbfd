package dev.efficientnet.models.pretrained;

import java.io.IOException;

/**
 * Pretrained weights that cannot be had: no network and nothing cached, the server refused, or the
 * download's checksum does not match the published one. The message is one line and says what to
 * do (where to put the file by hand, which mirror setting to use).
 */
public class PretrainedException extends IOException {
    /** A failure described by {@code message}. */
    public PretrainedException(String message) {
        super(message);
    }

    /** A failure described by {@code message}, caused by {@code cause}. */
    public PretrainedException(String message, Throwable cause) {
        super(message, cause);
    }
}
