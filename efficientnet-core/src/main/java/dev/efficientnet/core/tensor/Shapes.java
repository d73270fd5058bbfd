package dev.efficientnet.core.tensor;

import java.util.Arrays;

/** Shape arithmetic: element counts, axis normalisation and NumPy broadcasting. */
public final class Shapes {
    private Shapes() {
    }

    /**
     * Product of the dimensions (1 for a scalar).
     *
     * @param shape the shape
     * @return product of the dimensions (1 for a scalar)
     */
    public static long numel(int[] shape) {
        long n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    /**
     * Rejects negative dimensions and sizes past 2^31-1 elements per tensor.
     *
     * @param shape the shape
     */
    public static void check(int[] shape) {
        for (int d : shape)
            if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
        long n = 1;
        for (int d : shape) {
            n *= d;
            if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has more than 2^31-1 elements");
        }
    }

    /**
     * Normalises a possibly negative axis against {@code rank}.
     *
     * @param axis the axis
     * @param rank the rank
     * @return the axis in {@code [0, rank)}
     */
    public static int axis(int axis, int rank) {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) throw new IllegalArgumentException("axis " + axis + " out of range for rank " + rank);
        return a;
    }

    /**
     * The NumPy broadcast of two shapes, or an exception naming both.
     *
     * @param a the first shape
     * @param b the second shape
     * @return the NumPy broadcast of two shapes, or an exception naming both
     */
    public static int[] broadcast(int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
            int db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
            if (da != db && da != 1 && db != 1)
                throw new IllegalArgumentException("shapes " + Arrays.toString(a) + " and " + Arrays.toString(b) + " do not broadcast");
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /**
     * Axes of {@code target} along which {@code source} was broadcast (to sum a gradient back).
     *
     * @param source the source shape
     * @param target the target class indices
     * @return axes of {@code target} along which {@code source} was broadcast (to sum a gradient back)
     */
    public static int[] broadcastAxes(int[] source, int[] target) {
        int offset = target.length - source.length;
        int[] tmp = new int[target.length];
        int n = 0;
        for (int i = 0; i < target.length; i++) {
            int ds = i < offset ? 1 : source[i - offset];
            if (ds == 1 && target[i] != 1) tmp[n++] = i;
            else if (i < offset) tmp[n++] = i;
        }
        return Arrays.copyOf(tmp, n);
    }

    /**
     * {@code shape} with the given axes set to 1 (keep-dims reduction shape).
     *
     * @param shape the shape
     * @param axes the axes to reduce
     * @return {@code shape} with the given axes set to 1 (keep-dims reduction shape)
     */
    public static int[] reducedKeepDims(int[] shape, int[] axes) {
        int[] out = shape.clone();
        for (int a : axes) out[axis(a, shape.length)] = 1;
        return out;
    }

    /**
     * {@code shape} with the given axes removed.
     *
     * @param shape the shape
     * @param axes the axes to reduce
     * @return {@code shape} with the given axes removed
     */
    public static int[] reducedDropDims(int[] shape, int[] axes) {
        boolean[] drop = new boolean[shape.length];
        for (int a : axes) drop[axis(a, shape.length)] = true;
        int n = 0;
        for (boolean d : drop) if (!d) n++;
        int[] out = new int[n];
        int j = 0;
        for (int i = 0; i < shape.length; i++) if (!drop[i]) out[j++] = shape[i];
        return out;
    }

    /**
     * Resolves one {@code -1} in a reshape target against {@code numel}.
     *
     * @param target the target class indices
     * @param numel the number of elements
     * @return the shape with {@code -1} resolved
     */
    public static int[] inferReshape(int[] target, long numel) {
        int[] out = target.clone();
        int unknown = -1;
        long known = 1;
        for (int i = 0; i < out.length; i++) {
            if (out[i] == -1) {
                if (unknown >= 0) throw new IllegalArgumentException("only one -1 allowed in reshape " + Arrays.toString(target));
                unknown = i;
            } else {
                if (out[i] < 0) throw new IllegalArgumentException("negative dimension in reshape " + Arrays.toString(target));
                known *= out[i];
            }
        }
        if (unknown >= 0) {
            if (known == 0 || numel % known != 0)
                throw new IllegalArgumentException("cannot reshape " + numel + " elements to " + Arrays.toString(target));
            out[unknown] = (int) (numel / known);
        }
        if (numel(out) != numel)
            throw new IllegalArgumentException("cannot reshape " + numel + " elements to " + Arrays.toString(target));
        return out;
    }
}
