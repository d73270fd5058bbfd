package dev.efficientnet.layers;

import dev.efficientnet.core.ops.Activation;
import dev.efficientnet.core.ops.Conv2dOptions;
import dev.efficientnet.core.ops.Padding;

/**
 * What every conv and batch norm of one model shares: the padding rule (PyTorch symmetric or TF
 * SAME), batch-norm epsilon and momentum (PyTorch convention) and the activation.
 *
 * @param padding the padding rule
 * @param bnEps the batch-norm epsilon
 * @param bnMomentum the batch-norm momentum (PyTorch convention)
 * @param activation the activation
 */
public record LayerSettings(Padding padding, double bnEps, double bnMomentum, Activation activation) {

    /**
     * Checks the settings: padding and activation are required, epsilon and momentum in range.
     *
     * @param padding the padding rule
     * @param bnEps the batch-norm epsilon
     * @param bnMomentum the batch-norm momentum (PyTorch convention)
     * @param activation the activation
     */
    public LayerSettings {
        if (padding == null || activation == null) throw new IllegalArgumentException("padding and activation are required");
        if (!(bnEps >= 0)) throw new IllegalArgumentException("bnEps must be >= 0, got " + bnEps);
        if (!(bnMomentum >= 0 && bnMomentum <= 1)) throw new IllegalArgumentException("bnMomentum must be in [0,1], got " + bnMomentum);
    }

    /**
     * Conv options for {@code stride} and {@code groups} under this padding rule.
     *
     * @param stride the stride
     * @param groups the number of groups
     * @return conv options for {@code stride} and {@code groups} under this padding rule
     */
    public Conv2dOptions conv(int stride, int groups) {
        return Conv2dOptions.of(stride, padding).withGroups(groups);
    }
}
