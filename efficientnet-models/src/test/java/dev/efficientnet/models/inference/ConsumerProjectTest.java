package dev.efficientnet.models.inference;

import dev.efficientnet.core.tensor.MemoryScope;
import dev.efficientnet.core.tensor.Tensor;
import dev.efficientnet.models.EfficientNet;
import dev.efficientnet.models.spec.Presets;
import dev.efficientnet.models.weights.Naming;
import dev.efficientnet.models.weights.Weights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/getting-started.md's consumer project, as a user would build it: its {@code pom.xml} and
 * {@code Predict.java}, extracted verbatim, in a separate Maven project built offline by the Maven
 * running this build ({@code mvn -B -o package}) against this reactor's core, layers and models,
 * then its run command ({@code java -jar ...}) on weights, a photo and labels; the output must be
 * what {@link Classifier} computes. Also checks what the project gets: exactly one ND4J native
 * build and no JUnit among its runtime jars.
 *
 * <p>The reactor's artifacts go into a temporary local repository (never {@code ~/.m2}); the
 * third-party artifacts come from the build's own local repository through symbolic links.
 */
class ConsumerProjectTest {
    private static final Pattern PARENT = Pattern.compile(
            "<parent>.*?<groupId>(.*?)</groupId>.*?<artifactId>(.*?)</artifactId>.*?<version>(.*?)</version>.*?</parent>",
            Pattern.DOTALL);

    @TempDir
    Path tmp;

    @Test
    void gettingStartedProjectBuildsOfflineAndItsRunCommandPredicts() throws Exception {
        Path root = GettingStartedDocTest.repoRoot();
        String doc = Files.readString(root.resolve("docs/getting-started.md"));

        // the page's pom.xml, program and run command
        List<String> poms = new ArrayList<>();
        for (String b : GettingStartedDocTest.blocks(doc, "xml")) if (b.contains("<project")) poms.add(b);
        assertEquals(1, poms.size(), "exactly one complete pom.xml in docs/getting-started.md");
        String program = null;
        for (String b : GettingStartedDocTest.blocks(doc, "java")) if (b.contains("static void main")) program = b;
        assertTrue(program != null, "the page has a Java program");
        String runLine = null;
        for (String b : GettingStartedDocTest.blocks(doc, "sh"))
            for (String l : b.split("\n")) if (l.startsWith("java -jar ")) runLine = l.trim();
        assertTrue(runLine != null, "the page has a `java -jar ...` run command");

        Path project = tmp.resolve("predict");
        Files.createDirectories(project.resolve("src/main/java"));
        Files.writeString(project.resolve("pom.xml"), poms.get(0));
        Files.writeString(project.resolve("src/main/java/Predict.java"), program);

        Path repo = seedLocalRepository(root);

        // mvn -B package, offline, with the Maven and the JDK running this build
        List<String> mvn = new ArrayList<>(List.of(mavenExecutable().toString(), "-B", "-o", "-q",
                "-Dmaven.repo.local=" + repo, "package"));
        Run build = run(mvn, project, Map.of("JAVA_HOME", System.getProperty("java.home")), 20);
        assertEquals(0, build.exit, "the getting-started project does not build:\n" + build.output);

        // what the project gets
        List<String> libs;
        try (Stream<Path> s = Files.list(project.resolve("target/lib"))) {
            libs = s.map(p -> p.getFileName().toString()).sorted().toList();
        }
        List<String> natives = libs.stream().filter(n -> n.matches("nd4j-native-[0-9].*-linux-.*\\.jar")).toList();
        assertEquals(List.of("nd4j-native-1.0.0-M2.1-linux-x86_64-onednn.jar"), natives, "ND4J native builds: " + libs);
        assertTrue(libs.stream().noneMatch(n -> n.startsWith("junit") || n.startsWith("opentest4j")), "JUnit at run time: " + libs);
        long bytes = 0;
        for (String n : libs) bytes += Files.size(project.resolve("target/lib").resolve(n));
        System.out.printf("ConsumerProjectTest: target/lib holds %d jars, %.1f MB%n", libs.size(), bytes / 1e6);

        // the run command, on a photo, weights and labels named as in the command
        String[] words = runLine.split("\\s+");
        assertEquals(6, words.length, runLine);
        EfficientNet model = EfficientNet.create(Presets.get("efficientnet_b0"), 21);
        float[] bias = new float[1000];
        bias[417] = 9;   // a known winner
        MemoryScope.outside(() -> model.head().classifier().bias().assign(Tensor.of(bias, 1000)));
        Weights.save(model, project.resolve(words[3]), Naming.TORCHVISION);
        BufferedImage img = new BufferedImage(300, 200, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 200; y++) for (int x = 0; x < 300; x++) img.setRGB(x, y, (x % 256) << 16 | (y % 256) << 8 | ((x * y) & 255));
        ImageIO.write(img, "png", project.resolve(words[4]).toFile());
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < 1000; i++) labels.add("label-" + i);
        Files.write(project.resolve(words[5]), labels);

        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (int i = 1; i < words.length; i++) cmd.add(words[i]);
        Run predict = run(cmd, project, Map.of(), 10);
        assertEquals(0, predict.exit, "the run command failed:\n" + predict.output);

        List<Prediction> expected = Classifier.of(model, labels).topK(project.resolve(words[4]), 5);
        assertEquals("label-417", expected.get(0).label());
        StringBuilder want = new StringBuilder();
        for (Prediction p : expected) want.append(String.format("%-30s %.4f%n", p.displayName(), p.probability()));
        assertEquals(want.toString(), predict.stdout, "stderr/stdout:\n" + predict.output);
    }

    /**
     * A local repository holding this reactor's parent, core, layers and models (jars made from
     * their target/classes) and, through symbolic links, every other artifact of the build's
     * local repository.
     */
    private Path seedLocalRepository(Path root) throws IOException {
        Path shared = Path.of(System.getProperty("maven.repo.local",
                System.getProperty("user.home") + "/.m2/repository")).toAbsolutePath();
        assertTrue(Files.isDirectory(shared), "local repository not found: " + shared);
        Path repo = tmp.resolve("repo");
        Files.createDirectories(repo);

        String modelsPom = Files.readString(root.resolve("efficientnet-models/pom.xml"));
        Matcher parent = PARENT.matcher(modelsPom);
        assertTrue(parent.find(), "efficientnet-models/pom.xml has a parent");
        String groupId = parent.group(1), version = parent.group(3);
        String[] groupPath = groupId.split("\\.");

        // links to everything but this project's group
        linkAllBut(shared, repo, groupPath, 0);

        Path groupDir = repo;
        for (String g : groupPath) groupDir = groupDir.resolve(g);
        install(groupDir, parent.group(2), version, root.resolve("pom.xml"), null);
        for (String module : List.of("efficientnet-core", "efficientnet-layers", "efficientnet-models")) {
            Path classes = root.resolve(module).resolve("target/classes");
            assertTrue(Files.isDirectory(classes), module + "/target/classes missing: build the reactor (mvn -B verify)");
            install(groupDir, module, version, root.resolve(module).resolve("pom.xml"), classes);
        }
        return repo;
    }

    private static void linkAllBut(Path from, Path to, String[] groupPath, int depth) throws IOException {
        try (Stream<Path> s = Files.list(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String name = p.getFileName().toString();
                Path target = to.resolve(name);
                if (depth < groupPath.length && name.equals(groupPath[depth])) {
                    if (depth == groupPath.length - 1) continue;   // the project's own group: never linked
                    Files.createDirectories(target);
                    linkAllBut(p, target, groupPath, depth + 1);
                } else {
                    Files.createSymbolicLink(target, p);
                }
            }
        }
    }

    private static void install(Path groupDir, String artifactId, String version, Path pom, Path classes) throws IOException {
        Path dir = groupDir.resolve(artifactId).resolve(version);
        Files.createDirectories(dir);
        Files.copy(pom, dir.resolve(artifactId + "-" + version + ".pom"));
        if (classes == null) return;
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        try (OutputStream out = Files.newOutputStream(dir.resolve(artifactId + "-" + version + ".jar"));
             JarOutputStream jar = new JarOutputStream(out, mf);
             Stream<Path> files = Files.walk(classes)) {
            for (Path f : (Iterable<Path>) files.sorted()::iterator) {
                if (f.equals(classes)) continue;
                String name = classes.relativize(f).toString().replace(File.separatorChar, '/');
                if (Files.isDirectory(f)) {
                    jar.putNextEntry(new JarEntry(name + "/"));
                } else {
                    jar.putNextEntry(new JarEntry(name));
                    Files.copy(f, jar);
                }
                jar.closeEntry();
            }
        }
    }

    private static Path mavenExecutable() {
        String home = System.getProperty("maven.home");
        if (home != null && Files.isExecutable(Path.of(home, "bin", "mvn"))) return Path.of(home, "bin", "mvn");
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir, "mvn");
            if (Files.isExecutable(p)) return p;
        }
        throw new AssertionError("mvn not found (neither -Dmaven.home nor PATH)");
    }

    private record Run(int exit, String stdout, String output) {
    }

    private Run run(List<String> cmd, Path dir, Map<String, String> env, int minutes) throws Exception {
        Path out = Files.createTempFile(tmp, "out", ".txt");
        Path err = Files.createTempFile(tmp, "err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        if (!p.waitFor(minutes, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", cmd) + " did not finish in " + minutes + " min");
        }
        String stdout = Files.readString(out, StandardCharsets.UTF_8);
        return new Run(p.exitValue(), stdout, String.join(" ", cmd) + "\n--- stdout\n" + stdout
                + "--- stderr\n" + Files.readString(err, StandardCharsets.UTF_8));
    }
}
