package dev.efficientnet.train.search;

import java.util.Locale;

/**
 * One grid point of the compound-scaling search: depth &alpha;, width &beta;, resolution &gamma;
 * (the multipliers for &phi; = 1).
 *
 * @param alpha depth base (&gt;= 1)
 * @param beta  width base (&gt;= 1)
 * @param gamma resolution base (&gt;= 1)
 */
public record ScalePoint(double alpha, double beta, double gamma) {
    /** Validates the bases. */
    public ScalePoint {
        if (!(alpha >= 1) || !(beta >= 1) || !(gamma >= 1) || Double.isInfinite(alpha * beta * gamma)) {
            throw new IllegalArgumentException("alpha, beta and gamma must be finite and >= 1, got "
                    + alpha + ", " + beta + ", " + gamma);
        }
    }

    /** Ideal FLOPs factor &alpha;&middot;&beta;&sup2;&middot;&gamma;&sup2; (before rounding). */
    public double flopsFactor() {
        return alpha * beta * beta * gamma * gamma;
    }

    /** A stable id such as {@code a1.20_b1.10_g1.15} (file names, resume keys). */
    public String id() {
        return String.format(Locale.ROOT, "a%.2f_b%.2f_g%.2f", alpha, beta, gamma);
    }
}
