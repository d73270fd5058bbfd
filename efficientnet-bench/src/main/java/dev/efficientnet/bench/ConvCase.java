package dev.efficientnet.bench;

import dev.efficientnet.core.ops.Conv2dOptions;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One convolution layer of a benchmark: square {@code size}×{@code size} NHWC input with
 * {@code inC} channels, square kernel, stride, groups, PyTorch symmetric padding (k/2).
 *
 * @param inC    input channels
 * @param outC   output channels
 * @param kernel kernel size
 * @param stride stride
 * @param groups groups (inC for depthwise)
 * @param size   input height and width
 */
public record ConvCase(int inC, int outC, int kernel, int stride, int groups, int size) {
    private static final Pattern DEPTHWISE = Pattern.compile("(\\d+)x(\\d+)s(\\d+)_(\\d+)c@(\\d+)");
    private static final Pattern POINTWISE = Pattern.compile("(\\d+)to(\\d+)@(\\d+)");

    /** Parses a depthwise case such as {@code 3x3s2_96c@112} (kernel, stride, channels, input size). */
    public static ConvCase depthwise(String spec) {
        Matcher m = DEPTHWISE.matcher(spec);
        if (!m.matches() || !m.group(1).equals(m.group(2)))
            throw new IllegalArgumentException("depthwise shape must look like 3x3s2_96c@112, got '" + spec + "'");
        int c = Integer.parseInt(m.group(4));
        return new ConvCase(c, c, Integer.parseInt(m.group(1)), Integer.parseInt(m.group(3)), c, Integer.parseInt(m.group(5)));
    }

    /** Parses a 1×1 pointwise case such as {@code 96to24@56} (in, out, input size). */
    public static ConvCase pointwise(String spec) {
        Matcher m = POINTWISE.matcher(spec);
        if (!m.matches())
            throw new IllegalArgumentException("pointwise shape must look like 96to24@56, got '" + spec + "'");
        return new ConvCase(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), 1, 1, 1, Integer.parseInt(m.group(3)));
    }

    /** Convolution options: symmetric padding, this stride and groups. */
    public Conv2dOptions options() {
        return Conv2dOptions.symmetric(stride).withGroups(groups);
    }

    /** Output height and width. */
    public int outSize() {
        return options().geometry(size, size, kernel, kernel).outH(size);
    }

    /** Multiply-accumulates of one image's forward pass. */
    public long macsPerImage() {
        long o = outSize();
        return o * o * outC * (long) (inC / groups) * kernel * kernel;
    }
}
