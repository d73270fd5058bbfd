package dev.efficientnet.core.ops;

import dev.efficientnet.core.autograd.Node;
import dev.efficientnet.core.backend.Backend;
import dev.efficientnet.core.backend.BinaryOp;
import dev.efficientnet.core.backend.ReduceOp;
import dev.efficientnet.core.backend.UnaryOp;
import dev.efficientnet.core.tensor.DType;
import dev.efficientnet.core.tensor.Tensor;

import java.util.Arrays;

/**
 * Softmax, log-softmax and the training losses, with gradients. Cross-entropy works from the
 * max-subtracted log-softmax (computed in double), so large logits neither overflow nor underflow.
 */
public final class Losses {
    private Losses() {
    }

    // ---- softmax ----------------------------------------------------------------------------------

    /**
     * Softmax over the last axis; backward {@code g' = y * (g - sum(g * y))}.
     *
     * @param x the input
     * @return softmax over the last axis; backward {@code g' = y * (g - sum(g * y))}
     */
    public static Tensor softmax(Tensor x) {
        requireRankAtLeast1("softmax", x);
        Tensor y = Tensor.empty(x.dtype(), x.shape());
        Backend.current().softmax(x, false, y);
        if (Node.shouldRecord(x)) {
            Node.record(y, new Node(x) {
                @Override
                protected Tensor[] backward(Tensor g) {
                    Backend be = Backend.current();
                    Tensor gy = Tensor.empty(g.dtype(), g.shape());
                    be.binary(BinaryOp.MUL, g, y, gy);
                    Tensor s = lastAxisSum(gy);
                    be.binary(BinaryOp.SUB, g, s, gy);
                    be.binary(BinaryOp.MUL, gy, y, gy);
                    return new Tensor[]{gy};
                }
            });
        }
        return y;
    }

    /**
     * Log-softmax over the last axis, computed as {@code x - max - log(sum(exp(x - max)))} so it stays
     * finite for any finite input; backward {@code g' = g - softmax(x) * sum(g)}.
     *
     * @param x the input
     * @return log-softmax over the last axis, computed as {@code x - max - log(sum(exp(x - max)))} so it stays finite for any finite input; backward {@code g' = g - softmax(x) * sum(g)}
     */
    public static Tensor logSoftmax(Tensor x) {
        requireRankAtLeast1("logSoftmax", x);
        Tensor y = Tensor.empty(x.dtype(), x.shape());
        Backend.current().softmax(x, true, y);
        if (Node.shouldRecord(x)) {
            Node.record(y, new Node(x) {
                @Override
                protected Tensor[] backward(Tensor g) {
                    Backend be = Backend.current();
                    Tensor s = lastAxisSum(g);
                    Tensor gx = Tensor.empty(g.dtype(), g.shape());
                    be.unary(UnaryOp.EXP, y, gx);
                    be.binary(BinaryOp.MUL, gx, s, gx);
                    be.binary(BinaryOp.SUB, g, gx, gx);
                    return new Tensor[]{gx};
                }
            });
        }
        return y;
    }

    /** Sum over the last axis with kept dims ({@code [..., 1]}). */
    private static Tensor lastAxisSum(Tensor t) {
        int[] shape = t.shape();
        shape[shape.length - 1] = 1;
        Tensor s = Tensor.empty(t.dtype(), shape);
        if (t.dim(-1) == 0) Backend.current().fill(s, 0);
        else Backend.current().reduce(ReduceOp.SUM, t, new int[]{t.rank() - 1}, s);
        return s;
    }

    private static void requireRankAtLeast1(String op, Tensor x) {
        if (x == null) throw new IllegalArgumentException(op + ": x is null");
        if (x.rank() < 1) throw new IllegalArgumentException(op + ": x must have rank >= 1, got a scalar");
    }

    // ---- cross-entropy ------------------------------------------------------------------------------

    /**
     * Mean cross-entropy of {@code logits [N,K]} against class indices, no label smoothing.
     *
     * @param logits the logits
     * @param targets the target class indices
     * @return mean cross-entropy of {@code logits [N,K]} against class indices, no label smoothing
     */
    public static Tensor crossEntropy(Tensor logits, int[] targets) {
        return crossEntropy(logits, targets, 0);
    }

    /**
     * Mean cross-entropy of {@code logits [N,K]} against class indices with label smoothing
     * {@code eps} (PyTorch semantics: the target distribution is {@code (1-eps)·onehot + eps/K}).
     *
     * @param logits the logits
     * @param targets the target class indices
     * @param labelSmoothing the label-smoothing factor
     * @return mean cross-entropy of {@code logits [N,K]} against class indices with label smoothing {@code eps} (PyTorch semantics: the target distribution is {@code (1-eps)·onehot + eps/K})
     */
    public static Tensor crossEntropy(Tensor logits, int[] targets, double labelSmoothing) {
        int[] nk = checkLogits(logits);
        checkSmoothing(labelSmoothing);
        if (targets == null) throw new IllegalArgumentException("crossEntropy: targets is null");
        int n = nk[0];
        int k = nk[1];
        if (targets.length != n)
            throw new IllegalArgumentException("crossEntropy: " + targets.length + " targets for logits " + Arrays.toString(logits.shape()));
        double off = labelSmoothing / k;
        double on = 1 - labelSmoothing + off;
        double[] q = new double[n * k];
        Arrays.fill(q, off);
        for (int i = 0; i < n; i++) {
            int t = targets[i];
            if (t < 0 || t >= k)
                throw new IllegalArgumentException("crossEntropy: target " + t + " at index " + i + " is out of range [0, " + k + ")");
            q[i * k + t] = on;
        }
        return crossEntropyWith(logits, null, constant(logits.dtype(), q, n, k), true);
    }

    /**
     * Cross-entropy against {@code targets} without label smoothing; see {@link #crossEntropy(Tensor, Tensor, double)}.
     *
     * @param logits the logits
     * @param targets the target class indices
     * @return cross-entropy against {@code targets} without label smoothing; see {@link #crossEntropy(Tensor, Tensor, double)}
     */
    public static Tensor crossEntropy(Tensor logits, Tensor targets) {
        return crossEntropy(logits, targets, 0);
    }

    /**
     * Mean cross-entropy of {@code logits [N,K]} against either class indices stored as floats
     * ({@code targets} of shape {@code [N]}, integral values in {@code [0, K)}) or a target
     * distribution per sample ({@code [N,K]}, e.g. mixup/cutmix labels:
     * {@code -sum_k q_k log softmax(z)_k}, averaged over the batch; gradients also flow to soft targets
     * that require them). Label smoothing {@code eps} mixes the targets with the uniform
     * distribution: {@code (1-eps)·q + eps/K}.
     *
     * @param logits the logits
     * @param targets the target class indices
     * @param labelSmoothing the label-smoothing factor
     * @return mean cross-entropy of {@code logits [N,K]} against either class indices stored as floats ({@code targets} of shape {@code [N]}, integral values in {@code [0, K)}) or a target distribution per sample ({@code [N,K]}, e.g
     */
    public static Tensor crossEntropy(Tensor logits, Tensor targets, double labelSmoothing) {
        int[] nk = checkLogits(logits);
        checkSmoothing(labelSmoothing);
        if (targets == null) throw new IllegalArgumentException("crossEntropy: targets is null");
        int n = nk[0];
        int k = nk[1];
        if (targets.rank() == 1) {
            if (targets.dim(0) != n)
                throw new IllegalArgumentException("crossEntropy: targets " + Arrays.toString(targets.shape())
                        + " do not match logits " + Arrays.toString(logits.shape()));
            double[] v = targets.toDoubleArray();
            int[] idx = new int[n];
            for (int i = 0; i < n; i++) {
                if (v[i] != Math.rint(v[i]))
                    throw new IllegalArgumentException("crossEntropy: target " + v[i] + " at index " + i + " is not a class index");
                if (!(v[i] >= 0 && v[i] < k))
                    throw new IllegalArgumentException("crossEntropy: target " + v[i] + " at index " + i + " is out of range [0, " + k + ")");
                idx[i] = (int) v[i];
            }
            return crossEntropy(logits, idx, labelSmoothing);
        }
        if (targets.rank() != 2 || targets.dim(0) != n || targets.dim(1) != k)
            throw new IllegalArgumentException("crossEntropy: targets must be class indices [" + n + "] or probabilities ["
                    + n + ", " + k + "], got " + Arrays.toString(targets.shape()));
        Arithmetic.sameDtype("crossEntropy", logits, targets);
        Tensor q = targets;
        if (labelSmoothing > 0) q = Arithmetic.affine(targets, 1 - labelSmoothing, labelSmoothing / k);
        return crossEntropyWith(logits, q, q, false);
    }

    private static int[] checkLogits(Tensor logits) {
        if (logits == null) throw new IllegalArgumentException("crossEntropy: logits is null");
        if (logits.rank() != 2)
            throw new IllegalArgumentException("crossEntropy: logits must be [N, K], got " + Arrays.toString(logits.shape()));
        int n = logits.dim(0);
        int k = logits.dim(1);
        if (n == 0) throw new IllegalArgumentException("crossEntropy: empty batch, logits " + Arrays.toString(logits.shape()));
        if (k == 0) throw new IllegalArgumentException("crossEntropy: no classes, logits " + Arrays.toString(logits.shape()));
        return new int[]{n, k};
    }

    private static void checkSmoothing(double eps) {
        if (!(eps >= 0 && eps <= 1))
            throw new IllegalArgumentException("crossEntropy: labelSmoothing must be in [0, 1], got " + eps);
    }

    private static Tensor constant(DType dtype, double[] v, int... shape) {
        if (dtype == DType.FLOAT64) return Tensor.of(v, shape);
        float[] f = new float[v.length];
        for (int i = 0; i < f.length; i++) f[i] = (float) v[i];
        return Tensor.of(f, shape);
    }

    /**
     * The fused loss {@code -sum(q * logSoftmax(z)) / N}. {@code qInput} is the graph input for the
     * target (null for constant targets); {@code rowsSumToOne} skips computing the row sums of q.
     */
    private static Tensor crossEntropyWith(Tensor logits, Tensor qInput, Tensor q, boolean rowsSumToOne) {
        Backend be = Backend.current();
        int n = logits.dim(0);
        Tensor logp = Tensor.empty(logits.dtype(), logits.shape());
        Backend.current().softmax(logits, true, logp);
        Tensor prod = Tensor.empty(logits.dtype(), logits.shape());
        be.binary(BinaryOp.MUL, q, logp, prod);
        Tensor total = Tensor.empty(logits.dtype(), 1, 1);
        be.reduce(ReduceOp.SUM, prod, new int[]{0, 1}, total);
        be.affine(total, -1.0 / n, 0, total);
        Tensor loss = total.viewAs();
        if (Node.shouldRecord(logits, qInput)) {
            Node.record(loss, new Node(logits, qInput) {
                @Override
                protected Tensor[] backward(Tensor g) {
                    Backend b = Backend.current();
                    Tensor gScaled = Tensor.empty(g.dtype(), 1, 1);
                    b.affine(g.viewAs(1, 1), 1.0 / n, 0, gScaled);       // g / N
                    Tensor gz = null;
                    Tensor gq = null;
                    if (needsGrad(0)) {
                        // d/dz = softmax(z) * sum_k q_k - q
                        gz = Tensor.empty(logp.dtype(), logp.shape());
                        b.unary(UnaryOp.EXP, logp, gz);
                        if (!rowsSumToOne) b.binary(BinaryOp.MUL, gz, lastAxisSum(q), gz);
                        b.binary(BinaryOp.SUB, gz, q, gz);
                        b.binary(BinaryOp.MUL, gz, gScaled, gz);
                    }
                    if (needsGrad(1)) {
                        // d/dq = -logSoftmax(z)
                        gq = Tensor.empty(logp.dtype(), logp.shape());
                        b.binary(BinaryOp.MUL, logp, gScaled, gq);
                        b.affine(gq, -1, 0, gq);
                    }
                    return new Tensor[]{gz, gq};
                }
            });
        }
        return loss;
    }

    // ---- regression ---------------------------------------------------------------------------------

    /**
     * Mean squared error {@code mean((pred - target)^2)} over all elements; shapes must match.
     *
     * @param pred the predictions
     * @param target the target
     * @return mean squared error {@code mean((pred - target)^2)} over all elements; shapes must match
     */
    public static Tensor mse(Tensor pred, Tensor target) {
        if (pred == null || target == null) throw new IllegalArgumentException("mse: pred and target are required");
        if (!Arrays.equals(pred.shape(), target.shape()))
            throw new IllegalArgumentException("mse: pred " + Arrays.toString(pred.shape()) + " and target "
                    + Arrays.toString(target.shape()) + " differ in shape");
        return Reductions.mean(Activations.square(Arithmetic.sub(pred, target)));
    }
}
