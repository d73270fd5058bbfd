package dev.efficientnet.core.ops;

import dev.efficientnet.core.autograd.Node;
import dev.efficientnet.core.backend.Backend;
import dev.efficientnet.core.tensor.Shapes;
import dev.efficientnet.core.tensor.Tensor;

import java.util.Arrays;

/** Reshape, flatten, permute, concat, slice and constant padding, with their gradients. */
public final class ShapeOps {
    private ShapeOps() {
    }

    /**
     * Same data, new shape (one dimension may be -1). Shares storage.
     *
     * @param x the input
     * @param shape the shape
     * @return same data, new shape (one dimension may be -1)
     */
    public static Tensor reshape(Tensor x, int... shape) {
        int[] target = Shapes.inferReshape(shape, x.numel());
        Tensor out = x.viewAs(target);
        if (Node.shouldRecord(x)) {
            int[] original = x.shape();
            Node.record(out, new Node(x) {
                @Override
                protected Tensor[] backward(Tensor g) {
                    return new Tensor[]{g.viewAs(original)};
                }
            });
        }
        return out;
    }

    /**
     * Collapses dimensions {@code startDim..} into one: {@code [N, C, H, W] -> [N, C*H*W]} for 1.
     *
     * @param x the input
     * @param startDim the first dimension to flatten
     * @return the flattened tensor
     */
    public static Tensor flatten(Tensor x, int startDim) {
        int s = Shapes.axis(startDim, x.rank());
        int[] shape = Arrays.copyOf(x.shape(), s + 1);
        shape[s] = -1;
        return reshape(x, shape);
    }

    /**
     * Reorders dimensions (materialized).
     *
     * @param x the input
     * @param perm the new order of the dimensions
     * @return the permuted tensor
     */
    public static Tensor permute(Tensor x, int... perm) {
        int rank = x.rank();
        if (perm.length != rank) throw new IllegalArgumentException("permute " + Arrays.toString(perm) + " for rank " + rank);
        int[] inverse = new int[rank];
        boolean[] seen = new boolean[rank];
        int[] shape = new int[rank];
        for (int i = 0; i < rank; i++) {
            int p = Shapes.axis(perm[i], rank);
            if (seen[p]) throw new IllegalArgumentException("permute " + Arrays.toString(perm) + " repeats axis " + p);
            seen[p] = true;
            inverse[p] = i;
            shape[i] = x.dim(p);
        }
        int[] normalized = new int[rank];
        for (int i = 0; i < rank; i++) normalized[i] = Shapes.axis(perm[i], rank);
        Tensor out = Tensor.empty(x.dtype(), shape);
        Backend.current().permute(x, normalized, out);
        if (Node.shouldRecord(x)) {
            Node.record(out, new Node(x) {
                @Override
                protected Tensor[] backward(Tensor g) {
                    return new Tensor[]{permute(g, inverse)};
                }
            });
        }
        return out;
    }

    /**
     * NCHW to NHWC.
     *
     * @param x the input
     * @return NCHW to NHWC
     */
    public static Tensor nchwToNhwc(Tensor x) {
        requireRank(x, 4, "nchwToNhwc");
        return permute(x, 0, 2, 3, 1);
    }

    /**
     * NHWC to NCHW.
     *
     * @param x the input
     * @return NHWC to NCHW
     */
    public static Tensor nhwcToNchw(Tensor x) {
        requireRank(x, 4, "nhwcToNchw");
        return permute(x, 0, 3, 1, 2);
    }

    static void requireRank(Tensor x, int rank, String op) {
        if (x.rank() != rank)
            throw new IllegalArgumentException(op + " needs a rank-" + rank + " tensor, got shape " + Arrays.toString(x.shape()));
    }

    /**
     * Concatenates along {@code axis}; all other dimensions must agree.
     *
     * @param axis the axis
     * @param xs the inputs
     * @return the concatenation
     */
    public static Tensor concat(int axis, Tensor... xs) {
        if (xs.length == 0) throw new IllegalArgumentException("concat of no tensors");
        int rank = xs[0].rank();
        int a = Shapes.axis(axis, rank);
        int[] shape = xs[0].shape();
        int total = 0;
        for (Tensor t : xs) {
            if (t.rank() != rank || t.dtype() != xs[0].dtype())
                throw new IllegalArgumentException("concat: " + Arrays.toString(t.shape()) + " " + t.dtype() + " vs " + Arrays.toString(shape) + " " + xs[0].dtype());
            for (int d = 0; d < rank; d++)
                if (d != a && t.dim(d) != shape[d])
                    throw new IllegalArgumentException("concat along " + a + ": shape " + Arrays.toString(t.shape()) + " vs " + Arrays.toString(shape));
            total += t.dim(a);
        }
        shape[a] = total;
        Tensor out = Tensor.empty(xs[0].dtype(), shape);
        Backend.current().concat(xs, a, out);
        if (Node.shouldRecord(xs)) {
            Node.record(out, new Node(xs) {
                @Override
                protected Tensor[] backward(Tensor g) {
                    Tensor[] grads = new Tensor[xs.length];
                    int offset = 0;
                    for (int i = 0; i < xs.length; i++) {
                        if (needsGrad(i)) {
                            int[] begin = new int[rank];
                            begin[a] = offset;
                            grads[i] = sliceRaw(g, begin, xs[i].shape());
                        }
                        offset += xs[i].dim(a);
                    }
                    return grads;
                }
            });
        }
        return out;
    }

    /**
     * The box {@code x[begin : begin + size]} (copied).
     *
     * @param x the input
     * @param begin the start index on each axis
     * @param size the size
     * @return the box {@code x[begin : begin + size]} (copied)
     */
    public static Tensor slice(Tensor x, int[] begin, int[] size) {
        checkBox(x.shape(), begin, size, "slice");
        Tensor out = sliceRaw(x, begin, size);
        if (Node.shouldRecord(x)) {
            int[] full = x.shape();
            Node.record(out, new Node(x) {
                @Override
                protected Tensor[] backward(Tensor g) {
                    return new Tensor[]{padRaw(g, begin, full, 0)};
                }
            });
        }
        return out;
    }

    /**
     * Pads with a constant: {@code before[d]} and {@code after[d]} elements on each side of every
     * dimension {@code d}.
     *
     * @param x the input
     * @param before the elements to add before the start of each dimension
     * @param after the elements to add after the end of each dimension
     * @param value the value
     * @return the padded tensor
     */
    public static Tensor pad(Tensor x, int[] before, int[] after, double value) {
        if (before.length != x.rank() || after.length != x.rank())
            throw new IllegalArgumentException("pad needs " + x.rank() + " before/after values, got " + before.length + "/" + after.length);
        int[] shape = x.shape();
        for (int d = 0; d < shape.length; d++) {
            if (before[d] < 0 || after[d] < 0) throw new IllegalArgumentException("negative padding " + Arrays.toString(before) + " / " + Arrays.toString(after));
            shape[d] += before[d] + after[d];
        }
        Tensor out = padRaw(x, before, shape, value);
        if (Node.shouldRecord(x)) {
            int[] inner = x.shape();
            Node.record(out, new Node(x) {
                @Override
                protected Tensor[] backward(Tensor g) {
                    return new Tensor[]{sliceRaw(g, before, inner)};
                }
            });
        }
        return out;
    }

    private static void checkBox(int[] shape, int[] begin, int[] size, String op) {
        if (begin.length != shape.length || size.length != shape.length)
            throw new IllegalArgumentException(op + ": begin/size rank differs from shape " + Arrays.toString(shape));
        for (int d = 0; d < shape.length; d++)
            if (begin[d] < 0 || size[d] < 0 || begin[d] + size[d] > shape[d])
                throw new IllegalArgumentException(op + ": box begin " + Arrays.toString(begin) + " size " + Arrays.toString(size)
                        + " outside shape " + Arrays.toString(shape));
    }

    static Tensor sliceRaw(Tensor x, int[] begin, int[] size) {
        Tensor out = Tensor.empty(x.dtype(), size);
        Backend.current().slice(x, begin, out);
        return out;
    }

    static Tensor padRaw(Tensor x, int[] begin, int[] shape, double value) {
        Tensor out = Tensor.empty(x.dtype(), shape);
        Backend.current().pad(x, begin, value, out);
        return out;
    }
}
