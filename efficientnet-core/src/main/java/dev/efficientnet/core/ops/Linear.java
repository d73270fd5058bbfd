package dev.efficientnet.core.ops;

import dev.efficientnet.core.autograd.Node;
import dev.efficientnet.core.backend.Backend;
import dev.efficientnet.core.backend.BinaryOp;
import dev.efficientnet.core.backend.ReduceOp;
import dev.efficientnet.core.tensor.Tensor;

import java.util.Arrays;

/**
 * Matrix products and the fully connected layer, with gradients. Transposes are never
 * materialized: every product (forward and backward) passes transpose flags to
 * {@link Backend#matmul}.
 */
public final class Linear {
    private Linear() {
    }

    /**
     * Matrix product: {@code [m,k]·[k,n] -> [m,n]}, or batched {@code [B,m,k]·[B,k,n] -> [B,m,n]}.
     *
     * @param a the first operand
     * @param b the second operand
     * @return matrix product: {@code [m,k]·[k,n] -> [m,n]}, or batched {@code [B,m,k]·[B,k,n] -> [B,m,n]}
     */
    public static Tensor matmul(Tensor a, Tensor b) {
        if (a == null || b == null) throw new IllegalArgumentException("matmul: operand is null");
        Arithmetic.sameDtype("matmul", a, b);
        int r = a.rank();
        if (!((r == 2 || r == 3) && b.rank() == r))
            throw new IllegalArgumentException("matmul: operands must both be 2-D or both 3-D, got "
                    + Arrays.toString(a.shape()) + " and " + Arrays.toString(b.shape()));
        if (r == 3 && a.dim(0) != b.dim(0))
            throw new IllegalArgumentException("matmul: batch sizes differ: " + Arrays.toString(a.shape()) + " and " + Arrays.toString(b.shape()));
        if (a.dim(-1) != b.dim(-2))
            throw new IllegalArgumentException("matmul: inner dimensions differ: " + Arrays.toString(a.shape())
                    + " · " + Arrays.toString(b.shape()));
        int[] shape = r == 2 ? new int[]{a.dim(0), b.dim(1)} : new int[]{a.dim(0), a.dim(1), b.dim(2)};
        Tensor out = product(a, false, b, false, shape);
        if (Node.shouldRecord(a, b)) {
            Node.record(out, new Node(a, b) {
                @Override
                protected Tensor[] backward(Tensor g) {
                    Tensor ga = needsGrad(0) ? product(g, false, b, true, a.shape()) : null;   // g · bᵀ
                    Tensor gb = needsGrad(1) ? product(a, true, g, false, b.shape()) : null;   // aᵀ · g
                    return new Tensor[]{ga, gb};
                }
            });
        }
        return out;
    }

    /**
     * Fully connected layer {@code y = x·Wᵀ + b} with PyTorch's weight layout.
     *
     * @param x      input {@code [..., in]} (rank >= 1; leading axes are batch axes)
     * @param weight {@code [out, in]}
     * @param bias   {@code [out]} or null
     * @return {@code [..., out]}
     */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        if (x == null || weight == null) throw new IllegalArgumentException("linear: x and weight are required");
        Arithmetic.sameDtype("linear", x, weight);
        if (x.rank() < 1) throw new IllegalArgumentException("linear: x must have rank >= 1, got a scalar");
        if (weight.rank() != 2)
            throw new IllegalArgumentException("linear: weight must be [out, in], got " + Arrays.toString(weight.shape()));
        int in = weight.dim(1);
        int outF = weight.dim(0);
        if (x.dim(-1) != in)
            throw new IllegalArgumentException("linear: x " + Arrays.toString(x.shape()) + " has " + x.dim(-1)
                    + " features but weight " + Arrays.toString(weight.shape()) + " expects " + in);
        if (bias != null) {
            Arithmetic.sameDtype("linear bias", x, bias);
            if (bias.rank() != 1 || bias.dim(0) != outF)
                throw new IllegalArgumentException("linear: bias must have shape [" + outF + "], got " + Arrays.toString(bias.shape()));
        }
        int m = (int) numelLeading(x);
        int[] outShape = x.shape();
        outShape[outShape.length - 1] = outF;
        Tensor x2 = x.viewAs(m, in);
        Tensor out = Tensor.empty(x.dtype(), outShape);
        Tensor out2 = out.viewAs(m, outF);
        Backend backend = Backend.current();
        if (m > 0 && outF > 0) {
            if (in == 0) backend.fill(out2, 0);
            else backend.matmul(x2, false, weight, true, out2);
            if (bias != null) backend.binary(BinaryOp.ADD, out2, bias, out2);
        }
        if (Node.shouldRecord(x, weight, bias)) {
            int mm = m;
            int[] xShape = x.shape();
            Node.record(out, new Node(x, weight, bias) {
                @Override
                protected Tensor[] backward(Tensor g) {
                    Tensor g2 = g.viewAs(mm, outF);
                    Tensor gx = needsGrad(0) ? product(g2, false, weight, false, new int[]{mm, in}).viewAs(xShape) : null; // g · W
                    Tensor gw = needsGrad(1) ? product(g2, true, x2, false, new int[]{outF, in}) : null;                   // gᵀ · x
                    Tensor gb = null;
                    if (needsGrad(2)) {
                        gb = Tensor.empty(g.dtype(), 1, outF);
                        if (mm == 0) Backend.current().fill(gb, 0);
                        else Backend.current().reduce(ReduceOp.SUM, g2, new int[]{0}, gb);
                        gb = gb.viewAs(outF);
                    }
                    return new Tensor[]{gx, gw, gb};
                }
            });
        }
        return out;
    }

    private static long numelLeading(Tensor x) {
        long n = 1;
        for (int d = 0; d < x.rank() - 1; d++) n *= x.dim(d);
        return n;
    }

    /** {@code op(a)·op(b)} into a new tensor of {@code shape}; zero-size inner dimensions give zeros. */
    private static Tensor product(Tensor a, boolean ta, Tensor b, boolean tb, int[] shape) {
        Tensor out = Tensor.empty(a.dtype(), shape);
        if (out.numel() == 0) return out;
        if (a.numel() == 0 || b.numel() == 0) Backend.current().fill(out, 0);
        else Backend.current().matmul(a, ta, b, tb, out);
        return out;
    }
}
