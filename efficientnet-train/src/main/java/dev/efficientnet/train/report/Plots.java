package dev.efficientnet.train.report;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * PNG plots of a run with XChart (headless): {@code loss.png} (train/test/EMA test loss),
 * {@code accuracy.png} (train/test/EMA test accuracy, %), {@code lr.png} and {@code image_size.png},
 * each against the epoch.
 */
public final class Plots {
    private static final int WIDTH = 800;
    private static final int HEIGHT = 500;

    private Plots() {
    }

    /** Writes the four plots into {@code dir}; returns their paths. */
    public static List<Path> write(Path dir, List<EpochMetrics> epochs) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Files.createDirectories(dir);
        List<Path> out = new ArrayList<>();
        out.add(save(dir.resolve("loss.png"), chart("Loss", "loss", epochs, List.of(
                new Series("train", EpochMetrics::trainLoss), new Series("test", EpochMetrics::testLoss),
                new Series("test (EMA)", EpochMetrics::emaTestLoss)))));
        out.add(save(dir.resolve("accuracy.png"), chart("Accuracy", "accuracy (%)", epochs, List.of(
                new Series("train", e -> 100 * e.trainAccuracy()), new Series("test", e -> 100 * e.testAccuracy()),
                new Series("test (EMA)", e -> 100 * e.emaTestAccuracy())))));
        out.add(save(dir.resolve("lr.png"), chart("Learning rate (end of epoch)", "learning rate", epochs,
                List.of(new Series("lr", EpochMetrics::lr)))));
        out.add(save(dir.resolve("image_size.png"), chart("Training image size", "pixels", epochs,
                List.of(new Series("image size", e -> e.imageSize())))));
        return out;
    }

    private record Series(String name, ToDoubleFunction<EpochMetrics> value) {
    }

    private static XYChart chart(String title, String yTitle, List<EpochMetrics> epochs, List<Series> series) {
        XYChart c = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle("epoch").yAxisTitle(yTitle).build();
        c.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        c.getStyler().setLegendVisible(series.size() > 1);
        for (Series s : series) {
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            for (EpochMetrics e : epochs) {
                double v = s.value().applyAsDouble(e);
                if (Double.isFinite(v)) {
                    xs.add((double) e.epoch());
                    ys.add(v);
                }
            }
            if (xs.isEmpty()) continue;
            XYSeries xy = c.addSeries(s.name(), xs, ys);
            xy.setMarker(SeriesMarkers.CIRCLE);
        }
        return c;
    }

    private static Path save(Path file, XYChart chart) throws IOException {
        if (chart.getSeriesMap().isEmpty()) return file;
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
        return file;
    }
}
