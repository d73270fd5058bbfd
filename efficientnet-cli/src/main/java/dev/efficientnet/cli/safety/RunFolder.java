package dev.efficientnet.cli.safety;

import dev.efficientnet.cli.CliException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A training run folder held for the whole run: an exclusive lock on {@code DIR/.lock} keeps a second
 * process out, a folder that already holds a run is refused for a new run (unless the user asked to
 * overwrite it, then its run files are removed first so nothing mixes), and temporary files left by an
 * interrupted atomic write are removed. All refusals are {@link CliException#usage usage errors}.
 */
public final class RunFolder implements AutoCloseable {
    /** The lock file's name. */
    public static final String LOCK_FILE = ".lock";
    /** The files of a run worth keeping: any of them present means the folder holds a run. */
    public static final List<String> RESULT_FILES = List.of("last.safetensors", "best.safetensors", "metrics.csv");
    /** Every file a run writes (removed before a new run starts in the folder, so nothing mixes). */
    public static final List<String> RUN_FILES = List.of("last.safetensors", "best.safetensors", "config.json",
            "metrics.csv", ResumeOptions.FILE, "loss.png", "accuracy.png", "lr.png", "image_size.png");
    /** Temporary files of {@code AtomicFiles}: {@code .NAME.HEX.tmp}. */
    static final Pattern TEMP = Pattern.compile("^\\..+\\.[0-9a-f]+\\.tmp$");

    private final Path dir;
    private final FileChannel channel;
    private final FileLock lock;
    private final List<Path> removedTemps;
    private boolean created;

    private RunFolder(Path dir, FileChannel channel, FileLock lock, List<Path> removedTemps) {
        this.dir = dir;
        this.channel = channel;
        this.lock = lock;
        this.removedTemps = removedTemps;
    }

    /**
     * Creates and locks {@code dir} for a new run. A folder holding a run is refused unless
     * {@code overwrite}, which deletes the old run's files (only those, see {@link #RUN_FILES}).
     */
    public static RunFolder forNewRun(Path dir, boolean overwrite) {
        if (Files.exists(dir) && !Files.isDirectory(dir))
            throw CliException.usage("--out " + dir + " is a file, not a folder");
        boolean created = !Files.exists(dir);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw CliException.usage("cannot create the run folder " + dir + ": " + IoMessages.describe(e));
        }
        RunFolder f = lock(dir);
        f.created = created;
        try {
            List<String> held = present(dir, RESULT_FILES);
            if (!held.isEmpty() && !overwrite)
                throw CliException.usage(dir + " already holds a run (" + String.join(", ", held)
                        + "); continue it with 'efficientnet train --resume " + dir + "', or choose a fresh folder with --out"
                        + " (--overwrite replaces the old run)");
            for (String name : present(dir, RUN_FILES)) Files.delete(dir.resolve(name));
            return f;
        } catch (IOException e) {
            f.close();
            throw CliException.usage("cannot clear the old run in " + dir + ": " + IoMessages.describe(e));
        } catch (RuntimeException e) {
            f.close();
            throw e;
        }
    }

    /** Locks {@code dir} to continue the run in it; it must hold a {@code last.safetensors}. */
    public static RunFolder forResume(Path dir) {
        if (!Files.exists(dir)) throw CliException.usage("--resume " + dir + ": no such folder");
        if (!Files.isDirectory(dir)) throw CliException.usage("--resume " + dir + " is a file; give the run folder");
        RunFolder f = lock(dir);
        if (!Files.isRegularFile(dir.resolve("last.safetensors"))) {
            f.close();
            throw CliException.usage("--resume " + dir + " holds no checkpoint (last.safetensors) to resume from");
        }
        return f;
    }

    private static RunFolder lock(Path dir) {
        Path lockFile = dir.resolve(LOCK_FILE);
        FileChannel ch;
        try {
            ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw CliException.usage("cannot write to the run folder " + dir + ": " + IoMessages.describe(e));
        }
        FileLock l;
        try {
            l = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            l = null;
        } catch (IOException e) {
            closeQuietly(ch);
            throw CliException.usage("cannot lock the run folder " + dir + ": " + IoMessages.describe(e));
        }
        if (l == null) {
            closeQuietly(ch);
            throw CliException.usage(dir + " is in use by another training process (it holds " + lockFile
                    + "); wait for it to end or choose another folder");
        }
        try {
            ch.truncate(0);
            ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8)), 0);
        } catch (IOException e) {
            // the pid is informative only
        }
        return new RunFolder(dir, ch, l, removeTemps(dir));
    }

    /** Those of {@code names} present in {@code dir}. */
    static List<String> present(Path dir, List<String> names) {
        List<String> held = new ArrayList<>();
        for (String name : names) if (Files.exists(dir.resolve(name))) held.add(name);
        return held;
    }

    /** Deletes temporary files of interrupted atomic writes in {@code dir}; returns them. */
    public static List<Path> removeTemps(Path dir) {
        List<Path> removed = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            for (Path p : s) {
                if (TEMP.matcher(p.getFileName().toString()).matches() && Files.isRegularFile(p)) {
                    try {
                        Files.deleteIfExists(p);
                        removed.add(p);
                    } catch (IOException e) {
                        // left for the next run
                    }
                }
            }
        } catch (IOException e) {
            // nothing to clean
        }
        return removed;
    }

    /** The folder. */
    public Path dir() {
        return dir;
    }

    /** Temporary files of an earlier interrupted write that were removed when the folder was locked. */
    public List<Path> removedTemps() {
        return removedTemps;
    }

    /**
     * Releases the lock (the lock file stays; it only means something while locked). A folder this
     * object created that holds nothing but the lock file (the command failed before writing) is removed.
     */
    @Override
    public void close() {
        try {
            if (lock.isValid()) lock.release();
        } catch (IOException e) {
            // closing the channel releases it too
        }
        closeQuietly(channel);
        if (created) {
            try (java.util.stream.Stream<Path> files = Files.list(dir)) {
                if (files.allMatch(p -> p.getFileName().toString().equals(LOCK_FILE))) {
                    Files.deleteIfExists(dir.resolve(LOCK_FILE));
                    Files.deleteIfExists(dir);
                }
            } catch (IOException e) {
                // leave it
            }
        }
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            // nothing to do
        }
    }
}
