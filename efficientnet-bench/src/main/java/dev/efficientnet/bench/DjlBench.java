package dev.efficientnet.bench;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoopTranslator;
import dev.efficientnet.core.io.Json;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Times DJL 0.36 driving libtorch 2.7.1 (CPU) on a TorchScript EfficientNet, the second reference
 * of issue 13 next to {@link OnnxRuntimeBench}; the counterpart of {@code efficientnet bench ARCH
 * --json}.
 *
 * <p>Usage: {@code DjlBench --model FILE.pt [--resolution R] [--batch B] [--warmup N] [--iters N]
 * [--threads T] [--seed S] [--check FILE.check.bin] [--json]}. Defaults: resolution 224, batch 1,
 * warm-up 3, 10 timed iterations, 2 intra-op threads (1 inter-op), seed 0.
 *
 * <p>The TorchScript files come from {@code efficientnet-bench/export_torchscript.py}. With
 * {@code --check} the model first runs the stored input ({@code [1, 3, R, R]} then the eager
 * PyTorch logits, float32 little-endian) and reports the largest logit difference: a libtorch build
 * can give wrong results for a layout on some CPUs, and timing a wrong model means nothing. The
 * natives come from the {@code pytorch-native-cpu} jar on the class path (nothing is downloaded:
 * {@code ai.djl.offline=true}). Each iteration is one {@code predict} including the copy of the
 * logits to a Java array. Exits with 2 on bad arguments or a missing file.
 */
public final class DjlBench {
    private static final String USAGE = "usage: DjlBench --model FILE.pt [--resolution R] [--batch B] [--warmup N]"
            + " [--iters N] [--threads T] [--seed S] [--check FILE.check.bin] [--json]";

    private DjlBench() {
    }

    private static final class Options {
        Path model;
        Path check;
        int resolution = 224;
        int batch = 1;
        int warmup = 3;
        int iters = 10;
        int threads = 2;
        long seed;
        boolean json;
    }

    /**
     * Runs the benchmark; see the class comment for the arguments.
     *
     * @param args command line
     * @throws Exception when DJL fails to load or run the model
     */
    public static void main(String[] args) throws Exception {
        Options o;
        try {
            o = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("DjlBench: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        if (o == null) {
            System.out.println(USAGE);
            return;
        }
        for (Path p : new Path[]{o.model, o.check}) {
            if (p != null && !Files.isRegularFile(p)) {
                System.err.println("DjlBench: file not found: " + p.toAbsolutePath()
                        + "\n  export it first: /usr/bin/python3 efficientnet-bench/export_torchscript.py");
                System.exit(2);
            }
        }
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(o.threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        run(o);
    }

    private static Options parse(String[] args) {
        Options o = new Options();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "-h", "--help" -> {
                    return null;
                }
                case "--json" -> o.json = true;
                case "--model" -> o.model = Path.of(value(args, ++i, a));
                case "--check" -> o.check = Path.of(value(args, ++i, a));
                case "--resolution" -> o.resolution = positive(args, ++i, a, 1);
                case "--batch" -> o.batch = positive(args, ++i, a, 1);
                case "--warmup" -> o.warmup = positive(args, ++i, a, 0);
                case "--iters" -> o.iters = positive(args, ++i, a, 1);
                case "--threads" -> o.threads = positive(args, ++i, a, 1);
                case "--seed" -> {
                    try {
                        o.seed = Long.parseLong(value(args, ++i, a));
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("--seed needs an integer");
                    }
                }
                default -> throw new IllegalArgumentException("unknown argument: " + a);
            }
        }
        if (o.model == null) throw new IllegalArgumentException("--model FILE.pt is required");
        return o;
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) throw new IllegalArgumentException(option + " needs a value");
        return args[i];
    }

    private static int positive(String[] args, int i, String option, int min) {
        String v = value(args, i, option);
        int n;
        try {
            n = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs an integer, got " + v);
        }
        if (n < min) throw new IllegalArgumentException(option + " must be >= " + min + ", got " + n);
        return n;
    }

    private static void run(Options o) throws Exception {
        long t0 = System.nanoTime();
        Engine engine = Engine.getEngine("PyTorch");
        try (Model model = Model.newInstance("efficientnet", "PyTorch")) {
            model.load(o.model);
            double loadMs = (System.nanoTime() - t0) / 1e6;
            String version = engine.getVersion();
            try (Predictor<NDList, NDList> predictor = model.newPredictor(new NoopTranslator());
                 NDManager manager = model.getNDManager().newSubManager()) {
                Map<String, Object> check = o.check == null ? null : check(o, predictor, manager);
                float[] data = new float[o.batch * 3 * o.resolution * o.resolution];
                SplittableRandom rnd = new SplittableRandom(o.seed);
                for (int i = 0; i < data.length; i++) data[i] = (float) (rnd.nextDouble() * 2 - 1);
                NDArray input = manager.create(data, new Shape(o.batch, 3, o.resolution, o.resolution));
                System.err.printf(Locale.ROOT, "DJL %s / libtorch %s: %s @%dx%d batch %d, %d threads; loaded in %.1f ms;"
                                + " %d warm-up + %d timed iterations%n", Engine.getDjlVersion(), version,
                        o.model.getFileName(), o.resolution, o.resolution, o.batch, o.threads, loadMs, o.warmup, o.iters);
                double[] times = new double[o.iters];
                int classes = 0;
                for (int i = 0; i < o.warmup + o.iters; i++) {
                    long t = System.nanoTime();
                    NDList out = predictor.predict(new NDList(input));
                    float[] logits = out.singletonOrThrow().toFloatArray();
                    double ms = (System.nanoTime() - t) / 1e6;
                    out.close();
                    classes = logits.length / o.batch;
                    boolean warm = i < o.warmup;
                    if (!warm) times[i - o.warmup] = ms;
                    System.err.printf(Locale.ROOT, "%-7s %3d: %10.3f ms%n", warm ? "warm-up" : "iter",
                            (warm ? i : i - o.warmup) + 1, ms);
                }
                report(o, version, loadMs, times, classes, check);
            }
        }
    }

    /** Runs the stored check input and compares with the stored eager PyTorch logits. */
    private static Map<String, Object> check(Options o, Predictor<NDList, NDList> predictor, NDManager manager)
            throws IOException, ai.djl.translate.TranslateException {
        byte[] bytes = Files.readAllBytes(o.check);
        int in = 3 * o.resolution * o.resolution;
        int total = bytes.length / 4;
        if (bytes.length % 4 != 0 || total <= in)
            throw new IllegalArgumentException(o.check + " does not hold a [1, 3, " + o.resolution + ", " + o.resolution
                    + "] input plus logits (" + bytes.length + " bytes)");
        float[] all = new float[total];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(all);
        float[] x = Arrays.copyOfRange(all, 0, in);
        float[] ref = Arrays.copyOfRange(all, in, total);
        NDList out = predictor.predict(new NDList(manager.create(x, new Shape(1, 3, o.resolution, o.resolution))));
        float[] got = out.singletonOrThrow().toFloatArray();
        out.close();
        double maxRef = 0;
        double maxDiff = 0;
        int argRef = 0;
        int argGot = 0;
        for (int i = 0; i < ref.length; i++) {
            maxRef = Math.max(maxRef, Math.abs(ref[i]));
            maxDiff = Math.max(maxDiff, Math.abs(ref[i] - (i < got.length ? got[i] : Float.NaN)));
            if (ref[i] > ref[argRef]) argRef = i;
            if (i < got.length && got[i] > got[argGot]) argGot = i;
        }
        boolean ok = got.length == ref.length && maxDiff <= 1e-3 * Math.max(1, maxRef);
        System.err.printf(Locale.ROOT, "check against eager PyTorch: max |diff| %.3g (max |ref| %.3g), top-1 %d vs %d: %s%n",
                maxDiff, maxRef, argGot, argRef, ok ? "ok" : "WRONG");
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("check_max_abs_diff", maxDiff);
        m.put("check_max_abs_ref", maxRef);
        m.put("check_top1_agrees", argGot == argRef);
        m.put("check_ok", ok);
        return m;
    }

    private static void report(Options o, String version, double loadMs, double[] times, int classes,
                               Map<String, Object> check) {
        double[] sorted = times.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        double mean = Arrays.stream(times).average().orElse(Double.NaN);
        double imagesPerSecond = o.batch * 1000.0 / median;
        double rss = OnnxRuntimeBench.peakRssMb();
        System.out.printf(Locale.ROOT, "djl/libtorch %s %s @%d batch %d: median %.3f ms, min %.3f, mean %.3f over %d iters"
                        + " -> %.2f images/s; peak RSS %.1f MB%n", version, o.model.getFileName(), o.resolution, o.batch,
                median, sorted[0], mean, o.iters, imagesPerSecond, rss);
        if (!o.json) return;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("runtime", "djl-pytorch");
        m.put("version", version);
        m.put("djl_version", Engine.getDjlVersion());
        m.put("model", o.model.toString());
        m.put("resolution", o.resolution);
        m.put("batch", o.batch);
        m.put("warmup", o.warmup);
        m.put("iters", o.iters);
        m.put("ms", Arrays.stream(times).map(v -> Math.round(v * 1000) / 1000.0).toArray());
        m.put("ms_median", Math.round(median * 1000) / 1000.0);
        m.put("ms_min", Math.round(sorted[0] * 1000) / 1000.0);
        m.put("ms_mean", Math.round(mean * 1000) / 1000.0);
        m.put("images_per_second", Math.round(imagesPerSecond * 1000) / 1000.0);
        m.put("peak_rss_mb", rss);
        m.put("load_ms", Math.round(loadMs * 10) / 10.0);
        m.put("threads", o.threads);
        m.put("classes", classes);
        if (check != null) m.putAll(check);
        m.put("java_version", System.getProperty("java.version", "unknown"));
        System.out.println(Json.write(m));
    }
}
