package dev.efficientnet.core.io;

import dev.efficientnet.core.tensor.DType;
import dev.efficientnet.core.tensor.Tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An opened, fully validated safetensors file: tensor names in header order, their dtypes and shapes,
 * the {@code __metadata__} strings, and the tensor data, read lazily per tensor from a read-only
 * memory mapping made when the file was opened (so a later atomic replacement of the file does not
 * change what this object returns). Made by {@link Safetensors#read}; immutable and thread-safe.
 *
 * <p>{@link #get} returns float32 and {@link #getDouble} float64 tensors whatever the stored dtype:
 * floats are converted (F64 to float32 rounds to nearest and fails on overflow), integers and BOOL
 * only when every value converts exactly, otherwise a {@link SafetensorsException} names the
 * tensor, the index and the value. Tensors are allocated like any other tensor, so inside an open
 * {@code MemoryScope} they are released when it closes. A single tensor is limited to 2^31-1
 * elements and 2 GiB of stored bytes. The mapping lives until this object is garbage collected; on
 * Windows a mapped file cannot be replaced meanwhile, so use {@link Safetensors#load} there to read
 * everything at once and drop the reference.
 */
public final class SafetensorsFile {
    /** One header entry, validated. */
    static final class Entry {
        final String name;
        final SafetensorsDType dtype;
        final int[] shape;
        final long numel;
        final long begin;
        final long end;
        int region = -1;
        int regionOffset;

        Entry(String name, SafetensorsDType dtype, int[] shape, long numel, long begin, long end) {
            this.name = name;
            this.dtype = dtype;
            this.shape = shape;
            this.numel = numel;
            this.begin = begin;
            this.end = end;
        }
    }

    private static final int CHUNK = 8192;

    private final Path path;
    private final Map<String, Entry> entries;
    private final List<String> names;
    private final Map<String, String> metadata;
    private final ByteBuffer[] regions;

    SafetensorsFile(Path path, Map<String, Entry> entries, Map<String, String> metadata, ByteBuffer[] regions) {
        this.path = path;
        this.entries = entries;
        this.names = List.copyOf(entries.keySet());
        this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        this.regions = regions;
    }

    /** {@return the file this was read from} */
    public Path path() {
        return path;
    }

    /** {@return tensor names in header order} */
    public List<String> names() {
        return names;
    }

    /** {@return number of tensors} */
    public int size() {
        return names.size();
    }

    /**
     * True if the file has a tensor called {@code name}.
     *
     * @param name the name
     * @return true if the file has a tensor called {@code name}
     */
    public boolean contains(String name) {
        return entries.containsKey(name);
    }

    /** {@return the {@code __metadata__} map (empty when absent), in header order} */
    public Map<String, String> metadata() {
        return metadata;
    }

    /**
     * The stored shape of {@code name} (a copy).
     *
     * @param name the name
     * @return the stored shape of {@code name} (a copy)
     */
    public int[] shape(String name) {
        return entry(name).shape.clone();
    }

    /**
     * The stored dtype of {@code name}.
     *
     * @param name the name
     * @return the stored dtype of {@code name}
     */
    public SafetensorsDType dtype(String name) {
        return entry(name).dtype;
    }

    /**
     * Number of elements of {@code name}.
     *
     * @param name the name
     * @return number of elements of {@code name}
     */
    public long numel(String name) {
        return entry(name).numel;
    }

    private Entry entry(String name) {
        Entry e = entries.get(name);
        if (e == null) throw new IllegalArgumentException(path + ": no tensor named " + Json.quoteShort(String.valueOf(name)));
        return e;
    }

    private Entry entryOrThrow(String name) throws SafetensorsException {
        Entry e = entries.get(name);
        if (e == null)
            throw new SafetensorsException(path, "no tensor named " + Json.quoteShort(String.valueOf(name)) + " (the file has "
                    + names.size() + " tensors)");
        return e;
    }

    /**
     * The tensor {@code name} as float32.
     *
     * @param name the name
     * @return the tensor {@code name} as float32
     * @throws SafetensorsException if the file is not valid safetensors
     */
    public Tensor get(String name) throws SafetensorsException {
        Entry e = entryOrThrow(name);
        float[] values = readFloats(e);
        return e.numel == 0 ? Tensor.zeros(DType.FLOAT32, e.shape) : Tensor.of(values, e.shape);
    }

    /**
     * The tensor {@code name} as float64.
     *
     * @param name the name
     * @return the tensor {@code name} as float64
     * @throws SafetensorsException if the file is not valid safetensors
     */
    public Tensor getDouble(String name) throws SafetensorsException {
        Entry e = entryOrThrow(name);
        double[] values = readDoubles(e);
        return e.numel == 0 ? Tensor.zeros(DType.FLOAT64, e.shape) : Tensor.of(values, e.shape);
    }

    /**
     * The values of {@code name} as a float array (row-major).
     *
     * @param name the name
     * @return the values of {@code name} as a float array (row-major)
     * @throws SafetensorsException if the file is not valid safetensors
     */
    public float[] getFloats(String name) throws SafetensorsException {
        return readFloats(entryOrThrow(name));
    }

    /**
     * The values of {@code name} as a double array (row-major).
     *
     * @param name the name
     * @return the values of {@code name} as a double array (row-major)
     * @throws SafetensorsException if the file is not valid safetensors
     */
    public double[] getDoubles(String name) throws SafetensorsException {
        return readDoubles(entryOrThrow(name));
    }

    /**
     * Every tensor as float32, in header order.
     *
     * @return every tensor as float32, in header order
     * @throws SafetensorsException if the file is not valid safetensors
     */
    public Map<String, Tensor> getAll() throws SafetensorsException {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String n : names) out.put(n, get(n));
        return out;
    }

    @Override
    public String toString() {
        return "SafetensorsFile[" + path + ", " + names.size() + " tensors]";
    }

    // ---- decoding -----------------------------------------------------------------------------

    private String describe(Entry e) {
        return "tensor " + Json.quoteShort(e.name) + " (" + e.dtype + " " + shapeString(e.shape) + ")";
    }

    /** A shape for messages, like {@link Arrays#toString(int[])} but cut after 8 dimensions. */
    static String shapeString(int[] shape) {
        if (shape.length <= 8) return Arrays.toString(shape);
        return Arrays.toString(Arrays.copyOf(shape, 8)).replace("]", ", ... (rank " + shape.length + ")]");
    }

    private ByteBuffer data(Entry e) throws SafetensorsException {
        if (e.numel > Integer.MAX_VALUE - 8)
            throw new SafetensorsException(path, describe(e) + " has " + e.numel + " elements, more than a tensor can hold");
        if (e.end == e.begin) return ByteBuffer.allocate(0).order(ByteOrder.LITTLE_ENDIAN);
        if (e.region < 0)
            throw new SafetensorsException(path, describe(e) + " stores " + (e.end - e.begin) + " bytes; tensors over 2 GiB are not supported");
        return regions[e.region].slice(e.regionOffset, (int) (e.end - e.begin)).order(ByteOrder.LITTLE_ENDIAN);
    }

    private SafetensorsException changed(InternalError err) {
        return new SafetensorsException(path, "the file was truncated or modified while mapped", err);
    }

    private float[] readFloats(Entry e) throws SafetensorsException {
        ByteBuffer bb = data(e);
        int n = (int) e.numel;
        float[] out = new float[n];
        try {
            switch (e.dtype) {
                case F32:
                    bb.asFloatBuffer().get(out);
                    break;
                case F16:
                case BF16:
                    decodeHalves(bb.asShortBuffer(), out, e.dtype == SafetensorsDType.BF16);
                    break;
                case F8_E4M3:
                case F8_E5M2: {
                    float[] table = e.dtype == SafetensorsDType.F8_E4M3 ? Float8.E4M3 : Float8.E5M2;
                    for (int i = 0; i < n; i++) out[i] = table[bb.get(i) & 0xFF];
                    break;
                }
                case F64: {
                    DoubleBuffer db = bb.asDoubleBuffer();
                    double[] tmp = new double[Math.min(n, CHUNK)];
                    for (int i = 0; i < n; i += tmp.length) {
                        int c = Math.min(tmp.length, n - i);
                        db.get(tmp, 0, c);
                        for (int j = 0; j < c; j++) {
                            float f = (float) tmp[j];
                            if (Float.isInfinite(f) && !Double.isInfinite(tmp[j]))
                                throw new SafetensorsException(path, describe(e) + ": value " + tmp[j] + " at index " + (i + j)
                                        + " overflows float32; use getDouble");
                            out[i + j] = f;
                        }
                    }
                    break;
                }
                default: {
                    long[] tmp = new long[Math.min(n, CHUNK)];
                    for (int i = 0; i < n; i += tmp.length) {
                        int c = Math.min(tmp.length, n - i);
                        readIntegers(e, bb, i, tmp, c);
                        for (int j = 0; j < c; j++) {
                            long v = tmp[j];
                            float f = v;
                            if (f >= 0x1p63f || (long) f != v) throw inexact(e, i + j, v, "float32");
                            out[i + j] = f;
                        }
                    }
                }
            }
        } catch (InternalError err) {
            throw changed(err);
        }
        return out;
    }

    private double[] readDoubles(Entry e) throws SafetensorsException {
        ByteBuffer bb = data(e);
        int n = (int) e.numel;
        double[] out = new double[n];
        try {
            switch (e.dtype) {
                case F64:
                    bb.asDoubleBuffer().get(out);
                    break;
                case F32:
                case F16:
                case BF16:
                case F8_E4M3:
                case F8_E5M2: {
                    float[] f = readFloats(e);
                    for (int i = 0; i < n; i++) out[i] = f[i];
                    break;
                }
                default: {
                    long[] tmp = new long[Math.min(n, CHUNK)];
                    for (int i = 0; i < n; i += tmp.length) {
                        int c = Math.min(tmp.length, n - i);
                        readIntegers(e, bb, i, tmp, c);
                        for (int j = 0; j < c; j++) {
                            long v = tmp[j];
                            double d = v;
                            if (d >= 0x1p63 || (long) d != v) throw inexact(e, i + j, v, "float64");
                            out[i + j] = d;
                        }
                    }
                }
            }
        } catch (InternalError err) {
            throw changed(err);
        }
        return out;
    }

    private SafetensorsException inexact(Entry e, long index, long v, String target) {
        String value = e.dtype == SafetensorsDType.U64 ? Long.toUnsignedString(v) : Long.toString(v);
        String hint = target.equals("float32") ? "; use getDouble" : "";
        return new SafetensorsException(path, describe(e) + ": value " + value + " at index " + index
                + " is not exactly representable as " + target + hint);
    }

    /** Reads {@code count} integer elements starting at element {@code from} as longs (U64 raw bits). */
    private void readIntegers(Entry e, ByteBuffer bb, int from, long[] dst, int count) throws SafetensorsException {
        switch (e.dtype) {
            case I64:
            case U64: {
                LongBuffer lb = bb.asLongBuffer();
                lb.get(from, dst, 0, count);
                if (e.dtype == SafetensorsDType.U64)
                    for (int j = 0; j < count; j++)
                        if (dst[j] < 0)
                            throw new SafetensorsException(path, describe(e) + ": value " + Long.toUnsignedString(dst[j])
                                    + " at index " + (from + j) + " is 2^63 or more, which is not supported");
                break;
            }
            case I32:
            case U32: {
                IntBuffer ib = bb.asIntBuffer();
                boolean unsigned = e.dtype == SafetensorsDType.U32;
                for (int j = 0; j < count; j++) {
                    int v = ib.get(from + j);
                    dst[j] = unsigned ? Integer.toUnsignedLong(v) : v;
                }
                break;
            }
            case I16:
            case U16: {
                ShortBuffer sb = bb.asShortBuffer();
                boolean unsigned = e.dtype == SafetensorsDType.U16;
                for (int j = 0; j < count; j++) {
                    short v = sb.get(from + j);
                    dst[j] = unsigned ? (v & 0xFFFF) : v;
                }
                break;
            }
            case I8:
                for (int j = 0; j < count; j++) dst[j] = bb.get(from + j);
                break;
            case U8:
                for (int j = 0; j < count; j++) dst[j] = bb.get(from + j) & 0xFF;
                break;
            case BOOL:
                for (int j = 0; j < count; j++) {
                    int v = bb.get(from + j) & 0xFF;
                    if (v > 1)
                        throw new SafetensorsException(path, describe(e) + ": byte " + v + " at index " + (from + j)
                                + " is not a boolean (0 or 1)");
                    dst[j] = v;
                }
                break;
            default:
                throw new IllegalStateException("not an integer dtype: " + e.dtype);
        }
    }

    private static void decodeHalves(ShortBuffer src, float[] out, boolean bf16) {
        short[] tmp = new short[Math.min(out.length, CHUNK)];
        float[] table = bf16 ? null : Half.TABLE;
        for (int i = 0; i < out.length; i += tmp.length) {
            int c = Math.min(tmp.length, out.length - i);
            src.get(tmp, 0, c);
            if (bf16) for (int j = 0; j < c; j++) out[i + j] = Float.intBitsToFloat((tmp[j] & 0xFFFF) << 16);
            else for (int j = 0; j < c; j++) out[i + j] = table[tmp[j] & 0xFFFF];
        }
    }

    /** IEEE 754 binary16 to float32, exact (NaN payloads and signed zeros kept). */
    static float halfToFloat(int h) {
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1F;
        int mant = h & 0x3FF;
        if (exp == 0x1F) return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
        if (exp != 0) return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
        float f = mant * 0x1p-24f; // zero or subnormal, exact
        return sign != 0 ? -f : f;
    }

    private static final class Half {
        static final float[] TABLE = new float[65536];

        static {
            for (int h = 0; h < TABLE.length; h++) TABLE[h] = halfToFloat(h);
        }
    }

    /** Lookup tables for the two 8-bit float formats. */
    static final class Float8 {
        static final float[] E4M3 = new float[256];
        static final float[] E5M2 = new float[256];

        static {
            for (int b = 0; b < 256; b++) {
                E5M2[b] = halfToFloat(b << 8); // E5M2 is the top byte of a binary16
                int sign = b >>> 7;
                int exp = (b >>> 3) & 0xF;
                int mant = b & 0x7;
                float v;
                if (exp == 0xF && mant == 0x7) v = Float.NaN; // no infinities in the "fn" variant
                else if (exp == 0) v = mant * 0x1p-9f;
                else v = Math.scalb(1 + mant / 8f, exp - 7);
                E4M3[b] = sign != 0 ? -v : v;
            }
        }
    }
}
