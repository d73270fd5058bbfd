package dev.efficientnet.bench;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.efficientnet.core.io.Json;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Times ONNX Runtime Java inference of an exported model (issue 6's reference: our time divided by
 * ONNX Runtime's), the counterpart of {@code efficientnet bench ARCH --json}.
 *
 * <p>Usage: {@code OnnxRuntimeBench --model FILE.onnx [--resolution R] [--batch B] [--warmup N]
 * [--iters N] [--threads T] [--seed S] [--no-spin] [--json]}. Defaults: resolution 224, batch 1,
 * warm-up 2, 10 timed iterations, 2 threads, seed 0.
 *
 * <p>The session runs on the CPU execution provider with {@code T} intra-op threads (ONNX Runtime
 * counts the calling thread among them), 1 inter-op thread, all graph optimizations and sequential
 * execution. ONNX Runtime's pool threads spin between runs by default; {@code --no-spin} turns that
 * off ({@code session.intra_op.allow_spinning=0}). The input is one NCHW float tensor
 * {@code [B, 3, R, R]} of seeded uniform values in [-1, 1), fed to the model's first input; every
 * iteration is one {@code session.run} including the copy of its outputs.
 *
 * <p>Prints per-iteration times to stderr and a summary line to stdout; with {@code --json} the last
 * stdout line is one JSON object with {@code runtime}, {@code version}, {@code model},
 * {@code resolution}, {@code batch}, {@code ms_median}, {@code ms_min}, {@code ms_mean},
 * {@code images_per_second}, {@code peak_rss_mb} (VmHWM of {@code /proc/self/status}, -1 where
 * unavailable) and a few more. Exits with 2 on bad arguments or a missing model file.
 *
 * <p>The ONNX files come from {@code efficientnet-bench/export_onnx.py} (torchvision, opset 13);
 * {@code efficientnet-bench/compare-onnxruntime.sh} runs this class against our own benchmark.
 */
public final class OnnxRuntimeBench {
    private static final String USAGE = "usage: OnnxRuntimeBench --model FILE.onnx [--resolution R] [--batch B]"
            + " [--warmup N] [--iters N] [--threads T] [--seed S] [--no-spin] [--json]";

    /** Stack of the thread that loads and runs the model (see {@link #main}). */
    private static final long WORKER_STACK_BYTES = 64L << 20;

    private OnnxRuntimeBench() {
    }

    /** Parsed command line. */
    private static final class Options {
        Path model;
        int resolution = 224;
        int batch = 1;
        int warmup = 2;
        int iters = 10;
        int threads = 2;
        long seed = 0;
        boolean spin = true;
        boolean json;
    }

    /**
     * Runs the benchmark; see the class comment for the arguments.
     *
     * @param args command line
     * @throws OrtException if ONNX Runtime fails to load the model or to run it
     */
    public static void main(String[] args) throws OrtException {
        int code = execute(args);
        if (code != 0) System.exit(code);
    }

    /** Runs the benchmark and returns the process exit code (0, 1 interrupted, 2 bad arguments or model). */
    static int execute(String[] args) throws OrtException {
        Options o;
        try {
            o = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("OnnxRuntimeBench: " + e.getMessage());
            System.err.println(USAGE);
            return 2;
        }
        if (o == null) {
            System.out.println(USAGE);
            return 0;
        }
        if (!Files.isRegularFile(o.model)) {
            System.err.println("OnnxRuntimeBench: model file not found: " + o.model.toAbsolutePath()
                    + "\n  export it first: /usr/bin/python3 efficientnet-bench/export_onnx.py");
            return 2;
        }
        // ONNX Runtime's model loading and graph optimizations run on the calling thread and can
        // need more than the JVM's default 1 MB of stack: with it, creating the session kills the
        // process with SIGSEGV (no hs_err file). So do all the work on a thread with a large stack.
        Throwable[] failure = new Throwable[1];
        Thread worker = new Thread(null, () -> {
            try {
                run(o);
            } catch (Throwable t) {
                failure[0] = t;
            }
        }, "onnxruntime-bench", WORKER_STACK_BYTES);
        worker.start();
        try {
            worker.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
        if (failure[0] instanceof IllegalArgumentException e) {
            System.err.println("OnnxRuntimeBench: " + e.getMessage());
            return 2;
        } else if (failure[0] instanceof OrtException e) {
            throw e;
        } else if (failure[0] != null) {
            throw new IllegalStateException("OnnxRuntimeBench failed", failure[0]);
        }
        return 0;
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
                case "--no-spin" -> o.spin = false;
                case "--model" -> o.model = Path.of(value(args, ++i, a));
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
        if (o.model == null) throw new IllegalArgumentException("--model FILE.onnx is required");
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

    private static void run(Options o) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        long t0 = System.nanoTime();
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setIntraOpNumThreads(o.threads);
            so.setInterOpNumThreads(1);
            so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            so.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            if (!o.spin) so.addConfigEntry("session.intra_op.allow_spinning", "0");
            try (OrtSession session = env.createSession(o.model.toString(), so)) {
                double loadMs = (System.nanoTime() - t0) / 1e6;
                String inputName = session.getInputNames().iterator().next();
                checkInput(session.getInputInfo().get(inputName), o);
                long[] shape = {o.batch, 3, o.resolution, o.resolution};
                FloatBuffer data = FloatBuffer.allocate(o.batch * 3 * o.resolution * o.resolution);
                SplittableRandom rnd = new SplittableRandom(o.seed);
                while (data.hasRemaining()) data.put((float) (rnd.nextDouble() * 2 - 1));
                data.rewind();
                String version = env.getVersion();
                System.err.printf(Locale.ROOT, "onnxruntime %s: %s @%dx%d batch %d, %d intra-op threads%s;"
                                + " session created in %.1f ms; %d warm-up + %d timed iterations%n",
                        version, o.model.getFileName(), o.resolution, o.resolution, o.batch, o.threads,
                        o.spin ? "" : " (no spinning)", loadMs, o.warmup, o.iters);
                double[] times = new double[o.iters];
                long[] outShape = null;
                try (OnnxTensor input = OnnxTensor.createTensor(env, data, shape)) {
                    Map<String, OnnxTensor> feed = Map.of(inputName, input);
                    for (int i = 0; i < o.warmup + o.iters; i++) {
                        long t = System.nanoTime();
                        try (OrtSession.Result result = session.run(feed)) {
                            double ms = (System.nanoTime() - t) / 1e6;
                            if (outShape == null) outShape = outputShape(result.get(0));
                            boolean warm = i < o.warmup;
                            if (!warm) times[i - o.warmup] = ms;
                            System.err.printf(Locale.ROOT, "%-7s %3d: %10.3f ms%n", warm ? "warm-up" : "iter",
                                    (warm ? i : i - o.warmup) + 1, ms);
                        }
                    }
                }
                report(o, version, loadMs, times, outShape);
            }
        }
    }

    private static void checkInput(NodeInfo info, Options o) {
        if (info != null && info.getInfo() instanceof TensorInfo t) {
            long[] s = t.getShape();
            if (s.length != 4) {
                throw new IllegalArgumentException("the model's input " + info.getName() + " has shape "
                        + Arrays.toString(s) + ", expected [batch, 3, H, W]");
            }
            if (s[0] > 0 && s[0] != o.batch) {
                throw new IllegalArgumentException("the model's input has a fixed batch " + s[0]
                        + "; --batch " + o.batch + " needs a model exported with a dynamic batch axis");
            }
        }
    }

    private static long[] outputShape(OnnxValue value) {
        return value.getInfo() instanceof TensorInfo t ? t.getShape() : new long[0];
    }

    private static void report(Options o, String version, double loadMs, double[] times, long[] outShape) {
        double[] sorted = times.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        double mean = Arrays.stream(times).average().orElse(Double.NaN);
        double imagesPerSecond = o.batch * 1000.0 / median;
        double rss = peakRssMb();
        System.out.printf(Locale.ROOT, "onnxruntime %s %s @%d batch %d: median %.3f ms, min %.3f, mean %.3f, max %.3f"
                        + " over %d iters -> %.2f images/s; peak RSS %s MB%n",
                version, o.model.getFileName(), o.resolution, o.batch, median, sorted[0], mean, sorted[n - 1],
                o.iters, imagesPerSecond, rss < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f", rss));
        if (!o.json) return;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("runtime", "onnxruntime");
        m.put("version", version);
        m.put("model", o.model.toString());
        m.put("resolution", o.resolution);
        m.put("batch", o.batch);
        m.put("warmup", o.warmup);
        m.put("iters", o.iters);
        m.put("ms", Arrays.stream(times).map(OnnxRuntimeBench::round3).toArray());
        m.put("ms_median", round3(median));
        m.put("ms_min", round3(sorted[0]));
        m.put("ms_mean", round3(mean));
        m.put("ms_max", round3(sorted[n - 1]));
        m.put("images_per_second", round3(imagesPerSecond));
        m.put("peak_rss_mb", rss);
        m.put("load_ms", Math.round(loadMs * 10) / 10.0);
        m.put("threads", o.threads);
        m.put("inter_op_threads", 1);
        m.put("allow_spinning", o.spin);
        m.put("output_shape", outShape == null ? List.of() : Arrays.stream(outShape).boxed().toList());
        m.put("java_version", System.getProperty("java.version", "unknown"));
        System.out.println(Json.write(m));
    }

    private static double round3(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    /** Peak resident set size in MB (VmHWM of /proc/self/status), or -1 where unavailable. */
    static double peakRssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (!line.startsWith("VmHWM:")) continue;
                String[] parts = line.substring("VmHWM:".length()).trim().split("\\s+");
                return Math.round(Double.parseDouble(parts[0]) / 1024.0 * 10) / 10.0;
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
