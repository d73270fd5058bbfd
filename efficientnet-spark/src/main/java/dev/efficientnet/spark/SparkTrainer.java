package dev.efficientnet.spark;

import dev.efficientnet.core.io.Json;
import dev.efficientnet.layers.BatchNorm2d;
import dev.efficientnet.layers.Module;
import dev.efficientnet.models.EfficientNet;
import dev.efficientnet.train.DataSources;
import dev.efficientnet.train.TrainConfig;
import dev.efficientnet.train.TrainListener;
import dev.efficientnet.train.TrainResult;
import dev.efficientnet.train.Trainer;
import dev.efficientnet.train.TrainingDivergedException;
import dev.efficientnet.train.checkpoint.Checkpoints;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.BarrierTaskInfo;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Synchronous data-parallel training on Spark: {@code W} workers, one per task of a barrier stage,
 * each a {@link Trainer} on its shard of every global batch, the gradients summed every step by a
 * {@link RingAllReduce} whose addresses are exchanged through {@link BarrierTaskContext#allGather},
 * so every worker applies the same update. Rank 0 evaluates and writes the run folder (atomic
 * checkpoints, metrics, plots) exactly as the single-process {@code train} does.
 *
 * <p>Fault tolerance: if a worker fails (an exception, a lost executor), Spark fails the barrier
 * stage, kills its other tasks and runs the stage again (up to {@code spark.stage.maxConsecutiveAttempts},
 * default 4); the new attempt resumes every worker from the run folder's {@code last.safetensors}
 * (rank 0 reads its step, sends it with its address, and the other ranks check that they read the
 * same one), so at most the steps since the last checkpoint are lost ({@link Builder#checkpointEvery}).
 * The barrier stage is a shuffle-map stage (a one-partition shuffle follows it) because Spark does
 * not retry a failed barrier result stage. A diverged run (NaN loss) is not retried.
 *
 * <p>The run folder must be readable under the same path by every executor and writable by rank
 * 0's (a shared file system on a real cluster); so must the data ({@link TrainDataSource}).
 */
public final class SparkTrainer {
    private static final Logger LOG = LoggerFactory.getLogger(SparkTrainer.class);
    private static final String DIVERGED = "diverged:";

    private final Job job;

    private SparkTrainer(Job job) {
        this.job = job;
    }

    /** A builder for training {@code config} on {@code workers} workers into {@code runDir}. */
    public static Builder builder(TrainConfig config, TrainDataSource data, Path runDir, int workers) {
        return new Builder(config, data, runDir, workers);
    }

    /** Settings of a data-parallel run. */
    public static final class Builder {
        private final TrainConfig config;
        private final TrainDataSource data;
        private final Path runDir;
        private final int workers;
        private long checkpointEvery;
        private long maxSteps = Long.MAX_VALUE;
        private int failRank = -1;
        private long failAtStep = -1;
        private int timeoutMillis = 30 * 60 * 1000;
        private boolean freezeBatchNorm;

        private Builder(TrainConfig config, TrainDataSource data, Path runDir, int workers) {
            this.config = Objects.requireNonNull(config, "config");
            this.data = Objects.requireNonNull(data, "data");
            this.runDir = Objects.requireNonNull(runDir, "runDir").toAbsolutePath().normalize();
            if (workers < 1) throw new IllegalArgumentException("workers must be >= 1, got " + workers);
            if (config.batchSize() < workers)
                throw new IllegalArgumentException("the batch size " + config.batchSize() + " is smaller than the " + workers + " workers");
            this.workers = workers;
        }

        /** Also checkpoint every {@code steps} steps inside an epoch (what a retried stage loses at most). */
        public Builder checkpointEvery(long steps) {
            if (steps < 0) throw new IllegalArgumentException("checkpoint interval must be >= 0, got " + steps);
            this.checkpointEvery = steps;
            return this;
        }

        /** Stops (resumably) after {@code steps} optimizer steps in total. */
        public Builder maxSteps(long steps) {
            if (steps < 0) throw new IllegalArgumentException("steps must be >= 0, got " + steps);
            this.maxSteps = steps;
            return this;
        }

        /** Bound on connecting the ring and on waiting for a neighbour's data (default 30 min). */
        public Builder timeoutMillis(int millis) {
            this.timeoutMillis = millis;
            return this;
        }

        /**
         * Freezes every batch norm ({@link #freezeBatchNorm(EfficientNet)}): the workers then compute
         * exactly the single-process run's update (with per-worker BN statistics they do not).
         */
        public Builder freezeBatchNorm(boolean on) {
            this.freezeBatchNorm = on;
            return this;
        }

        /** Test hook: worker {@code rank} throws after global step {@code step} in the stage's first attempt. */
        public Builder failOnceAt(int rank, long step) {
            this.failRank = rank;
            this.failAtStep = step;
            return this;
        }

        /** The trainer. */
        public SparkTrainer build() {
            return new SparkTrainer(new Job(Json.write(config.toJson()), data, runDir.toString(), workers, checkpointEvery,
                    maxSteps, failRank, failAtStep, timeoutMillis, freezeBatchNorm));
        }
    }

    /** What the tasks need (serialized with them). */
    record Job(String configJson, TrainDataSource data, String runDir, int workers, long checkpointEvery, long maxSteps,
               int failRank, long failAtStep, int timeoutMillis, boolean freezeBatchNorm) implements Serializable {
    }

    /**
     * The outcome: rank 0's {@link TrainResult#toJson()} plus {@code workers}, {@code attempts} (stage
     * attempts rank 0 ran; 1 without failures), {@code allreduce_seconds_per_step},
     * {@code allreduce_bytes_per_step} (bytes rank 0 sent per step) and {@code allreduce_steps}
     * (of the last attempt).
     */
    public record Result(Map<String, Object> json) {
        /** Rank 0's test accuracy (null without test data). */
        public Object testAccuracy() {
            return json.get("test_accuracy");
        }
    }

    /** Runs the training as one Spark job; returns when it is done (or failed for good). */
    public Result run(SparkContext sc) throws IOException {
        Files.createDirectories(Path.of(job.runDir()));
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(sc);
        List<Integer> ranks = new ArrayList<>();
        for (int i = 0; i < job.workers(); i++) ranks.add(i);
        Job j = job;
        scala.Function1<scala.collection.Iterator<Integer>, scala.collection.Iterator<String>> task =
                (scala.Function1<scala.collection.Iterator<Integer>, scala.collection.Iterator<String>> & Serializable)
                        it -> scala.jdk.javaapi.CollectionConverters.asScala(workUnchecked(j));
        JavaRDD<String> out = jsc.parallelize(ranks, job.workers()).rdd().barrier()
                .mapPartitions(task, false, scala.reflect.ClassTag$.MODULE$.apply(String.class)).toJavaRDD()
                .repartition(1); // a shuffle after the barrier stage: Spark retries failed barrier map stages
        List<String> results = out.collect();
        String r0 = results.stream().filter(s -> !s.isEmpty()).findFirst()
                .orElseThrow(() -> new IllegalStateException("rank 0 returned no result"));
        if (r0.startsWith(DIVERGED)) throw new TrainingDivergedException(r0.substring(DIVERGED.length()));
        return new Result(Json.parseObject(r0));
    }

    private static Iterator<String> workUnchecked(Job job) {
        try {
            return work(job);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** One worker (a task of the barrier stage). */
    static Iterator<String> work(Job job) throws Exception {
        BarrierTaskContext ctx = BarrierTaskContext.get();
        BarrierTaskInfo[] infos = ctx.getTaskInfos();
        int rank = ctx.partitionId();
        int world = infos.length;
        if (world != job.workers()) throw new IllegalStateException("the barrier stage has " + world + " tasks, expected " + job.workers());
        Path runDir = Path.of(job.runDir());
        Path last = runDir.resolve(Checkpoints.LAST);
        Path scratch = null;
        try (RingAllReduce ring = RingAllReduce.listen(rank, world, job.timeoutMillis())) {
            long resumeStep = rank == 0 && Files.exists(last) ? Checkpoints.readState(last).globalStep() : -1;
            String host = infos[rank].address();
            host = host.contains(":") ? host.substring(0, host.lastIndexOf(':')) : host;
            String[] all = ctx.allGather(host + ":" + ring.port() + "/" + resumeStep);
            List<String> addresses = new ArrayList<>();
            for (String a : all) addresses.add(a.substring(0, a.lastIndexOf('/')));
            resumeStep = Long.parseLong(all[0].substring(all[0].lastIndexOf('/') + 1));
            ring.connect(addresses);
            LOG.info("worker {} of {} (stage attempt {}): ring connected, {}", rank, world, ctx.stageAttemptNumber(),
                    resumeStep >= 0 ? "resuming at step " + resumeStep : "starting");
            Path dir = runDir;
            if (rank != 0) {
                scratch = Files.createTempDirectory("efficientnet-spark-worker-" + rank + "-");
                dir = scratch;
            }
            DataSources.Split split = job.data().open();
            TrainListener listener = listener(job, ctx, rank);
            Trainer trainer;
            if (resumeStep >= 0) {
                if (rank != 0) {
                    Files.copy(last, dir.resolve(Checkpoints.LAST), StandardCopyOption.REPLACE_EXISTING);
                    long mine = Checkpoints.readState(dir.resolve(Checkpoints.LAST)).globalStep();
                    if (mine != resumeStep)
                        throw new IllegalStateException("worker " + rank + " read the checkpoint of step " + mine + ", rank 0 that of step " + resumeStep);
                }
                trainer = Trainer.resume(dir, split.train(), split.test(), listener);
            } else {
                trainer = new Trainer(TrainConfig.fromJson(Json.parseObject(job.configJson())), split.train(), split.test(), dir, listener);
            }
            if (job.freezeBatchNorm()) freezeBatchNorm(trainer.model());
            trainer.dataParallel(ring).checkpointEvery(job.checkpointEvery());
            if (job.maxSteps() != Long.MAX_VALUE) trainer.stopAfterSteps(job.maxSteps());
            TrainResult r;
            try {
                r = trainer.run();
            } catch (TrainingDivergedException e) {
                return List.of(rank == 0 ? DIVERGED + e.getMessage() : "").iterator();
            }
            if (rank != 0) return List.of("").iterator();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("workers", world);
            m.putAll(r.toJson());
            m.put("attempts", ctx.stageAttemptNumber() + 1);
            m.put("allreduce_steps", ring.calls());
            m.put("allreduce_seconds_per_step", ring.calls() == 0 ? null : ring.seconds() / ring.calls());
            m.put("allreduce_bytes_per_step", ring.calls() == 0 ? null : ring.bytesSent() / ring.calls());
            return List.of(Json.write(m)).iterator();
        } finally {
            if (scratch != null) deleteTree(scratch);
        }
    }

    /**
     * Freezes every {@link BatchNorm2d} of {@code model}: it normalizes with its running statistics,
     * which stay fixed, and its scale and shift get no gradient, so the optimizer leaves them alone.
     * Call after the {@link Trainer} is built (it has the model) and before it runs.
     */
    public static void freezeBatchNorm(EfficientNet model) {
        freeze(model);
        model.train(true);
    }

    private static void freeze(Module m) {
        if (m instanceof BatchNorm2d) m.freeze();
        for (Module c : m.children().values()) freeze(c);
    }

    private static TrainListener listener(Job job, BarrierTaskContext ctx, int rank) {
        boolean failHere = rank == job.failRank() && ctx.stageAttemptNumber() == 0;
        return new TrainListener() {
            @Override
            public void step(int epoch, int batch, int batches, long globalStep, double loss, double lr, double meanLoss,
                             double accuracy, double imagesPerSecond) {
                if (ctx.isInterrupted()) throw new IllegalStateException("worker " + rank + ": the task was killed");
                if (failHere && globalStep == job.failAtStep())
                    throw new IllegalStateException("worker " + rank + ": injected failure after step " + globalStep);
                if (rank == 0 && (globalStep % 50 == 0))
                    LOG.info("step {} epoch {} batch {}/{}: loss {} ({} img/s)", globalStep, epoch + 1, batch + 1, batches, loss, imagesPerSecond);
            }
        };
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return "SparkTrainer" + Arrays.asList(job.workers(), job.runDir());
    }
}
