package dev.efficientnet.cli.safety;

import dev.efficientnet.cli.CliException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Input files that are not regular files: named pipes ({@code mkfifo}), process substitution
 * ({@code <(...)}, a {@code /dev/fd/N} pipe), {@code /dev/stdin}. The readers need random access
 * and may open a file twice (a PNG is checked, then decoded), which on a pipe sees "0 bytes"
 * ("empty") or waits forever for a second writer. {@link #materialize} reads such an input exactly
 * once, as a stream, into a private temporary file (deleted on exit) and returns that file, so every
 * reader works unchanged. Inputs that must be folders or regular files ({@code --data}) are refused
 * with {@link #requireRegularOrDirectory} as "not a regular file".
 */
public final class InputFiles {
    /** After this long without the first byte, a note says the command is waiting for a writer. */
    static final long NOTE_AFTER_MS = 2000;

    private InputFiles() {
    }

    /** True if {@code p} exists and is neither a regular file nor a directory (a pipe, a device, a socket). */
    public static boolean isSpecial(Path p) {
        return p != null && Files.exists(p) && !Files.isRegularFile(p) && !Files.isDirectory(p);
    }

    /**
     * {@code p} itself when it is a regular file, a folder or missing (the readers report those);
     * for a pipe or device, a temporary regular file with everything read from it. While no data has
     * arrived after {@value #NOTE_AFTER_MS} ms, one note on {@code err} says it is waiting for a writer.
     */
    public static Path materialize(String option, Path p, PrintWriter err) {
        if (!isSpecial(p)) return p;
        ExecutorService ex = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "efficientnet-pipe-reader");
            t.setDaemon(true);
            return t;
        });
        try {
            Path tmp = Files.createTempFile("efficientnet-pipe-", ".tmp");
            tmp.toFile().deleteOnExit();
            Future<Long> copy = ex.submit(() -> {
                try (InputStream in = Files.newInputStream(p);
                     OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.TRUNCATE_EXISTING)) {
                    return in.transferTo(out);
                }
            });
            long n;
            try {
                n = copy.get(NOTE_AFTER_MS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException slow) {
                if (Files.size(tmp) == 0 && err != null) {
                    err.println("efficientnet: " + option + " " + p + " is a pipe; waiting for data (Ctrl-C to stop)");
                    err.flush();
                }
                n = copy.get();
            }
            if (n == 0) throw CliException.usage(option + " " + p + ": the pipe delivered no data (0 bytes)");
            return tmp;
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable c = e.getCause();
            throw CliException.usage(option + " " + p + ": cannot read the pipe: " + (c == null ? e : c.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CliException.usage(option + " " + p + ": interrupted while reading the pipe");
        } catch (IOException e) {
            throw CliException.usage(option + " " + p + ": cannot copy the pipe to a temporary file: " + e.getMessage());
        } finally {
            ex.shutdownNow();
        }
    }

    /** Usage error unless {@code p} is missing, a regular file or a folder (never a pipe or device). */
    public static void requireRegularOrDirectory(String option, Path p, String expected) {
        if (isSpecial(p)) throw CliException.usage(option + " " + p + " is not a regular file (a pipe or device); " + expected);
    }
}
