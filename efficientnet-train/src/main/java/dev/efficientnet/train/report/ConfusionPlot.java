package dev.efficientnet.train.report;

import dev.efficientnet.train.EvalMetrics;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * A confusion-matrix PNG (Java2D, headless): rows are the true classes, columns the predictions,
 * each cell shaded by its share of the row (so per-class recall is the diagonal's shade) and labelled
 * with its count; the right margin gives each class's accuracy. For at most {@link #MAX_CLASSES}
 * classes; larger matrices are unreadable as a picture.
 */
public final class ConfusionPlot {
    /** The largest class count drawn. */
    public static final int MAX_CLASSES = 20;

    private ConfusionPlot() {
    }

    /**
     * Writes the confusion matrix of {@code m} to {@code file}; {@code classNames} names the classes
     * (one per class) or is null for indices.
     *
     * @throws IllegalArgumentException for more than {@link #MAX_CLASSES} classes or wrong names
     */
    public static void write(Path file, EvalMetrics m, List<String> classNames, String title) throws IOException {
        int k = m.numClasses();
        if (k > MAX_CLASSES) throw new IllegalArgumentException("a confusion plot is drawn for at most " + MAX_CLASSES
                + " classes, got " + k);
        if (classNames != null && classNames.size() != k)
            throw new IllegalArgumentException(classNames.size() + " class names for " + k + " classes");
        System.setProperty("java.awt.headless", "true");
        int cell = 56;
        int labelW = 130;
        int top = 70;
        int right = 90;
        int bottom = 110;
        int w = labelW + k * cell + right;
        int h = top + k * cell + bottom;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, w, h);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
            g.drawString(title == null ? "Confusion matrix" : title, 10, 22);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            g.drawString(String.format(Locale.ROOT, "top-1 %.2f %%, top-5 %.2f %%, %d examples; rows: true class, columns: predicted",
                    100 * m.top1(), 100 * m.top5(), m.examples()), 10, 42);
            Font cellFont = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
            for (int r = 0; r < k; r++) {
                long support = m.support(r);
                for (int c = 0; c < k; c++) {
                    long v = m.confusion()[r][c];
                    double share = support == 0 ? 0 : (double) v / support;
                    int x = labelW + c * cell;
                    int y = top + r * cell;
                    g.setColor(shade(share, r == c));
                    g.fillRect(x, y, cell, cell);
                    g.setColor(new Color(220, 220, 220));
                    g.drawRect(x, y, cell, cell);
                    if (v > 0) {
                        g.setColor(share > 0.5 ? Color.WHITE : Color.BLACK);
                        g.setFont(cellFont);
                        centered(g, Long.toString(v), x + cell / 2, y + cell / 2 + 4);
                    }
                }
                g.setColor(Color.BLACK);
                g.setFont(cellFont);
                String name = name(classNames, r);
                FontMetrics fm = g.getFontMetrics();
                g.drawString(name, labelW - 8 - fm.stringWidth(name), top + r * cell + cell / 2 + 4);
                double acc = m.classAccuracy(r);
                g.drawString(Double.isNaN(acc) ? "-" : String.format(Locale.ROOT, "%.1f %%", 100 * acc),
                        labelW + k * cell + 8, top + r * cell + cell / 2 + 4);
            }
            g.setStroke(new BasicStroke(1.5f));
            g.drawRect(labelW, top, k * cell, k * cell);
            for (int c = 0; c < k; c++) {
                String name = name(classNames, c);
                int x = labelW + c * cell + cell / 2;
                int y = top + k * cell + 8;
                Graphics2D r = (Graphics2D) g.create();
                r.translate(x + 4, y);
                r.rotate(Math.PI / 2);
                r.drawString(name, 0, 0);
                r.dispose();
            }
            g.drawString("accuracy", labelW + k * cell + 8, top - 6);
        } finally {
            g.dispose();
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        if (!ImageIO.write(img, "png", file.toFile())) throw new IOException("no PNG writer available for " + file);
    }

    private static String name(List<String> names, int i) {
        String s = names == null ? Integer.toString(i) : names.get(i);
        return s.length() > 18 ? s.substring(0, 17) + "…" : s;
    }

    private static Color shade(double share, boolean diagonal) {
        float t = (float) Math.max(0, Math.min(1, share));
        // white to blue on the diagonal, white to red off it
        return diagonal ? new Color(1 - 0.85f * t, 1 - 0.6f * t, 1 - 0.25f * t)
                : new Color(1 - 0.25f * t, 1 - 0.85f * t, 1 - 0.85f * t);
    }

    private static void centered(Graphics2D g, String s, int cx, int baseline) {
        g.drawString(s, cx - g.getFontMetrics().stringWidth(s) / 2, baseline);
    }
}
