package dev.efficientnet.cli;

import java.util.Arrays;

/**
 * Summary statistics of a list of timings (milliseconds).
 *
 * @param count  number of samples
 * @param min    smallest sample
 * @param median median (mean of the middle two for an even count)
 * @param mean   arithmetic mean
 * @param max    largest sample
 */
public record Stats(int count, double min, double median, double mean, double max) {

    /** Statistics of {@code samples} (at least one). */
    public static Stats of(double[] samples) {
        if (samples == null || samples.length == 0) throw new IllegalArgumentException("samples must not be empty");
        double[] s = samples.clone();
        Arrays.sort(s);
        int n = s.length;
        double median = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
        double sum = 0;
        for (double v : s) sum += v;
        return new Stats(n, s[0], median, sum / n, s[n - 1]);
    }
}
