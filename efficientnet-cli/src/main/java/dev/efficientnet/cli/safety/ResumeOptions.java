package dev.efficientnet.cli.safety;

import dev.efficientnet.cli.Architectures;
import dev.efficientnet.cli.CliException;
import dev.efficientnet.core.io.AtomicFiles;
import dev.efficientnet.core.io.Json;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParseResult;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What {@code train --resume DIR} does with each other option of {@code train}. Every option (and the
 * ARCH parameter) is classified:
 * <ul>
 *   <li>{@link Kind#APPLIED}: may change when a run is continued and is applied (more {@code --epochs},
 *       another {@code --data} location, {@code --workers}, {@code --checkpoint-every}, {@code --eval-resolution});</li>
 *   <li>{@link Kind#DEFINING}: shapes the run; given with a value other than the run's, resuming is refused
 *       with a message naming each such option and the run's value;</li>
 *   <li>{@link Kind#NEUTRAL}: about this invocation only ({@code --json}, {@code --max-steps}, help).</li>
 * </ul>
 * The values of every option of a run are saved in {@value #FILE} in the run folder (and rewritten with
 * the applied changes on each resume). A new option that is not classified here fails
 * {@code ResumeOptionsTest}; until classified it is treated as {@link Kind#DEFINING}.
 */
public final class ResumeOptions {
    /** The file in the run folder holding the options' values. */
    public static final String FILE = "cli-options.json";
    /** Key of the ARCH positional parameter. */
    public static final String ARCH = "ARCH";

    /** How an option is treated on resume. */
    public enum Kind {
        /** Changeable on resume; the new value is applied and saved. */
        APPLIED,
        /** Defines the run; a different value is refused. */
        DEFINING,
        /** Concerns this invocation only. */
        NEUTRAL
    }

    private static final Map<String, Kind> KINDS = new LinkedHashMap<>();

    static {
        for (String k : List.of("--epochs", "--data", "--workers", "--checkpoint-every", "--eval-resolution"))
            KINDS.put(k, Kind.APPLIED);
        for (String k : List.of(ARCH, "--batch", "--progressive", "--stages", "--min-size", "--max-size", "--dropout",
                "--randaug", "--mixup", "--width-mult", "--depth-mult", "--in-channels", "--drop-path", "--optimizer", "--lr",
                "--weight-decay", "--lr-schedule", "--warmup", "--ema-decay", "--label-smoothing", "--randaug-ops",
                "--crop-scale", "--translate", "--no-flip", "--random-erasing", "--init-weights", "--train-last-stages",
                "--seed", "--out", "--preset-file", "--cutmix", "--mix-switch-prob", "--clip-grad", "--ra-mstd", "--lr-steps",
                "--lr-gamma", "--fixres-steps", "--fixres-classifier", "--pretrained", "--pretrained-tag"))
            KINDS.put(k, Kind.DEFINING);
        for (String k : List.of("--resume", "--max-steps", "--json", "--overwrite", "--help", "--version", "--checkpoint-activations",
                "--precision"))
            KINDS.put(k, Kind.NEUTRAL);
    }

    private ResumeOptions() {
    }

    /** The key of an option (its longest name) or positional parameter (its label). */
    public static String key(ArgSpec a) {
        if (a instanceof OptionSpec o) return o.longestName();
        return ((PositionalParamSpec) a).paramLabel();
    }

    /** The classification of {@code key}, or null if it is not classified. */
    public static Kind kindOf(String key) {
        return KINDS.get(key);
    }

    /** The keys of {@code spec}'s options and parameters that are not classified (must be empty). */
    public static List<String> unclassified(CommandSpec spec) {
        List<String> out = new ArrayList<>();
        for (ArgSpec a : spec.args()) if (!KINDS.containsKey(key(a))) out.add(key(a));
        return out;
    }

    /** The value of every option and parameter of {@code spec} (help options excluded), comparable across runs. */
    public static Map<String, Object> values(CommandSpec spec) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (ArgSpec a : spec.args()) {
            if (a instanceof OptionSpec o && (o.usageHelp() || o.versionHelp())) continue;
            m.put(key(a), canonical(a.getValue()));
        }
        return m;
    }

    /** A comparable string form: absolute normal paths, architecture names in lower case. */
    public static String canonical(Object v) {
        if (v == null) return null;
        if (v instanceof Path p) return p.toAbsolutePath().normalize().toString();
        return v.toString();
    }

    /** Writes {@code values} to the run folder atomically. */
    public static void save(Path runDir, Map<String, Object> values) throws IOException {
        AtomicFiles.writeString(runDir.resolve(FILE), Json.writePretty(values) + "\n");
    }

    /** The values saved with the run in {@code runDir}, or null for a run without them (older version, library use). */
    public static Map<String, Object> load(Path runDir) {
        Path f = runDir.resolve(FILE);
        if (!Files.isRegularFile(f)) return null;
        try {
            return new LinkedHashMap<>(Json.parseObject(Files.readString(f)));
        } catch (IOException | RuntimeException e) {
            throw CliException.usage("cannot resume: " + f + " is damaged (" + e.getMessage() + ")");
        }
    }

    /**
     * Checks the options typed on the resume command line against the saved ones. Returns the
     * {@link Kind#APPLIED} options whose value changes (key → new value); throws a usage error naming
     * every {@link Kind#DEFINING} (or unclassified) option that contradicts the run.
     *
     * @param saved the saved values, or null when the run has none (then every defining option given is refused)
     */
    public static Map<String, String> check(Path runDir, ParseResult typed, Map<String, Object> saved) {
        Map<String, String> applied = new LinkedHashMap<>();
        List<String> refused = new ArrayList<>();
        List<ArgSpec> matched = new ArrayList<>(typed.matchedOptions());
        matched.addAll(typed.matchedPositionals());
        for (ArgSpec a : matched) {
            String k = key(a);
            Kind kind = Objects.requireNonNullElse(KINDS.get(k), Kind.DEFINING);
            if (kind == Kind.NEUTRAL) continue;
            String now = canonical(a.getValue());
            if (k.equals(ARCH) && now != null) now = Architectures.canonicalName(now);
            if (saved == null) {
                if (kind == Kind.APPLIED) applied.put(k, now);
                else refused.add(k);
                continue;
            }
            Object was = saved.get(k);
            String wasText = was == null ? null : was.toString();
            if (Objects.equals(now, wasText) || k.equals("--out") && OutputPaths.same(Path.of(now), runDir)) continue;
            if (kind == Kind.APPLIED) applied.put(k, now);
            else refused.add(k + " " + now + " (the run has " + (wasText == null ? "it unset" : wasText) + ")");
        }
        if (!refused.isEmpty()) {
            if (saved == null)
                throw CliException.usage("cannot check " + String.join(", ", refused) + " against the run in " + runDir
                        + " (it has no saved options): resume without them, or start a new run with --out");
            throw CliException.usage("--resume continues the run in " + runDir + " with its own settings, and these options contradict it: "
                    + String.join(", ", refused) + "; drop them, or start a new run with --out");
        }
        return applied;
    }
}
