package dev.efficientnet.train;

import dev.efficientnet.core.optim.LrSchedule;
import dev.efficientnet.core.optim.LrSchedules;

import java.util.Locale;

/** Learning-rate schedules of the trainer, built from {@link LrSchedules}; all include a linear warmup from 0. */
public enum LrScheduleKind {
    /** Warmup, then a half-cosine from the base rate to {@code minLr} at the end of the run. */
    COSINE,
    /** Warmup laid over the EfficientNet staircase decay {@code lr·0.97^floor(epoch/2.4)}. */
    EXPONENTIAL,
    /** Warmup, then constant. */
    CONSTANT;

    /** The schedule for a run of {@code epochs} epochs. */
    public LrSchedule create(double lr, double minLr, double warmupEpochs, int epochs) {
        double warm = Math.min(warmupEpochs, epochs * 0.5);
        return switch (this) {
            case COSINE -> warm > 0 ? LrSchedules.warmupCosine(lr, minLr, warm, epochs, 0) : LrSchedules.cosine(lr, minLr, epochs);
            case EXPONENTIAL -> LrSchedules.exponential(lr, 0.97, 2.4).withWarmup(warm, 0);
            case CONSTANT -> LrSchedules.constant(lr).withWarmup(warm, 0);
        };
    }

    /** Parses "cosine", "exponential", "constant". */
    public static LrScheduleKind parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown learning-rate schedule '" + s + "' (known: cosine, exponential, constant)");
        }
    }

    /** The lower-case name used in configs. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
