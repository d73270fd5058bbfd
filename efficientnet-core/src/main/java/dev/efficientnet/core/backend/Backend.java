package dev.efficientnet.core.backend;

import dev.efficientnet.core.tensor.DType;
import dev.efficientnet.core.tensor.Tensor;

/**
 * The storage and kernels a device provides. The autograd ops in {@code dev.efficientnet.core.ops}
 * are written against this interface only, so the CPU path (ND4J + Java kernels) is one
 * implementation and a CUDA one can follow without touching the public API.
 *
 * <p>Conventions for every kernel: all tensors are contiguous row-major; outputs are preallocated by
 * the caller with the right shape and dtype; images are NHWC; convolution weights are
 * {@code [kH, kW, inC/groups, outC]} and depthwise weights {@code [kH, kW, C, 1]}.
 */
public interface Backend {

    /** The process-wide backend (the CPU one unless another is installed). */
    static Backend current() {
        return Backends.current();
    }

    // ---- memory -------------------------------------------------------------------------------

    /** A buffer of {@code length} elements with undefined contents, from the pool when possible. */
    Storage allocate(DType dtype, long length, boolean pooled);

    /** Returns a pooled buffer for reuse; the storage is dead afterwards. */
    void release(Storage storage);

    /** Writes {@code src} (length equal to the storage length) into the buffer. */
    void write(Storage storage, float[] src);

    /** Writes {@code src} (length equal to the storage length) into the buffer. */
    void write(Storage storage, double[] src);

    /** Copies the buffer into a new float array. */
    float[] readFloats(Storage storage);

    /** Copies the buffer into a new double array. */
    double[] readDoubles(Storage storage);

    /** Bytes currently held by this backend (in use plus pooled). */
    long bytesAllocated();

    // ---- element-wise -------------------------------------------------------------------------

    /** Sets every element to {@code value}. */
    void fill(Tensor out, double value);

    /** Copies {@code src} into {@code dst} (same element count, dtype converted if needed). */
    void copy(Tensor src, Tensor dst);

    /** {@code out = a op b} with NumPy broadcasting; {@code out} may alias {@code a}. */
    void binary(BinaryOp op, Tensor a, Tensor b, Tensor out);

    /** {@code out = alpha * x + beta * y} (same shapes); {@code out} may alias either input. */
    void axpby(double alpha, Tensor x, double beta, Tensor y, Tensor out);

    /** {@code out = x * scale + shift}; {@code out} may alias {@code x}. */
    void affine(Tensor x, double scale, double shift, Tensor out);

    /** {@code out = f(x)}; {@code out} may alias {@code x}. */
    void unary(UnaryOp op, Tensor x, Tensor out);

    /** {@code gradIn = gradOut * f'(x)}; {@code y = f(x)} is passed for ops whose derivative uses it. */
    void unaryGrad(UnaryOp op, Tensor x, Tensor y, Tensor gradOut, Tensor gradIn);

    /** Reduces {@code x} over {@code axes}; {@code out} has the kept-dims shape (reduced axes of size 1). */
    void reduce(ReduceOp op, Tensor x, int[] axes, Tensor out);

    /** Sum of squares of all elements (for gradient clipping and norms), in double precision. */
    double sumOfSquares(Tensor x);

    // ---- linear algebra and layout -------------------------------------------------------------

    /** {@code out = op(a) · op(b)} for 2-D operands, or batched over a leading axis for 3-D ones. */
    void matmul(Tensor a, boolean transposeA, Tensor b, boolean transposeB, Tensor out);

    /** {@code out = x.permute(perm)} materialized. */
    void permute(Tensor x, int[] perm, Tensor out);

    /** Concatenates along {@code axis}. */
    void concat(Tensor[] inputs, int axis, Tensor out);

    /** {@code out = x[begin : begin + out.shape]} (a box of {@code x}). */
    void slice(Tensor x, int[] begin, Tensor out);

    /** {@code out} = {@code x} placed at {@code begin} inside a tensor filled with {@code value}. */
    void pad(Tensor x, int[] begin, double value, Tensor out);

    /** Row-wise softmax ({@code log = false}) or log-softmax over the last axis. */
    void softmax(Tensor x, boolean log, Tensor out);

    // ---- convolution and pooling (NHWC) ----------------------------------------------------------

    /** Dense convolution, weights {@code [kH,kW,inC,outC]}; {@code bias} may be null. */
    void conv2d(Tensor x, Tensor w, Tensor bias, ConvGeometry g, Tensor out);

    /** Gradients of {@link #conv2d}; any of {@code gradX}, {@code gradW}, {@code gradB} may be null. */
    void conv2dBackward(Tensor x, Tensor w, Tensor gradOut, ConvGeometry g, Tensor gradX, Tensor gradW, Tensor gradB);

    /** Depthwise convolution, weights {@code [kH,kW,C,1]}; {@code bias} may be null. */
    void depthwiseConv2d(Tensor x, Tensor w, Tensor bias, ConvGeometry g, Tensor out);

    /** Gradients of {@link #depthwiseConv2d}; any output may be null. */
    void depthwiseConv2dBackward(Tensor x, Tensor w, Tensor gradOut, ConvGeometry g, Tensor gradX, Tensor gradW, Tensor gradB);

    /** Average ({@code max = false}) or max pooling; average pooling excludes padding from the count. */
    void pool2d(Tensor x, boolean max, ConvGeometry g, Tensor out);

    /** Gradient of {@link #pool2d}. */
    void pool2dBackward(Tensor x, boolean max, ConvGeometry g, Tensor gradOut, Tensor gradX);

    // ---- batch norm over the last axis (x viewed as [M, C]) -------------------------------------

    /** Per-channel mean and biased variance over all but the last axis. */
    void batchNormStats(Tensor x, Tensor mean, Tensor var);

    /** {@code out = (x - mean) / sqrt(var + eps) * gamma + beta}; gamma/beta may be null (1 / 0). */
    void batchNormApply(Tensor x, Tensor mean, Tensor var, Tensor gamma, Tensor beta, double eps, Tensor out);

    /**
     * Gradients of {@link #batchNormApply}. With {@code batchStats} the mean and var are treated as
     * the batch statistics of {@code x} (training mode); otherwise as constants (eval / frozen BN).
     * Any output may be null.
     */
    void batchNormBackward(Tensor x, Tensor mean, Tensor var, Tensor gamma, Tensor gradOut, double eps,
                           boolean batchStats, Tensor gradX, Tensor gradGamma, Tensor gradBeta);
}
