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

    /**
     * {@code out = sum over axes of (x * y)} for same-shaped {@code x}, {@code y} (kept-dims
     * {@code out}): the gradient of a broadcast multiply without the full-size product. The
     * default materializes the product.
     */
    default void multiplyReduce(Tensor x, Tensor y, int[] axes, Tensor out) {
        Tensor t = Tensor.empty(x.dtype(), x.shape());
        binary(BinaryOp.MUL, x, y, t);
        reduce(ReduceOp.SUM, t, axes, out);
    }

    /**
     * {@code out = x * scale + shift} with {@code scale} and {@code shift} both of the row shape
     * {@code [N,1,...,1,C]} (or {@code [C]}) broadcast against {@code x} {@code [N,...,C]}: the
     * squeeze-excitation input gradient in one pass. The default runs a multiply and an add.
     */
    default void multiplyAdd(Tensor x, Tensor scale, Tensor shift, Tensor out) {
        binary(BinaryOp.MUL, x, scale, out);
        binary(BinaryOp.ADD, out, shift, out);
    }

    /** Sum of squares of all elements (for gradient clipping and norms), in double precision. */
    double sumOfSquares(Tensor x);

    /** True when this backend runs bfloat16 convolutions natively (see {@link MixedPrecision}); false by default. */
    default boolean supportsBf16Convolutions() {
        return false;
    }

    // ---- fused optimizer updates (in place; the defaults compose the kernels above) --------------

    /**
     * One RMSProp (TF form) step in place: {@code g' = g + wd p} (or, with {@code decoupled},
     * {@code p *= 1 - lr wd} and {@code g' = g}); {@code ms = alpha ms + (1 - alpha) g'^2};
     * {@code t = g' / sqrt(ms + eps)}; with a momentum buffer {@code mom = momentum mom + lr t},
     * {@code p -= mom}, otherwise {@code p -= lr t}. {@code momentumBuf} may be null.
     */
    default void rmsPropUpdate(Tensor p, Tensor g, Tensor squareAvg, Tensor momentumBuf, double lr, double alpha,
                               double momentum, double eps, double wd, boolean decoupled) {
        Tensor gg = g;
        if (wd != 0) {
            if (decoupled) {
                affine(p, 1 - lr * wd, 0, p);
            } else {
                gg = Tensor.empty(p.dtype(), p.shape());
                axpby(1, g, wd, p, gg);
            }
        }
        Tensor s = Tensor.empty(p.dtype(), p.shape());
        unary(UnaryOp.SQUARE, gg, s);
        axpby(alpha, squareAvg, 1 - alpha, s, squareAvg);
        affine(squareAvg, 1, eps, s);
        unary(UnaryOp.SQRT, s, s);
        Tensor t = Tensor.empty(p.dtype(), p.shape());
        binary(BinaryOp.DIV, gg, s, t);
        if (momentumBuf != null && momentum > 0) {
            axpby(momentum, momentumBuf, lr, t, momentumBuf);
            axpby(1, p, -1, momentumBuf, p);
        } else {
            axpby(1, p, -lr, t, p);
        }
    }

    /**
     * One SGD step in place, {@code torch.optim.SGD} semantics (dampening 0): without momentum
     * {@code p = (1 - lr wd) p - lr g}; with it {@code buf = momentum buf + g + wd p}, then
     * {@code p = (1 - lr wd) p - lr g - lr momentum buf} (Nesterov) or {@code p -= lr buf}.
     * {@code buf} is ignored (may be null) when {@code momentum} is 0. Element by element the same
     * float operations, in the same order, as the composed default.
     */
    default void sgdUpdate(Tensor p, Tensor g, Tensor buf, double lr, double momentum, double wd, boolean nesterov) {
        if (momentum == 0) {
            axpby(1 - lr * wd, p, -lr, g, p);
            return;
        }
        axpby(momentum, buf, 1, g, buf);
        if (wd != 0) axpby(1, buf, wd, p, buf);
        if (nesterov) {
            axpby(1 - lr * wd, p, -lr, g, p);
            axpby(1, p, -lr * momentum, buf, p);
        } else {
            axpby(1, p, -lr, buf, p);
        }
    }

    /**
     * One AdamW step in place: {@code m = b1 m + (1-b1) g}; {@code v = b2 v + (1-b2) g^2};
     * {@code p = (1 - lr wd) p - lr/bc1 * m / (sqrt(v)/sqrt(bc2) + eps)}, where {@code bc1},
     * {@code bc2} are the bias corrections {@code 1 - beta^step}.
     */
    default void adamWUpdate(Tensor p, Tensor g, Tensor expAvg, Tensor expAvgSq, double lr, double beta1,
                             double beta2, double eps, double wd, double bc1, double bc2) {
        axpby(beta1, expAvg, 1 - beta1, g, expAvg);
        Tensor s = Tensor.empty(p.dtype(), p.shape());
        unary(UnaryOp.SQUARE, g, s);
        axpby(beta2, expAvgSq, 1 - beta2, s, expAvgSq);
        unary(UnaryOp.SQRT, expAvgSq, s);
        affine(s, 1 / Math.sqrt(bc2), eps, s);
        Tensor t = Tensor.empty(p.dtype(), p.shape());
        binary(BinaryOp.DIV, expAvg, s, t);
        axpby(1 - lr * wd, p, -lr / bc1, t, p);
    }

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

    /**
     * Inference: {@code out = act(batchNormApply(conv(x, w), mean, var, gamma, beta, eps))} with
     * the statistics as constants, where the conv is {@link #depthwiseConv2d} when {@code depthwise}
     * and {@link #conv2d} otherwise ({@code act} null means identity). A backend may fold the batch
     * norm into the convolution; the default runs the conv into a temporary, then
     * {@link #batchNormActivation}.
     */
    default void convBatchNormActivation(Tensor x, Tensor w, ConvGeometry g, boolean depthwise, Tensor mean, Tensor var,
                                         Tensor gamma, Tensor beta, double eps, UnaryOp act, Tensor out) {
        Tensor y = Tensor.empty(out.dtype(), out.shape());
        if (depthwise) depthwiseConv2d(x, w, null, g, y);
        else conv2d(x, w, null, g, y);
        batchNormActivation(y, mean, var, gamma, beta, eps, act, out);
    }

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
     * {@code out = act(batchNormApply(x, ...))} in one pass, with {@code mean} and {@code var} as
     * constants (inference: nothing is saved for backward); {@code act} null means identity.
     * The default runs the two kernels one after the other.
     */
    default void batchNormActivation(Tensor x, Tensor mean, Tensor var, Tensor gamma, Tensor beta, double eps,
                                     UnaryOp act, Tensor out) {
        batchNormApply(x, mean, var, gamma, beta, eps, out);
        if (act != null) unary(act, out, out);
    }

    /**
     * Gradients of {@code act(batchNormApply(x, mean, var, gamma, beta))} from the gradient of its
     * output, with the same conventions as {@link #batchNormBackward} ({@code act} null: plain batch
     * norm; {@code beta} may be null). The default recomputes the normalized input into a
     * temporary; the CPU kernel recomputes it block by block instead.
     */
    default void batchNormActivationBackward(Tensor x, Tensor mean, Tensor var, Tensor gamma, Tensor beta,
                                             Tensor gradOut, double eps, boolean batchStats, UnaryOp act,
                                             Tensor gradX, Tensor gradGamma, Tensor gradBeta) {
        Tensor dz = gradOut;
        if (act != null) {
            Tensor z = Tensor.empty(x.dtype(), x.shape());
            batchNormApply(x, mean, var, gamma, beta, eps, z);
            dz = Tensor.empty(x.dtype(), x.shape());
            unaryGrad(act, z, null, gradOut, dz);
        }
        batchNormBackward(x, mean, var, gamma, dz, eps, batchStats, gradX, gradGamma, gradBeta);
    }

    /**
     * Gradients of {@link #batchNormApply}. With {@code batchStats} the mean and var are treated as
     * the batch statistics of {@code x} (training mode); otherwise as constants (eval / frozen BN).
     * Any output may be null.
     */
    void batchNormBackward(Tensor x, Tensor mean, Tensor var, Tensor gamma, Tensor gradOut, double eps,
                           boolean batchStats, Tensor gradX, Tensor gradGamma, Tensor gradBeta);
}
