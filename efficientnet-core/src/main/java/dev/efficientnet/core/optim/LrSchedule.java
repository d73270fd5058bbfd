package dev.efficientnet.core.optim;

/**
 * A learning rate as a pure function of training time, measured in (fractional) epochs; being pure,
 * a resumed run gets exactly the rates of an uninterrupted one. Per-iteration schedules call
 * {@link #lrAtStep(long, long)}; to define a schedule in iterations rather than epochs, build it with
 * epoch counts expressed in steps and pass {@code stepsPerEpoch = 1}.
 *
 * <p>Schedules compose with warmup: {@code LrSchedules.exponential(0.016, 0.97, 2.4).withWarmup(5, 0)}.
 * Factories are in {@link LrSchedules}.
 */
@FunctionalInterface
public interface LrSchedule {

    /**
     * The learning rate at {@code epoch} (&gt;= 0, fractional).
     *
     * @param epoch the epoch (fractional within an epoch)
     * @return the learning rate at {@code epoch} (&gt;= 0, fractional)
     */
    double lr(double epoch);

    /**
     * The learning rate at iteration {@code step} (0-based) with {@code stepsPerEpoch} iterations per epoch.
     *
     * @param step the step number
     * @param stepsPerEpoch the number of steps per epoch
     * @return the learning rate at iteration {@code step} (0-based) with {@code stepsPerEpoch} iterations per epoch
     */
    default double lrAtStep(long step, long stepsPerEpoch) {
        if (step < 0) throw new IllegalArgumentException("step must be >= 0, got " + step);
        if (stepsPerEpoch <= 0) throw new IllegalArgumentException("stepsPerEpoch must be > 0, got " + stepsPerEpoch);
        return lr((double) step / stepsPerEpoch);
    }

    /**
     * Linear warmup laid over this schedule (TF EfficientNet / timm semantics): during the first
     * {@code warmupEpochs} the rate rises linearly from {@code startLr} to {@code lr(0)}; afterwards
     * it is this schedule at the same, unshifted time.
     *
     * @param warmupEpochs the number of warm-up epochs
     * @param startLr the starting learning rate
     * @return linear warmup laid over this schedule (TF EfficientNet / timm semantics): during the first {@code warmupEpochs} the rate rises linearly from {@code startLr} to {@code lr(0)}; afterwards it is this schedule at the same, unshifted time
     */
    default LrSchedule withWarmup(double warmupEpochs, double startLr) {
        return new LrSchedules.Warmup(this, warmupEpochs, startLr, false);
    }

    /**
     * Linear warmup before this schedule: the rate rises from {@code startLr} to {@code lr(0)} over
     * {@code warmupEpochs}, then this schedule runs shifted, at {@code epoch - warmupEpochs}.
     *
     * @param warmupEpochs the number of warm-up epochs
     * @param startLr the starting learning rate
     * @return linear warmup before this schedule: the rate rises from {@code startLr} to {@code lr(0)} over {@code warmupEpochs}, then this schedule runs shifted, at {@code epoch - warmupEpochs}
     */
    default LrSchedule withWarmupPrefix(double warmupEpochs, double startLr) {
        return new LrSchedules.Warmup(this, warmupEpochs, startLr, true);
    }
}
