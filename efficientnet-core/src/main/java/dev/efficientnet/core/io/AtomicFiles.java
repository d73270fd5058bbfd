package dev.efficientnet.core.io;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Crash-safe file replacement: the content goes to a hidden temporary file in the target's folder,
 * is forced to disk, and is then renamed over the target in one atomic step (the folder is synced
 * too where the platform allows). Readers see the old complete file or the new complete file, never
 * a partial one, and a failure (exception, crash, full disk) leaves the target untouched and removes
 * the temporary file when the JVM still can. An existing target's POSIX permissions are kept.
 */
public final class AtomicFiles {
    private static final Logger LOG = LoggerFactory.getLogger(AtomicFiles.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Set<Path> IN_FLIGHT = new HashSet<>();
    private static boolean abandoned; // guarded by IN_FLIGHT

    private AtomicFiles() {
    }

    /** Writes the content of a file through a channel positioned at 0. */
    @FunctionalInterface
    public interface Body {
        /** Writes everything; the channel is forced and closed by the caller. */
        void write(FileChannel channel) throws IOException;
    }

    /** Replaces {@code target} atomically with what {@code body} writes. */
    public static void write(Path target, Body body) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir == null || abs.getFileName() == null) throw new IllegalArgumentException("not a file path: " + target);
        String name = abs.getFileName().toString();
        if (name.length() > 100) name = name.substring(0, 100);
        Path tmp = null;
        FileChannel channel = null;
        for (int attempt = 0; channel == null; attempt++) {
            tmp = dir.resolve("." + name + "." + Long.toHexString(RANDOM.nextLong() >>> 1) + ".tmp");
            synchronized (IN_FLIGHT) {
                if (abandoned) throw new IOException("not writing " + abs + ": the process is stopping");
                try {
                    channel = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                    IN_FLIGHT.add(tmp);
                } catch (FileAlreadyExistsException e) {
                    if (attempt >= 10) throw e;
                }
            }
        }
        boolean moved = false;
        try {
            try (FileChannel ch = channel) {
                copyPermissions(abs, tmp);
                body.write(ch);
                ch.force(true);
            } catch (java.nio.file.FileSystemException e) {
                throw e;
            } catch (IOException e) {
                // e.g. a bare "No space left on device": name the file (its previous content is kept)
                throw new IOException("cannot write " + abs + ": " + e.getMessage() + " (the file keeps its previous content)", e);
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                LOG.warn("{}: atomic rename not supported here, replacing non-atomically", abs);
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
            moved = true;
            syncDirectory(dir);
        } finally {
            synchronized (IN_FLIGHT) {
                IN_FLIGHT.remove(tmp);
            }
            if (!moved) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException e) {
                    LOG.warn("could not delete temporary file {}: {}", tmp, e.toString());
                }
            }
        }
    }

    /**
     * For a process that is being stopped (a shutdown hook): refuses every later {@link #write} with an
     * {@link IOException} and deletes the temporary files of the writes in progress, whose targets
     * keep their previous complete content. Returns the deleted files. Irreversible.
     */
    public static List<Path> abandonAll() {
        List<Path> deleted = new ArrayList<>();
        synchronized (IN_FLIGHT) {
            abandoned = true;
            for (Path p : IN_FLIGHT) {
                try {
                    if (Files.deleteIfExists(p)) deleted.add(p);
                } catch (IOException e) {
                    LOG.warn("could not delete temporary file {}: {}", p, e.toString());
                }
            }
        }
        return deleted;
    }

    /** Replaces {@code target} atomically with {@code text} in UTF-8. */
    public static void writeString(Path target, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        write(target, ch -> writeFully(ch, ByteBuffer.wrap(bytes)));
    }

    /** Writes all remaining bytes of {@code buf}. */
    public static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) ch.write(buf);
    }

    private static void copyPermissions(Path from, Path to) {
        try {
            PosixFileAttributeView src = Files.getFileAttributeView(from, PosixFileAttributeView.class);
            if (src != null && Files.isRegularFile(from))
                Files.setPosixFilePermissions(to, src.readAttributes().permissions());
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            LOG.debug("could not copy permissions of {}: {}", from, e.toString());
        }
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            LOG.debug("could not sync directory {}: {}", dir, e.toString()); // not possible on every platform
        }
    }
}
