package dev.efficientnet.cli;

import java.util.Locale;

/** Number formatting for the tables (locale-independent). */
final class Format {
    private Format() {
    }

    /** 5288548 -> "5.29 M". */
    static String millions(long n) {
        return String.format(Locale.ROOT, "%.2f M", n / 1e6);
    }

    /** 385... -> "0.39 G". */
    static String giga(long n) {
        return String.format(Locale.ROOT, "%.2f G", n / 1e9);
    }

    /** A count with an adaptive SI suffix: "812", "31.5 k", "5.29 M", "37.75 G". */
    static String si(long n) {
        if (n >= 1_000_000_000L) return String.format(Locale.ROOT, "%.2f G", n / 1e9);
        if (n >= 1_000_000L) return String.format(Locale.ROOT, "%.2f M", n / 1e6);
        if (n >= 1_000L) return String.format(Locale.ROOT, "%.1f k", n / 1e3);
        return Long.toString(n);
    }

    /** Milliseconds with one decimal. */
    static String ms(double ms) {
        return String.format(Locale.ROOT, "%.1f", ms);
    }

    /** A ratio such as "0.82x". */
    static String ratio(double r) {
        return String.format(Locale.ROOT, "%.2fx", r);
    }

    /** {@code v} rounded to {@code decimals} places (for JSON). */
    static double round(double v, int decimals) {
        double f = Math.pow(10, decimals);
        return Math.round(v * f) / f;
    }
}
