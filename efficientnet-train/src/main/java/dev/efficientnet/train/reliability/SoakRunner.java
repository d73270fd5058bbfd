package dev.efficientnet.train.reliability;

import dev.efficientnet.core.backend.Backend;
import dev.efficientnet.core.io.AtomicFiles;
import dev.efficientnet.core.tensor.Rng;
import dev.efficientnet.models.EfficientNet;
import dev.efficientnet.models.inference.Classifier;
import dev.efficientnet.models.spec.ModelSpec;
import dev.efficientnet.models.spec.Presets;
import dev.efficientnet.train.TrainConfig;
import dev.efficientnet.train.TrainListener;
import dev.efficientnet.train.Trainer;
import dev.efficientnet.train.data.Dataset;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.ToLongFunction;

/**
 * Soak run: many inference calls on a tiny model through {@link Classifier}, then many training
 * steps through {@link Trainer}, sampling the process RSS ({@code VmRSS} of
 * {@code /proc/self/status}), the backend's pooled bytes ({@link Backend#bytesAllocated()}) and the
 * used heap every {@code every} calls/steps. With a fixed, pre-touched heap
 * ({@code -Xms = -Xmx, -XX:+AlwaysPreTouch}) RSS growth is off-heap growth.
 *
 * <p>Long mode (documented in {@code docs/reliability.md}):
 * {@code java -Xms1g -Xmx1g -XX:+AlwaysPreTouch -cp ... dev.efficientnet.train.reliability.SoakRunner
 * --inference 10000 --train-steps 1000 --every 50 --out target/soak.csv}.
 */
public final class SoakRunner {
    /** Image side of the inference inputs. */
    public static final int INFERENCE_SIZE = 32;

    private SoakRunner() {
    }

    /**
     * One sample.
     *
     * @param phase       "inference" or "train"
     * @param step        calls or steps done in the phase
     * @param seconds     seconds since the start of the run
     * @param rssKb       process resident set size in kB (-1 where /proc is unavailable)
     * @param pooledBytes the backend's bytes (in use plus pooled)
     * @param heapUsed    used Java heap in bytes
     */
    public record Sample(String phase, long step, double seconds, long rssKb, long pooledBytes, long heapUsed) {
    }

    /**
     * The samples and the throughput of both phases.
     *
     * @param samples           every sample, in order
     * @param inferencePerSecond inference calls per second
     * @param trainStepsPerSecond training steps per second
     */
    public record Result(List<Sample> samples, double inferencePerSecond, double trainStepsPerSecond) {
        /** The samples of one phase. */
        public List<Sample> phase(String phase) {
            return samples.stream().filter(s -> s.phase.equals(phase)).toList();
        }

        /**
         * Relative growth of {@code metric} within {@code phase} after warm-up: (max of the last
         * quarter of the samples − value at the end of the first {@code warmup} fraction) / that value.
         */
        public double growth(String phase, double warmup, ToLongFunction<Sample> metric) {
            List<Sample> p = phase(phase);
            if (p.size() < 4) throw new IllegalStateException("too few samples in " + phase + ": " + p.size());
            int w = Math.min(p.size() - 2, (int) Math.ceil(p.size() * warmup));
            long base = metric.applyAsLong(p.get(w));
            long end = Long.MIN_VALUE;
            for (int i = Math.max(w + 1, p.size() - Math.max(1, p.size() / 4)); i < p.size(); i++)
                end = Math.max(end, metric.applyAsLong(p.get(i)));
            return base <= 0 ? 0 : (double) (end - base) / base;
        }
    }

    /**
     * Runs the soak.
     *
     * @param inferenceCalls inference calls (batch of 1, {@value #INFERENCE_SIZE} px RGB, tiny B0)
     * @param trainSteps     training steps of {@link ReliabilityRuns#tinyConfig} (batch 16, 12 px)
     * @param every          sampling period in calls/steps
     * @param runDir         folder for the training run's files
     */
    public static Result run(int inferenceCalls, int trainSteps, int every, Path runDir) throws IOException {
        if (inferenceCalls < 0 || trainSteps < 0 || every < 1)
            throw new IllegalArgumentException("inferenceCalls and trainSteps must be >= 0 and every >= 1, got "
                    + inferenceCalls + ", " + trainSteps + ", " + every);
        List<Sample> samples = new ArrayList<>();
        long t0 = System.nanoTime();
        // ---- inference
        ModelSpec spec = Presets.get("efficientnet_b0").withWidthDepth(0.25, 0.1).withNumClasses(10);
        Classifier classifier = Classifier.of(EfficientNet.create(spec, 3));
        Rng rng = new Rng(5);
        float[][] inputs = new float[8][3 * INFERENCE_SIZE * INFERENCE_SIZE];
        for (float[] in : inputs) for (int i = 0; i < in.length; i++) in[i] = (float) (2 * rng.nextDouble() - 1);
        samples.add(sample("inference", 0, t0));
        long ti = System.nanoTime();
        for (int i = 1; i <= inferenceCalls; i++) {
            classifier.logits(inputs[i % inputs.length], 1, INFERENCE_SIZE, INFERENCE_SIZE);
            if (i % every == 0 || i == inferenceCalls) samples.add(sample("inference", i, t0));
        }
        double inferenceRate = inferenceCalls / Math.max(1e-9, (System.nanoTime() - ti) / 1e9);
        // ---- training
        int batch = 16;
        int examples = 512;
        int perEpoch = examples / batch;
        TrainConfig cfg = ReliabilityRuns.tinyConfig(Math.max(1, (trainSteps + perEpoch - 1) / perEpoch), batch);
        Dataset train = ReliabilityRuns.tinyData(examples);
        samples.add(sample("train", 0, t0));
        long tt = System.nanoTime();
        if (trainSteps > 0) {
            Trainer trainer = new Trainer(cfg, train, null, runDir, new TrainListener() {
                @Override
                public void step(int epoch, int b, int batches, long globalStep, double loss, double lr, double meanLoss,
                                 double accuracy, double imagesPerSecond) {
                    if (globalStep % every == 0 || globalStep == trainSteps) samples.add(sample("train", globalStep, t0));
                }
            });
            trainer.stopAfterSteps(trainSteps).run();
        }
        double trainRate = trainSteps / Math.max(1e-9, (System.nanoTime() - tt) / 1e9);
        return new Result(List.copyOf(samples), inferenceRate, trainRate);
    }

    private static Sample sample(String phase, long step, long t0) {
        Runtime rt = Runtime.getRuntime();
        return new Sample(phase, step, (System.nanoTime() - t0) / 1e9, rssKb(), Backend.current().bytesAllocated(),
                rt.totalMemory() - rt.freeMemory());
    }

    /** The process resident set size in kB from {@code /proc/self/status}, or -1 if unavailable. */
    public static long rssKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status")))
                if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** Writes the samples as CSV: {@code phase,step,seconds,rss_kb,pooled_bytes,heap_used_bytes}. */
    public static void writeCsv(Path file, List<Sample> samples) throws IOException {
        StringBuilder sb = new StringBuilder("phase,step,seconds,rss_kb,pooled_bytes,heap_used_bytes\n");
        for (Sample s : samples)
            sb.append(String.format(Locale.ROOT, "%s,%d,%.3f,%d,%d,%d%n", s.phase, s.step, s.seconds, s.rssKb, s.pooledBytes, s.heapUsed));
        AtomicFiles.writeString(file, sb.toString());
    }

    /** A short human summary of a result (first/after-warm-up/last/max of each metric per phase). */
    public static String summary(Result r) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "inference %.0f calls/s, training %.1f steps/s%n", r.inferencePerSecond(),
                r.trainStepsPerSecond()));
        for (String phase : List.of("inference", "train")) {
            List<Sample> p = r.phase(phase);
            if (p.size() < 4) continue;
            int w = (int) Math.ceil(p.size() * 0.25);
            Sample first = p.get(0), warm = p.get(w), last = p.get(p.size() - 1);
            long maxRss = p.stream().mapToLong(Sample::rssKb).max().orElse(-1);
            long maxPool = p.stream().mapToLong(Sample::pooledBytes).max().orElse(-1);
            sb.append(String.format(Locale.ROOT,
                    "%-9s steps %d..%d: RSS MiB start %.1f, after warm-up (step %d) %.1f, end %.1f, max %.1f (growth after warm-up %+.2f%%); "
                            + "pooled MiB start %.2f, after warm-up %.2f, end %.2f, max %.2f (growth %+.2f%%)%n",
                    phase, first.step, last.step, first.rssKb / 1024.0, warm.step, warm.rssKb / 1024.0, last.rssKb / 1024.0,
                    maxRss / 1024.0, 100 * r.growth(phase, 0.25, Sample::rssKb), first.pooledBytes / 1048576.0,
                    warm.pooledBytes / 1048576.0, last.pooledBytes / 1048576.0, maxPool / 1048576.0,
                    100 * r.growth(phase, 0.25, Sample::pooledBytes)));
        }
        return sb.toString();
    }

    /**
     * {@code SoakRunner [--inference N] [--train-steps M] [--every K] [--out file.csv] [--run-dir dir]}
     * (defaults 10000, 1000, 50, soak.csv, a temporary folder).
     */
    public static void main(String[] args) throws IOException {
        int inference = 10_000, steps = 1_000, every = 50;
        Path out = Path.of("soak.csv");
        Path runDir = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (i + 1 >= args.length) throw new IllegalArgumentException("missing value after " + a);
            String v = args[++i];
            switch (a) {
                case "--inference" -> inference = Integer.parseInt(v);
                case "--train-steps" -> steps = Integer.parseInt(v);
                case "--every" -> every = Integer.parseInt(v);
                case "--out" -> out = Path.of(v);
                case "--run-dir" -> runDir = Path.of(v);
                default -> throw new IllegalArgumentException("unknown option " + a + " (known: --inference --train-steps --every --out --run-dir; "
                        + Arrays.toString(args) + ")");
            }
        }
        if (runDir == null) runDir = Files.createTempDirectory("soak-run");
        Result r = run(inference, steps, every, runDir);
        if (out.toAbsolutePath().getParent() != null) Files.createDirectories(out.toAbsolutePath().getParent());
        writeCsv(out, r.samples());
        System.out.print(summary(r));
        System.out.println("samples: " + out.toAbsolutePath() + " (" + r.samples().size() + " rows); run folder " + runDir);
    }
}
