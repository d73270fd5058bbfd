package dev.efficientnet.core.tensor;

import dev.efficientnet.core.autograd.Autograd;
import dev.efficientnet.core.autograd.Node;
import dev.efficientnet.core.backend.Backend;
import dev.efficientnet.core.backend.Storage;
import dev.efficientnet.core.ops.Arithmetic;
import dev.efficientnet.core.ops.Reductions;
import dev.efficientnet.core.ops.ShapeOps;

import java.util.Arrays;

/**
 * An n-dimensional float32 (or float64) array with an optional gradient and a record of the op that
 * made it. Storage is contiguous and row-major on the current {@link Backend}; reshapes share it.
 *
 * <p>Tensors allocated while a {@link MemoryScope} is open are recycled when it closes. Gradients
 * flow by {@link #backward()} to every leaf created with {@link #requiresGrad(boolean) requiresGrad}.
 * The element-wise methods here are shortcuts for the ops in {@code dev.efficientnet.core.ops}.
 */
public final class Tensor {
    private final int[] shape;
    private final long numel;
    private final DType dtype;
    private final Storage storage;
    private boolean requiresGrad;
    private Tensor grad;
    /** The gradient buffer holds stale values that stand for zeros (see {@link #zeroGrad}). */
    private boolean gradIsZero;
    private Node creator;

    private Tensor(Storage storage, int[] shape) {
        this.shape = shape;
        this.numel = Shapes.numel(shape);
        this.dtype = storage.dtype();
        this.storage = storage;
        if (numel != storage.length())
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has " + numel
                    + " elements but the storage holds " + storage.length());
    }

    // ---- creation -----------------------------------------------------------------------------

    /**
     * An uninitialized tensor (scope-managed when a {@link MemoryScope} is open).
     *
     * @param dtype the element type
     * @param shape the shape
     * @return an uninitialized tensor (scope-managed when a {@link MemoryScope} is open)
     */
    public static Tensor empty(DType dtype, int... shape) {
        Shapes.check(shape);
        MemoryScope scope = MemoryScope.current();
        Storage s = Backend.current().allocate(dtype, Shapes.numel(shape), scope != null);
        if (scope != null) scope.register(s);
        return new Tensor(s, shape.clone());
    }

    /**
     * Zeros of the given dtype.
     *
     * @param dtype the element type
     * @param shape the shape
     * @return a new tensor of zeros
     */
    public static Tensor zeros(DType dtype, int... shape) {
        Tensor t = empty(dtype, shape);
        Backend.current().fill(t, 0);
        return t;
    }

    /**
     * Float32 zeros.
     *
     * @param shape the shape
     * @return float32 zeros
     */
    public static Tensor zeros(int... shape) {
        return zeros(DType.FLOAT32, shape);
    }

    /**
     * A tensor filled with {@code value}.
     *
     * @param dtype the element type
     * @param value the value
     * @param shape the shape
     * @return a tensor filled with {@code value}
     */
    public static Tensor full(DType dtype, double value, int... shape) {
        Tensor t = empty(dtype, shape);
        Backend.current().fill(t, value);
        return t;
    }

    /**
     * Float32 ones.
     *
     * @param shape the shape
     * @return float32 ones
     */
    public static Tensor ones(int... shape) {
        return full(DType.FLOAT32, 1, shape);
    }

    /**
     * A float32 tensor holding a copy of {@code data}.
     *
     * @param data the values
     * @param shape the shape
     * @return a float32 tensor holding a copy of {@code data}
     */
    public static Tensor of(float[] data, int... shape) {
        checkLength(data.length, shape);
        Tensor t = empty(DType.FLOAT32, shape);
        Backend.current().write(t.storage, data);
        return t;
    }

    /**
     * A float64 tensor holding a copy of {@code data}.
     *
     * @param data the values
     * @param shape the shape
     * @return a float64 tensor holding a copy of {@code data}
     */
    public static Tensor of(double[] data, int... shape) {
        checkLength(data.length, shape);
        Tensor t = empty(DType.FLOAT64, shape);
        Backend.current().write(t.storage, data);
        return t;
    }

    /**
     * A float32 scalar (shape {@code []}).
     *
     * @param value the value
     * @return a float32 scalar (shape {@code []})
     */
    public static Tensor scalar(double value) {
        return full(DType.FLOAT32, value, new int[0]);
    }

    /** Validates before allocating, so a bad call makes no backend call. */
    private static void checkLength(int length, int[] shape) {
        Shapes.check(shape);
        long numel = Shapes.numel(shape);
        if (length != numel)
            throw new IllegalArgumentException("data has " + length + " values but shape "
                    + Arrays.toString(shape) + " needs " + numel);
    }

    /**
     * A new tensor of this shape sharing this storage: the internal form of reshape (no grad link).
     *
     * @param newShape the new shape (one dimension may be -1)
     * @return a new tensor of this shape sharing this storage: the internal form of reshape (no grad link)
     */
    public Tensor viewAs(int... newShape) {
        Shapes.check(newShape);
        return new Tensor(liveStorage(), newShape.clone());
    }

    // ---- metadata and data access -------------------------------------------------------------

    /** {@return the shape (a copy)} */
    public int[] shape() {
        return shape.clone();
    }

    /**
     * Size of dimension {@code d} (negative counts from the end).
     *
     * @param d the dimension index
     * @return size of dimension {@code d} (negative counts from the end)
     */
    public int dim(int d) {
        return shape[Shapes.axis(d, shape.length)];
    }

    /** {@return number of dimensions} */
    public int rank() {
        return shape.length;
    }

    /** {@return number of elements} */
    public long numel() {
        return numel;
    }

    /** {@return element type} */
    public DType dtype() {
        return dtype;
    }

    /** {@return the backend buffer (for kernels and I/O; fails if the owning scope has closed)} */
    public Storage storage() {
        return liveStorage();
    }

    private Storage liveStorage() {
        if (storage.isReleased())
            throw new IllegalStateException("tensor " + Arrays.toString(shape)
                    + " was released when its MemoryScope closed; keep() it to use it afterwards");
        return storage;
    }

    /** {@return a copy of the values as float32} */
    public float[] toFloatArray() {
        return Backend.current().readFloats(liveStorage());
    }

    /** {@return a copy of the values as float64} */
    public double[] toDoubleArray() {
        return Backend.current().readDoubles(liveStorage());
    }

    /** {@return the single value of a one-element tensor} */
    public double item() {
        if (numel != 1) throw new IllegalStateException("item() needs one element, shape is " + Arrays.toString(shape));
        return toDoubleArray()[0];
    }

    // ---- autograd -----------------------------------------------------------------------------

    /** {@return true if gradients flow to or through this tensor} */
    public boolean requiresGrad() {
        return requiresGrad || creator != null;
    }

    /**
     * Marks a leaf as needing a gradient; returns this.
     *
     * @param value the value
     * @return this tensor
     */
    public Tensor requiresGrad(boolean value) {
        if (creator != null && !value) throw new IllegalStateException("cannot stop gradients of a non-leaf tensor; use detach()");
        this.requiresGrad = value;
        return this;
    }

    /** {@return the accumulated gradient of a leaf, or null} */
    public Tensor grad() {
        if (gradIsZero) {
            Backend.current().fill(grad, 0);
            gradIsZero = false;
        }
        return grad;
    }

    /**
     * Zeros the accumulated gradient (keeps the buffer for reuse). The zeros are written lazily:
     * the next backward pass copies its gradient into the buffer instead of adding it to zeros, so
     * a training step costs one pass over each gradient instead of a fill and an add.
     */
    public void zeroGrad() {
        if (grad != null) gradIsZero = true;
    }

    /** Drops the gradient buffer. */
    public void clearGrad() {
        grad = null;
        gradIsZero = false;
    }

    /** {@return the node that produced this tensor, or null for a leaf} */
    public Node creator() {
        return creator;
    }

    /**
     * For op implementations: sets the producing node (see {@link Node#record}).
     *
     * @param node the node
     */
    public void setCreator(Node node) {
        this.creator = node;
    }

    /**
     * For the autograd engine: adds {@code g} into this leaf's persistent gradient buffer.
     *
     * @param g the gradient
     */
    public void accumulateGrad(Tensor g) {
        if (grad == null) {
            grad = MemoryScope.outside(() -> Tensor.empty(dtype, shape));
            gradIsZero = true;
        }
        if (gradIsZero) {
            Backend.current().copy(g, grad);
            gradIsZero = false;
        } else {
            Backend.current().axpby(1, grad, 1, g, grad);
        }
    }

    /** Back-propagates from a one-element tensor (a loss), seeding with 1. */
    public void backward() {
        if (numel != 1) throw new IllegalStateException("backward() without a seed needs a one-element tensor, shape is " + Arrays.toString(shape));
        Autograd.backward(this, full(dtype, 1, shape));
    }

    /**
     * Back-propagates {@code seed} as the gradient of this tensor.
     *
     * @param seed the seed gradient
     */
    public void backward(Tensor seed) {
        Autograd.backward(this, seed);
    }

    /** {@return the same values without a graph link (shares storage)} */
    public Tensor detach() {
        return new Tensor(liveStorage(), shape);
    }

    /** {@return a deep copy without a graph link} */
    public Tensor copy() {
        Tensor t = empty(dtype, shape);
        Backend.current().copy(this, t);
        return t;
    }

    /**
     * A copy converted to {@code type} (no graph link).
     *
     * @param type the element type
     * @return a copy converted to {@code type} (no graph link)
     */
    public Tensor to(DType type) {
        if (type == dtype) return this;
        Tensor t = empty(type, shape);
        Backend.current().copy(this, t);
        return t;
    }

    /**
     * Copies {@code src}'s values into this tensor in place (no graph link).
     *
     * @param src the source
     * @return this tensor
     */
    public Tensor assign(Tensor src) {
        if (src.numel != numel) throw new IllegalArgumentException("assign: " + Arrays.toString(src.shape) + " into " + Arrays.toString(shape));
        Backend.current().copy(src, this);
        return this;
    }

    // ---- shortcuts to ops ----------------------------------------------------------------------

    /**
     * Element-wise {@code this + o} with broadcasting.
     *
     * @param o the other operand
     * @return element-wise {@code this + o} with broadcasting
     */
    public Tensor add(Tensor o) { return Arithmetic.add(this, o); }
    /**
     * Element-wise {@code this - o} with broadcasting.
     *
     * @param o the other operand
     * @return element-wise {@code this - o} with broadcasting
     */
    public Tensor sub(Tensor o) { return Arithmetic.sub(this, o); }
    /**
     * Element-wise {@code this * o} with broadcasting.
     *
     * @param o the other operand
     * @return element-wise {@code this * o} with broadcasting
     */
    public Tensor mul(Tensor o) { return Arithmetic.mul(this, o); }
    /**
     * Element-wise {@code this / o} with broadcasting.
     *
     * @param o the other operand
     * @return element-wise {@code this / o} with broadcasting
     */
    public Tensor div(Tensor o) { return Arithmetic.div(this, o); }
    /**
     * {@code this + s}.
     *
     * @param s the scalar
     * @return {@code this + s}
     */
    public Tensor add(double s) { return Arithmetic.affine(this, 1, s); }
    /**
     * {@code this * s}.
     *
     * @param s the scalar
     * @return {@code this * s}
     */
    public Tensor mul(double s) { return Arithmetic.affine(this, s, 0); }
    /** {@return {@code -this}} */
    public Tensor neg() { return Arithmetic.affine(this, -1, 0); }
    /**
     * Same data, new shape (one dimension may be -1); shares storage.
     *
     * @param newShape the new shape (one dimension may be -1)
     * @return same data, new shape (one dimension may be -1); shares storage
     */
    public Tensor reshape(int... newShape) { return ShapeOps.reshape(this, newShape); }
    /**
     * The dimensions reordered by {@code perm} (materialized).
     *
     * @param perm the new order of the dimensions
     * @return the dimensions reordered by {@code perm} (materialized)
     */
    public Tensor permute(int... perm) { return ShapeOps.permute(this, perm); }
    /** {@return the sum of all elements, a scalar} */
    public Tensor sum() { return Reductions.sum(this); }
    /** {@return the mean of all elements, a scalar} */
    public Tensor mean() { return Reductions.mean(this); }
    /**
     * The sum over {@code axes}, keeping them as size-1 dimensions when {@code keepDims}.
     *
     * @param axes the axes to reduce
     * @param keepDims whether to keep the reduced axes as size-1 dimensions
     * @return the sum over {@code axes}, keeping them as size-1 dimensions when {@code keepDims}
     */
    public Tensor sum(int[] axes, boolean keepDims) { return Reductions.sum(this, axes, keepDims); }
    /**
     * The mean over {@code axes}, keeping them as size-1 dimensions when {@code keepDims}.
     *
     * @param axes the axes to reduce
     * @param keepDims whether to keep the reduced axes as size-1 dimensions
     * @return the mean over {@code axes}, keeping them as size-1 dimensions when {@code keepDims}
     */
    public Tensor mean(int[] axes, boolean keepDims) { return Reductions.mean(this, axes, keepDims); }
    /** {@return {@code x * sigmoid(x)} (swish)} */
    public Tensor silu() { return dev.efficientnet.core.ops.Activations.silu(this); }
    /** {@return {@code 1 / (1 + exp(-x))}} */
    public Tensor sigmoid() { return dev.efficientnet.core.ops.Activations.sigmoid(this); }
    /** {@return {@code max(x, 0)}} */
    public Tensor relu() { return dev.efficientnet.core.ops.Activations.relu(this); }
    /** {@return hyperbolic tangent} */
    public Tensor tanh() { return dev.efficientnet.core.ops.Activations.tanh(this); }
    /** {@return {@code exp(x)}} */
    public Tensor exp() { return dev.efficientnet.core.ops.Activations.exp(this); }
    /** {@return natural logarithm (NaN below 0, -inf at 0)} */
    public Tensor log() { return dev.efficientnet.core.ops.Activations.log(this); }
    /** {@return square root (NaN below 0)} */
    public Tensor sqrt() { return dev.efficientnet.core.ops.Activations.sqrt(this); }
    /** {@return {@code x * x}} */
    public Tensor square() { return dev.efficientnet.core.ops.Activations.square(this); }
    /** {@return {@code |x|}} */
    public Tensor abs() { return dev.efficientnet.core.ops.Activations.abs(this); }
    /**
     * Matrix product {@code [m,k]·[k,n] -> [m,n]}, or batched {@code [B,m,k]·[B,k,n] -> [B,m,n]}.
     *
     * @param o the other operand
     * @return matrix product {@code [m,k]·[k,n] -> [m,n]}, or batched {@code [B,m,k]·[B,k,n] -> [B,m,n]}
     */
    public Tensor matmul(Tensor o) { return dev.efficientnet.core.ops.Linear.matmul(this, o); }
    /** {@return softmax over the last axis} */
    public Tensor softmax() { return dev.efficientnet.core.ops.Losses.softmax(this); }
    /** {@return log-softmax over the last axis (finite for any finite input)} */
    public Tensor logSoftmax() { return dev.efficientnet.core.ops.Losses.logSoftmax(this); }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Tensor").append(Arrays.toString(shape)).append(' ').append(dtype);
        if (requiresGrad()) sb.append(" requiresGrad");
        if (!storage.isReleased() && numel <= 16) sb.append(' ').append(Arrays.toString(toDoubleArray()));
        return sb.toString();
    }
}
