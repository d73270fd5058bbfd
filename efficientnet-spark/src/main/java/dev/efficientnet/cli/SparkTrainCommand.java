package dev.efficientnet.cli;

import dev.efficientnet.cli.safety.ResumeOptions;
import dev.efficientnet.cli.safety.RunFolder;
import dev.efficientnet.core.io.Json;
import dev.efficientnet.spark.SparkTrainer;
import dev.efficientnet.spark.TrainDataSource;
import dev.efficientnet.train.DataSources;
import dev.efficientnet.train.TrainConfig;
import dev.efficientnet.train.Trainer;
import dev.efficientnet.train.TrainingDivergedException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Unmatched;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code efficientnet spark train ARCH --data DIR --master URL --workers N [train options] --out RUN}:
 * synchronous data-parallel training ({@link SparkTrainer}) into the same run folder as
 * {@code train} (config, checkpoints, metrics, plots; {@code eval} and {@code train --resume} read it).
 * Every option of {@code train} is accepted and means the same, except that {@code --workers} is the
 * number of Spark workers here and {@code --loader-threads} the data-loading threads of each.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        header = "Data-parallel training on a Spark cluster: the run folder of 'efficientnet train'.",
        description = {"Trains ARCH on --workers Spark tasks of a barrier stage, each on its shard of every global batch",
                "(--batch is the global batch), the gradients summed every step by a socket ring all-reduce, so",
                "all workers apply the same update. Rank 0 evaluates and writes --out (config.json, metrics.csv,",
                "plots, last/best checkpoints) as 'efficientnet train' does; a failed worker makes Spark run the",
                "stage again, which resumes from the last checkpoint. Every 'efficientnet train' option is",
                "accepted (see 'efficientnet train --help'); --data and --out must be the same path on every",
                "executor (a shared file system). Batch-norm statistics are per worker unless --freeze-bn."})
public final class SparkTrainCommand extends CliCommand {
    @Option(names = "--master", paramLabel = "URL",
            description = "Spark master: local[N], local-cluster[W,C,MB], spark://host:7077 (default: spark-submit's).")
    String master;

    @Option(names = "--workers", paramLabel = "N", defaultValue = "2",
            description = "Data-parallel workers, one Spark task (slot) each (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--loader-threads", paramLabel = "T", defaultValue = "1",
            description = "Data-loading threads of each worker ('train --workers') (default: ${DEFAULT-VALUE}).")
    int loaderThreads;

    @Option(names = "--freeze-bn",
            description = "Freeze every batch norm (running statistics, no BN updates): then N workers compute exactly the single-process update.")
    boolean freezeBn;

    @Option(names = "--json", description = "Print one JSON object (train's, plus workers) as the last stdout line.")
    boolean json;

    @Unmatched
    List<String> trainArgs = new ArrayList<>();

    /** Creates the command. */
    public SparkTrainCommand() {
    }

    @Override
    protected int execute() throws Exception {
        requireAtLeast("--workers", workers, 1);
        requireAtLeast("--loader-threads", loaderThreads, 1);
        TrainCommand t = new TrainCommand();
        CommandLine line = new CommandLine(t);
        List<String> args = new ArrayList<>(trainArgs);
        for (String a : args)
            if (a.equals("--workers") || a.startsWith("--workers=")) throw CliException.usage("--workers is given twice");
        args.add("--workers");
        args.add(Integer.toString(loaderThreads));
        try {
            line.parseArgs(args.toArray(new String[0]));
        } catch (CommandLine.ParameterException e) {
            throw CliException.usage(e.getMessage());
        }
        t.presetFile.load();
        if (t.precision != null && !t.precision.trim().equalsIgnoreCase("fp32"))
            throw CliException.usage("--precision " + t.precision + " is not supported by spark train (the workers train in fp32)");
        if (t.resume != null) return resume(t, line);
        if (t.arch == null) throw CliException.usage("ARCH is required (or --resume DIR)");
        if (t.data == null) throw CliException.usage("--data PATH is required");
        t.initWeights = t.pretrained.resolve(t.arch, "--init-weights", t.initWeights, err());
        String name = Architectures.canonicalName(t.arch);
        Path dir = t.outDir(name).toAbsolutePath().normalize();
        int channels = t.inChannels == null ? 3 : t.inChannels;
        DataSources.Split split = TrainCommand.open(t.data, channels, t.seed);
        err().println("data: " + split.description());
        TrainConfig cfg = t.config(split, t.data.toAbsolutePath().toString());
        if (cfg.batchSize() < workers)
            throw CliException.usage("--batch " + cfg.batchSize() + " is smaller than --workers " + workers + " (each worker needs examples)");
        if (t.checkpointEvery < 0) throw CliException.usage("--checkpoint-every must be >= 0, got " + t.checkpointEvery);
        try (SparkSessions.Handle h = session();
             RunFolder folder = RunFolder.forNewRun(dir, t.overwrite)) {
            java.nio.file.Files.createDirectories(dir);
            Map<String, Object> options = ResumeOptions.values(line.getCommandSpec());
            options.put(ResumeOptions.ARCH, cfg.arch());
            options.put("--out", ResumeOptions.canonical(dir));
            ResumeOptions.save(dir, options);
            return train(h, t, cfg, dir);
        }
    }

    private int resume(TrainCommand t, CommandLine line) throws Exception {
        Path dir = t.resume.toAbsolutePath().normalize();
        if (t.checkpointEvery < 0) throw CliException.usage("--checkpoint-every must be >= 0, got " + t.checkpointEvery);
        try (SparkSessions.Handle h = session();
             RunFolder folder = RunFolder.forResume(dir)) {
            TrainConfig saved;
            try {
                saved = Trainer.savedConfig(dir);
            } catch (java.io.IOException | RuntimeException e) {
                throw CliException.usage("cannot resume from " + dir + ": " + e.getMessage());
            }
            TrainConfig.Builder b = saved.toBuilder().workers(loaderThreads);
            if (line.getParseResult().hasMatchedOption("--epochs")) b.epochs(t.epochs);
            if (t.data != null) b.data(t.data.toAbsolutePath().toString());
            TrainConfig cfg = b.build();
            if (cfg.data() == null || cfg.data().equals("embedded"))
                throw CliException.usage("cannot resume " + dir + " on Spark: its data is not a path (give --data PATH)");
            return train(h, t, cfg, dir);
        }
    }

    /** The session; --workers must fit the cluster's task slots (a barrier stage runs all its tasks at once). */
    private SparkSessions.Handle session() {
        SparkSessions.Handle h = SparkSessions.open(master, "efficientnet spark train");
        int slots = h.session().sparkContext().defaultParallelism();
        if (workers > slots) {
            h.close();
            throw CliException.usage("--workers " + workers + " needs " + workers + " task slots at once (a barrier stage); the cluster has " + slots);
        }
        return h;
    }

    private int train(SparkSessions.Handle h, TrainCommand t, TrainConfig cfg, Path dir) throws Exception {
        SparkTrainer.Builder b = SparkTrainer.builder(cfg, TrainDataSource.path(cfg.data(), cfg.inChannels(), cfg.seed()), dir, workers)
                .checkpointEvery(t.checkpointEvery).freezeBatchNorm(freezeBn);
        if (t.maxSteps != null) b.maxSteps(t.maxSteps);
        err().printf(Locale.ROOT, "training %s on %d workers (%s, global batch %d); rank 0 writes %s%n", cfg.arch(), workers,
                h.session().sparkContext().master(), cfg.batchSize(), dir);
        SparkTrainer.Result r;
        try {
            r = b.build().run(h.session().sparkContext());
        } catch (TrainingDivergedException e) {
            throw new CliException(CliException.FAILURE, e.getMessage());
        } catch (Exception e) { // Scala code throws the checked SparkException undeclared
            if (!(e instanceof org.apache.spark.SparkException)) throw e;
            String msg = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
            throw new CliException(CliException.FAILURE, "training failed (Spark gave up after its stage retries; " + dir
                    + " keeps the last checkpoint, continue with --resume): " + msg);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("arch", cfg.arch());
        m.putAll(r.json());
        print(m);
        return 0;
    }

    private void print(Map<String, Object> m) {
        if (json) {
            out().println(Json.write(m));
            return;
        }
        if (Boolean.TRUE.equals(m.get("stopped"))) {
            out().printf(Locale.ROOT, "stopped after %s steps; resume with: efficientnet spark train --resume %s%n", m.get("steps"), m.get("out"));
            return;
        }
        Object acc = m.get("test_accuracy");
        out().printf(Locale.ROOT, "test accuracy: %s (%s weights)%n",
                acc instanceof Number n ? String.format(Locale.ROOT, "%.2f%%", 100 * n.doubleValue()) : "n/a", m.get("final_weights"));
        out().printf(Locale.ROOT, "%s epochs, %s steps on %s workers in %s s (%s train images/s; %s stage attempt(s))%n", m.get("epochs"),
                m.get("steps"), m.get("workers"), m.get("wall_seconds"), m.get("images_per_second"), m.get("attempts"));
        if (m.get("allreduce_seconds_per_step") instanceof Number s)
            out().printf(Locale.ROOT, "all-reduce: %.1f ms and %s bytes sent per worker per step%n", 1000 * s.doubleValue(),
                    m.get("allreduce_bytes_per_step"));
        out().println("run folder: " + m.get("out") + " (metrics.csv, config.json, plots)");
        out().println("checkpoints: " + m.get("last_checkpoint") + (m.get("best_checkpoint") != null ? ", " + m.get("best_checkpoint") : ""));
    }
}
