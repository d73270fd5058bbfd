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
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/getting-started.md stays true: its Maven snippet names this module and version, and its
 * Java program, extracted verbatim, compiles against the library and classifies a synthetic image
 * with weights exported from a model, printing what {@link Classifier} computes.
 */
class GettingStartedDocTest {
    private static final Pattern BLOCK = Pattern.compile("```(\\w+)\\n(.*?)```", Pattern.DOTALL);

    @TempDir
    Path tmp;

    static Path repoRoot() {
        String mm = System.getProperty("maven.multiModuleProjectDirectory");
        if (mm != null && Files.isRegularFile(Path.of(mm, "docs/getting-started.md"))) return Path.of(mm);
        for (Path d = Path.of(System.getProperty("user.dir")).toAbsolutePath(); d != null; d = d.getParent())
            if (Files.isRegularFile(d.resolve("docs/getting-started.md"))) return d;
        throw new IllegalStateException("docs/getting-started.md not found above " + System.getProperty("user.dir"));
    }

    static List<String> blocks(String markdown, String language) {
        List<String> out = new ArrayList<>();
        Matcher m = BLOCK.matcher(markdown);
        while (m.find()) if (m.group(1).equals(language)) out.add(m.group(2));
        return out;
    }

    @Test
    void mavenSnippetNamesThisModuleAndVersion() throws IOException {
        Path root = repoRoot();
        String doc = Files.readString(root.resolve("docs/getting-started.md"));
        List<String> xml = blocks(doc, "xml");
        assertEquals(1, xml.size(), "one xml block expected");
        String pom = Files.readString(root.resolve("efficientnet-models/pom.xml"));
        Matcher parent = Pattern.compile("<parent>.*?<groupId>(.*?)</groupId>.*?<version>(.*?)</version>.*?</parent>", Pattern.DOTALL).matcher(pom);
        assertTrue(parent.find(), "efficientnet-models/pom.xml has a parent");
        assertTrue(xml.get(0).contains("<groupId>" + parent.group(1) + "</groupId>"), xml.get(0));
        assertTrue(xml.get(0).contains("<artifactId>efficientnet-models</artifactId>"), xml.get(0));
        assertTrue(pom.contains("<artifactId>efficientnet-models</artifactId>"));
        assertTrue(xml.get(0).contains("<version>" + parent.group(2) + "</version>"), xml.get(0));
        assertTrue(doc.contains("mvn -B install"), "the page tells to install first");
    }

    @Test
    void javaProgramCompilesAndPredicts() throws Exception {
        String doc = Files.readString(repoRoot().resolve("docs/getting-started.md"));
        List<String> programs = new ArrayList<>();
        for (String b : blocks(doc, "java")) if (b.contains("static void main")) programs.add(b);
        assertEquals(1, programs.size(), "exactly one java program in docs/getting-started.md");
        String program = programs.get(0);
        Matcher cls = Pattern.compile("public class (\\w+)").matcher(program);
        assertTrue(cls.find(), "the program declares a public class");
        String className = cls.group(1);

        // compile the text exactly as written
        Path src = tmp.resolve("src/" + className + ".java");
        Path classes = tmp.resolve("classes");
        Files.createDirectories(src.getParent());
        Files.createDirectories(classes);
        Files.writeString(src, program);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "tests need a JDK (javax.tools compiler)");
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        boolean ok;
        try (StandardJavaFileManager fm = javac.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8)) {
            List<String> options = List.of("-classpath", testClasspath(), "-d", classes.toString(), "--release", "17", "-proc:none");
            ok = javac.getTask(null, fm, diagnostics, options, null, fm.getJavaFileObjects(src.toFile())).call();
        }
        StringBuilder report = new StringBuilder();
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics())
            report.append(d.getKind()).append(" line ").append(d.getLineNumber()).append(": ").append(d.getMessage(null)).append('\n');
        assertTrue(ok, "the getting-started program does not compile:\n" + report);

        // inputs: weights exported from a model, a synthetic photo, a labels file
        EfficientNet model = EfficientNet.create(Presets.get("efficientnet_b0"), 21);
        float[] bias = new float[1000];
        bias[417] = 9;   // a known winner
        MemoryScope.outside(() -> model.head().classifier().bias().assign(Tensor.of(bias, 1000)));
        Path weights = tmp.resolve("b0.safetensors");
        Weights.save(model, weights, Naming.TORCHVISION);
        BufferedImage img = new BufferedImage(300, 200, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 200; y++) for (int x = 0; x < 300; x++) img.setRGB(x, y, (x % 256) << 16 | (y % 256) << 8 | ((x * y) & 255));
        Path photo = tmp.resolve("photo.png");
        ImageIO.write(img, "png", photo.toFile());
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < 1000; i++) labels.add("label-" + i);
        Path labelsFile = tmp.resolve("labels.txt");
        Files.write(labelsFile, labels);

        // run main(weights, image, labels), capturing stdout
        String printed;
        PrintStream saved = System.out;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try (URLClassLoader loader = new URLClassLoader(new URL[]{classes.toUri().toURL()}, getClass().getClassLoader());
             PrintStream capture = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
            Method main = loader.loadClass(className).getMethod("main", String[].class);
            System.setOut(capture);
            try {
                main.invoke(null, (Object) new String[]{weights.toString(), photo.toString(), labelsFile.toString()});
            } finally {
                System.setOut(saved);
            }
        }
        printed = buffer.toString(StandardCharsets.UTF_8);

        // the same through the API
        List<Prediction> expected = Classifier.of(model, labels).topK(photo, 5);
        assertEquals("label-417", expected.get(0).label());
        StringBuilder want = new StringBuilder();
        for (Prediction p : expected) want.append(String.format("%-30s %.4f%n", p.displayName(), p.probability()));
        assertEquals(want.toString(), printed);
    }

    /** The test classpath, with the Class-Path entries of a manifest-only (surefire booter) jar expanded. */
    static String testClasspath() throws IOException {
        Set<String> entries = new LinkedHashSet<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (e.isEmpty()) continue;
            entries.add(e);
            if (!e.endsWith(".jar") || !Files.isRegularFile(Path.of(e))) continue;
            try (JarFile jar = new JarFile(e)) {
                Manifest mf = jar.getManifest();
                String cp = mf == null ? null : mf.getMainAttributes().getValue("Class-Path");
                if (cp == null) continue;
                for (String ref : cp.trim().split("\\s+")) {
                    try {
                        entries.add(Path.of(Path.of(e).toUri().resolve(ref)).toString());
                    } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException ignored) {
                        // not a file URL
                    }
                }
            }
        }
        return String.join(File.pathSeparator, entries);
    }
}
