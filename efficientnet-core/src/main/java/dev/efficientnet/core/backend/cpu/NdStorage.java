package dev.efficientnet.core.backend.cpu;

import dev.efficientnet.core.backend.Storage;
import dev.efficientnet.core.tensor.DType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

/** A CPU buffer: a flat ND4J array plus a cached shaped view of it. */
final class NdStorage implements Storage {
    final INDArray flat;
    final DType dtype;
    final boolean pooled;
    private volatile boolean released;
    private volatile long version;
    private int[] viewShape;
    private INDArray view;

    NdStorage(INDArray flat, DType dtype, boolean pooled) {
        this.flat = flat;
        this.dtype = dtype;
        this.pooled = pooled;
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    @Override
    public long length() {
        return flat.length();
    }

    @Override
    public boolean isReleased() {
        return released;
    }

    @Override
    public long version() {
        return version;
    }

    /** Records a write into this buffer (see {@link Storage#version()}). */
    void touch() {
        version++;
    }

    void markReleased() {
        released = true;
    }

    /** The buffer as an ND4J array of {@code shape} (rank 0 is shown as {@code [1]}). */
    synchronized INDArray view(int[] shape) {
        if (viewShape != null && Arrays.equals(viewShape, shape)) return view;
        long[] s = new long[Math.max(1, shape.length)];
        if (shape.length == 0) s[0] = 1;
        for (int i = 0; i < shape.length; i++) s[i] = shape[i];
        INDArray v = flat.reshape('c', s);
        viewShape = shape.clone();
        view = v;
        return v;
    }
}
