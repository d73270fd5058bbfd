package dev.efficientnet.cli;

import picocli.CommandLine.IVersionProvider;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** {@code --version}: the project version (from the build) plus the Java runtime. */
public final class VersionProvider implements IVersionProvider {
    /** Creates the provider. */
    public VersionProvider() {
    }

    /** The project version the CLI was built as, e.g. {@code 0.1.0-SNAPSHOT}. */
    static String projectVersion() {
        try (InputStream in = VersionProvider.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                String v = p.getProperty("version");
                if (v != null && !v.isBlank() && !v.startsWith("${")) return v;
            }
        } catch (IOException ignored) {
            // fall through to the manifest
        }
        String v = Main.class.getPackage().getImplementationVersion();
        return v == null ? "unknown" : v;
    }

    @Override
    public String[] getVersion() {
        return new String[]{"efficientnet " + projectVersion(),
                "Java " + SystemInfo.javaVersion() + " (" + System.getProperty("java.vm.name", "?") + ")"};
    }
}
