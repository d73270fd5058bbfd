package dev.efficientnet.cli;

import picocli.CommandLine.IVersionProvider;

/** {@code --version}: the jar's implementation version (or "dev") plus the Java runtime. */
public final class VersionProvider implements IVersionProvider {
    /** Creates the provider. */
    public VersionProvider() {
    }

    @Override
    public String[] getVersion() {
        String v = Main.class.getPackage().getImplementationVersion();
        return new String[]{"efficientnet " + (v == null ? "dev" : v),
                "Java " + SystemInfo.javaVersion() + " (" + System.getProperty("java.vm.name", "?") + ")"};
    }
}
