package dev.efficientnet.core.optim;

import java.util.Arrays;

/** Factories and implementations of the standard {@link LrSchedule}s. All times are in epochs. */
public final class LrSchedules {
    private LrSchedules() {
    }

    static void checkEpoch(double epoch) {
        if (!(epoch >= 0) || Double.isInfinite(epoch))
            throw new IllegalArgumentException("epoch must be finite and >= 0, got " + epoch);
    }

    private static void checkRate(String name, double v) {
        if (!(v >= 0) || Double.isInfinite(v))
            throw new IllegalArgumentException(name + " must be finite and >= 0, got " + v);
    }

    private static void checkPositive(String name, double v) {
        if (!(v > 0) || Double.isInfinite(v))
            throw new IllegalArgumentException(name + " must be finite and > 0, got " + v);
    }

    // ---- factories -------------------------------------------------------------------------------

    /**
     * A constant rate.
     *
     * @param lr the learning rate
     * @return a constant rate
     */
    public static LrSchedule constant(double lr) {
        return new Constant(lr);
    }

    /**
     * Half-cosine from {@code baseLr} at 0 to {@code minLr} at {@code totalEpochs}, then {@code minLr}.
     *
     * @param baseLr the base learning rate
     * @param minLr the minimum learning rate
     * @param totalEpochs the total number of epochs
     * @return half-cosine from {@code baseLr} at 0 to {@code minLr} at {@code totalEpochs}, then {@code minLr}
     */
    public static LrSchedule cosine(double baseLr, double minLr, double totalEpochs) {
        return new Cosine(baseLr, minLr, totalEpochs);
    }

    /**
     * Linear warmup from {@code warmupStartLr} to {@code baseLr} over {@code warmupEpochs}, then a
     * half-cosine from {@code baseLr} down to {@code minLr} over the remaining epochs up to
     * {@code totalEpochs}.
     *
     * @param baseLr the base learning rate
     * @param minLr the minimum learning rate
     * @param warmupEpochs the number of warm-up epochs
     * @param totalEpochs the total number of epochs
     * @param warmupStartLr the learning rate at the start of the warm-up
     * @return linear warmup from {@code warmupStartLr} to {@code baseLr} over {@code warmupEpochs}, then a half-cosine from {@code baseLr} down to {@code minLr} over the remaining epochs up to {@code totalEpochs}
     */
    public static LrSchedule warmupCosine(double baseLr, double minLr, double warmupEpochs, double totalEpochs,
                                          double warmupStartLr) {
        if (!(totalEpochs > warmupEpochs))
            throw new IllegalArgumentException("totalEpochs (" + totalEpochs + ") must exceed warmupEpochs (" + warmupEpochs + ")");
        return cosine(baseLr, minLr, totalEpochs - warmupEpochs).withWarmupPrefix(warmupEpochs, warmupStartLr);
    }

    /**
     * Staircase exponential decay {@code baseLr * rate^floor(epoch / every)}, e.g. the EfficientNet
     * recipe {@code exponential(0.016, 0.97, 2.4)} (TF {@code exponential_decay(staircase=True)}).
     *
     * @param baseLr the base learning rate
     * @param rate the rate
     * @param every the interval in epochs
     * @return staircase exponential decay {@code baseLr * rate^floor(epoch / every)}, e.g
     */
    public static LrSchedule exponential(double baseLr, double rate, double every) {
        return new Exponential(baseLr, rate, every, true);
    }

    /**
     * Exponential decay {@code baseLr * rate^(epoch / every)}, staircase or continuous.
     *
     * @param baseLr the base learning rate
     * @param rate the rate
     * @param every the interval in epochs
     * @param staircase whether the decay is stepwise
     * @return exponential decay {@code baseLr * rate^(epoch / every)}, staircase or continuous
     */
    public static LrSchedule exponential(double baseLr, double rate, double every, boolean staircase) {
        return new Exponential(baseLr, rate, every, staircase);
    }

    /**
     * Step decay: {@code baseLr * gamma^floor(epoch / stepEpochs)} (PyTorch {@code StepLR}).
     *
     * @param baseLr the base learning rate
     * @param gamma the decay factor
     * @param stepEpochs the epochs between decays
     * @return step decay: {@code baseLr * gamma^floor(epoch / stepEpochs)} (PyTorch {@code StepLR})
     */
    public static LrSchedule step(double baseLr, double gamma, double stepEpochs) {
        return new Exponential(baseLr, gamma, stepEpochs, true);
    }

    /**
     * Multiplies {@code baseLr} by {@code gamma} at each milestone epoch (PyTorch {@code MultiStepLR}).
     *
     * @param baseLr the base learning rate
     * @param gamma the decay factor
     * @param milestones the increasing epochs at which the rate is multiplied by gamma
     * @return the schedule
     */
    public static LrSchedule multiStep(double baseLr, double gamma, double... milestones) {
        return new MultiStep(baseLr, gamma, milestones);
    }

    // ---- implementations -------------------------------------------------------------------------

    /**
     * A constant rate.
     *
     * @param lr the rate
     */
    public record Constant(double lr) implements LrSchedule {
        /**
         * Validates the rate.
         *
         * @param lr the learning rate
         */
        public Constant {
            checkRate("lr", lr);
        }

        @Override
        public double lr(double epoch) {
            checkEpoch(epoch);
            return lr;
        }
    }

    /**
     * Half-cosine decay {@code minLr + (baseLr - minLr) * (1 + cos(pi * epoch / totalEpochs)) / 2},
     * held at {@code minLr} after {@code totalEpochs}.
     *
     * @param baseLr      rate at epoch 0
     * @param minLr       final rate
     * @param totalEpochs length of the decay
     */
    public record Cosine(double baseLr, double minLr, double totalEpochs) implements LrSchedule {
        /**
         * Validates the arguments.
         *
         * @param baseLr the base learning rate
         * @param minLr the minimum learning rate
         * @param totalEpochs the total number of epochs
         */
        public Cosine {
            checkRate("baseLr", baseLr);
            checkRate("minLr", minLr);
            checkPositive("totalEpochs", totalEpochs);
        }

        @Override
        public double lr(double epoch) {
            checkEpoch(epoch);
            if (epoch >= totalEpochs) return minLr;
            return minLr + 0.5 * (baseLr - minLr) * (1 + Math.cos(Math.PI * epoch / totalEpochs));
        }
    }

    /** Periods (of a staircase) closer than this to a boundary count as having reached it. */
    static final double BOUNDARY_TOLERANCE = 1e-9;

    /**
     * Exponential decay {@code baseLr * rate^(epoch / every)}, with the exponent floored when
     * {@code staircase} (epochs within 1e-9 periods below a boundary count as on it, absorbing the
     * rounding of {@code step / stepsPerEpoch}). To reproduce TF's integer {@code decay_steps}
     * exactly, build the schedule in steps: {@code exponential(lr, 0.97, (int) (2.4 * stepsPerEpoch))}
     * queried with {@code lrAtStep(step, 1)}.
     *
     * @param baseLr    rate at epoch 0
     * @param rate      factor per period
     * @param every     period in epochs
     * @param staircase floor the exponent (decay in discrete steps)
     */
    public record Exponential(double baseLr, double rate, double every, boolean staircase) implements LrSchedule {
        /**
         * Validates the arguments.
         *
         * @param baseLr the base learning rate
         * @param rate the rate
         * @param every the interval
         * @param staircase whether the decay is stepwise
         */
        public Exponential {
            checkRate("baseLr", baseLr);
            checkRate("rate", rate);
            checkPositive("every", every);
        }

        @Override
        public double lr(double epoch) {
            checkEpoch(epoch);
            double k = epoch / every;
            // the tolerance makes 4.8 / 2.4 = 1.9999999999999998 count as the boundary it is meant to be
            if (staircase) k = Math.floor(k + BOUNDARY_TOLERANCE);
            return baseLr * Math.pow(rate, k);
        }
    }

    /**
     * Piecewise-constant decay: {@code baseLr * gamma^(number of milestones <= epoch)}.
     *
     * @param baseLr     rate before the first milestone
     * @param gamma      factor applied at each milestone
     * @param milestones increasing epochs
     */
    public record MultiStep(double baseLr, double gamma, double[] milestones) implements LrSchedule {
        /**
         * Validates the arguments and copies the milestones.
         *
         * @param baseLr the base learning rate
         * @param gamma the decay factor
         * @param milestones the increasing epochs at which the rate is multiplied by gamma
         */
        public MultiStep {
            checkRate("baseLr", baseLr);
            checkRate("gamma", gamma);
            milestones = milestones.clone();
            for (int i = 0; i < milestones.length; i++) {
                checkEpoch(milestones[i]);
                if (i > 0 && milestones[i] <= milestones[i - 1])
                    throw new IllegalArgumentException("milestones must be increasing: " + Arrays.toString(milestones));
            }
        }

        /** {@return the epochs at which the rate is multiplied by gamma (a copy)} */
        @Override
        public double[] milestones() {
            return milestones.clone();
        }

        @Override
        public double lr(double epoch) {
            checkEpoch(epoch);
            int n = 0;
            while (n < milestones.length && milestones[n] <= epoch) n++;
            return baseLr * Math.pow(gamma, n);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof MultiStep m && m.baseLr == baseLr && m.gamma == gamma && Arrays.equals(m.milestones, milestones);
        }

        @Override
        public int hashCode() {
            return Double.hashCode(baseLr) * 31 + Double.hashCode(gamma) * 17 + Arrays.hashCode(milestones);
        }

        @Override
        public String toString() {
            return "MultiStep[baseLr=" + baseLr + ", gamma=" + gamma + ", milestones=" + Arrays.toString(milestones) + "]";
        }
    }

    /**
     * Linear warmup from {@code startLr} to {@code inner.lr(0)} over {@code warmupEpochs}; afterwards
     * {@code inner} at {@code epoch - warmupEpochs} when {@code shift}, else at {@code epoch}.
     *
     * @param inner        the schedule after warmup
     * @param warmupEpochs warmup length (0 disables warmup)
     * @param startLr      rate at epoch 0
     * @param shift        start {@code inner} at the end of warmup instead of at epoch 0
     */
    public record Warmup(LrSchedule inner, double warmupEpochs, double startLr, boolean shift) implements LrSchedule {
        /**
         * Validates the arguments.
         *
         * @param inner the schedule after the warm-up
         * @param warmupEpochs the number of warm-up epochs
         * @param startLr the starting learning rate
         * @param shift the shift
         */
        public Warmup {
            if (inner == null) throw new IllegalArgumentException("inner schedule must not be null");
            checkEpoch(warmupEpochs);
            checkRate("startLr", startLr);
        }

        @Override
        public double lr(double epoch) {
            checkEpoch(epoch);
            if (epoch < warmupEpochs) {
                double target = inner.lr(0);
                return startLr + (target - startLr) * (epoch / warmupEpochs);
            }
            return inner.lr(shift ? epoch - warmupEpochs : epoch);
        }
    }
}
