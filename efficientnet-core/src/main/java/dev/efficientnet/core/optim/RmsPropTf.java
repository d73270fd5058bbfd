package dev.efficientnet.core.optim;

import dev.efficientnet.core.backend.Backend;
import dev.efficientnet.core.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * RMSProp with TensorFlow semantics, the optimizer of the EfficientNet papers (timm's
 * {@code RMSpropTF}, with {@code lr_in_momentum}):
 * <pre>
 * g   = grad + wd * p                                  (coupled decay; or p *= 1 - lr*wd when decoupled)
 * ms  = alpha * ms + (1 - alpha) * g²                  (ms starts at ONE, as in TF)
 * mom = momentum * mom + lr * g / sqrt(ms + eps)       (eps inside the square root)
 * p  -= mom                                            (p -= lr * g / sqrt(ms + eps) without momentum)
 * </pre>
 * The EfficientNet recipe is alpha 0.9, momentum 0.9, eps 1e-3 ({@link #efficientNet}). State:
 * {@code square_avg} and, with momentum, {@code momentum_buffer} per parameter.
 */
public final class RmsPropTf extends AbstractOptimizer {
    private final double alpha;
    private final double momentum;
    private final double eps;
    private final boolean decoupledDecay;

    /**
     * TF-style RMSProp over {@code params}.
     *
     * @param params         parameters to update
     * @param lr             learning rate
     * @param alpha          decay of the mean square (TF {@code decay}/{@code rho})
     * @param momentum       momentum factor (0 disables the momentum buffer)
     * @param eps            added to the mean square inside the square root
     * @param weightDecay    weight decay of decayed parameters
     * @param decoupledDecay apply decay as {@code p *= 1 - lr*wd} instead of adding {@code wd*p} to the gradient
     */
    public RmsPropTf(List<Parameter> params, double lr, double alpha, double momentum, double eps,
                     double weightDecay, boolean decoupledDecay) {
        super("rmsprop_tf", params, lr, weightDecay,
                momentum > 0 ? new String[]{"square_avg", "momentum_buffer"} : new String[]{"square_avg"},
                momentum > 0 ? new double[]{1, 0} : new double[]{1});
        if (!(alpha >= 0 && alpha <= 1)) throw new IllegalArgumentException("alpha must be in [0, 1], got " + alpha);
        checkNonNegative("momentum", momentum);
        checkNonNegative("eps", eps);
        this.alpha = alpha;
        this.momentum = momentum;
        this.eps = eps;
        this.decoupledDecay = decoupledDecay;
    }

    /**
     * The EfficientNet recipe: alpha 0.9, momentum 0.9, eps 1e-3, coupled weight decay.
     *
     * @param params the parameters
     * @param lr the learning rate
     * @param weightDecay the weight decay
     * @return the EfficientNet recipe: alpha 0.9, momentum 0.9, eps 1e-3, coupled weight decay
     */
    public static RmsPropTf efficientNet(List<Parameter> params, double lr, double weightDecay) {
        return new RmsPropTf(params, lr, 0.9, 0.9, 1e-3, weightDecay, false);
    }

    @Override
    protected void update(Tensor p, Tensor grad, Tensor[] state, double lr, double wd, long step) {
        Backend.current().rmsPropUpdate(p, grad, state[0], momentum > 0 ? state[1] : null, lr, alpha, momentum, eps,
                wd, decoupledDecay);
    }

    @Override
    protected Map<String, Double> hyperParameters() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("alpha", alpha);
        m.put("momentum", momentum);
        m.put("eps", eps);
        m.put("decoupled_decay", decoupledDecay ? 1.0 : 0.0);
        return m;
    }

    /** {@return mean-square decay} */
    public double alpha() {
        return alpha;
    }

    /** {@return momentum factor} */
    public double momentum() {
        return momentum;
    }

    /** {@return epsilon (inside the square root)} */
    public double eps() {
        return eps;
    }
}
