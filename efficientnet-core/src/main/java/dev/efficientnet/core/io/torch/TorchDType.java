package dev.efficientnet.core.io.torch;

/**
 * The tensor element types a {@code torch.save} checkpoint can hold and this reader accepts, with
 * the storage class that names each in the pickle ({@code torch.FloatStorage}, ...). Data is
 * little-endian.
 */
public enum TorchDType {
    /** torch.float32. */
    FLOAT32("FloatStorage", 4),
    /** torch.float64. */
    FLOAT64("DoubleStorage", 8),
    /** torch.float16 (IEEE binary16). */
    FLOAT16("HalfStorage", 2),
    /** torch.bfloat16. */
    BFLOAT16("BFloat16Storage", 2),
    /** torch.int64. */
    INT64("LongStorage", 8),
    /** torch.int32. */
    INT32("IntStorage", 4),
    /** torch.int16. */
    INT16("ShortStorage", 2),
    /** torch.int8. */
    INT8("CharStorage", 1),
    /** torch.uint8. */
    UINT8("ByteStorage", 1),
    /** torch.bool. */
    BOOL("BoolStorage", 1);

    private final String storageClass;
    private final int bytes;

    TorchDType(String storageClass, int bytes) {
        this.storageClass = storageClass;
        this.bytes = bytes;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }

    /** True for the floating-point types. */
    public boolean isFloatingPoint() {
        return this == FLOAT32 || this == FLOAT64 || this == FLOAT16 || this == BFLOAT16;
    }

    /** The storage class name ({@code torch.<name>}) that stands for this type in a pickle. */
    public String storageClass() {
        return storageClass;
    }

    /** The type whose storage class is {@code name}, or null. */
    static TorchDType ofStorageClass(String name) {
        for (TorchDType t : values()) if (t.storageClass.equals(name)) return t;
        return null;
    }
}
