package dev.efficientnet.core.tensor;

/** Element type of a {@link Tensor}: float32 for models, float64 for gradient checks. */
public enum DType {
    FLOAT32(4),
    FLOAT64(8);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    /** Size of one element in bytes. */
    public int bytes() {
        return bytes;
    }
}
