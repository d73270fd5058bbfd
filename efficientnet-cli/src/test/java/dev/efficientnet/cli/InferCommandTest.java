package dev.efficientnet.cli;

import dev.efficientnet.core.io.Safetensors;
import dev.efficientnet.core.tensor.Tensor;
import dev.efficientnet.models.EfficientNet;
import dev.efficientnet.models.spec.Presets;
import dev.efficientnet.models.weights.Conformance;
import dev.efficientnet.models.weights.ConformanceReport;
import dev.efficientnet.models.weights.Naming;
import dev.efficientnet.models.weights.ReferenceFixture;
import dev.efficientnet.models.weights.Weights;
import dev.efficientnet.testsupport.SharedFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static dev.efficientnet.cli.CliTestSupport.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code efficientnet infer}: the reference fixtures reproduced through the file contract, and every error case. */
class InferCommandTest {
    static final List<String> SMALL = List.of("timm_tf_efficientnet_b0_w0.25_d0.5", "timm_tf_efficientnetv2_s_w0.25_d0.25",
            "tv_efficientnet_b0_w0.25_d0.5");

    @TempDir
    Path tmp;

    /** The scaled fixtures of efficientnet-models' test resources (in the repository). */
    static Path smallFixtures() {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            Path f = d.resolve("efficientnet-models/src/test/resources/fixtures");
            if (Files.isDirectory(f)) return f;
        }
        throw new IllegalStateException("efficientnet-models/src/test/resources/fixtures not found above " + dir);
    }

    static ReferenceFixture fixture(Path dir, String name) {
        try {
            return ReferenceFixture.read(dir, name);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static String[] modelArgs(ReferenceFixture f) {
        return new String[]{f.arch(), "--width-mult", Double.toString(f.widthMult()), "--depth-mult", Double.toString(f.depthMult()),
                "--num-classes", Integer.toString(f.numClasses())};
    }

    static String[] concat(String[] a, String... b) {
        String[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private ConformanceReport inferAndCompare(ReferenceFixture f, boolean trainStep) throws IOException {
        Path out = tmp.resolve(f.name() + (trainStep ? ".train" : ".eval") + ".safetensors");
        String[] args = concat(concat(new String[]{"infer"}, modelArgs(f)), "--weights", f.weightsFile().toString(),
                "--input", f.ioFile().toString(), "--output", out.toString());
        if (trainStep) args = concat(args, "--train-step", "--bn-momentum", Double.toString(f.bnMomentum()));
        CliTestSupport.Run r = run(args);
        assertEquals(0, r.code(), r.describe());
        assertEquals("", r.err(), r.describe());
        Map<String, Tensor> ours = Safetensors.load(out);
        Map<String, Tensor> ref = f.readIo();
        if (trainStep) {
            Set<String> expected = new TreeSet<>();
            for (String k : ref.keySet())
                if (k.equals("train_logits") || k.equals("loss") || k.startsWith("grad.") || k.startsWith("after.")) expected.add(k);
            assertEquals(expected, new TreeSet<>(ours.keySet()), f.name() + ": train-step keys");
            assertTrue(ours.keySet().stream().anyMatch(k -> k.startsWith("grad.")));
        } else {
            assertEquals(List.of("logits", "features"), new ArrayList<>(ours.keySet()));
        }
        ConformanceReport report = Conformance.compare(ours, ref, f.tolerance());
        assertTrue(report.passed(), f.name() + (trainStep ? " train step" : " eval") + ":\n" + report.table());
        assertEquals(ours.size(), report.checks().size(), "every output tensor was compared:\n" + report.table());
        return report;
    }

    @Test
    void reproducesEveryScaledFixtureInEvalAndTrainStep() throws IOException {
        Path dir = smallFixtures();
        for (String name : SMALL) {
            ReferenceFixture f = fixture(dir, name);
            assertTrue(f.complete() && f.hasTrainStep(), name);
            ConformanceReport eval = inferAndCompare(f, false);
            assertTrue(eval.worst("logits") <= 1e-4, eval.summary());
            ConformanceReport train = inferAndCompare(f, true);
            // exactly-zero-in-theory gradients (BN biases before a train-mode BN) pass only by the zero-gradient floor
            for (ConformanceReport.Check c : train.zeroGradients()) assertTrue(c.key().startsWith("grad."), c.toString());
            System.out.println("infer " + name + ": eval " + eval.summary() + " | train step " + train.summary());
        }
    }

    /** The full-size fixture of the shared folder (eval only), when present. */
    @Test
    void reproducesTheFullSizeSharedFixture() throws IOException {
        Path shared = SharedFixtures.require("timm_tf_efficientnet_b0.json", "timm_tf_efficientnet_b0.safetensors",
                "timm_tf_efficientnet_b0.io.safetensors");
        ReferenceFixture f = fixture(shared, "timm_tf_efficientnet_b0");
        ConformanceReport r = inferAndCompare(f, false);
        System.out.println("infer timm_tf_efficientnet_b0: " + r.summary());
    }

    @Test
    void namesFollowTheWeightsNamingIncludingAPrefix() throws IOException {
        // native weights under a 'module.' prefix: gradients and statistics come back in that naming
        EfficientNet m = EfficientNet.create(Presets.get("efficientnet_b0", 0.25, 0.25, 3), 1);
        Map<String, Tensor> prefixed = new LinkedHashMap<>();
        Weights.export(m, Naming.NATIVE).forEach((k, v) -> prefixed.put("module." + k, v));
        Path w = tmp.resolve("native.safetensors");
        Safetensors.write(w, prefixed, null);
        Path in = tmp.resolve("in.safetensors");
        Map<String, Tensor> io = new LinkedHashMap<>();
        io.put("input", Tensor.of(random(1, 2 * 3 * 20 * 28), 2, 3, 20, 28));   // any H and W
        io.put("target", Tensor.of(new float[]{2, 0}, 2));
        Safetensors.write(in, io, null);
        Path out = tmp.resolve("out.safetensors");
        CliTestSupport.Run r = run("infer", "efficientnet_b0", "--width-mult", "0.25", "--depth-mult", "0.25", "--num-classes", "3",
                "--weights", w.toString(), "--input", in.toString(), "--output", out.toString(), "--train-step");
        assertEquals(0, r.code(), r.describe());
        assertTrue(r.out().contains("loss"), r.out());
        Map<String, Tensor> res = Safetensors.load(out);
        Set<String> grads = new TreeSet<>();
        Set<String> stats = new TreeSet<>();
        for (String k : res.keySet()) {
            if (k.startsWith("grad.")) grads.add(k.substring(5));
            if (k.startsWith("after.")) stats.add(k.substring(6));
        }
        Set<String> params = new TreeSet<>();
        for (String k : m.namedParameters().keySet()) params.add("module." + k);
        Set<String> buffers = new TreeSet<>();
        for (String k : m.namedBuffers().keySet()) buffers.add("module." + k);
        assertEquals(params, grads);
        assertEquals(buffers, stats);
        assertEquals(1, res.get("loss").numel());
        assertTrue(Double.isFinite(res.get("loss").item()));

        // eval on the same file: logits [2, 3], features [2, head channels]
        CliTestSupport.Run e = run("infer", "efficientnet_b0", "--width-mult", "0.25", "--depth-mult", "0.25", "--num-classes", "3",
                "--weights", w.toString(), "--input", in.toString(), "--output", out.toString());
        assertEquals(0, e.code(), e.describe());
        Map<String, Tensor> ev = Safetensors.load(out);
        assertEquals(List.of(2, 3), toList(ev.get("logits").shape()));
        assertEquals(List.of(2, m.spec().headChannels()), toList(ev.get("features").shape()));
    }

    private static List<Integer> toList(int[] a) {
        return Arrays.stream(a).boxed().toList();
    }

    private static float[] random(long seed, int n) {
        double[] d = new dev.efficientnet.core.tensor.Rng(seed).normal(n, 0, 1);
        float[] f = new float[n];
        for (int i = 0; i < n; i++) f[i] = (float) d[i];
        return f;
    }

    // ---- errors: exit 2, one line on stderr naming the problem, no stack trace, nothing on stdout --

    private static void assertUsageError(CliTestSupport.Run r, String... parts) {
        assertEquals(2, r.code(), r.describe());
        String err = r.err().strip();
        assertFalse(err.isEmpty(), r.describe());
        assertFalse(err.contains("\n"), "one line expected:\n" + r.describe());
        assertFalse(err.contains("Exception") || err.contains("\tat "), "no stack trace:\n" + r.describe());
        assertTrue(err.startsWith("efficientnet infer: "), err);
        for (String p : parts) assertTrue(err.contains(p), "'" + p + "' missing from: " + err);
        assertEquals("", r.out(), r.describe());
    }

    private CliTestSupport.Run infer(ReferenceFixture f, Path weights, Path in, Path out, String... extra) {
        String[] args = concat(concat(new String[]{"infer"}, modelArgs(f)), "--weights", weights.toString(), "--input", in.toString(),
                "--output", out.toString());
        return run(concat(args, extra));
    }

    @Test
    void badInputsExitTwoWithOneLine() throws IOException {
        ReferenceFixture f = fixture(smallFixtures(), SMALL.get(0));
        Path w = f.weightsFile();
        Path io = f.ioFile();
        Path out = tmp.resolve("out.safetensors");
        Path missing = tmp.resolve("nope.safetensors");

        assertUsageError(infer(f, missing, io, out), "--weights", "nope.safetensors", "does not exist");
        assertUsageError(infer(f, w, missing, out), "--input", "nope.safetensors", "does not exist");
        assertUsageError(infer(f, w, io, tmp.resolve("no/such/dir/out.safetensors")), "--output", "does not exist");
        assertUsageError(infer(f, w, io, tmp), "--output", "is a directory");
        assertUsageError(run("infer", "tf_efficientnet_b0", "--input", io.toString(), "--output", out.toString()), "missing --weights");
        assertUsageError(run("infer", "efficientnet_b99", "--weights", w.toString(), "--input", io.toString(), "--output", out.toString()),
                "unknown architecture 'efficientnet_b99'");
        assertUsageError(infer(f, w, io, out, "--train-step", "--bn-momentum", "1.5"), "--bn-momentum", "1.5");
        String[] files = {"--weights", w.toString(), "--input", io.toString(), "--output", out.toString()};
        assertUsageError(infer(f, w, io, out, "--bn-momentum", "fast"), "--bn-momentum", "'fast' is not a number");
        assertUsageError(run(concat(concat(new String[]{"infer", f.arch(), "--width-mult", "wide"}, files))), "--width-mult", "'wide' is not a number");
        assertUsageError(run(concat(concat(new String[]{"infer", f.arch(), "--num-classes", "1.5"}, files))), "--num-classes", "'1.5' is not an integer");
        assertUsageError(run(concat(concat(new String[]{"infer", f.arch(), "--width-mult", "-1"}, files))), "--width-mult must be positive");
        assertUsageError(infer(f, w, io, out, "--bogus"), "unknown option", "--bogus");
        assertUsageError(run("infer", "--weights", w.toString(), "--input", io.toString(), "--output", out.toString()), "missing ARCH");

        // weights that do not fit: wrong class count, wrong architecture, a file that is not a checkpoint
        String[] wrongClasses = concat(new String[]{"infer", f.arch(), "--width-mult", "0.25", "--depth-mult", "0.5", "--num-classes", "7",
                "--weights", w.toString(), "--input", io.toString(), "--output", out.toString()});
        assertUsageError(run(wrongClasses), "--weights", "does not fit", "shape mismatch", "classifier");
        assertUsageError(run("infer", "tf_efficientnetv2_s", "--width-mult", "0.25", "--depth-mult", "0.25", "--num-classes", "10",
                "--weights", w.toString(), "--input", io.toString(), "--output", out.toString()), "--weights", "does not fit");
        assertUsageError(infer(f, io, io, out), "--weights", "cannot tell the naming");

        // corrupted safetensors: truncated weights, garbage input
        byte[] bytes = Files.readAllBytes(w);
        Path truncated = tmp.resolve("truncated.safetensors");
        Files.write(truncated, Arrays.copyOf(bytes, bytes.length / 2));
        assertUsageError(infer(f, truncated, io, out), "--weights", "truncated.safetensors");
        Path garbage = tmp.resolve("garbage.safetensors");
        Files.write(garbage, "this is not a safetensors file at all".getBytes());
        assertUsageError(infer(f, w, garbage, out), "--input", "garbage.safetensors");
        Path empty = tmp.resolve("empty.safetensors");
        Files.write(empty, new byte[0]);
        assertUsageError(infer(f, empty, io, out), "--weights", "empty.safetensors");

        // wrong tensor names and shapes in IN
        assertUsageError(infer(f, w, write("named_x", Map.of("x", Tensor.zeros(1, 3, 8, 8))), out), "no tensor 'input'", "[x]");
        Path noTarget = write("no_target", Map.of("input", Tensor.zeros(2, 3, 16, 16)));
        assertUsageError(infer(f, w, noTarget, out, "--train-step", "--bn-momentum", "0.1"), "no tensor 'target'", "--train-step");
        assertUsageError(infer(f, w, write("rank3", Map.of("input", Tensor.zeros(3, 16, 16))), out), "'input'", "rank 4", "[3, 16, 16]");
        assertUsageError(infer(f, w, write("four", Map.of("input", Tensor.zeros(1, 4, 16, 16))), out), "'input'", "4 channels", "takes 3");
        assertUsageError(infer(f, w, write("batch0", Map.of("input", Tensor.zeros(0, 3, 16, 16))), out), "'input'", "batch of 0");
        float[] nan = new float[2 * 3 * 4 * 4];
        nan[nan.length - 1] = Float.NaN;
        assertUsageError(infer(f, w, write("nan", Map.of("input", Tensor.of(nan, 2, 3, 4, 4))), out), "'input'", "NaN", "[1, 2, 3, 3]");
        Map<String, Tensor> badTarget = new LinkedHashMap<>();
        badTarget.put("input", Tensor.zeros(2, 3, 16, 16));
        badTarget.put("target", Tensor.of(new float[]{1, 2, 3}, 3));
        assertUsageError(infer(f, w, write("target3", badTarget), out, "--train-step"), "'target'", "[3]", "batch of 2");
        badTarget.put("target", Tensor.of(new float[]{1, 10}, 2));
        assertUsageError(infer(f, w, write("target10", badTarget), out, "--train-step"), "'target'", "10.0", "[0, 10)");
        badTarget.put("target", Tensor.of(new float[]{1.5f, 2}, 2));
        assertUsageError(infer(f, w, write("target15", badTarget), out, "--train-step"), "'target'", "1.5");
        // a train step whose last BN sees one value per channel (batch 1, 1x1 head map) is refused like PyTorch does
        Map<String, Tensor> single = new LinkedHashMap<>();
        single.put("input", Tensor.of(random(3, 3 * 32 * 32), 1, 3, 32, 32));
        single.put("target", Tensor.of(new float[]{4}, 1));
        assertUsageError(infer(f, w, write("single", single), out, "--train-step"), "--input", "more than 1 value per channel");
        assertFalse(Files.exists(out), "nothing is written on error");
    }

    @Test
    void helpDescribesTheContract() {
        CliTestSupport.Run r = run("infer", "--help");
        assertEquals(0, r.code(), r.describe());
        for (String s : new String[]{"Usage: efficientnet infer", "--train-step", "--bn-momentum", "'logits'", "'grad.<name>'", "tf_efficientnetv2_s"})
            assertTrue(r.out().contains(s), s + " missing from\n" + r.out());
        CliTestSupport.Run root = run("--help");
        assertTrue(root.out().contains("infer") && root.out().contains("predict"), root.out());
    }

    private Path write(String name, Map<String, Tensor> tensors) throws IOException {
        Path p = tmp.resolve(name + ".safetensors");
        Safetensors.write(p, new LinkedHashMap<>(tensors), null);
        return p;
    }
}
