package dev.efficientnet.cli;

import dev.efficientnet.core.io.Json;
import dev.efficientnet.models.spec.Architecture;
import dev.efficientnet.models.spec.BlockStrings;
import dev.efficientnet.models.spec.HeadRule;
import dev.efficientnet.models.spec.ModelFamily;
import dev.efficientnet.models.spec.ModelSpec;
import dev.efficientnet.models.spec.Presets;
import dev.efficientnet.models.spec.Scaling;
import dev.efficientnet.models.spec.StageSpec;
import dev.efficientnet.train.DataSources;
import dev.efficientnet.train.LrScheduleKind;
import dev.efficientnet.train.OptimizerKind;
import dev.efficientnet.train.TrainConfig;
import dev.efficientnet.train.data.Dataset;
import dev.efficientnet.train.data.Datasets;
import dev.efficientnet.train.progressive.ProgressiveSchedule;
import dev.efficientnet.train.report.ConsoleProgress;
import dev.efficientnet.train.search.CandidateResult;
import dev.efficientnet.train.search.CandidateRunner;
import dev.efficientnet.train.search.ClusterRunners;
import dev.efficientnet.train.search.LocalRunner;
import dev.efficientnet.train.search.ScaleBase;
import dev.efficientnet.train.search.ScaleSearch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code efficientnet scale-search --data DIR --out DIR}: the EfficientNet paper's step 1 on the
 * user's data (see {@link ScaleSearch}): grid of (&alpha;, &beta;, &gamma;) under the FLOPs
 * budget, each candidate trained briefly with the same recipe, the winner and its &phi; = 1&hellip;7
 * family written as presets for {@code --preset-file}.
 */
@Command(name = "scale-search", mixinStandardHelpOptions = true,
        header = "Search the compound-scaling bases alpha, beta, gamma on your data (EfficientNet step 1).",
        description = {"Trains every (alpha, beta, gamma) >= 1 on a grid with alpha*beta^2*gamma^2 within --tolerance of",
                "--budget-flops, each briefly with the same recipe, and records accuracy, MACs, params and the",
                "measured train and inference time as each finishes (re-running with the same --out resumes).",
                "Ranks by the paper's score ACC*(MACs/T)^w (T = budget x base MACs, w = -0.07) and by accuracy;",
                "writes candidates.csv, accuracy_vs_macs.png, summary.json and presets.json (the winner's",
                "phi = 1..7 family; use with train/summary/bench --preset-file). --compare-seeds N then trains",
                "the winner, the base and width-, depth- and resolution-only scaling at the winner's MACs."})
public final class ScaleSearchCommand extends CliCommand {
    @Option(names = "--data", required = true, paramLabel = "DIR", description = "Training data (IDX folder, image folder or CSV, as train).")
    Path data;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Search folder (re-run with the same folder to resume).")
    Path out;

    @Option(names = "--base", paramLabel = "B", defaultValue = "efficientnet_b0",
            description = "Base network: a preset (its stage table; B0-table = efficientnet_b0) or timm block strings"
                    + " separated by ',' (e.g. ds_r1_k3_s1_e1_c16_se0.25,ir_r2_k3_s2_e6_c24_se0.25). Default: ${DEFAULT-VALUE}.")
    String base;

    @Option(names = "--stem", paramLabel = "C", defaultValue = "32", description = "Stem channels of a block-string base (default: ${DEFAULT-VALUE}).")
    int stem;

    @Option(names = "--base-width", paramLabel = "W0", description = "Width multiplier of the base (default: the preset's, 1.0).")
    Double baseWidth;

    @Option(names = "--base-depth", paramLabel = "D0", description = "Depth multiplier of the base (default: the preset's, 1.0).")
    Double baseDepth;

    @Option(names = "--resolution", paramLabel = "R0", description = "Input size of the base (default: the preset's train size).")
    Integer resolution;

    @Option(names = "--budget-flops", paramLabel = "F", defaultValue = "2.0", description = "alpha*beta^2*gamma^2 target (default: ${DEFAULT-VALUE}).")
    double budget;

    @Option(names = "--grid-step", paramLabel = "S", defaultValue = "0.05", description = "Grid spacing of alpha, beta, gamma (default: ${DEFAULT-VALUE}).")
    double step;

    @Option(names = "--tolerance", paramLabel = "T", defaultValue = "0.05", description = "Accepted relative distance to the budget (default: ${DEFAULT-VALUE}).")
    double tolerance;

    @Option(names = "--w", paramLabel = "W", defaultValue = "-0.07", description = "Exponent of the score's FLOPs term (default: ${DEFAULT-VALUE}).")
    double w;

    @Option(names = "--epochs", paramLabel = "E", defaultValue = "2", description = "Epochs per candidate (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "64", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", paramLabel = "LR", defaultValue = "0.05", description = "SGD (Nesterov) learning rate, cosine with warm-up (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--train-subset", paramLabel = "N", defaultValue = "0", description = "Train on the first N training images (0 = all).")
    int trainSubset;

    @Option(names = "--test-subset", paramLabel = "N", defaultValue = "0", description = "Measure accuracy on the first N test images (0 = all).")
    int testSubset;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "Seed of the search runs (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--compare-seeds", paramLabel = "N", defaultValue = "0",
            description = "After the search, train the winner, the base and width-/depth-/resolution-only scaling at the winner's MACs with N seeds (default: ${DEFAULT-VALUE}).")
    int compareSeeds;

    @Option(names = "--name", paramLabel = "PREFIX", defaultValue = "searched", description = "Family preset names PREFIX_phi1..7 (default: ${DEFAULT-VALUE}).")
    String name;

    @Option(names = "--master", paramLabel = "URL", description = "Train the candidates in parallel on a cluster (needs a cluster runner on the class path).")
    String master;

    @Option(names = "--workers", paramLabel = "N", defaultValue = "2", description = "Data-loading threads (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--inference-runs", paramLabel = "N", defaultValue = "10", description = "Timed batch-1 inference passes per candidate (default: ${DEFAULT-VALUE}).")
    int inferenceRuns;

    @Option(names = "--json", description = "Print one JSON object (winner, alpha/beta/gamma, candidates, family) as the last stdout line.")
    boolean json;

    /** Creates the command. */
    public ScaleSearchCommand() {
    }

    @Override
    protected int execute() throws Exception {
        requireAtLeast("--epochs", epochs, 1);
        requireAtLeast("--batch", batch, 1);
        requireAtLeast("--train-subset", trainSubset, 0);
        requireAtLeast("--test-subset", testSubset, 0);
        requireAtLeast("--compare-seeds", compareSeeds, 0);
        requireAtLeast("--workers", workers, 1);
        requireAtLeast("--inference-runs", inferenceRuns, 1);
        if (!(lr > 0)) throw CliException.usage("--lr must be > 0, got " + lr);
        ScaleSearch.Settings settings;
        try {
            settings = new ScaleSearch.Settings(budget, step, tolerance, w, compareSeeds, name);
        } catch (IllegalArgumentException e) {
            throw CliException.usage(e.getMessage());
        }
        ClusterRunners.Factory cluster = null;
        if (master != null) {
            cluster = ClusterRunners.find(master).orElseThrow(() -> CliException.usage("--master " + master
                    + ": no cluster runner for it on the class path (this build runs candidates locally; omit --master)"));
        }
        String baseName = baseSpecName();
        ModelSpec preset = Presets.get(baseName);
        double w0 = baseWidth != null ? baseWidth : preset.widthMult();
        double d0 = baseDepth != null ? baseDepth : preset.depthMult();
        if (!(w0 > 0) || !(d0 > 0)) throw CliException.usage("--base-width and --base-depth must be > 0");
        int r0 = resolution != null ? requireAtLeast("--resolution", resolution, 8) : preset.trainResolution();

        PrintWriter log = err();
        DataSources.Split split = TrainCommand.open(data, 3, seed);
        Dataset train = trainSubset > 0 ? Datasets.head(split.train(), Math.min(trainSubset, split.train().size())) : split.train();
        Dataset test = testSubset > 0 ? Datasets.head(split.test(), Math.min(testSubset, split.test().size())) : split.test();
        log.printf(Locale.ROOT, "data: %s; using %d train, %d test images%n", split.description(), train.size(), test.size());
        int channels = train.channels() == 1 ? 1 : 3;
        TrainConfig template;
        try {
            template = TrainConfig.builder(baseName).widthMult(w0).depthMult(d0).inChannels(channels)
                    .numClasses(train.numClasses()).dropPath(0.0).epochs(epochs).batchSize(batch)
                    .schedule(ProgressiveSchedule.none(r0, 0.1, 0, 0)).optimizer(OptimizerKind.SGD).lr(lr).weightDecay(5e-5)
                    .lrSchedule(LrScheduleKind.COSINE).warmupEpochs(Math.min(1, epochs / 4.0)).emaDecay(0)
                    .labelSmoothing(0.1).randAugOps(0).cropScaleMin(1.0).translate(0.1).hflip(true).seed(seed)
                    .workers(workers).data(data.toAbsolutePath().toString()).build();
        } catch (IllegalArgumentException e) {
            throw CliException.usage(e.getMessage());
        }
        ScaleSearch search;
        try {
            search = new ScaleSearch(new ScaleBase(template.modelSpec(), r0), template, settings, out);
        } catch (IllegalArgumentException e) {
            throw CliException.usage(e.getMessage());
        }
        int gridSize = search.grid().size();
        int done = gridSize - search.pending(search.gridCandidates()).size();
        ModelSpec b = search.base().spec();
        log.printf(Locale.ROOT, "base: %s width %.3f depth %.3f at %d px: %,d params, %,d MACs; budget x%.2f (T = %,d MACs)%n",
                baseName, b.widthMult(), b.depthMult(), r0, b.params(), search.base().macs(), budget, Math.round(search.targetMacs()));
        log.printf(Locale.ROOT, "grid: %d candidates (step %.3f, within %.0f%% of %.2f), %d already done; %d epochs each%n",
                gridSize, step, 100 * tolerance, budget, done, epochs);
        Path candidates = out.resolve("candidates");
        CandidateRunner runner = cluster != null ? cluster.create(master, data, train, test, candidates)
                : new LocalRunner(train, test, candidates, c -> {
                    log.printf(Locale.ROOT, "candidate %s (%s): width %.3f depth %.3f at %d px%n", c.id(), c.kind(),
                            c.config().modelSpec().widthMult(), c.config().modelSpec().depthMult(), c.resolution());
                    log.flush();
                    return new ConsoleProgress(log, System.console() != null);
                }, inferenceRuns);
        log.println("running " + runner.describe());
        try {
            search.run(new CandidateRunner() {
                @Override
                public void run(List<dev.efficientnet.train.search.Candidate> todo,
                                java.util.function.Consumer<CandidateResult> sink) throws Exception {
                    runner.run(todo, r -> {
                        sink.accept(r);
                        log.println("done: " + search.describe(r));
                        log.flush();
                    });
                }

                @Override
                public String describe() {
                    return runner.describe();
                }
            });
        } catch (UncheckedIOException e) {
            throw new CliException(CliException.FAILURE, e.getMessage());
        }
        Map<String, Object> summary = search.summaryJson();
        if (json) {
            out().println(Json.write(summary));
        } else {
            printTable(search);
        }
        return 0;
    }

    /** The preset name of --base, registering a block-string base as a user preset. */
    private String baseSpecName() {
        String b = base.trim();
        if (b.equalsIgnoreCase("b0-table") || b.equalsIgnoreCase("b0")) return "efficientnet_b0";
        String first = b.split("[,\\s]+")[0];
        if (!first.matches("(ds|ir|er|cn)_.*")) return Architectures.canonicalName(b);
        requireAtLeast("--stem", stem, 1);
        List<String> strings = Arrays.stream(b.split("[,\\s]+")).filter(s -> !s.isEmpty()).toList();
        try {
            List<StageSpec> stages = BlockStrings.parseTimm(strings, stem);
            Architecture arch = new Architecture(ModelFamily.EFFICIENTNET_V1, stem, stages, HeadRule.SCALED, 1280,
                    Scaling.DEFAULT_DIVISOR, Scaling.V1_ROUND_LIMIT);
            ModelSpec spec = Presets.get("efficientnet_b0").withArchitecture(arch).withName("block_string_base");
            Presets.register(spec);
            return spec.name();
        } catch (IllegalArgumentException e) {
            throw CliException.usage("--base: " + e.getMessage());
        }
    }

    private void printTable(ScaleSearch search) {
        PrintWriter o = out();
        List<CandidateResult> grid = new ArrayList<>(search.results().stream().filter(r -> r.kind().equals("grid")).toList());
        double t = search.targetMacs();
        grid.sort(Comparator.comparingDouble((CandidateResult r) -> -r.score(t, search.settings().w())));
        o.printf(Locale.ROOT, "%5s %5s %5s %6s %4s %9s %8s %8s %9s %9s %9s%n", "alpha", "beta", "gamma", "F", "res",
                "MACs (M)", "params", "acc %", "score", "train ms", "infer ms");
        for (CandidateResult r : grid) {
            o.printf(Locale.ROOT, "%5.2f %5.2f %5.2f %6.3f %4d %9.2f %7.3fM %8.2f %9.4f %9.3f %9.2f%n", r.alpha(), r.beta(),
                    r.gamma(), r.alpha() * r.beta() * r.beta() * r.gamma() * r.gamma(), r.resolution(), r.macs() / 1e6,
                    r.params() / 1e6, 100 * r.accuracy(), r.score(t, search.settings().w()), r.trainMsPerImage(), r.inferenceMs());
        }
        CandidateResult win = search.winner();
        CandidateResult acc = search.winnerByAccuracy();
        if (win == null) return;
        o.printf(Locale.ROOT, "winner (score): alpha %.2f beta %.2f gamma %.2f, %.2f%%; by plain accuracy: alpha %.2f beta %.2f gamma %.2f, %.2f%%%n",
                win.alpha(), win.beta(), win.gamma(), 100 * win.accuracy(), acc.alpha(), acc.beta(), acc.gamma(), 100 * acc.accuracy());
        o.println("family (presets.json):");
        for (ScaleSearch.FamilyMember f : search.family(new dev.efficientnet.train.search.ScalePoint(win.alpha(), win.beta(), win.gamma()))) {
            o.printf(Locale.ROOT, "  %-16s phi %d  width %.3f depth %.3f  %4d px  %,12d params  %,16d MACs%n", f.spec().name(), f.phi(),
                    f.spec().widthMult(), f.spec().depthMult(), f.resolution(), f.params(), f.macs());
        }
        List<ScaleSearch.AblationRow> rows = search.ablation();
        if (!rows.isEmpty()) {
            o.println("equal-MACs comparison (accuracy % per seed):");
            for (ScaleSearch.AblationRow a : rows) {
                o.printf(Locale.ROOT, "  %-10s a%.3f b%.3f g%.3f %4d px %9.2f M MACs  mean %.2f  [%s]%n", a.kind(), a.point().alpha(),
                        a.point().beta(), a.point().gamma(), a.resolution(), a.macs() / 1e6, 100 * a.mean(),
                        String.join(", ", a.accuracies().stream().map(v -> String.format(Locale.ROOT, "%.2f", 100 * v)).toList()));
            }
        }
        o.println("files: " + search.dir() + "/{candidates.csv, accuracy_vs_macs.png, presets.json, summary.json}");
    }
}
