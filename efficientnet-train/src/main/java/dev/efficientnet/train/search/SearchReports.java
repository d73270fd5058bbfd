package dev.efficientnet.train.search;

import dev.efficientnet.core.io.AtomicFiles;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The CSV table and the accuracy-vs-MACs plot of a {@link ScaleSearch}. */
public final class SearchReports {
    /** CSV header. */
    public static final String CSV_HEADER = "id,kind,alpha,beta,gamma,flops_factor,seed,width_mult,depth_mult,resolution,"
            + "params,macs,macs_ratio,accuracy,score,train_ms_per_image,inference_ms,train_seconds";

    private SearchReports() {
    }

    /** Writes every result as a CSV row (atomically). */
    public static void writeCsv(Path file, List<CandidateResult> results, double targetMacs, double w, long baseMacs)
            throws IOException {
        StringBuilder sb = new StringBuilder(CSV_HEADER).append('\n');
        for (CandidateResult r : results) {
            sb.append(String.format(Locale.ROOT, "%s,%s,%.4f,%.4f,%.4f,%.4f,%d,%.6f,%.6f,%d,%d,%d,%.4f,%.6f,%.6f,%.4f,%.4f,%.3f%n",
                    r.id(), r.kind(), r.alpha(), r.beta(), r.gamma(),
                    new ScalePoint(r.alpha(), r.beta(), r.gamma()).flopsFactor(), r.seed(), r.widthMult(), r.depthMult(),
                    r.resolution(), r.params(), r.macs(), r.macs() / (double) baseMacs, r.accuracy(), r.score(targetMacs, w),
                    r.trainMsPerImage(), r.inferenceMs(), r.trainSeconds()));
        }
        AtomicFiles.writeString(file, sb.toString());
    }

    /**
     * Writes the PNG: accuracy (%) against MACs (millions) of every grid candidate, the winner
     * marked, and the equal-MACs comparison's runs as their own series.
     */
    public static void writePlot(Path file, List<CandidateResult> results, CandidateResult winner, double targetMacs,
                                 double w) throws IOException {
        if (results.isEmpty()) return;
        System.setProperty("java.awt.headless", "true");
        XYChart c = new XYChartBuilder().width(800).height(500).title("Scale search: accuracy vs MACs (T = "
                + String.format(Locale.ROOT, "%.1f", targetMacs / 1e6) + " M)").xAxisTitle("MACs (millions)")
                .yAxisTitle("test accuracy (%)").build();
        c.getStyler().setChartBackgroundColor(Color.WHITE);
        c.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        Map<String, List<CandidateResult>> byKind = new LinkedHashMap<>();
        for (CandidateResult r : results) byKind.computeIfAbsent(r.kind(), k -> new ArrayList<>()).add(r);
        for (Map.Entry<String, List<CandidateResult>> e : byKind.entrySet()) {
            String name = e.getKey().equals("grid") ? "grid candidates" : e.getKey().equals("compound") ? "winner, other seeds"
                    : e.getKey() + (e.getKey().equals("base") ? "" : "-only");
            add(c, name, e.getValue()).setMarker(e.getKey().equals("grid") ? SeriesMarkers.CIRCLE : SeriesMarkers.DIAMOND);
        }
        if (winner != null) {
            XYSeries s = add(c, String.format(Locale.ROOT, "winner a%.2f b%.2f g%.2f (score, w=%s)", winner.alpha(),
                    winner.beta(), winner.gamma(), w), List.of(winner));
            s.setMarker(SeriesMarkers.SQUARE);
            s.setMarkerColor(Color.RED);
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp.png");
        BitmapEncoder.saveBitmap(c, tmp.toString(), BitmapEncoder.BitmapFormat.PNG);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static XYSeries add(XYChart c, String name, List<CandidateResult> rs) {
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        for (CandidateResult r : rs) {
            xs.add(r.macs() / 1e6);
            ys.add(100 * r.accuracy());
        }
        return c.addSeries(name, xs, ys);
    }
}
