package dev.efficientnet.cli;

import dev.efficientnet.cli.safety.OutputPaths;
import dev.efficientnet.cli.safety.ResumeOptions;
import dev.efficientnet.cli.safety.RunFolder;
import dev.efficientnet.cli.safety.TrainingShutdown;
import dev.efficientnet.core.backend.MixedPrecision;
import dev.efficientnet.core.io.Json;
import dev.efficientnet.train.DataSources;
import dev.efficientnet.train.LrScheduleKind;
import dev.efficientnet.train.OptimizerKind;
import dev.efficientnet.train.TrainConfig;
import dev.efficientnet.train.TrainResult;
import dev.efficientnet.train.Trainer;
import dev.efficientnet.train.TrainingDivergedException;
import dev.efficientnet.train.data.DataException;
import dev.efficientnet.train.progressive.ModelSize;
import dev.efficientnet.train.progressive.ProgressiveSchedule;
import dev.efficientnet.train.progressive.Range;
import dev.efficientnet.train.report.ConsoleProgress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;

/**
 * {@code efficientnet train ARCH --data PATH}: trains a preset with progressive learning (paper,
 * automl or none), EMA, checkpoints, metrics and plots in a run folder; {@code --resume DIR}
 * continues a run. With {@code --json} the last stdout line is one JSON object.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        header = "Train a model on a dataset (IDX folder, image folder or CSV) with progressive learning.",
        description = {"Trains ARCH with progressive learning (EfficientNetV2): the run is split into stages of growing",
                "image size, dropout, RandAugment magnitude and mixup. Presets: 'paper' (Table 6, linear min->max),",
                "'automl' (the official code: 4 stages, dropout not ramped), 'none' (final size and regularization",
                "throughout). Writes metrics.csv, config.json, plots (PNG) and checkpoints (last, best) into --out.",
                "Progress goes to stderr; stdout gets the result."})
public final class TrainCommand extends CliCommand {
    @Parameters(index = "0", arity = "0..1", paramLabel = "ARCH", completionCandidates = Architectures.class,
            description = "Architecture (not needed with --resume): ${COMPLETION-CANDIDATES}")
    String arch;

    @Option(names = "--data", paramLabel = "PATH", description = "IDX folder, image folder (train/ + test/ or val/), or CSV.")
    Path data;

    @Option(names = "--epochs", paramLabel = "E", defaultValue = "10", description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "64", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--progressive", paramLabel = "P", defaultValue = "paper",
            description = "paper, automl or none (default: ${DEFAULT-VALUE}).")
    String progressive;

    @Option(names = "--stages", paramLabel = "M", description = "Progressive stages (default: 4).")
    Integer stages;

    @Option(names = "--min-size", paramLabel = "S0", description = "First-stage image size (default: 128).")
    Integer minSize;

    @Option(names = "--max-size", paramLabel = "S1", description = "Final image size (default: the preset's paper/automl size).")
    Integer maxSize;

    @Option(names = "--dropout", paramLabel = "MIN[:MAX]", description = "Dropout range (default: the paper's row for the model size).")
    String dropout;

    @Option(names = "--randaug", paramLabel = "MIN[:MAX]", description = "RandAugment magnitude range (default: the paper's row).")
    String randaug;

    @Option(names = "--mixup", paramLabel = "MIN[:MAX]", description = "Mixup alpha range (default: the paper's row).")
    String mixup;

    @Option(names = "--width-mult", paramLabel = "W", description = "Width multiplier replacing the preset's.")
    Double widthMult;

    @Option(names = "--depth-mult", paramLabel = "D", description = "Depth multiplier replacing the preset's.")
    Double depthMult;

    @Option(names = "--in-channels", paramLabel = "C", description = "Stem input channels, 1 or 3 (default: 1 for grayscale data, else 3).")
    Integer inChannels;

    @Option(names = "--drop-path", paramLabel = "R", description = "Stochastic depth rate (default: the preset's).")
    Double dropPath;

    @Option(names = "--optimizer", paramLabel = "O", defaultValue = "rmsprop_tf", description = "rmsprop_tf, sgd or adamw (default: ${DEFAULT-VALUE}).")
    String optimizer;

    @Option(names = "--lr", paramLabel = "LR", description = "Base learning rate (default: 0.016 x batch/256 for rmsprop_tf and sgd, 0.001 for adamw).")
    Double lr;

    @Option(names = "--weight-decay", paramLabel = "WD", description = "Weight decay, not applied to BN and biases (default: 1e-5, adamw 0.05).")
    Double weightDecay;

    @Option(names = "--lr-schedule", paramLabel = "S", defaultValue = "cosine",
            description = "cosine, exponential, constant, step or multistep (with --lr-steps, --lr-gamma) (default: ${DEFAULT-VALUE}).")
    String lrSchedule;

    @Option(names = "--warmup", paramLabel = "E", defaultValue = "1", description = "Warmup epochs (default: ${DEFAULT-VALUE}).")
    double warmup;

    @Option(names = "--ema-decay", paramLabel = "D", defaultValue = "0.999", description = "Weight EMA decay, 0 = off (default: ${DEFAULT-VALUE}).")
    double emaDecay;

    @Option(names = "--label-smoothing", paramLabel = "E", defaultValue = "0.1", description = "Label smoothing (default: ${DEFAULT-VALUE}).")
    double labelSmoothing;

    @Option(names = "--randaug-ops", paramLabel = "N", defaultValue = "2", description = "RandAugment ops per image (default: ${DEFAULT-VALUE}).")
    int randaugOps;

    @Option(names = "--crop-scale", paramLabel = "S", defaultValue = "0.08", description = "Smallest random-resized-crop area (default: ${DEFAULT-VALUE}).")
    double cropScale;

    @Option(names = "--translate", paramLabel = "F", defaultValue = "0",
            description = "Random shift of up to F x the image side across and down, black fill, no rescaling (default: ${DEFAULT-VALUE}).")
    double translate;

    @Option(names = "--checkpoint-activations",
            description = "Recompute each stage's activations in backward instead of keeping them: less memory, one more forward of the stages per step.")
    boolean checkpointActivations;

    @Option(names = "--precision", paramLabel = "P", defaultValue = "fp32",
            description = {"Training arithmetic: fp32, or bf16: dense and 1x1 convolutions read bfloat16 (forward and backward),",
                    "everything else (master weights, gradients, optimizer, batch norm, depthwise convs) stays float32;",
                    "CPUs with AVX512-BF16 or AMX only, refused elsewhere. It can be SLOWER than fp32 (small models and",
                    "image sizes; decision D28). Give it again on --resume (default: ${DEFAULT-VALUE})."})
    String precision;

    @Option(names = "--no-flip", description = "No random horizontal flips.")
    boolean noFlip;

    @Option(names = "--random-erasing", paramLabel = "P", defaultValue = "0",
            description = "Random-erasing probability, one box of 2-33 %% of the image (default: ${DEFAULT-VALUE}).")
    double randomErasing;

    @Option(names = "--eval-resolution", paramLabel = "R", defaultValue = "0", description = "Also evaluate at R at the end (FixRes).")
    int evalResolution;

    @Option(names = "--fixres-steps", paramLabel = "N", defaultValue = "0",
            description = "After training, FixRes: re-estimate the BN statistics at --eval-resolution over N training batches (writes fixres.safetensors).")
    int fixresSteps;

    @Option(names = "--fixres-classifier", description = "The FixRes step also trains the classifier (SGD, 1 %% of --lr).")
    boolean fixresClassifier;

    @Option(names = "--cutmix", paramLabel = "A", defaultValue = "0", description = "CutMix Beta alpha, 0 = off (default: ${DEFAULT-VALUE}).")
    double cutmix;

    @Option(names = "--mix-switch-prob", paramLabel = "P", defaultValue = "0.5",
            description = "With mixup and CutMix both on: probability a batch gets CutMix (default: ${DEFAULT-VALUE}).")
    double mixSwitchProb;

    @Option(names = "--clip-grad", paramLabel = "N", defaultValue = "0", description = "Clip the global gradient norm to N, 0 = off (default: ${DEFAULT-VALUE}).")
    double clipGrad;

    @Option(names = "--ra-mstd", paramLabel = "S", defaultValue = "0",
            description = "RandAugment magnitude spread: each op's level ~ N(magnitude, S^2); > 100 = uniform in [0, magnitude] (default: ${DEFAULT-VALUE}).")
    double raMstd;

    @Option(names = "--lr-steps", paramLabel = "E[,E...]", split = ",",
            description = "--lr-schedule step: the interval in epochs; multistep: the milestone epochs.")
    java.util.List<Double> lrSteps;

    @Option(names = "--lr-gamma", paramLabel = "G", defaultValue = "0.1", description = "Factor of each step decay (default: ${DEFAULT-VALUE}).")
    double lrGamma;

    @Option(names = "--init-weights", paramLabel = "FILE", description = "Start from these weights (checkpoint or safetensors); a different class count gets a new classifier.")
    Path initWeights;

    @Option(names = "--train-last-stages", paramLabel = "N", defaultValue = "-1",
            description = "Fine-tuning: -1 trains all, 0 only the classifier, N the last N stages and the head (frozen parts keep BN in eval mode).")
    int trainLastStages;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--workers", paramLabel = "N", defaultValue = "2", description = "Data-loading threads (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--out", paramLabel = "DIR", description = "Run folder (default: runs/ARCH-TIMESTAMP).")
    Path out;

    @Option(names = "--resume", paramLabel = "DIR", description = "Continue the run in DIR from its last checkpoint (its saved config is used).")
    Path resume;

    @Option(names = "--max-steps", paramLabel = "N", hidden = true, description = "Stop (resumably) after N optimizer steps.")
    Long maxSteps;

    @Option(names = "--checkpoint-every", paramLabel = "N", defaultValue = "0",
            description = "Also write last.safetensors every N steps inside an epoch (default: only at epoch ends).")
    long checkpointEvery;

    @Option(names = "--json", description = "Print one JSON object as the last stdout line.")
    boolean json;

    @picocli.CommandLine.Mixin
    PretrainedOption pretrained = new PretrainedOption();

    @picocli.CommandLine.Mixin
    PresetFileOption presetFile = new PresetFileOption();

    /** Creates the command. */
    public TrainCommand() {
    }

    @Option(names = "--overwrite", description = "Replace the run already in --out (its checkpoints, metrics and plots are deleted).")
    boolean overwrite;

    private boolean bf16;

    @Override
    protected int execute() throws Exception {
        presetFile.load();
        PrintWriter log = err();
        bf16 = TrainPrecision.parse(precision);
        ConsoleProgress progress = new ConsoleProgress(log, System.console() != null);
        if (resume != null) return resume(log, progress);
        if (arch == null) throw CliException.usage("ARCH is required (or --resume DIR)");
        if (data == null) throw CliException.usage("--data PATH is required (or --resume DIR)");
        initWeights = pretrained.resolve(arch, "--init-weights", initWeights, err());
        dev.efficientnet.cli.safety.InputFiles.requireRegularOrDirectory("--data", data, "--data needs a folder or a .csv file");
        dev.efficientnet.cli.safety.InputFiles.requireRegularOrDirectory("--init-weights", initWeights,
                "the run saves its path to resume from it, so it must be a file");
        Architectures.canonicalName(arch);
        Path dir = outDir(Architectures.canonicalName(arch));
        Map<String, Path> inputs = new java.util.LinkedHashMap<>();
        inputs.put("--data", data);
        OutputPaths.requireDistinct("--out", dir, inputs);
        inputs.clear();
        inputs.put("--init-weights", initWeights);
        OutputPaths.requireNotInside("--out", dir, inputs);
        try (RunFolder folder = RunFolder.forNewRun(dir, overwrite)) {
            DataSources.Split split = open(data, inChannels == null ? 3 : inChannels, seed);
            log.println("data: " + split.description());
            TrainConfig cfg = config(split, data.toAbsolutePath().toString());
            dev.efficientnet.cli.safety.Preflight.train(cfg, split.train().size(), checkpointActivations);
            Trainer trainer = new Trainer(cfg, split.train(), split.test(), dir, progress);
            Map<String, Object> options = ResumeOptions.values(spec());
            options.put(ResumeOptions.ARCH, cfg.arch());
            options.put("--out", ResumeOptions.canonical(dir));
            ResumeOptions.save(dir, options);
            return train(trainer, dir, checkpointEvery);
        }
    }

    private int resume(PrintWriter log, ConsoleProgress progress) throws Exception {
        if (overwrite) throw CliException.usage("--overwrite cannot be combined with --resume (resuming never replaces a run)");
        try (RunFolder folder = RunFolder.forResume(resume)) {
            for (Path p : folder.removedTemps()) log.println("removed an unfinished temporary file of an interrupted write: " + p);
            Map<String, Object> saved = ResumeOptions.load(resume);
            Map<String, String> applied = ResumeOptions.check(resume, spec().commandLine().getParseResult(), saved);
            TrainConfig savedCfg;
            int completed;
            try {
                savedCfg = Trainer.savedConfig(resume);
                completed = Trainer.savedEpoch(resume);
            } catch (java.io.IOException | RuntimeException e) {
                throw CliException.usage("cannot resume from " + resume + ": " + e.getMessage());
            }
            if (applied.containsKey("--epochs") && epochs < completed)
                throw CliException.usage("--epochs " + epochs + " is below the " + completed + " epochs the run in " + resume
                        + " has already completed");
            if (applied.containsKey("--workers")) requireAtLeast("--workers", workers, 1);
            if (applied.containsKey("--eval-resolution")) requireAtLeast("--eval-resolution", evalResolution, 0);
            for (Map.Entry<String, String> e : applied.entrySet())
                log.println("resume: applying " + e.getKey() + " " + e.getValue()
                        + (saved != null && saved.get(e.getKey()) != null ? " (was " + saved.get(e.getKey()) + ")" : ""));
            dev.efficientnet.cli.safety.InputFiles.requireRegularOrDirectory("--data", data, "--data needs a folder or a .csv file");
            Path dataPath = data != null ? data : savedCfg.data() != null ? Path.of(savedCfg.data()) : null;
            DataSources.Split split = dataPath == null || savedCfg.data() != null && savedCfg.data().equals("embedded") && data == null
                    ? DataSources.embeddedFashionMnist() : open(dataPath, savedCfg.inChannels(), savedCfg.seed());
            log.println("data: " + split.description());
            Trainer trainer;
            try {
                trainer = Trainer.resume(resume, split.train(), split.test(), progress, c -> {
                    TrainConfig.Builder b = c.toBuilder();
                    if (applied.containsKey("--epochs")) b.epochs(epochs);
                    if (applied.containsKey("--workers")) b.workers(workers);
                    if (applied.containsKey("--eval-resolution")) b.evalResolution(evalResolution);
                    if (data != null) b.data(data.toAbsolutePath().toString());
                    TrainConfig changed = b.build();
                    dev.efficientnet.cli.safety.Preflight.train(changed, split.train().size(), checkpointActivations);
                    return changed;
                });
            } catch (IllegalArgumentException e) {
                throw CliException.usage("cannot resume from " + resume + ": " + e.getMessage());
            }
            long every = checkpointEvery;
            if (!applied.containsKey("--checkpoint-every") && saved != null && saved.get("--checkpoint-every") != null)
                every = Long.parseLong(saved.get("--checkpoint-every").toString());
            if (every > 0) log.println("checkpoints every " + every + " steps (--checkpoint-every, saved with the run)");
            Map<String, Object> options = saved != null ? saved : ResumeOptions.values(spec());
            options.putAll(applied);
            options.put("--out", ResumeOptions.canonical(resume));
            options.put(ResumeOptions.ARCH, trainer.config().arch());
            ResumeOptions.save(resume, options);
            return train(trainer, resume, every);
        }
    }

    private int train(Trainer trainer, Path dir, long every) throws Exception {
        if (every < 0) throw CliException.usage("--checkpoint-every must be >= 0, got " + every);
        if (maxSteps != null && maxSteps < 0) throw CliException.usage("--max-steps must be >= 0, got " + maxSteps);
        if (maxSteps != null) trainer.stopAfterSteps(maxSteps);
        trainer.checkpointEvery(every);
        trainer.model().setActivationCheckpointing(checkpointActivations);
        if (bf16) err().println("precision bf16: convolutions in bfloat16, master weights, gradients and batch norm in float32");
        try (TrainingShutdown shutdown = TrainingShutdown.install(trainer, dir, err());
             MixedPrecision mixed = bf16 ? MixedPrecision.enableBf16() : null) {
            TrainResult r = run(trainer);
            report(r, Map.of("arch", trainer.config().arch()));
            out().flush();
            return 0;
        }
    }

    static DataSources.Split open(Path path, int channels, long seed) {
        try {
            return DataSources.open(path, channels, seed);
        } catch (DataException e) {
            throw CliException.usage(e.getMessage());
        }
    }

    static TrainResult run(Trainer trainer) throws java.io.IOException {
        try {
            return trainer.run();
        } catch (TrainingDivergedException e) {
            throw new CliException(CliException.FAILURE, e.getMessage());
        } catch (UncheckedIOException e) {
            throw new CliException(CliException.FAILURE, e.getMessage());
        }
    }

    Path outDir(String name) {
        if (out != null) return out;
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path p = Path.of("runs", name + "-" + stamp);
        for (int i = 2; java.nio.file.Files.exists(p); i++) p = Path.of("runs", name + "-" + stamp + "-" + i);
        return p;
    }

    /** The config from the options. */
    TrainConfig config(DataSources.Split split, String dataLocation) {
        String name = Architectures.canonicalName(arch);
        requireAtLeast("--epochs", epochs, 1);
        requireAtLeast("--batch", batch, 1);
        requireAtLeast("--workers", workers, 1);
        int channels = inChannels != null ? inChannels : split.train().channels() == 1 ? 1 : 3;
        if (channels != 1 && channels != 3) throw CliException.usage("--in-channels must be 1 or 3, got " + channels);
        OptimizerKind opt;
        LrScheduleKind sched;
        try {
            opt = OptimizerKind.parse(optimizer);
            sched = LrScheduleKind.parse(lrSchedule);
        } catch (IllegalArgumentException e) {
            throw CliException.usage(e.getMessage());
        }
        if (fixresSteps > 0 && evalResolution <= 0)
            throw CliException.usage("--fixres-steps needs --eval-resolution R (the test size to tune at)");
        if (fixresClassifier && fixresSteps <= 0) throw CliException.usage("--fixres-classifier needs --fixres-steps N");
        if ((sched == LrScheduleKind.STEP || sched == LrScheduleKind.MULTISTEP) && (lrSteps == null || lrSteps.isEmpty()))
            throw CliException.usage("--lr-schedule " + sched.id() + " needs --lr-steps "
                    + (sched == LrScheduleKind.STEP ? "E (decay every E epochs)" : "E1,E2,... (milestone epochs)"));
        double baseLr = lr != null ? lr : opt == OptimizerKind.ADAMW ? 1e-3 : 0.016 * batch / 256;
        double wd = weightDecay != null ? weightDecay : opt == OptimizerKind.ADAMW ? 0.05 : 1e-5;
        try {
            return TrainConfig.builder(name).widthMult(widthMult).depthMult(depthMult).inChannels(channels)
                    .numClasses(split.train().numClasses()).dropPath(dropPath).epochs(epochs).batchSize(batch)
                    .schedule(schedule(name)).optimizer(opt).lr(baseLr).weightDecay(wd).lrSchedule(sched).warmupEpochs(warmup)
                    .emaDecay(emaDecay).labelSmoothing(labelSmoothing).randAugOps(randaugOps).cropScaleMin(cropScale).translate(translate)
                    .randomErasing(randomErasing)
                    .hflip(!noFlip).evalResolution(evalResolution).seed(seed).workers(workers).trainLastStages(trainLastStages)
                    .initWeights(initWeights == null ? null : initWeights.toAbsolutePath().toString()).data(dataLocation)
                    .cutmixAlpha(cutmix).mixSwitchProb(mixSwitchProb).gradClip(clipGrad).randAugMstd(raMstd)
                    .lrSteps(lrSteps == null ? java.util.List.of() : lrSteps).lrGamma(lrGamma)
                    .fixresSteps(fixresSteps).fixresClassifier(fixresClassifier).build();
        } catch (IllegalArgumentException e) {
            throw CliException.usage(e.getMessage());
        }
    }

    /** The progressive schedule from --progressive, --stages, --min-size, --max-size and the range overrides. */
    ProgressiveSchedule schedule(String name) {
        ModelSize size = ModelSize.of(name);
        String kind = progressive.trim().toLowerCase(Locale.ROOT);
        int m = stages != null ? requireAtLeast("--stages", stages, 1) : 4;
        // a --preset-file preset trains by default at its own size (a search family member is small)
        Integer presetSize = dev.efficientnet.models.spec.Presets.isUserPreset(name)
                ? dev.efficientnet.models.spec.Presets.get(name).trainResolution() : null;
        int s0 = minSize != null ? requireAtLeast("--min-size", minSize, 1) : presetSize != null ? Math.min(128, presetSize) : 128;
        try {
            switch (kind) {
                case "automl" -> {
                    int s1 = maxSize != null ? maxSize : presetSize != null ? presetSize : size == ModelSize.S ? 300 : 384;
                    ProgressiveSchedule a = ProgressiveSchedule.automl(size, m, s0, s1);
                    return dropout != null ? a.withFixedDropout(parse("--dropout", dropout).max()) : a;
                }
                case "paper", "none" -> {
                    ProgressiveSchedule p = ProgressiveSchedule.paper(size, 2);
                    int s1 = maxSize != null ? maxSize : presetSize != null ? presetSize : p.last().imageSize();
                    if (s1 < s0 && kind.equals("paper")) throw CliException.usage("--max-size " + s1 + " is below --min-size " + s0);
                    Range d = dropout != null ? parse("--dropout", dropout) : new Range(p.stages().get(0).dropout(), p.last().dropout());
                    Range ra = randaug != null ? parse("--randaug", randaug) : new Range(p.stages().get(0).randAugMagnitude(), p.last().randAugMagnitude());
                    Range mx = mixup != null ? parse("--mixup", mixup) : new Range(p.stages().get(0).mixupAlpha(), p.last().mixupAlpha());
                    if (kind.equals("none")) return ProgressiveSchedule.none(s1, d.max(), ra.max(), mx.max());
                    boolean custom = dropout != null || randaug != null || mixup != null;
                    return ProgressiveSchedule.linear(custom ? "custom" : p.name(), m, new Range(s0, s1), d, ra, mx);
                }
                default -> throw CliException.usage("--progressive must be paper, automl or none, got '" + progressive + "'");
            }
        } catch (IllegalArgumentException e) {
            throw CliException.usage(e.getMessage());
        }
    }

    static Range parse(String option, String value) {
        try {
            String[] parts = value.split(":");
            if (parts.length == 1) return Range.constant(Double.parseDouble(parts[0].trim()));
            if (parts.length == 2) return new Range(Double.parseDouble(parts[0].trim()), Double.parseDouble(parts[1].trim()));
        } catch (NumberFormatException e) {
            // fall through
        }
        throw CliException.usage(option + " must be MIN[:MAX], got '" + value + "'");
    }

    /** Prints the result: a summary, or with --json one JSON line (plus {@code extra} fields). */
    void report(TrainResult r, Map<String, Object> extra) {
        printResult(out(), r, json, extra);
    }

    static void printResult(PrintWriter out, TrainResult r, boolean json, Map<String, Object> extra) {
        if (json) {
            Map<String, Object> m = new java.util.LinkedHashMap<>(extra);
            m.putAll(r.toJson());
            out.println(Json.write(m));
            return;
        }
        if (r.stopped()) {
            out.printf(Locale.ROOT, "stopped after %d steps; resume with: efficientnet train --resume %s%n", r.steps(), r.out());
            return;
        }
        out.printf(Locale.ROOT, "test accuracy: %.2f%% (%s weights)%s%n", 100 * r.testAccuracy(), r.finalWeights(),
                r.fixResSize() > 0 ? String.format(Locale.ROOT, "; %.2f%% at %dpx", 100 * r.fixResAccuracy(), r.fixResSize()) : "");
        if (r.fixResTuned() != null)
            out.printf(Locale.ROOT, "FixRes at %dpx (%d steps%s): %.2f%% (before tuning %.2f%%), weights in %s%n", r.fixResTuned().size(),
                    r.fixResTuned().steps(), r.fixResTuned().classifier() ? ", BN and classifier" : ", BN statistics",
                    100 * r.fixResTuned().accuracyAfter(), 100 * r.fixResTuned().accuracyBefore(), r.fixResTuned().checkpoint());
        out.printf(Locale.ROOT, "%d epochs in %.1f s (%.1f train images/s)%n", r.epochs(), r.wallSeconds(), r.imagesPerSecond());
        out.println("run folder: " + r.out() + " (metrics.csv, config.json, loss.png, accuracy.png, lr.png, image_size.png)");
        out.println("checkpoints: " + r.lastCheckpoint() + (r.bestCheckpoint() != null ? ", " + r.bestCheckpoint() : ""));
    }
}
