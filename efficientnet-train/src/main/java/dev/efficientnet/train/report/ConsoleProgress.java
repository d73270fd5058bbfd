package dev.efficientnet.train.report;

import dev.efficientnet.models.EfficientNet;
import dev.efficientnet.train.TrainConfig;
import dev.efficientnet.train.TrainListener;
import dev.efficientnet.train.TrainResult;
import dev.efficientnet.train.progressive.Stage;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * What a person sees on the console (write it to stderr): a progress bar per epoch redrawn in place
 * ({@code \r}, at most every 200 ms, or one line per 10% when {@code interactive} is false) with steps,
 * images/s, loss, accuracy and ETA; one summary line per epoch; and the final table.
 */
public final class ConsoleProgress implements TrainListener {
    private static final int BAR = 24;
    private final PrintWriter out;
    private final boolean interactive;
    private long lastDraw;
    private int lastDecile;
    private int currentStage = -1;
    private long epochStart;

    /** Progress on {@code out}; {@code interactive} redraws one line in place. */
    public ConsoleProgress(PrintWriter out, boolean interactive) {
        this.out = out;
        this.interactive = interactive;
    }

    @Override
    public void runStarted(TrainConfig config, EfficientNet model, int trainExamples, int testExamples, int startEpoch,
                           long startStep) {
        out.printf(Locale.ROOT, "%s (width %s, depth %s, %d input channel(s), %d classes): %,d parameters, %,d trainable%n",
                config.arch(), model.spec().widthMult(), model.spec().depthMult(), config.inChannels(), config.numClasses(),
                model.parameterCount(), model.trainableParameters().values().stream().mapToLong(t -> t.numel()).sum());
        out.printf(Locale.ROOT, "%d train / %d test examples, %d epochs, batch %d, %s lr %s (%s), EMA %s, seed %d%n",
                trainExamples, testExamples, config.epochs(), config.batchSize(), config.optimizer().id(), config.lr(),
                config.lrSchedule().id(), config.emaDecay() > 0 ? Double.toString(config.emaDecay()) : "off", config.seed());
        out.print(config.schedule().describe());
        if (startStep > 0) out.printf(Locale.ROOT, "resuming at epoch %d (step %d)%n", startEpoch + 1, startStep);
        out.flush();
    }

    @Override
    public void epochStarted(int epoch, int totalEpochs, int batches, Stage stage, int batchSize) {
        if (stage.index() != currentStage) {
            currentStage = stage.index();
            out.printf(Locale.ROOT, "stage %d: image %dpx, dropout %.3f, RandAugment %.2f, mixup %.3f, batch %d%n",
                    stage.index(), stage.imageSize(), stage.dropout(), stage.randAugMagnitude(), stage.mixupAlpha(), batchSize);
        }
        lastDraw = 0;
        lastDecile = -1;
        epochStart = System.nanoTime();
        out.flush();
    }

    @Override
    public void step(int epoch, int batch, int batches, long globalStep, double loss, double lr, double meanLoss, double accuracy,
                     double imagesPerSecond) {
        long now = System.nanoTime();
        boolean lastStep = batch + 1 == batches;
        int decile = (batch + 1) * 10 / batches;
        if (interactive) {
            if (!lastStep && now - lastDraw < 200_000_000L) return;
        } else if (decile == lastDecile && !lastStep) {
            return;
        }
        lastDraw = now;
        lastDecile = decile;
        double elapsed = (now - epochStart) / 1e9;
        double eta = batch + 1 < batches ? elapsed / (batch + 1) * (batches - batch - 1) : 0;
        int filled = (int) Math.round(BAR * (batch + 1) / (double) batches);
        String bar = "#".repeat(filled) + "-".repeat(BAR - filled);
        String line = String.format(Locale.ROOT, "epoch %d [%s] %d/%d  %.0f img/s  loss %.4f  acc %.2f%%  lr %.2e  ETA %s",
                epoch + 1, bar, batch + 1, batches, imagesPerSecond, meanLoss, 100 * accuracy, lr, time(eta));
        if (interactive) out.print("\r" + line + "\u001b[K");
        else out.println(line);
        out.flush();
    }

    @Override
    public void evaluating(String what, int imageSize) {
        if (interactive) {
            out.print("\r\u001b[Kevaluating " + what + " @" + imageSize + "px...");
            out.flush();
        }
    }

    @Override
    public void epochFinished(EpochMetrics m, int totalEpochs) {
        if (interactive) out.print("\r\u001b[K");
        out.printf(Locale.ROOT, "epoch %2d/%d  %3dpx  train loss %.4f acc %6.2f%%  test loss %.4f acc %6.2f%%%s  %.0f img/s  %s%n",
                m.epoch(), totalEpochs, m.imageSize(), m.trainLoss(), 100 * m.trainAccuracy(), m.testLoss(), 100 * m.testAccuracy(),
                Double.isNaN(m.emaTestAccuracy()) ? "" : String.format(Locale.ROOT, "  EMA %6.2f%%", 100 * m.emaTestAccuracy()),
                m.imagesPerSecond(), time(m.seconds()));
        out.flush();
    }

    @Override
    public void runFinished(TrainResult r) {
        out.print(RunTable.format(r));
        out.flush();
    }

    static String time(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
