package dev.efficientnet.core.optim;

import dev.efficientnet.core.backend.Backend;
import dev.efficientnet.core.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/** Gradient clipping by global norm, as {@code torch.nn.utils.clip_grad_norm_} (L2 norm). */
public final class GradClip {
    private GradClip() {
    }

    /**
     * The L2 norm of all gradients of {@code params} taken together (null gradients are skipped).
     *
     * @param params the parameters
     * @return the L2 norm of all gradients of {@code params} taken together (null gradients are skipped)
     */
    public static double globalNorm(Iterable<Tensor> params) {
        Backend b = Backend.current();
        double sum = 0;
        for (Tensor p : params) {
            Tensor g = p.grad();
            if (g != null) sum += b.sumOfSquares(g);
        }
        return Math.sqrt(sum);
    }

    /**
     * Scales all gradients in place by {@code maxNorm / (norm + 1e-6)} when that is below 1, so their
     * global norm is at most {@code maxNorm}; returns the norm before clipping. A non-finite norm
     * (overflowed or NaN gradients) is returned as is, and the gradients are scaled anyway, as in
     * PyTorch, so they are unusable: the caller should check the result and skip the step.
     *
     * @param params the parameters
     * @param maxNorm the maximum norm
     * @return the global norm before clipping
     */
    public static double clipByGlobalNorm(Iterable<Tensor> params, double maxNorm) {
        if (!(maxNorm > 0) || Double.isInfinite(maxNorm))
            throw new IllegalArgumentException("maxNorm must be finite and > 0, got " + maxNorm);
        double norm = globalNorm(params);
        double coef = maxNorm / (norm + 1e-6);
        if (coef < 1 || Double.isNaN(coef)) {
            Backend b = Backend.current();
            for (Tensor p : params) {
                Tensor g = p.grad();
                if (g != null) b.affine(g, coef, 0, g);
            }
        }
        return norm;
    }

    /**
     * {@link #clipByGlobalNorm(Iterable, double)} over an optimizer's parameters.
     *
     * @param optimizer the optimizer
     * @param maxNorm the maximum norm
     * @return {@link #clipByGlobalNorm(Iterable, double)} over an optimizer's parameters
     */
    public static double clipByGlobalNorm(Optimizer optimizer, double maxNorm) {
        List<Tensor> ts = new ArrayList<>();
        for (Parameter p : optimizer.parameters()) ts.add(p.value());
        return clipByGlobalNorm(ts, maxNorm);
    }
}
