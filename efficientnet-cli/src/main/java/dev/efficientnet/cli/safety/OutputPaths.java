package dev.efficientnet.cli.safety;

import dev.efficientnet.cli.CliException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Refuses outputs that would replace or sit on top of an input: {@code infer --output} equal to
 * {@code --weights}, a run folder holding the weights it starts from, and the like. Paths are
 * compared as files when both exist (hard links and symbolic links included), else by their
 * normalised absolute form.
 */
public final class OutputPaths {
    private OutputPaths() {
    }

    /**
     * Throws a usage error if the file {@code output} (given as {@code outOption}) is the same file as
     * any of {@code inputs} (option name → path; null paths are skipped).
     */
    public static void requireDistinct(String outOption, Path output, Map<String, Path> inputs) {
        if (output == null) return;
        for (Map.Entry<String, Path> in : inputs.entrySet()) {
            Path p = in.getValue();
            if (p != null && same(output, p))
                throw CliException.usage(outOption + " " + output + " is the same file as " + in.getKey() + " " + p
                        + "; writing it would destroy the input, choose another output file");
        }
    }

    /**
     * Throws a usage error if the output folder {@code dir} (given as {@code outOption}) is one of
     * {@code inputs} or contains one of them directly (a run writes its files into the folder).
     */
    public static void requireNotInside(String outOption, Path dir, Map<String, Path> inputs) {
        if (dir == null) return;
        for (Map.Entry<String, Path> in : inputs.entrySet()) {
            Path p = in.getValue();
            if (p == null) continue;
            Path parent = p.toAbsolutePath().normalize().getParent();
            if (same(dir, p) || parent != null && same(dir, parent))
                throw CliException.usage(outOption + " " + dir + " holds " + in.getKey() + " " + p
                        + "; the run would write over it, choose another folder");
        }
    }

    /** True if {@code a} and {@code b} name the same file or folder. */
    public static boolean same(Path a, Path b) {
        try {
            if (Files.exists(a) && Files.exists(b)) return Files.isSameFile(a, b);
        } catch (IOException e) {
            // fall back to comparing the names
        }
        return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
    }
}
