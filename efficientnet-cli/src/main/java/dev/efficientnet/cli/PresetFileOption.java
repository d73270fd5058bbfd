package dev.efficientnet.cli;

import dev.efficientnet.models.spec.PresetFile;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code --preset-file FILE}: registers the presets of a {@link PresetFile} (e.g. the
 * {@code presets.json} of {@code scale-search}) so their names work as ARCH. Use as
 * {@code @Mixin PresetFileOption presetFile;} and call {@link #load()} before resolving ARCH.
 */
public final class PresetFileOption {
    @Option(names = "--preset-file", paramLabel = "FILE",
            description = "JSON file of extra presets (e.g. scale-search's presets.json); their names become valid ARCH values.")
    Path file;

    /** Creates the option (unset). */
    public PresetFileOption() {
    }

    /** Registers the file's presets (nothing when unset); a missing or bad file is a usage error. */
    public List<String> load() {
        if (file == null) return List.of();
        file = dev.efficientnet.cli.safety.InputFiles.materialize("--preset-file", file, null);
        try {
            return PresetFile.register(file);
        } catch (java.nio.file.NoSuchFileException e) {
            throw CliException.usage("--preset-file " + file + ": no such file");
        } catch (IOException e) {
            throw CliException.usage("--preset-file " + file + ": cannot be read: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw CliException.usage("--preset-file " + e.getMessage());
        }
    }
}
