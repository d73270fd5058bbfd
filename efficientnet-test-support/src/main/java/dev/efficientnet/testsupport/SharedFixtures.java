package dev.efficientnet.testsupport;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The reference files outside the repository, in {@code ../shared/fixtures} (the surefire system
 * property {@code shared.fixtures}). A test that needs them calls {@link #require}; when they are
 * absent the test is aborted with a message starting with {@link #SKIP_PREFIX}, and
 * {@link SkippedTestsReport} lists it once at the end of the module's test run.
 */
public final class SharedFixtures {
    /** The start of every abort message of a test skipped for missing shared fixtures. */
    public static final String SKIP_PREFIX = "needs ../shared fixtures";

    private SharedFixtures() {
    }

    /** The configured fixtures folder (it may not exist), or null when the property is not set. */
    public static Path configuredDir() {
        String prop = System.getProperty("shared.fixtures");
        return prop == null || prop.isBlank() ? null : Path.of(prop).normalize();
    }

    /** True when the fixtures folder holds every one of these files. */
    public static boolean available(String... files) {
        Path dir = configuredDir();
        if (dir == null || !Files.isDirectory(dir)) return false;
        for (String f : files) {
            if (!Files.isRegularFile(dir.resolve(f))) return false;
        }
        return true;
    }

    /**
     * The fixtures folder, after checking it holds these files; otherwise aborts the calling test
     * (JUnit assumption) with a message that names the missing files and the folder.
     */
    public static Path require(String... files) {
        Path dir = configuredDir();
        if (!available(files)) {
            String what = files.length == 0 ? "the folder" : String.join(", ", files);
            Assumptions.abort(SKIP_PREFIX + ": " + what + " not found in "
                    + (dir == null ? "(system property shared.fixtures not set)" : dir.toString()));
        }
        return dir;
    }
}
