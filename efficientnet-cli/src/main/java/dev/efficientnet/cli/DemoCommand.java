package dev.efficientnet.cli;

import dev.efficientnet.train.DataSources;
import dev.efficientnet.train.LrScheduleKind;
import dev.efficientnet.train.OptimizerKind;
import dev.efficientnet.train.TrainConfig;
import dev.efficientnet.train.TrainResult;
import dev.efficientnet.train.Trainer;
import dev.efficientnet.train.progressive.ProgressiveSchedule;
import dev.efficientnet.train.progressive.Range;
import dev.efficientnet.train.report.ConsoleProgress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code efficientnet demo}: trains a small EfficientNetV2 on the Fashion-MNIST subset embedded in the
 * jar (or the full set with {@code --data}), fully offline, with progressive learning, and prints the
 * test accuracy and where the plots and checkpoints are.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        header = "Train a small EfficientNetV2 on embedded Fashion-MNIST with progressive learning (offline, minutes).",
        description = {"Trains " + DemoCommand.ARCH + " (width " + DemoCommand.WIDTH + ", depth " + DemoCommand.DEPTH
                + ", 1 input channel) on the Fashion-MNIST subset embedded in the jar",
                "(6,000 train / 1,000 test images, MIT licence, Zalando SE) with progressive learning: image size "
                        + DemoCommand.MIN_SIZE + " -> " + DemoCommand.MAX_SIZE + " px",
                "over " + DemoCommand.STAGES + " stages with growing dropout (RandAugment and mixup stay off: too strong for 9 short",
                "epochs on 28 px grayscale, see docs/training.md). --data DIR uses a folder in the",
                "MNIST layout instead, e.g. /usr/share/datasets/fashion-mnist for the full 60k/10k set."})
public final class DemoCommand extends CliCommand {
    static final String ARCH = "tf_efficientnetv2_b0";
    static final double WIDTH = 0.5;
    static final double DEPTH = 0.5;
    static final int MIN_SIZE = 32;
    static final int MAX_SIZE = 56;
    static final int STAGES = 3;
    static final int EPOCHS = 9;
    static final int BATCH = 64;

    @Option(names = "--data", paramLabel = "PATH", description = "Use this data instead of the embedded subset (e.g. /usr/share/datasets/fashion-mnist).")
    Path data;

    @Option(names = "--out", paramLabel = "DIR", description = "Run folder (default: runs/demo-TIMESTAMP).")
    Path out;

    @Option(names = "--epochs", paramLabel = "E", defaultValue = "" + EPOCHS, description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--json", description = "Print one JSON object as the last stdout line.")
    boolean json;

    /** Creates the command. */
    public DemoCommand() {
    }

    /** The demo's training configuration. */
    static TrainConfig config(int epochs, long seed, String data) {
        ProgressiveSchedule schedule = ProgressiveSchedule.linear("demo", STAGES, new Range(MIN_SIZE, MAX_SIZE),
                new Range(0.05, 0.15), Range.constant(0), Range.constant(0));
        return TrainConfig.builder(ARCH).widthMult(WIDTH).depthMult(DEPTH).inChannels(1).numClasses(10).dropPath(0.0)
                .epochs(epochs).batchSize(BATCH).schedule(schedule).optimizer(OptimizerKind.SGD).lr(0.05).weightDecay(5e-5)
                .lrSchedule(LrScheduleKind.COSINE).warmupEpochs(1).emaDecay(0.99).labelSmoothing(0.1).randAugOps(2)
                .cropScaleMin(1.0).hflip(true).seed(seed).workers(2).data(data).build();
    }

    @Override
    protected int execute() throws Exception {
        requireAtLeast("--epochs", epochs, 1);
        Path dir = out != null ? out
                : Path.of("runs", "demo-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        TrainResult r;
        DataSources.Split split;
        try (dev.efficientnet.cli.safety.RunFolder folder = dev.efficientnet.cli.safety.RunFolder.forNewRun(dir, false)) {
            split = data == null ? DataSources.embeddedFashionMnist() : TrainCommand.open(data, 1, seed);
            err().println("data: " + split.description());
            TrainConfig cfg = config(epochs, seed, data == null ? "embedded" : data.toAbsolutePath().toString());
            Trainer trainer = new Trainer(cfg, split.train(), split.test(), dir, new ConsoleProgress(err(), System.console() != null));
            try (var shutdown = dev.efficientnet.cli.safety.TrainingShutdown.install(trainer, dir, err())) {
                r = TrainCommand.run(trainer);
            }
        }
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("arch", ARCH);
        extra.put("width_mult", WIDTH);
        extra.put("depth_mult", DEPTH);
        extra.put("data", split.description());
        TrainCommand.printResult(out(), r, json, extra);
        return 0;
    }
}
