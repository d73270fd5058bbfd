package dev.efficientnet.models.spec;

/**
 * One block of the network, fully resolved: the model builder creates exactly one block per
 * {@code BlockSpec} of {@link ModelSpec#blocks()}, in order. See {@link BlockType} for the layer
 * sequence of each kind.
 *
 * <p>Convs have no bias except the two SE 1&times;1 convs. Every conv is followed by a BN.
 *
 * @param stageIndex   0-based stage index
 * @param blockIndex   0-based index within the stage (timm {@code blocks.<stage>.<block>},
 *                     torchvision {@code features.<stage + 1>.<block>})
 * @param globalIndex  0-based index over all blocks of the network
 * @param type         block kind
 * @param inChannels   input channels
 * @param midChannels  expanded channels, {@code in * expand} (= in when expand is 1; a
 *                     {@link BlockType#FUSED_MBCONV} with expand 1 has no mid tensor)
 * @param outChannels  output channels
 * @param expandRatio  expansion ratio
 * @param kernel       kernel of the depthwise (MBConv) or fused (Fused-MBConv) conv
 * @param stride       stride of that conv (1 or 2); all other convs are 1&times;1 stride 1
 * @param seChannels   SE reduced channels, {@code max(1, int(inChannels * seRatio))} (on the
 *                     block <b>input</b> width, as TF/Keras/torchvision/timm all do), 0 for no SE.
 *                     The SE squeezes the mid tensor: mid &rarr; se (bias) &rarr; act &rarr; mid (bias) &rarr; sigmoid
 * @param hasResidual  stride 1 and in == out: output = input + dropPath(block(input))
 * @param dropPathRate stochastic-depth drop probability, {@code rate * globalIndex / totalBlocks}
 *                     (torchvision/timm); only used when {@code hasResidual}
 */
public record BlockSpec(int stageIndex, int blockIndex, int globalIndex, BlockType type,
                        int inChannels, int midChannels, int outChannels, int expandRatio,
                        int kernel, int stride, int seChannels, boolean hasResidual, double dropPathRate) {

    /** Validates the block. */
    public BlockSpec {
        if (type == null) {
            throw new IllegalArgumentException("block type is required");
        }
        if (inChannels < 1 || midChannels < 1 || outChannels < 1 || expandRatio < 1 || kernel < 1 || seChannels < 0) {
            throw new IllegalArgumentException("invalid block " + stageIndex + "." + blockIndex);
        }
        if (stride != 1 && stride != 2) {
            throw new IllegalArgumentException("stride must be 1 or 2, got " + stride);
        }
        if (expandRatio == 1 ? midChannels != inChannels : midChannels < 2) {
            // mid = in * expand, except in a stage with a forced input width (EdgeTPU, StageSpec#forceInChannels)
            throw new IllegalArgumentException("mid channels must be in * expand, got " + midChannels);
        }
        if (hasResidual && !(stride == 1 && inChannels == outChannels)) {
            // every residual block has stride 1 and in == out; the converse fails only in timm's noskip
            // stages (a forced input width, EfficientNet-EdgeTPU), D34
            throw new IllegalArgumentException("residual needs stride 1 and in == out");
        }
        if (!hasResidual && stride == 1 && inChannels == outChannels && type != BlockType.FUSED_MBCONV) {
            throw new IllegalArgumentException("an MBConv with stride 1 and in == out has a residual");
        }
        if (type == BlockType.FUSED_MBCONV && expandRatio == 1 && seChannels > 0) {
            throw new IllegalArgumentException("a FUSED_MBCONV with expand 1 has no SE");
        }
        if (!(dropPathRate >= 0 && dropPathRate < 1)) {
            throw new IllegalArgumentException("drop path rate must be in [0, 1), got " + dropPathRate);
        }
    }

    /** True when the block has an expand conv (1&times;1 for MBConv, the k&times;k fused conv for Fused-MBConv). */
    public boolean hasExpandConv() {
        return expandRatio != 1;
    }

    /** True when the block ends in a separate 1&times;1 project conv (all but Fused-MBConv with expand 1). */
    public boolean hasProjectConv() {
        return !(type == BlockType.FUSED_MBCONV && expandRatio == 1);
    }

    /** True when the block has a squeeze-excite. */
    public boolean hasSe() {
        return seChannels > 0;
    }

    /** Spatial output size of the block along one axis. */
    public int outputSize(int in, Padding padding) {
        return padding.outputSize(in, kernel, stride);
    }

    /** Trainable parameters: conv weights, SE conv biases, BN gamma and beta. */
    public long params() {
        long in = inChannels;
        long mid = midChannels;
        long out = outChannels;
        long kk = (long) kernel * kernel;
        long p = 0;
        if (type == BlockType.MBCONV) {
            if (hasExpandConv()) {
                p += in * mid + 2 * mid;
            }
            p += mid * kk + 2 * mid;
        } else if (hasExpandConv()) {
            p += in * mid * kk + 2 * mid;
        } else {
            return in * out * kk + 2 * out;
        }
        if (hasSe()) {
            p += seParams();
        }
        p += mid * out + 2 * out;
        return p;
    }

    /** Conv multiply-accumulates for an {@code inH &times; inW} input (SE convs count at 1&times;1). */
    public long macs(int inH, int inW, Padding padding) {
        long hw = (long) inH * inW;
        long ohw = (long) outputSize(inH, padding) * outputSize(inW, padding);
        long in = inChannels;
        long mid = midChannels;
        long out = outChannels;
        long kk = (long) kernel * kernel;
        long m = 0;
        if (type == BlockType.MBCONV) {
            if (hasExpandConv()) {
                m = Math.addExact(m, mul(hw, mid, in));
            }
            m = Math.addExact(m, mul(ohw, mid, kk));
        } else if (hasExpandConv()) {
            m = Math.addExact(m, mul(ohw, mid, in, kk));
        } else {
            return mul(ohw, out, in, kk);
        }
        if (hasSe()) {
            m = Math.addExact(m, mul(2L, mid, seChannels));
        }
        return Math.addExact(m, mul(ohw, out, mid));
    }

    /** The exact product; {@link ArithmeticException} if it overflows a {@code long}. */
    static long mul(long... factors) {
        long p = 1;
        for (long f : factors) {
            p = Math.multiplyExact(p, f);
        }
        return p;
    }

    private long seParams() {
        long mid = midChannels;
        long rd = seChannels;
        return mid * rd + rd + rd * mid + mid;
    }
}
