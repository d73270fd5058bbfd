package dev.efficientnet.core.io;

/**
 * Element types of the safetensors format, by their header names ({@code "F32"}, {@code "BF16"}, ...).
 * All of them can be read into float32 / float64 tensors: floats are converted (F64 to float32
 * rounds, and fails on overflow), integers and booleans only when every value converts exactly.
 */
public enum SafetensorsDType {
    /** 64-bit float. */
    F64(8, true),
    /** 32-bit float. */
    F32(4, true),
    /** 16-bit IEEE half float. */
    F16(2, true),
    /** bfloat16: float32's exponent, 7 mantissa bits. */
    BF16(2, true),
    /** 8-bit float, 4 exponent and 3 mantissa bits, no infinities (PyTorch {@code float8_e4m3fn}). */
    F8_E4M3(1, true),
    /** 8-bit float, 5 exponent and 2 mantissa bits (PyTorch {@code float8_e5m2}). */
    F8_E5M2(1, true),
    /** Signed 64-bit integer. */
    I64(8, false),
    /** Signed 32-bit integer. */
    I32(4, false),
    /** Signed 16-bit integer. */
    I16(2, false),
    /** Signed 8-bit integer. */
    I8(1, false),
    /** Unsigned 64-bit integer. */
    U64(8, false),
    /** Unsigned 32-bit integer. */
    U32(4, false),
    /** Unsigned 16-bit integer. */
    U16(2, false),
    /** Unsigned 8-bit integer. */
    U8(1, false),
    /** Boolean, one byte (0 or 1). */
    BOOL(1, false);

    private final int bytes;
    private final boolean floatingPoint;

    SafetensorsDType(int bytes, boolean floatingPoint) {
        this.bytes = bytes;
        this.floatingPoint = floatingPoint;
    }

    /** {@return size of one element in bytes} */
    public int bytes() {
        return bytes;
    }

    /** {@return true for the floating-point types} */
    public boolean isFloatingPoint() {
        return floatingPoint;
    }

    /**
     * The type with this header name, or null if unknown (names are case-sensitive).
     *
     * @param name the name
     * @return the type with this header name, or null if unknown (names are case-sensitive)
     */
    public static SafetensorsDType fromName(String name) {
        for (SafetensorsDType t : values()) if (t.name().equals(name)) return t;
        return null;
    }
}
