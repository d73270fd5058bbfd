package dev.efficientnet.train.report;

import dev.efficientnet.core.io.AtomicFiles;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Writes {@code metrics.csv}: a header and one row per finished epoch (rewritten atomically each epoch). */
public final class MetricsCsv {
    private MetricsCsv() {
    }

    /** Replaces {@code file} with the rows of {@code epochs}. */
    public static void write(Path file, List<EpochMetrics> epochs) throws IOException {
        StringBuilder sb = new StringBuilder(EpochMetrics.CSV_HEADER).append('\n');
        for (EpochMetrics e : epochs) sb.append(e.csvRow()).append('\n');
        AtomicFiles.writeString(file, sb.toString());
    }
}
