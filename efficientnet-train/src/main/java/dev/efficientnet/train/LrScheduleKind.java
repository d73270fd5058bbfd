package dev.efficientnet.train;

import dev.efficientnet.core.optim.LrSchedule;
import dev.efficientnet.core.optim.LrSchedules;

import java.util.List;
import java.util.Locale;

/** Learning-rate schedules of the trainer, built from {@link LrSchedules}; all include a linear warmup from 0. */
public enum LrScheduleKind {
    /** Warmup, then a half-cosine from the base rate to {@code minLr} at the end of the run. */
    COSINE,
    /** Warmup laid over the EfficientNet staircase decay {@code lr·0.97^floor(epoch/2.4)}. */
    EXPONENTIAL,
    /** Warmup, then constant. */
    CONSTANT,
    /** Warmup laid over {@code lr·gamma^floor(epoch/S)}, one step every S epochs (PyTorch {@code StepLR}). */
    STEP,
    /** Warmup laid over {@code lr·gamma^(milestones passed)} (PyTorch {@code MultiStepLR}). */
    MULTISTEP;

    /** The schedule for a run of {@code epochs} epochs (not for {@link #STEP}/{@link #MULTISTEP}, which need steps). */
    public LrSchedule create(double lr, double minLr, double warmupEpochs, int epochs) {
        return create(lr, minLr, warmupEpochs, epochs, List.of(), 0.1);
    }

    /**
     * The schedule for a run of {@code epochs} epochs; {@code steps} is the interval of {@link #STEP}
     * (one value) or the milestones of {@link #MULTISTEP}, in epochs, and {@code gamma} their factor.
     */
    public LrSchedule create(double lr, double minLr, double warmupEpochs, int epochs, List<Double> steps, double gamma) {
        checkSteps(steps, gamma);
        double warm = Math.min(warmupEpochs, epochs * 0.5);
        return switch (this) {
            case COSINE -> warm > 0 ? LrSchedules.warmupCosine(lr, minLr, warm, epochs, 0) : LrSchedules.cosine(lr, minLr, epochs);
            case EXPONENTIAL -> LrSchedules.exponential(lr, 0.97, 2.4).withWarmup(warm, 0);
            case CONSTANT -> LrSchedules.constant(lr).withWarmup(warm, 0);
            case STEP -> LrSchedules.step(lr, gamma, steps.get(0)).withWarmup(warm, 0);
            case MULTISTEP -> LrSchedules.multiStep(lr, gamma, steps.stream().mapToDouble(Double::doubleValue).toArray())
                    .withWarmup(warm, 0);
        };
    }

    /**
     * Checks {@code steps} and {@code gamma} for this kind: {@link #STEP} needs exactly one interval
     * &gt; 0, {@link #MULTISTEP} one or more increasing milestones &gt; 0, both a gamma in (0, 1]; the
     * other kinds take no steps.
     */
    public void checkSteps(List<Double> steps, double gamma) {
        String name = id();
        switch (this) {
            case STEP -> {
                if (steps.size() != 1 || !(steps.get(0) > 0) || steps.get(0).isInfinite())
                    throw new IllegalArgumentException("the step schedule needs one step interval > 0 in epochs, got " + steps);
            }
            case MULTISTEP -> {
                if (steps.isEmpty()) throw new IllegalArgumentException("the multistep schedule needs milestone epochs");
                double prev = 0;
                for (Double s : steps) {
                    if (s == null || !(s > prev) || s.isInfinite())
                        throw new IllegalArgumentException("multistep milestones must be increasing epochs > 0, got " + steps);
                    prev = s;
                }
            }
            default -> {
                if (!steps.isEmpty())
                    throw new IllegalArgumentException("learning-rate steps " + steps + " only apply to the step and multistep schedules, not " + name);
                return;
            }
        }
        if (!(gamma > 0 && gamma <= 1)) throw new IllegalArgumentException("the step decay factor must be in (0, 1], got " + gamma);
    }

    /** Parses "cosine", "exponential", "constant", "step", "multistep". */
    public static LrScheduleKind parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT).replace("-", ""));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown learning-rate schedule '" + s + "' (known: cosine, exponential, constant, step, multistep)");
        }
    }

    /** The lower-case name used in configs. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
