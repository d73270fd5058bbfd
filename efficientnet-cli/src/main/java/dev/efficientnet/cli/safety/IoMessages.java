package dev.efficientnet.cli.safety;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/** Short, user-facing descriptions of I/O failures (no class names, no stack traces). */
public final class IoMessages {
    private IoMessages() {
    }

    /** "permission denied", "no such file or directory: X", "No space left on device", … */
    public static String describe(IOException e) {
        if (e instanceof AccessDeniedException a) return "permission denied (" + a.getFile() + ")";
        if (e instanceof NoSuchFileException n) return "no such file or folder: " + n.getFile();
        if (e instanceof NotDirectoryException n) return "not a folder: " + n.getFile();
        if (e instanceof FileSystemException f && f.getReason() != null)
            return f.getReason() + (f.getFile() != null ? " (" + f.getFile() + ")" : "");
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }
}
