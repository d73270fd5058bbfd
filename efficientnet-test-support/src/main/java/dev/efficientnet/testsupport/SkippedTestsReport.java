package dev.efficientnet.testsupport;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A JUnit Platform listener (registered through {@code META-INF/services}, so every module with
 * this jar on its test classpath has it) that says once, at the end of the module's test run,
 * which tests were skipped and why: first those that need the {@code ../shared} fixtures
 * ({@link SharedFixtures}), then any other skipped or aborted test. It prints the list to the
 * console and writes it to {@code target/skipped-tests/<pid>.txt} (one file per test JVM: a module
 * may run surefire more than once); {@code .ci/run} prints all modules' lists at the end of the
 * build. A run with no skipped test prints and writes nothing.
 */
public final class SkippedTestsReport implements TestExecutionListener {
    /** The report folder, relative to the module directory (surefire's working directory). */
    public static final String DIR = "target/skipped-tests";

    private final List<String> fixtures = new ArrayList<>();
    private final List<String> others = new ArrayList<>();
    private TestPlan plan;

    /** Created by the JUnit Platform launcher (service loader). */
    public SkippedTestsReport() {
    }

    @Override
    public void testPlanExecutionStarted(TestPlan testPlan) {
        plan = testPlan;
        fixtures.clear();
        others.clear();
    }

    @Override
    public void executionSkipped(TestIdentifier id, String reason) {
        record(id, reason == null ? "disabled" : reason);
    }

    @Override
    public void executionFinished(TestIdentifier id, TestExecutionResult result) {
        if (result.getStatus() == TestExecutionResult.Status.ABORTED) {
            record(id, result.getThrowable().map(Throwable::getMessage).orElse("aborted"));
        }
    }

    private void record(TestIdentifier id, String reason) {
        String line = name(id) + " (" + (reason == null ? "aborted" : reason.strip()) + ")";
        if (reason != null && reason.startsWith(SharedFixtures.SKIP_PREFIX)) fixtures.add(line);
        else others.add(line);
    }

    private String name(TestIdentifier id) {
        StringBuilder b = new StringBuilder(id.getDisplayName());
        TestIdentifier p = plan == null ? null : plan.getParent(id).orElse(null);
        while (p != null && p.getParentId().isPresent()) {
            b.insert(0, p.getDisplayName() + " > ");
            p = plan.getParent(p).orElse(null);
        }
        return b.toString();
    }

    @Override
    public void testPlanExecutionFinished(TestPlan testPlan) {
        if (fixtures.isEmpty() && others.isEmpty()) return;
        Path file = Path.of(System.getProperty("user.dir"), DIR, ProcessHandle.current().pid() + ".txt");
        String module = Path.of(System.getProperty("user.dir")).getFileName().toString();
        StringBuilder b = new StringBuilder();
        if (!fixtures.isEmpty()) {
            Path dir = SharedFixtures.configuredDir();
            b.append(module).append(": ").append(fixtures.size()).append(fixtures.size() == 1 ? " test" : " tests")
                    .append(" skipped because the ../shared fixtures are missing (looked in ")
                    .append(dir == null ? "nothing: -Dshared.fixtures not set" : dir.toString()).append("):\n");
            for (String s : fixtures) b.append("  - ").append(s).append('\n');
        }
        if (!others.isEmpty()) {
            b.append(module).append(": ").append(others.size()).append(others.size() == 1 ? " other test" : " other tests")
                    .append(" skipped:\n");
            for (String s : others) b.append("  - ").append(s).append('\n');
        }
        System.out.print("\n[SKIPPED TESTS] " + b);
        System.out.flush();
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, b.toString(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            System.out.println("(could not write " + file + ": " + e.getMessage() + ")");
        }
    }
}
