package dev.efficientnet.core.ops;

import dev.efficientnet.core.autograd.Node;
import dev.efficientnet.core.backend.Backend;
import dev.efficientnet.core.backend.BinaryOp;
import dev.efficientnet.core.backend.ReduceOp;
import dev.efficientnet.core.tensor.Shapes;
import dev.efficientnet.core.tensor.Tensor;

/** Sum and mean over axes (or over everything), with their gradients. */
public final class Reductions {
    private Reductions() {
    }

    /**
     * Sum of all elements, shape {@code []}.
     *
     * @param x the input
     * @return sum of all elements, shape {@code []}
     */
    public static Tensor sum(Tensor x) {
        return reduce(ReduceOp.SUM, x, allAxes(x), false);
    }

    /**
     * Mean of all elements, shape {@code []}.
     *
     * @param x the input
     * @return mean of all elements, shape {@code []}
     */
    public static Tensor mean(Tensor x) {
        return reduce(ReduceOp.MEAN, x, allAxes(x), false);
    }

    /**
     * Sum over {@code axes}.
     *
     * @param x the input
     * @param axes the axes to reduce
     * @param keepDims whether to keep the reduced axes as size-1 dimensions
     * @return sum over {@code axes}
     */
    public static Tensor sum(Tensor x, int[] axes, boolean keepDims) {
        return reduce(ReduceOp.SUM, x, axes, keepDims);
    }

    /**
     * Mean over {@code axes}.
     *
     * @param x the input
     * @param axes the axes to reduce
     * @param keepDims whether to keep the reduced axes as size-1 dimensions
     * @return mean over {@code axes}
     */
    public static Tensor mean(Tensor x, int[] axes, boolean keepDims) {
        return reduce(ReduceOp.MEAN, x, axes, keepDims);
    }

    private static int[] allAxes(Tensor x) {
        int[] axes = new int[x.rank()];
        for (int i = 0; i < axes.length; i++) axes[i] = i;
        return axes;
    }

    private static Tensor reduce(ReduceOp op, Tensor x, int[] axes, boolean keepDims) {
        int[] normalized = new int[axes.length];
        for (int i = 0; i < axes.length; i++) normalized[i] = Shapes.axis(axes[i], x.rank());
        int[] keepShape = Shapes.reducedKeepDims(x.shape(), normalized);
        Tensor out = Tensor.empty(x.dtype(), keepShape);
        Backend.current().reduce(op, x, normalized, out);
        if (!keepDims) out = out.viewAs(Shapes.reducedDropDims(x.shape(), normalized));
        if (Node.shouldRecord(x)) {
            long count = x.numel() / Math.max(1, Shapes.numel(keepShape));
            double scale = op == ReduceOp.MEAN ? 1.0 / Math.max(1, count) : 1.0;
            Node.record(out, new Node(x) {
                @Override
                protected Tensor[] backward(Tensor g) {
                    return new Tensor[]{expand(g.viewAs(keepShape), x.shape(), scale)};
                }
            });
        }
        return out;
    }

    /** Broadcasts {@code g} to {@code shape}, multiplied by {@code scale}. */
    static Tensor expand(Tensor g, int[] shape, double scale) {
        Backend backend = Backend.current();
        Tensor out = Tensor.empty(g.dtype(), shape);
        backend.fill(out, 0);
        backend.binary(BinaryOp.ADD, out, g, out);
        if (scale != 1) backend.affine(out, scale, 0, out);
        return out;
    }
}
