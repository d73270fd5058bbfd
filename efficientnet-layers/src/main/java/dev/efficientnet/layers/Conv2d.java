package dev.efficientnet.layers;

import dev.efficientnet.core.init.WeightInit;
import dev.efficientnet.core.ops.Conv2dOptions;
import dev.efficientnet.core.ops.Convolution;
import dev.efficientnet.core.tensor.Rng;
import dev.efficientnet.core.tensor.Tensor;

/**
 * A 2-D convolution on NHWC input. Weights are {@code [kH, kW, inC/groups, outC]}; a depthwise
 * conv ({@code groups == inC == outC}) stores {@code [kH, kW, C, 1]}. Initialised as the
 * EfficientNet references do: normal(0, sqrt(2 / fan_out)), group-corrected.
 */
public final class Conv2d extends Module {
    private final int inChannels;
    private final int outChannels;
    private final int kernel;
    private final Conv2dOptions options;
    private final Tensor weight;
    private final Tensor bias;

    /**
     * A convolution initialised from {@code rng}.
     *
     * @param inChannels  input channels
     * @param outChannels output channels
     * @param kernel      square kernel size
     * @param options     stride, padding, dilation and groups
     * @param bias        whether to learn a bias
     * @param rng         initialisation randomness
     */
    public Conv2d(int inChannels, int outChannels, int kernel, Conv2dOptions options, boolean bias, Rng rng) {
        if (inChannels < 1 || outChannels < 1 || kernel < 1)
            throw new IllegalArgumentException("Conv2d needs positive channels and kernel, got in=" + inChannels
                    + " out=" + outChannels + " kernel=" + kernel);
        int groups = options.groups();
        if (inChannels % groups != 0 || outChannels % groups != 0)
            throw new IllegalArgumentException("Conv2d groups=" + groups + " must divide in=" + inChannels + " and out=" + outChannels);
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernel = kernel;
        this.options = options;
        boolean depthwise = isDepthwise();
        int[] shape = depthwise ? new int[]{kernel, kernel, inChannels, 1} : new int[]{kernel, kernel, inChannels / groups, outChannels};
        this.weight = registerParameter("weight", persistent(() -> {
            Tensor w = Tensor.zeros(shape);
            return depthwise ? WeightInit.depthwiseWeight(w, rng) : WeightInit.convWeight(w, groups, rng);
        }));
        this.bias = bias ? registerParameter("bias", persistent(() -> Tensor.zeros(outChannels))) : null;
    }

    /** {@return true when this is a depthwise conv (groups == in == out)} */
    public boolean isDepthwise() {
        return options.groups() == inChannels && inChannels == outChannels && options.groups() > 1;
    }

    @Override
    public Tensor forward(Tensor x) {
        return isDepthwise() ? Convolution.depthwiseConv2d(x, weight, bias, options) : Convolution.conv2d(x, weight, bias, options);
    }

    /** {@return the weight, {@code [kH, kW, inC/groups, outC]}} */
    public Tensor weight() {
        return weight;
    }

    /** {@return the bias {@code [outC]}, or null when the convolution has none} */
    public Tensor bias() {
        return bias;
    }

    /** {@return input channels} */
    public int inChannels() {
        return inChannels;
    }

    /** {@return output channels} */
    public int outChannels() {
        return outChannels;
    }

    /** {@return the (square) kernel size} */
    public int kernel() {
        return kernel;
    }

    /** {@return stride, dilation, groups and padding} */
    public Conv2dOptions options() {
        return options;
    }
}
