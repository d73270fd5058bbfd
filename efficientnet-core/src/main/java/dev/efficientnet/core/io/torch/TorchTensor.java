package dev.efficientnet.core.io.torch;

import java.util.Arrays;

/**
 * A tensor of a {@code torch.save} checkpoint as its pickle describes it: a view (shape, strides,
 * offset, all in elements) of a storage stored in the archive under {@code data/<storage>}. Read its
 * values through {@link TorchFile}. Immutable.
 */
public final class TorchTensor {
    private final String storage;
    private final TorchDType dtype;
    private final int[] shape;
    private final long[] stride;
    private final long offset;
    private final long numel;

    TorchTensor(String storage, TorchDType dtype, int[] shape, long[] stride, long offset, long numel) {
        this.storage = storage;
        this.dtype = dtype;
        this.shape = shape;
        this.stride = stride;
        this.offset = offset;
        this.numel = numel;
    }

    /** The storage key (the archive entry {@code data/<key>}). */
    public String storage() {
        return storage;
    }

    /** The element type. */
    public TorchDType dtype() {
        return dtype;
    }

    /** The shape (a copy). */
    public int[] shape() {
        return shape.clone();
    }

    /** The strides in elements (a copy). */
    public long[] stride() {
        return stride.clone();
    }

    /** The offset into the storage, in elements. */
    public long offset() {
        return offset;
    }

    /** Number of elements. */
    public long numel() {
        return numel;
    }

    /** True when the elements are the row-major run {@code offset .. offset+numel} of the storage. */
    public boolean isContiguous() {
        long expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && stride[i] != expected) return false;
            expected *= shape[i];
        }
        return true;
    }

    @Override
    public String toString() {
        return dtype + Arrays.toString(shape) + (isContiguous() ? "" : " stride " + Arrays.toString(stride))
                + " @" + storage + (offset == 0 ? "" : "+" + offset);
    }
}
