package dev.efficientnet.core.autograd;

import dev.efficientnet.core.backend.Backend;
import dev.efficientnet.core.tensor.DType;
import dev.efficientnet.core.tensor.Tensor;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Finite-difference gradient checking in float64. The function's output is contracted with a fixed
 * random tensor, so every output element's gradient is exercised; the analytic gradient from
 * {@link Tensor#backward()} is compared with central differences for every input element.
 */
public final class GradCheck {
    private GradCheck() {
    }

    /**
     * Result of one check: the worst normwise relative error over the checked inputs.
     *
     * @param maxRelativeError the worst normwise relative error
     * @param worstInput the index of the input where it occurred
     * @param detail a description of the worst mismatch
     */
    public record Result(double maxRelativeError, int worstInput, String detail) {
    }

    /**
     * Compares analytic and numeric gradients of {@code f} with respect to every input that
     * requires grad. Inputs must be float64 leaves.
     *
     * @param f the function
     * @param step the step
     * @param seed the seed
     * @param inputs the inputs
     * @return the worst normwise relative error and the input it occurred in
     */
    public static Result check(Function<Tensor[], Tensor> f, double step, long seed, Tensor... inputs) {
        for (Tensor t : inputs)
            if (t.dtype() != DType.FLOAT64) throw new IllegalArgumentException("gradient checks need float64 inputs, got " + t.dtype());
        Tensor probe;
        try (GradMode g = GradMode.disabled()) {
            probe = f.apply(inputs);
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] r = new double[(int) probe.numel()];
        for (int i = 0; i < r.length; i++) r[i] = rnd.nextDouble(-1, 1);
        Tensor weights = Tensor.of(r, probe.shape());

        for (Tensor t : inputs) t.clearGrad();
        Tensor loss = f.apply(inputs).mul(weights).sum();
        loss.backward();

        double worst = 0;
        int worstInput = -1;
        String detail = "";
        for (int k = 0; k < inputs.length; k++) {
            Tensor t = inputs[k];
            if (!t.requiresGrad()) continue;
            double[] analytic = t.grad() == null ? new double[(int) t.numel()] : t.grad().toDoubleArray();
            double[] x = t.toDoubleArray();
            double[] numeric = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                double orig = x[i];
                x[i] = orig + step;
                Backend.current().write(t.storage(), x);
                double plus = contracted(f, inputs, weights);
                x[i] = orig - step;
                Backend.current().write(t.storage(), x);
                double minus = contracted(f, inputs, weights);
                x[i] = orig;
                numeric[i] = (plus - minus) / (2 * step);
            }
            Backend.current().write(t.storage(), x);
            double diff = 0;
            double na = 0;
            double nn = 0;
            for (int i = 0; i < x.length; i++) {
                diff += (analytic[i] - numeric[i]) * (analytic[i] - numeric[i]);
                na += analytic[i] * analytic[i];
                nn += numeric[i] * numeric[i];
            }
            double rel = Math.sqrt(diff) / Math.max(1e-12, Math.max(Math.sqrt(na), Math.sqrt(nn)));
            if (rel > worst || worstInput < 0) {
                worst = rel;
                worstInput = k;
                detail = "input " + k + " shape " + Arrays.toString(t.shape()) + ": analytic "
                        + head(analytic) + " numeric " + head(numeric);
            }
        }
        return new Result(worst, worstInput, detail);
    }

    /**
     * Like {@link #check} with step 1e-6, throwing {@link AssertionError} above {@code tolerance}.
     *
     * @param name the name
     * @param tolerance the tolerance
     * @param f the function
     * @param inputs the inputs
     */
    public static void assertGradients(String name, double tolerance, Function<Tensor[], Tensor> f, Tensor... inputs) {
        Result r = check(f, 1e-6, 42, inputs);
        if (!(r.maxRelativeError() <= tolerance))
            throw new AssertionError(name + ": gradient relative error " + r.maxRelativeError() + " > " + tolerance + " (" + r.detail() + ")");
    }

    private static double contracted(Function<Tensor[], Tensor> f, Tensor[] inputs, Tensor weights) {
        try (GradMode g = GradMode.disabled()) {
            return f.apply(inputs).mul(weights).sum().item();
        }
    }

    private static String head(double[] v) {
        return Arrays.toString(Arrays.copyOf(v, Math.min(4, v.length)));
    }
}
