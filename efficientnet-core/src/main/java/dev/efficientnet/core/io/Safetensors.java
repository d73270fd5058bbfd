package dev.efficientnet.core.io;

import dev.efficientnet.core.tensor.DType;
import dev.efficientnet.core.tensor.Tensor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads and writes the safetensors format that timm and Hugging Face publish weights in: an 8-byte
 * little-endian header length {@code N}, {@code N} bytes of UTF-8 JSON mapping each tensor name to
 * {@code {"dtype", "shape", "data_offsets": [begin, end]}} (plus an optional {@code "__metadata__"}
 * object of strings), then the data: little-endian, row-major, offsets relative to the data start.
 *
 * <p><b>Reading</b> ({@link #read}) validates the whole header before anything else, so hostile
 * input cannot cause an {@link OutOfMemoryError}, a hang or a silently wrong tensor. It rejects a
 * header length past the file or over {@link #MAX_HEADER_BYTES}, malformed or non-UTF-8 JSON (the
 * {@link Json} parser is strict and depth-limited; a header too big to parse in the free heap is
 * refused up front), duplicate names, unknown fields, unknown dtypes,
 * negative or non-integer dimensions, sizes that disagree with shape × dtype size, offsets outside
 * the data section, and tensor ranges that overlap, leave gaps or leave trailing bytes (like the
 * reference implementation, the tensors must tile the data section exactly). Every failure is a
 * {@link SafetensorsException} naming the file, the tensor and the offending value. Known dtypes are
 * those of {@link SafetensorsDType}; see {@link SafetensorsFile} for how each is converted.
 *
 * <p><b>Writing</b> ({@link #write}) stores float32 tensors as F32 and, by default, float64 tensors as
 * F32 too (pass {@code keepFloat64} to store F64), in the map's iteration order, with the header
 * padded by spaces to keep the data 8-byte aligned. The file is replaced atomically through
 * {@link AtomicFiles}: a crash leaves the old complete file or the new complete file.
 */
public final class Safetensors {
    private static final Logger LOG = LoggerFactory.getLogger(Safetensors.class);

    /** Largest accepted header, as in the reference implementation (100 MB). */
    public static final long MAX_HEADER_BYTES = 100_000_000L;
    /** Key of the optional metadata object in the header. */
    public static final String METADATA_KEY = "__metadata__";
    /** Largest region mapped at once (a tensor bigger than this is rejected when read). */
    static final long MAX_REGION_BYTES = Integer.MAX_VALUE;

    /** Worst-case heap per header byte while parsing (see {@link #checkHeap}). */
    static final long HEAP_BYTES_PER_HEADER_BYTE = 28;

    private static final Set<String> ENTRY_FIELDS = Set.of("dtype", "shape", "data_offsets");

    private Safetensors() {
    }

    // ---- reading ------------------------------------------------------------------------------

    /**
     * Opens and validates {@code file}; tensor data is read lazily by the returned object.
     *
     * @param file the file
     * @return the open file
     * @throws IOException if a file cannot be read or written
     */
    public static SafetensorsFile read(Path file) throws IOException {
        long t0 = System.nanoTime();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8)
                throw new SafetensorsException(file, "file is " + size + " bytes, too short for the 8-byte header length (truncated?)");
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0, file);
            long n = lenBuf.getLong(0);
            if (n < 0 || n > MAX_HEADER_BYTES)
                throw new SafetensorsException(file, "header length " + Long.toUnsignedString(n) + " exceeds the limit of "
                        + MAX_HEADER_BYTES + " bytes (corrupt file?)");
            if (n > size - 8)
                throw new SafetensorsException(file, "header length " + n + " runs past the end of the " + size
                        + "-byte file (truncated?)");
            if (n < 2) throw new SafetensorsException(file, "header length " + n + " is too small for a JSON object");
            checkHeap(file, n, availableHeap());
            ByteBuffer headerBuf = ByteBuffer.allocate((int) n);
            readFully(ch, headerBuf, 8, file);
            long dataStart = 8 + n;
            long dataSize = size - dataStart;
            Map<String, Object> header = parseHeader(file, headerBuf.array());
            Map<String, String> metadata = new LinkedHashMap<>();
            Map<String, SafetensorsFile.Entry> entries = new LinkedHashMap<>();
            for (Map.Entry<String, Object> kv : header.entrySet()) {
                if (kv.getKey().equals(METADATA_KEY)) metadata = parseMetadata(file, kv.getValue());
                else entries.put(kv.getKey(), parseEntry(file, kv.getKey(), kv.getValue(), dataSize));
            }
            checkLayout(file, entries, dataSize);
            ByteBuffer[] regions = mapRegions(ch, entries, dataStart);
            SafetensorsFile result = new SafetensorsFile(file, entries, metadata, regions);
            LOG.debug("{}: {} tensors, header {} bytes, data {} bytes, opened in {} ms", file, entries.size(), n,
                    dataSize, (System.nanoTime() - t0) / 1_000_000);
            return result;
        }
    }

    /**
     * Reads every tensor of {@code file} as float32, in header order.
     *
     * @param file the file
     * @return the tensors by name, in header order
     * @throws IOException if a file cannot be read or written
     */
    public static Map<String, Tensor> load(Path file) throws IOException {
        return read(file).getAll();
    }

    /**
     * Refuses a header whose parse could exhaust the heap. A parsed JSON tree retains up to ~21 bytes
     * per header byte (measured on adversarial documents such as {@code [{},{},...]}), plus transient
     * copies of the text; headers under 1 MB are always accepted.
     */
    static void checkHeap(Path file, long headerBytes, long availableHeap) throws SafetensorsException {
        if (headerBytes < (1 << 20)) return;
        long need = headerBytes * HEAP_BYTES_PER_HEADER_BYTE;
        if (need > availableHeap)
            throw new SafetensorsException(file, "header of " + headerBytes + " bytes may need up to " + (need >> 20)
                    + " MiB of heap to parse but only " + (availableHeap >> 20) + " MiB are free (raise -Xmx to read it)");
    }

    private static long availableHeap() {
        Runtime rt = Runtime.getRuntime();
        return rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position, Path file) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int r = ch.read(buf, pos);
            if (r < 0) throw new SafetensorsException(file, "unexpected end of file at byte " + pos);
            pos += r;
        }
    }

    private static Map<String, Object> parseHeader(Path file, byte[] bytes) throws SafetensorsException {
        Object parsed;
        try {
            parsed = Json.parse(Json.decodeUtf8(bytes), Json.DEFAULT_MAX_DEPTH, Integer.MAX_VALUE);
        } catch (JsonException e) {
            throw new SafetensorsException(file, "malformed header JSON: " + e.getMessage(), e);
        }
        if (!(parsed instanceof Map))
            throw new SafetensorsException(file, "header must be a JSON object, found " + Json.typeName(parsed));
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) parsed;
        return map;
    }

    private static Map<String, String> parseMetadata(Path file, Object value) throws SafetensorsException {
        if (!(value instanceof Map))
            throw new SafetensorsException(file, METADATA_KEY + " must be an object of strings, found " + Json.typeName(value));
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
            if (!(e.getValue() instanceof String))
                throw new SafetensorsException(file, METADATA_KEY + " value of " + Json.quoteShort((String) e.getKey())
                        + " must be a string, found " + Json.typeName(e.getValue()));
            out.put((String) e.getKey(), (String) e.getValue());
        }
        return out;
    }

    private static SafetensorsFile.Entry parseEntry(Path file, String name, Object value, long dataSize)
            throws SafetensorsException {
        String what = "tensor " + Json.quoteShort(name);
        if (!(value instanceof Map))
            throw new SafetensorsException(file, what + ": entry must be an object, found " + Json.typeName(value));
        Map<?, ?> m = (Map<?, ?>) value;
        for (Object k : m.keySet())
            if (!ENTRY_FIELDS.contains(k))
                throw new SafetensorsException(file, what + ": unknown field " + Json.quoteShort((String) k)
                        + " (expected dtype, shape, data_offsets)");
        for (String f : List.of("dtype", "shape", "data_offsets"))
            if (!m.containsKey(f)) throw new SafetensorsException(file, what + ": missing field \"" + f + "\"");

        Object dt = m.get("dtype");
        if (!(dt instanceof String))
            throw new SafetensorsException(file, what + ": dtype must be a string, found " + Json.typeName(dt));
        SafetensorsDType dtype = SafetensorsDType.fromName((String) dt);
        if (dtype == null)
            throw new SafetensorsException(file, what + ": unknown dtype " + Json.quoteShort((String) dt) + " (known: "
                    + Arrays.toString(SafetensorsDType.values()) + ")");

        Object sh = m.get("shape");
        if (!(sh instanceof List))
            throw new SafetensorsException(file, what + ": shape must be an array, found " + Json.typeName(sh));
        List<?> dims = (List<?>) sh;
        int[] shape = new int[dims.size()];
        long numel = 1;
        boolean overflow = false;
        for (int i = 0; i < shape.length; i++) {
            Object d = dims.get(i);
            if (!(d instanceof Long))
                throw new SafetensorsException(file, what + ": shape " + show(sh) + " has a non-integer dimension "
                        + show(d));
            long v = (Long) d;
            if (v < 0)
                throw new SafetensorsException(file, what + ": shape " + show(sh) + " has a negative dimension " + v);
            if (v > Integer.MAX_VALUE)
                throw new SafetensorsException(file, what + ": shape " + show(sh) + " has dimension " + v
                        + ", above 2^31-1");
            shape[i] = (int) v;
        }
        for (int d : shape) {
            if (d == 0) {
                numel = 0;
                overflow = false;
                break;
            }
            if (!overflow) {
                try {
                    numel = Math.multiplyExact(numel, d);
                } catch (ArithmeticException e) {
                    overflow = true;
                }
            }
        }

        Object off = m.get("data_offsets");
        if (!(off instanceof List) || ((List<?>) off).size() != 2
                || !(((List<?>) off).get(0) instanceof Long) || !(((List<?>) off).get(1) instanceof Long))
            throw new SafetensorsException(file, what + ": data_offsets must be [begin, end] integers, found " + show(off));
        long begin = (Long) ((List<?>) off).get(0);
        long end = (Long) ((List<?>) off).get(1);
        String offsets = "data_offsets [" + begin + ", " + end + "]";
        if (begin < 0 || end < 0) throw new SafetensorsException(file, what + ": " + offsets + " are negative");
        if (begin > end) throw new SafetensorsException(file, what + ": " + offsets + " have begin > end");
        if (end > dataSize)
            throw new SafetensorsException(file, what + ": " + offsets + " run past the end of the " + dataSize
                    + "-byte data section (truncated file?)");
        long bytes = -1;
        if (!overflow) {
            try {
                bytes = Math.multiplyExact(numel, dtype.bytes());
            } catch (ArithmeticException e) {
                bytes = -1;
            }
        }
        if (bytes != end - begin)
            throw new SafetensorsException(file, what + ": shape " + SafetensorsFile.shapeString(shape) + " of " + dtype + " needs "
                    + (bytes < 0 ? "more than 2^63" : String.valueOf(bytes)) + " bytes but " + offsets + " span "
                    + (end - begin));
        return new SafetensorsFile.Entry(name, dtype, shape, numel, begin, end);
    }

    /** A JSON value for an error message, shortened if long. */
    private static String show(Object v) {
        if (v instanceof List) {
            List<?> l = (List<?>) v;
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < Math.min(l.size(), 8); i++) {
                if (i > 0) sb.append(", ");
                Object o = l.get(i);
                sb.append(o instanceof List ? "[...]" : o instanceof Map ? "{...}" : show(o));
            }
            if (l.size() > 8) sb.append(", ... (").append(l.size()).append(" items)");
            return sb.append(']').toString();
        }
        if (v instanceof Map) return ((Map<?, ?>) v).isEmpty() ? "{}" : "{...}";
        if (v instanceof String) return Json.quoteShort((String) v);
        return Json.write(v);
    }

    /** The tensors must tile the data section: no overlap, no gap, nothing after the last one. */
    private static void checkLayout(Path file, Map<String, SafetensorsFile.Entry> entries, long dataSize)
            throws SafetensorsException {
        List<SafetensorsFile.Entry> sorted = new ArrayList<>(entries.values());
        sorted.sort(Comparator.<SafetensorsFile.Entry>comparingLong(e -> e.begin).thenComparingLong(e -> e.end));
        long cursor = 0;
        SafetensorsFile.Entry prev = null;
        for (SafetensorsFile.Entry e : sorted) {
            if (e.begin < cursor)
                throw new SafetensorsException(file, "tensor " + Json.quoteShort(e.name) + " data_offsets [" + e.begin + ", "
                        + e.end + "] overlap tensor " + Json.quoteShort(prev.name) + " [" + prev.begin + ", " + prev.end + "]");
            if (e.begin > cursor)
                throw new SafetensorsException(file, "gap of " + (e.begin - cursor) + " bytes in the data section before tensor "
                        + Json.quoteShort(e.name) + " (data_offsets [" + e.begin + ", " + e.end + "]; the previous tensor ends at "
                        + cursor + ")");
            cursor = e.end;
            prev = e;
        }
        if (cursor != dataSize)
            throw new SafetensorsException(file, (dataSize - cursor) + " unexpected trailing bytes after the last tensor (data section is "
                    + dataSize + " bytes, tensors cover " + cursor + ")");
    }

    /** Maps the data in read-only regions of at most 2 GiB, each holding whole tensors. */
    private static ByteBuffer[] mapRegions(FileChannel ch, Map<String, SafetensorsFile.Entry> entries, long dataStart)
            throws IOException {
        List<SafetensorsFile.Entry> sorted = new ArrayList<>();
        for (SafetensorsFile.Entry e : entries.values()) if (e.end > e.begin) sorted.add(e);
        sorted.sort(Comparator.comparingLong(e -> e.begin));
        List<ByteBuffer> regions = new ArrayList<>();
        int i = 0;
        while (i < sorted.size()) {
            SafetensorsFile.Entry first = sorted.get(i);
            if (first.end - first.begin > MAX_REGION_BYTES) {
                i++; // left unmapped: rejected with a clear message when read
                continue;
            }
            long start = first.begin;
            int j = i;
            while (j < sorted.size() && sorted.get(j).end - start <= MAX_REGION_BYTES) j++;
            long end = sorted.get(j - 1).end;
            ByteBuffer region = ch.map(FileChannel.MapMode.READ_ONLY, dataStart + start, end - start);
            for (int k = i; k < j; k++) {
                SafetensorsFile.Entry e = sorted.get(k);
                e.region = regions.size();
                e.regionOffset = (int) (e.begin - start);
            }
            regions.add(region);
            i = j;
        }
        return regions.toArray(new ByteBuffer[0]);
    }

    // ---- writing ------------------------------------------------------------------------------

    /**
     * Writes {@code tensors} (in iteration order) as F32 with {@code metadata} (may be null), atomically.
     *
     * @param file the file
     * @param tensors the tensors by name
     * @param metadata the metadata
     * @throws IOException if a file cannot be read or written
     */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        write(file, tensors, metadata, false);
    }

    /**
     * Writes {@code tensors} (in iteration order) with {@code metadata} (may be null), atomically.
     * Float32 tensors are stored as F32; float64 ones as F64 if {@code keepFloat64}, otherwise rounded
     * to F32 (a value beyond the float32 range is an {@link IllegalArgumentException}).
     *
     * @param file the file
     * @param tensors the tensors by name
     * @param metadata the metadata
     * @param keepFloat64 whether float64 tensors stay float64
     * @throws IOException if a file cannot be read or written
     */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata, boolean keepFloat64)
            throws IOException {
        if (file == null) throw new IllegalArgumentException("file is null");
        if (tensors == null) throw new IllegalArgumentException("tensors is null");
        Map<String, Object> header = new LinkedHashMap<>();
        if (metadata != null && !metadata.isEmpty()) {
            for (Map.Entry<String, String> e : metadata.entrySet())
                if (e.getKey() == null || e.getValue() == null)
                    throw new IllegalArgumentException("metadata has a null key or value: " + e.getKey() + " -> " + e.getValue());
            header.put(METADATA_KEY, new LinkedHashMap<>(metadata));
        }
        List<String> names = new ArrayList<>(tensors.size());
        List<Tensor> values = new ArrayList<>(tensors.size());
        List<SafetensorsDType> dtypes = new ArrayList<>(tensors.size());
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            String name = e.getKey();
            Tensor t = e.getValue();
            if (name == null) throw new IllegalArgumentException("tensors has a null name");
            if (name.equals(METADATA_KEY)) throw new IllegalArgumentException("a tensor cannot be named " + METADATA_KEY);
            if (t == null) throw new IllegalArgumentException("tensor " + Json.quoteShort(name) + " is null");
            SafetensorsDType dt = keepFloat64 && t.dtype() == DType.FLOAT64 ? SafetensorsDType.F64 : SafetensorsDType.F32;
            long bytes = t.numel() * dt.bytes();
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("dtype", dt.name());
            entry.put("shape", t.shape());
            entry.put("data_offsets", new long[]{offset, offset + bytes});
            header.put(name, entry);
            offset += bytes;
            names.add(name);
            values.add(t);
            dtypes.add(dt);
        }
        byte[] json = Json.write(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        if (padded > MAX_HEADER_BYTES)
            throw new IllegalArgumentException("header of " + padded + " bytes exceeds the limit of " + MAX_HEADER_BYTES);
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) head.put((byte) ' ');
        head.flip();
        long total = 8L + padded + offset;

        long t0 = System.nanoTime();
        AtomicFiles.write(file, ch -> {
            AtomicFiles.writeFully(ch, head);
            ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < values.size(); i++) {
                Tensor t = values.get(i);
                if (t.numel() == 0) continue;
                if (dtypes.get(i) == SafetensorsDType.F64) writeDoubles(ch, buf, t.toDoubleArray());
                else if (t.dtype() == DType.FLOAT64) writeFloats(ch, buf, narrow(names.get(i), t.toDoubleArray()));
                else writeFloats(ch, buf, t.toFloatArray());
            }
            if (ch.position() != total)
                throw new IllegalStateException("wrote " + ch.position() + " bytes, expected " + total);
        });
        LOG.debug("{}: wrote {} tensors, {} bytes in {} ms", file, names.size(), total, (System.nanoTime() - t0) / 1_000_000);
    }

    private static float[] narrow(String name, double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
            if (Float.isInfinite(f[i]) && !Double.isInfinite(d[i]))
                throw new IllegalArgumentException("tensor " + Json.quoteShort(name) + ": value " + d[i] + " at index " + i
                        + " overflows float32; write with keepFloat64");
        }
        return f;
    }

    private static void writeFloats(FileChannel ch, ByteBuffer buf, float[] data) throws IOException {
        int per = buf.capacity() / Float.BYTES;
        for (int i = 0; i < data.length; i += per) {
            int c = Math.min(per, data.length - i);
            buf.clear();
            buf.asFloatBuffer().put(data, i, c);
            buf.limit(c * Float.BYTES);
            AtomicFiles.writeFully(ch, buf);
        }
    }

    private static void writeDoubles(FileChannel ch, ByteBuffer buf, double[] data) throws IOException {
        int per = buf.capacity() / Double.BYTES;
        for (int i = 0; i < data.length; i += per) {
            int c = Math.min(per, data.length - i);
            buf.clear();
            buf.asDoubleBuffer().put(data, i, c);
            buf.limit(c * Double.BYTES);
            AtomicFiles.writeFully(ch, buf);
        }
    }
}
