package dev.efficientnet.models.weights;

import java.util.Arrays;

/**
 * How one tensor's layout differs between this library and PyTorch. Conversions are pure
 * permutations of the values, so a round trip is bit-exact.
 */
public enum TensorLayout {
    /** Identical in both (BN vectors, biases, linear weights {@code [out, in]}). */
    SAME(null, null),
    /** Dense conv: ours {@code [kH, kW, in/groups, out]}, PyTorch {@code [out, in/groups, kH, kW]}. */
    CONV(new int[]{3, 2, 0, 1}, new int[]{2, 3, 1, 0}),
    /** Depthwise conv: ours {@code [kH, kW, C, 1]}, PyTorch {@code [C, 1, kH, kW]}. */
    DEPTHWISE(new int[]{2, 3, 0, 1}, new int[]{2, 3, 0, 1});

    /** PyTorch axis i is our axis toTorch[i]. */
    private final int[] toTorch;
    /** Our axis i is PyTorch axis toNative[i]. */
    private final int[] toNative;

    TensorLayout(int[] toTorch, int[] toNative) {
        this.toTorch = toTorch;
        this.toNative = toNative;
    }

    /**
     * The PyTorch shape of a tensor whose native shape is {@code nativeShape}.
     *
     * @param nativeShape the shape in native layout
     * @return the PyTorch shape of a tensor whose native shape is {@code nativeShape}
     */
    public int[] torchShape(int[] nativeShape) {
        return this == SAME ? nativeShape.clone() : permuteShape(nativeShape, toTorch, "native");
    }

    /**
     * The native shape of a tensor whose PyTorch shape is {@code torchShape}.
     *
     * @param torchShape the shape in PyTorch layout
     * @return the native shape of a tensor whose PyTorch shape is {@code torchShape}
     */
    public int[] nativeShape(int[] torchShape) {
        return this == SAME ? torchShape.clone() : permuteShape(torchShape, toNative, "PyTorch");
    }

    /**
     * Native row-major values of shape {@code nativeShape} rearranged to the PyTorch layout (a new array).
     *
     * @param data the values
     * @param nativeShape the shape in native layout
     * @return native row-major values of shape {@code nativeShape} rearranged to the PyTorch layout (a new array)
     */
    public float[] toTorch(float[] data, int[] nativeShape) {
        return this == SAME ? data.clone() : permute(data, nativeShape, toTorch);
    }

    /**
     * PyTorch row-major values of shape {@code torchShape} rearranged to the native layout (a new array).
     *
     * @param data the values
     * @param torchShape the shape in PyTorch layout
     * @return PyTorch row-major values of shape {@code torchShape} rearranged to the native layout (a new array)
     */
    public float[] toNative(float[] data, int[] torchShape) {
        return this == SAME ? data.clone() : permute(data, torchShape, toNative);
    }

    private int[] permuteShape(int[] shape, int[] perm, String what) {
        if (shape.length != 4)
            throw new IllegalArgumentException(name() + " layout needs a rank-4 " + what + " shape, got " + Arrays.toString(shape));
        int[] out = new int[4];
        for (int i = 0; i < 4; i++) out[i] = shape[perm[i]];
        return out;
    }

    /** out[i0,i1,i2,i3] = in[...] where output axis a is input axis perm[a]. */
    private float[] permute(float[] data, int[] shape, int[] perm) {
        int[] outShape = permuteShape(shape, perm, "source");
        long n = (long) shape[0] * shape[1] * shape[2] * shape[3];
        if (n != data.length)
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + n + " values, got " + data.length);
        int[] inStride = {shape[1] * shape[2] * shape[3], shape[2] * shape[3], shape[3], 1};
        // stride in the input of each output axis
        int s0 = inStride[perm[0]], s1 = inStride[perm[1]], s2 = inStride[perm[2]], s3 = inStride[perm[3]];
        float[] out = new float[data.length];
        int o = 0;
        for (int a = 0; a < outShape[0]; a++)
            for (int b = 0; b < outShape[1]; b++)
                for (int c = 0; c < outShape[2]; c++) {
                    int base = a * s0 + b * s1 + c * s2;
                    for (int d = 0; d < outShape[3]; d++) out[o++] = data[base + d * s3];
                }
        return out;
    }
}
