package dev.efficientnet.train.report;

import dev.efficientnet.train.TrainResult;

import java.util.Locale;

/** The end-of-run table: one row per epoch and the final numbers. */
public final class RunTable {
    private RunTable() {
    }

    /** The table as text (ends with a newline). */
    public static String format(TrainResult r) {
        StringBuilder sb = new StringBuilder();
        String rule = "-".repeat(88) + "\n";
        sb.append(rule);
        sb.append(String.format(Locale.ROOT, "%5s %5s %5s %8s %9s %10s %9s %9s %9s %8s%n", "epoch", "stage", "size", "dropout",
                "lr", "train loss", "train acc", "test acc", "EMA acc", "time"));
        sb.append(rule);
        for (EpochMetrics m : r.history())
            sb.append(String.format(Locale.ROOT, "%5d %5d %5d %8.3f %9.2e %10.4f %8.2f%% %8.2f%% %9s %8s%n", m.epoch(), m.stage(),
                    m.imageSize(), m.dropout(), m.lr(), m.trainLoss(), 100 * m.trainAccuracy(), 100 * m.testAccuracy(),
                    Double.isNaN(m.emaTestAccuracy()) ? "-" : String.format(Locale.ROOT, "%.2f%%", 100 * m.emaTestAccuracy()),
                    ConsoleProgress.time(m.seconds())));
        sb.append(rule);
        sb.append(String.format(Locale.ROOT, "test accuracy %.2f%% (%s weights)", 100 * r.testAccuracy(), r.finalWeights()));
        if (!Double.isNaN(r.emaTestAccuracy())) sb.append(String.format(Locale.ROOT, "; raw %.2f%%, EMA %.2f%%",
                100 * r.rawTestAccuracy(), 100 * r.emaTestAccuracy()));
        if (r.fixResSize() > 0) sb.append(String.format(Locale.ROOT, "; at %dpx (FixRes) %.2f%%", r.fixResSize(), 100 * r.fixResAccuracy()));
        sb.append(String.format(Locale.ROOT, "%n%d epochs, %d steps, %s wall, %.1f train images/s%n", r.epochs(), r.steps(),
                ConsoleProgress.time(r.wallSeconds()), r.imagesPerSecond()));
        return sb.toString();
    }
}
