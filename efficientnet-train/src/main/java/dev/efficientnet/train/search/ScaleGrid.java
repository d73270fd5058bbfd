package dev.efficientnet.train.search;

import java.util.ArrayList;
import java.util.List;

/**
 * The search grid: every (&alpha;, &beta;, &gamma;) = 1 + k&middot;step (k = 0, 1, ...) with
 * |&alpha;&middot;&beta;&sup2;&middot;&gamma;&sup2; / budget &minus; 1| &le; tolerance. Values are
 * computed as {@code 1 + k * step} rounded to 1e-9 (no accumulated error), ordered by &alpha;,
 * then &beta;, then &gamma;.
 */
public final class ScaleGrid {
    private ScaleGrid() {
    }

    /**
     * The grid points.
     *
     * @param budget    FLOPs factor of &phi; = 1 (the paper: 2), &gt; 1
     * @param step      grid spacing, in (0, 1]
     * @param tolerance relative distance to the budget accepted (the paper's "&asymp;": 0.05)
     */
    public static List<ScalePoint> grid(double budget, double step, double tolerance) {
        if (!(budget > 1) || Double.isInfinite(budget)) throw new IllegalArgumentException("budget must be > 1, got " + budget);
        if (!(step > 0 && step <= 1)) throw new IllegalArgumentException("grid step must be in (0, 1], got " + step);
        if (!(tolerance >= 0 && tolerance < 1)) throw new IllegalArgumentException("tolerance must be in [0, 1), got " + tolerance);
        double hi = budget * (1 + tolerance) + 1e-9;   // points exactly on the edge count, whatever the rounding
        double lo = budget * (1 - tolerance) - 1e-9;
        List<ScalePoint> out = new ArrayList<>();
        for (int i = 0; value(i, step) <= hi; i++) {
            double a = value(i, step);
            for (int j = 0; a * value(j, step) * value(j, step) <= hi; j++) {
                double b = value(j, step);
                for (int k = 0; a * b * b * value(k, step) * value(k, step) <= hi; k++) {
                    double g = value(k, step);
                    double f = a * b * b * g * g;
                    if (f >= lo) out.add(new ScalePoint(a, b, g));
                }
            }
        }
        return List.copyOf(out);
    }

    private static double value(int k, double step) {
        return Math.round((1 + k * step) * 1e9) / 1e9;
    }
}
