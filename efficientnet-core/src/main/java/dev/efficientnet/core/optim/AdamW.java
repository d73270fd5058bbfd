package dev.efficientnet.core.optim;

import dev.efficientnet.core.backend.Backend;
import dev.efficientnet.core.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adam with decoupled weight decay, as PyTorch's {@code torch.optim.AdamW} (no amsgrad):
 * <pre>
 * p *= 1 - lr * wd
 * m  = beta1 * m + (1 - beta1) * g
 * v  = beta2 * v + (1 - beta2) * g²
 * p -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 * </pre>
 * with {@code t} the parameter's own update count (parameters skipped for a null gradient do not
 * advance it). State: {@code exp_avg}, {@code exp_avg_sq} per parameter plus the step counts.
 */
public final class AdamW extends AbstractOptimizer {
    private final double beta1;
    private final double beta2;
    private final double eps;

    /**
     * AdamW over {@code params}.
     *
     * @param params      parameters to update
     * @param lr          learning rate
     * @param beta1       first-moment decay
     * @param beta2       second-moment decay
     * @param eps         added to the bias-corrected root second moment
     * @param weightDecay decoupled weight decay of decayed parameters
     */
    public AdamW(List<Parameter> params, double lr, double beta1, double beta2, double eps, double weightDecay) {
        super("adamw", params, lr, weightDecay, new String[]{"exp_avg", "exp_avg_sq"}, new double[]{0, 0});
        checkFraction("beta1", beta1);
        checkFraction("beta2", beta2);
        checkNonNegative("eps", eps);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
    }

    /**
     * PyTorch defaults: betas (0.9, 0.999), eps 1e-8.
     *
     * @param params the parameters
     * @param lr the learning rate
     * @param weightDecay the weight decay
     */
    public AdamW(List<Parameter> params, double lr, double weightDecay) {
        this(params, lr, 0.9, 0.999, 1e-8, weightDecay);
    }

    @Override
    protected void update(Tensor p, Tensor g, Tensor[] state, double lr, double wd, long step) {
        double bc1 = 1 - Math.pow(beta1, step);
        double bc2 = 1 - Math.pow(beta2, step);
        Backend.current().adamWUpdate(p, g, state[0], state[1], lr, beta1, beta2, eps, wd, bc1, bc2);
    }

    @Override
    protected Map<String, Double> hyperParameters() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("beta1", beta1);
        m.put("beta2", beta2);
        m.put("eps", eps);
        return m;
    }
}
