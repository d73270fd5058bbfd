package dev.efficientnet.core.backend.cpu;

import dev.efficientnet.core.tensor.DType;
import dev.efficientnet.core.tensor.Tensor;

/**
 * Native addresses of CPU tensors, for code that drives native kernels directly (the compiled
 * inference plans of {@code dev.efficientnet.models.infer}). The address is valid while the
 * tensor's storage is alive and not released to its pool.
 */
public final class NativeBuffers {
    private NativeBuffers() {
    }

    /**
     * The address of a float32 tensor's first element.
     *
     * @param t the tensor
     * @throws IllegalArgumentException when the tensor is not float32 or not on the CPU backend
     * @return the address of a float32 tensor's first element
     */
    public static long address(Tensor t) {
        if (t.dtype() != DType.FLOAT32) throw new IllegalArgumentException("need a float32 tensor, got " + t.dtype());
        if (!(t.storage() instanceof NdStorage s))
            throw new IllegalArgumentException("tensor is not on the CPU backend: " + t.storage().getClass().getSimpleName());
        return s.flat.data().address() + s.flat.offset() * s.dtype.bytes();
    }

    /**
     * True when {@code t} lives in a CPU backend buffer with a native address ({@link #address}).
     *
     * @param t the tensor
     * @return true when {@code t} lives in a CPU backend buffer with a native address ({@link #address})
     */
    public static boolean isNative(Tensor t) {
        return t.storage() instanceof NdStorage;
    }

    /** {@return true when oneDNN 2.5 ({@code org.bytedeco:dnnl}) is loaded and enabled ({@code -Defficientnet.dnnl})} */
    public static boolean dnnlAvailable() {
        return DnnlConvolution.applies(Tensor.empty(DType.FLOAT32, 0));
    }
}
