package dev.efficientnet.core.optim;

import dev.efficientnet.core.backend.Backend;
import dev.efficientnet.core.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stochastic gradient descent with PyTorch's {@code torch.optim.SGD} semantics (dampening 0):
 * <pre>
 * g   = grad + wd * p                       (coupled weight decay)
 * buf = momentum * buf + g                  (buf starts at 0, so the first buf is g)
 * d   = nesterov ? g + momentum * buf : buf (d = g without momentum)
 * p  -= lr * d
 * </pre>
 * The gradient tensors are not modified. State: one {@code momentum_buffer} per parameter when
 * momentum is non-zero.
 */
public final class Sgd extends AbstractOptimizer {
    private final double momentum;
    private final boolean nesterov;

    /**
     * @param params      parameters to update
     * @param lr          learning rate
     * @param momentum    momentum factor (0 for plain SGD)
     * @param nesterov    Nesterov momentum (needs momentum &gt; 0)
     * @param weightDecay L2 penalty added to the gradient of decayed parameters
     */
    public Sgd(List<Parameter> params, double lr, double momentum, boolean nesterov, double weightDecay) {
        super("sgd", params, lr, weightDecay,
                momentum != 0 ? new String[]{"momentum_buffer"} : new String[0],
                momentum != 0 ? new double[]{0} : new double[0]);
        checkNonNegative("momentum", momentum);
        if (nesterov && momentum <= 0) throw new IllegalArgumentException("nesterov needs momentum > 0, got " + momentum);
        this.momentum = momentum;
        this.nesterov = nesterov;
    }

    /** Plain SGD without momentum or weight decay. */
    public Sgd(List<Parameter> params, double lr) {
        this(params, lr, 0, false, 0);
    }

    @Override
    protected void update(Tensor p, Tensor g, Tensor[] state, double lr, double wd, long step) {
        // One fused pass (Backend#sgdUpdate): the composed form was two to four axpby passes.
        Backend.current().sgdUpdate(p, g, momentum == 0 ? null : state[0], lr, momentum, wd, nesterov);
    }

    @Override
    protected Map<String, Double> hyperParameters() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("momentum", momentum);
        m.put("nesterov", nesterov ? 1.0 : 0.0);
        return m;
    }

    /** The momentum factor. */
    public double momentum() {
        return momentum;
    }

    /** True for Nesterov momentum. */
    public boolean nesterov() {
        return nesterov;
    }
}
