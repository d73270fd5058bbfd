package dev.efficientnet.core.tensor;

/** Element type of a {@link Tensor}: float32 for models, float64 for gradient checks. */
public enum DType {
    /** 32-bit IEEE float, 4 bytes. */
    FLOAT32(4),
    /** 64-bit IEEE float, 8 bytes. */
    FLOAT64(8);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    /** {@return size of one element in bytes} */
    public int bytes() {
        return bytes;
    }
}
