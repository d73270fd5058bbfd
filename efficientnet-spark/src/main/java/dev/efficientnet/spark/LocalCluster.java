package dev.efficientnet.spark;

import org.apache.spark.SparkConf;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Makes Spark's {@code local-cluster[W,C,M]} master work from the Maven jars alone, without a Spark
 * distribution: it starts a real standalone master, worker and {@code W} executor JVMs on this
 * machine. Needs a "Spark home" with an empty {@code RELEASE} file and a {@code jars/} folder (made
 * here in the temp folder with links to the jars of this JVM's class path), the system properties
 * {@code spark.test.home} and {@code spark.testing}, the executors' class path as absolute entries,
 * and {@code SPARK_SCALA_VERSION=2.13} in this JVM's environment (the {@code efficientnet} launcher
 * and the Maven build set it). Other masters are left untouched.
 */
public final class LocalCluster {
    private LocalCluster() {
    }

    /** True for a {@code local-cluster[...]} master URL. */
    public static boolean isLocalCluster(String master) {
        return master != null && master.trim().toLowerCase(Locale.ROOT).startsWith("local-cluster");
    }

    /**
     * Prepares {@code conf} (and this JVM's system properties) for its master when that is
     * {@code local-cluster[...]}; returns {@code conf}.
     *
     * @throws IllegalStateException if {@code SPARK_SCALA_VERSION} is not set in the environment
     */
    public static SparkConf prepare(SparkConf conf) {
        String master = conf.get("spark.master", "");
        if (!isLocalCluster(master)) return conf;
        if (System.getenv("SPARK_SCALA_VERSION") == null)
            throw new IllegalStateException("master " + master + " needs SPARK_SCALA_VERSION=2.13 in the environment "
                    + "(the efficientnet launcher sets it)");
        List<String> entries = classPath();
        Path home = sparkHome(entries);
        System.setProperty("spark.test.home", home.toString());
        System.setProperty("spark.testing", "true");
        conf.set("spark.test.home", home.toString());
        conf.set("spark.executor.extraClassPath", String.join(File.pathSeparator, entries));
        String opts = conf.get("spark.executor.extraJavaOptions", "");
        String extra = "-Xss4m -Dorg.slf4j.simpleLogger.defaultLogLevel=warn"
                + (Runtime.version().feature() >= 23 ? " --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow" : "");
        conf.set("spark.executor.extraJavaOptions", (opts + " " + extra).trim());
        conf.setIfMissing("spark.executorEnv.OMP_WAIT_POLICY", "PASSIVE");
        return conf;
    }

    /**
     * Waits (up to {@code timeoutMillis}) until the {@code W} executors of a
     * {@code local-cluster[W,C,M]} master have registered, so that the first job spreads over all
     * of them; returns the number registered. Other masters return at once.
     */
    public static int awaitExecutors(org.apache.spark.SparkContext sc, long timeoutMillis) {
        String master = sc.master();
        int registered = sc.getExecutorMemoryStatus().size() - 1;
        if (!isLocalCluster(master)) return registered;
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\[\\s*(\\d+)").matcher(master);
        int want = m.find() ? Integer.parseInt(m.group(1)) : 1;
        long end = System.currentTimeMillis() + timeoutMillis;
        while ((registered = sc.getExecutorMemoryStatus().size() - 1) < want && System.currentTimeMillis() < end) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return registered;
    }

    /** This JVM's class path with absolute entries (executors start in their own work folders). */
    static List<String> classPath() {
        List<String> out = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator))
            if (!e.isBlank()) out.add(Path.of(e).toAbsolutePath().normalize().toString());
        return out;
    }

    /** A Spark home folder with RELEASE and jars/ linking this class path's jars (reused when it exists). */
    static Path sparkHome(List<String> entries) {
        try {
            Path home = Path.of(System.getProperty("java.io.tmpdir"),
                    "efficientnet-spark-home-" + Integer.toHexString(String.join(":", entries).hashCode()));
            Path jars = home.resolve("jars");
            Files.createDirectories(jars);
            for (String e : entries) {
                Path p = Path.of(e);
                if (!e.endsWith(".jar") || !Files.isRegularFile(p)) continue;
                Path link = jars.resolve(p.getFileName().toString());
                try {
                    Files.createSymbolicLink(link, p);
                } catch (FileAlreadyExistsException ok) {
                    // made by an earlier run
                }
            }
            Path release = home.resolve("RELEASE");
            if (!Files.exists(release)) Files.writeString(release, "");
            return home;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare a Spark home for local-cluster: " + e.getMessage(), e);
        }
    }
}
