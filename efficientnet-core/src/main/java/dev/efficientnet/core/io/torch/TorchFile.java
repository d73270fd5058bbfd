package dev.efficientnet.core.io.torch;

import dev.efficientnet.core.tensor.DType;
import dev.efficientnet.core.tensor.Tensor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * A PyTorch checkpoint written by {@code torch.save} (the zip format of PyTorch 1.6 and later, the
 * {@code .pth}/{@code .pt} files torchvision and timm publish), read without executing any code.
 *
 * <p>The archive holds {@code <name>/data.pkl}, a pickle of the saved object whose tensors refer to
 * storages stored raw (little-endian, uncompressed) as {@code <name>/data/<key>}. The pickle is read
 * by a restricted unpickler that accepts only the globals a state dict needs — ordered dicts,
 * {@code torch._utils._rebuild_tensor_v2} / {@code _rebuild_parameter}, the storage types of
 * {@link TorchDType}, {@code torch.Size} and {@code _codecs.encode} — and refuses any other global
 * with one {@link TorchFormatException}. Everything is validated when the file is opened: each
 * tensor's view (offset, shape, strides) must lie inside its storage, and each storage entry must
 * exist, be stored uncompressed and have exactly the size its declaration implies.
 *
 * <p>The <b>state dict</b> ({@link #names}, {@link #getFloats}) is the saved object itself when it is
 * a dict of tensors, or else the first of {@link #WRAPPER_KEYS} that holds one ({@code {"state_dict":
 * ...}}, {@code {"model": ...}} training checkpoints); {@link #open(Path, String)} picks another entry
 * (such as {@code "state_dict_ema"}). The wrapper's other top-level scalars ({@code epoch},
 * {@code arch}, ...) are in {@link #metadata()}. Views keep their view semantics: a slice of a larger
 * storage reads as the slice. float16 and bfloat16 convert exactly to float32; float64 and integers
 * convert only when exact, otherwise the read fails naming the tensor and the index.
 *
 * <p>The older pre-1.6 (non-zip) format, in which many published {@code .pth} files were saved, is
 * read too: the same restricted unpickler over its five pickles, then each storage's element count
 * checked against its declaration and its data located in the file. Close the file to release it.
 */
public final class TorchFile implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(TorchFile.class);

    /** Largest accepted {@code data.pkl} (a B7 state dict's pickle is about 100 KB). */
    public static final long MAX_PICKLE_BYTES = 32L << 20;
    /** Entries that wrap a state dict in a training checkpoint, tried in this order. */
    public static final List<String> WRAPPER_KEYS = List.of("state_dict", "model", "model_state_dict", "module", "net",
            "network", "params");

    private static final byte[] LEGACY_MAGIC = {(byte) 0x80, 0x02, (byte) 0x8a, 0x0a, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46,
            (byte) 0xf9, 0x20, 0x6a, (byte) 0xa8, 0x50, 0x19};

    private final Path path;
    private final ZipFile zip;
    private final String prefix;
    private final Object root;
    private final String stateDictKey;
    private final Map<String, TorchTensor> tensors;
    private final Map<String, String> metadata;
    private final Map<String, Pickle.StorageRef> storages;
    private final Path deleteOnClose;
    private FileChannel legacy;                 // the legacy format: storages are read from here
    private Map<String, Long> legacyOffsets;    // storage key -> byte offset of its data in the file

    private TorchFile(Path path, ZipFile zip, String prefix, Object root, String key, Map<String, TorchTensor> tensors,
                      Map<String, String> metadata, Map<String, Pickle.StorageRef> storages, Path deleteOnClose) {
        this.path = path;
        this.zip = zip;
        this.prefix = prefix;
        this.root = root;
        this.stateDictKey = key;
        this.tensors = tensors;
        this.metadata = metadata;
        this.storages = storages;
        this.deleteOnClose = deleteOnClose;
    }

    /** True when {@code file} starts like a {@code torch.save} archive (a zip) or a legacy torch pickle. */
    public static boolean looksLikeTorch(Path file) throws IOException {
        byte[] head = new byte[LEGACY_MAGIC.length];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, head.length);
        }
        return isZip(head, n) || n == head.length && Arrays.equals(head, LEGACY_MAGIC);
    }

    private static boolean isZip(byte[] head, int n) {
        return n >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4;
    }

    /** Opens {@code file} and selects its state dict (see the class comment). */
    public static TorchFile open(Path file) throws IOException {
        return open(file, null, null);
    }

    /** Opens {@code file} and selects the state dict under top-level key {@code key} (null: automatic). */
    public static TorchFile open(Path file, String key) throws IOException {
        return open(file, key, null);
    }

    /**
     * Reads a checkpoint from {@code in} (copied to a temporary file that is deleted on close);
     * {@code name} stands for the source in messages.
     */
    public static TorchFile open(InputStream in, String name) throws IOException {
        if (in == null) throw new IllegalArgumentException("input stream is null");
        Path tmp = Files.createTempFile("efficientnet-torch-", ".pth");
        try {
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            return open(tmp, null, tmp, name);
        } catch (IOException | RuntimeException | Error e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    private static TorchFile open(Path file, String key, Path deleteOnClose) throws IOException {
        return open(file, key, deleteOnClose, null);
    }

    private static TorchFile open(Path file, String key, Path deleteOnClose, String name) throws IOException {
        if (file == null) throw new IllegalArgumentException("file is null");
        Path shown = name != null ? Path.of(name) : file;
        long t0 = System.nanoTime();
        byte[] head = new byte[LEGACY_MAGIC.length];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, head.length);
        }
        if (!isZip(head, n)) {
            if (n == head.length && Arrays.equals(head, LEGACY_MAGIC)) return openLegacy(file, shown, key, deleteOnClose);
            throw new TorchFormatException(shown, "not a PyTorch checkpoint (a torch.save zip archive starts with 'PK')");
        }
        ZipFile zip;
        try {
            zip = new ZipFile(file.toFile());
        } catch (IOException | RuntimeException e) {
            throw new TorchFormatException(shown, "not a readable zip archive: " + oneLine(e), e);
        }
        try {
            TorchFile f = read(shown, zip, key, deleteOnClose);
            LOG.debug("{}: {} tensors ({}) in {} ms", shown, f.tensors.size(),
                    f.stateDictKey.isEmpty() ? "top level" : "under '" + f.stateDictKey + "'", (System.nanoTime() - t0) / 1_000_000);
            return f;
        } catch (IOException | RuntimeException | Error e) {
            zip.close();
            if (e instanceof TorchFormatException) throw e;
            if (e instanceof OutOfMemoryError || e instanceof StackOverflowError)
                throw new TorchFormatException(shown, "too large or too deeply nested to read (" + e + ")", e);
            if (e instanceof Error) throw (Error) e;
            throw new TorchFormatException(shown, "corrupt archive: " + oneLine(e), e);
        }
    }

    private static String oneLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.replaceAll("\\s+", " ");
    }

    private static TorchFile read(Path file, ZipFile zip, String key, Path deleteOnClose) throws IOException {
        String pkl = null;
        for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
            String name = en.nextElement().getName();
            int slash = name.indexOf('/');
            if (slash > 0 && name.substring(slash).equals("/data.pkl")) {
                if (pkl != null) throw new TorchFormatException(file, "archive holds two pickles: " + pkl + " and " + name);
                pkl = name;
            }
        }
        if (pkl == null) throw new TorchFormatException(file, "zip archive without <name>/data.pkl: not written by torch.save");
        String prefix = pkl.substring(0, pkl.indexOf('/') + 1);
        ZipEntry order = zip.getEntry(prefix + "byteorder");
        if (order != null) {
            String bo = new String(entryBytes(file, zip, order, 16), StandardCharsets.US_ASCII).trim();
            if (!bo.equals("little")) throw new TorchFormatException(file, "byte order '" + bo + "' is not supported (only little-endian)");
        }
        byte[] pickle = entryBytes(file, zip, zip.getEntry(pkl), MAX_PICKLE_BYTES);
        Map<String, Pickle.StorageRef> storages = new LinkedHashMap<>();
        Object root = Pickle.load(file, pickle, storages);
        for (Pickle.StorageRef s : storages.values()) {
            ZipEntry e = zip.getEntry(prefix + "data/" + s.key());
            if (e == null) throw new TorchFormatException(file, "storage " + s.key() + " is missing from the archive (data/" + s.key() + ")");
            if (e.getMethod() != ZipEntry.STORED)
                throw new TorchFormatException(file, "storage " + s.key() + " is compressed; torch.save stores storages uncompressed");
            long want = s.numel() * s.dtype().bytes();
            if (e.getSize() != want)
                throw new TorchFormatException(file, "storage " + s.key() + " holds " + e.getSize() + " bytes but " + s.dtype() + "["
                        + s.numel() + "] needs " + want);
        }
        return select(file, root, key, storages, zip, prefix, deleteOnClose);
    }

    /** Picks the state dict out of the unpickled {@code root} and builds the file. */
    private static TorchFile select(Path file, Object root, String key, Map<String, Pickle.StorageRef> storages, ZipFile zip,
                                    String prefix, Path deleteOnClose) throws TorchFormatException {
        Object dict = root;
        String chosen = "";
        Map<String, String> metadata = new LinkedHashMap<>();
        if (key != null) {
            if (!(root instanceof Map<?, ?> m) || !m.containsKey(key))
                throw new TorchFormatException(file, "no top-level entry '" + key + "'" + topKeys(root));
            dict = m.get(key);
            chosen = key;
        } else if (!holdsTensor(root)) {
            if (root instanceof Map<?, ?> m) {
                for (String k : WRAPPER_KEYS) {
                    if (holdsTensor(m.get(k))) {
                        dict = m.get(k);
                        chosen = k;
                        break;
                    }
                }
            }
            if (chosen.isEmpty())
                throw new TorchFormatException(file, "no state dict found: expected a dict of tensors or one under "
                        + WRAPPER_KEYS + topKeys(root));
        }
        if (!chosen.isEmpty()) {
            for (Map.Entry<?, ?> e : ((Map<?, ?>) root).entrySet()) {
                Object v = e.getValue();
                if (e.getKey() instanceof String k && (v instanceof String || v instanceof Long || v instanceof Double || v instanceof Boolean))
                    metadata.put(k, String.valueOf(v));
            }
        }
        if (!(dict instanceof Map<?, ?> sd))
            throw new TorchFormatException(file, "entry '" + chosen + "' is " + Pickle.typeName(dict) + ", not a dict of tensors");
        Map<String, TorchTensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : sd.entrySet()) {
            if (!(e.getKey() instanceof String k))
                throw new TorchFormatException(file, "state dict key " + e.getKey() + " is not a string");
            if (!(e.getValue() instanceof TorchTensor t))
                throw new TorchFormatException(file, "state dict entry '" + shorten(k) + "' is " + Pickle.typeName(e.getValue())
                        + ", not a tensor");
            tensors.put(k, t);
        }
        return new TorchFile(file, zip, prefix, root, chosen, Collections.unmodifiableMap(tensors),
                Collections.unmodifiableMap(metadata), storages, deleteOnClose);
    }

    /** Largest legacy file read (storages are addressed by int offsets of a mapped region elsewhere). */
    private static final long MAX_LEGACY_HEAD = MAX_PICKLE_BYTES + 1024;

    /**
     * The pre-1.6 format: five pickles (magic number, protocol version 1001, system info, the object,
     * the sorted storage keys), then each storage as an 8-byte little-endian element count and its
     * raw little-endian bytes, in key order.
     */
    private static TorchFile openLegacy(Path file, Path shown, String key, Path deleteOnClose) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        try {
            long size = ch.size();
            byte[] head = new byte[(int) Math.min(size, MAX_LEGACY_HEAD)];
            ByteBuffer hb = ByteBuffer.wrap(head);
            while (hb.hasRemaining() && ch.read(hb, hb.position()) > 0) {
                // read fully
            }
            Map<String, Pickle.StorageRef> storages = new LinkedHashMap<>();
            Map<String, Pickle.StorageRef> none = new LinkedHashMap<>();
            Pickle.Next magic = Pickle.loadAt(shown, head, 0, none);
            Pickle.Next version = Pickle.loadAt(shown, head, magic.end(), none);
            if (!Long.valueOf(1001).equals(version.value()))
                throw new TorchFormatException(shown, "legacy format: protocol version " + version.value() + " is not 1001");
            Pickle.Next info = Pickle.loadAt(shown, head, version.end(), none);
            if (info.value() instanceof Map<?, ?> m && Boolean.FALSE.equals(m.get("little_endian")))
                throw new TorchFormatException(shown, "legacy format: big-endian files are not supported");
            Pickle.Next obj = Pickle.loadAt(shown, head, info.end(), storages);
            Pickle.Next keys = Pickle.loadAt(shown, head, obj.end(), none);
            if (!none.isEmpty()) throw new TorchFormatException(shown, "legacy format: storages outside the saved object");
            if (!(keys.value() instanceof List<?> list))
                throw new TorchFormatException(shown, "legacy format: the storage key list is " + Pickle.typeName(keys.value()));
            Map<String, Long> offsets = new LinkedHashMap<>();
            long at = keys.end();
            ByteBuffer count = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            for (Object k : list) {
                Pickle.StorageRef s = k instanceof String ks ? storages.get(ks) : null;
                if (s == null) throw new TorchFormatException(shown, "legacy format: storage key " + k + " is not used by the object");
                if (offsets.containsKey(s.key())) throw new TorchFormatException(shown, "legacy format: storage " + s.key() + " listed twice");
                count.clear();
                if (at + 8 > size || ch.read(count, at) != 8)
                    throw new TorchFormatException(shown, "legacy format: truncated before storage " + s.key());
                long numel = count.getLong(0);
                if (numel != s.numel())
                    throw new TorchFormatException(shown, "legacy format: storage " + s.key() + " holds " + numel + " elements, declared "
                            + s.numel());
                long bytes = numel * s.dtype().bytes();
                if (bytes > size - at - 8)
                    throw new TorchFormatException(shown, "legacy format: storage " + s.key() + " runs past the end of the file (truncated?)");
                offsets.put(s.key(), at + 8);
                at += 8 + bytes;
            }
            if (offsets.size() != storages.size())
                throw new TorchFormatException(shown, "legacy format: " + (storages.size() - offsets.size()) + " storages have no data");
            TorchFile f = select(shown, obj.value(), key, storages, null, "", deleteOnClose);
            f.legacy = ch;
            f.legacyOffsets = offsets;
            return f;
        } catch (IOException | RuntimeException | Error e) {
            ch.close();
            if (e instanceof TorchFormatException) throw e;
            if (e instanceof OutOfMemoryError || e instanceof StackOverflowError)
                throw new TorchFormatException(shown, "too large or too deeply nested to read (" + e + ")", e);
            if (e instanceof Error) throw (Error) e;
            throw new TorchFormatException(shown, "corrupt legacy file: " + oneLine(e), e);
        }
    }

    private static boolean holdsTensor(Object o) {
        if (!(o instanceof Map<?, ?> m) || m.isEmpty()) return false;
        for (Object v : m.values()) if (v instanceof TorchTensor) return true;
        return false;
    }

    private static String topKeys(Object root) {
        if (!(root instanceof Map<?, ?> m)) return "; the file holds " + Pickle.typeName(root);
        List<String> keys = new ArrayList<>();
        for (Object k : m.keySet()) {
            if (keys.size() == 10) {
                keys.add("...");
                break;
            }
            keys.add(k instanceof String s ? "'" + shorten(s) + "'" : String.valueOf(k));
        }
        return "; its top-level keys are " + keys;
    }

    private static String shorten(String s) {
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }

    private static byte[] entryBytes(Path file, ZipFile zip, ZipEntry e, long max) throws IOException {
        if (e.getMethod() != ZipEntry.STORED)
            throw new TorchFormatException(file, e.getName() + " is compressed; torch.save stores entries uncompressed");
        long size = e.getSize();
        if (size < 0 || size > max)
            throw new TorchFormatException(file, e.getName() + " has " + size + " bytes, above the limit of " + max);
        try (InputStream in = zip.getInputStream(e)) {
            byte[] out = in.readNBytes((int) size);
            if (out.length != size)
                throw new TorchFormatException(file, e.getName() + " is truncated: " + out.length + " of " + size + " bytes");
            return out;
        } catch (TorchFormatException ex) {
            throw ex;
        } catch (IOException | RuntimeException ex) {
            throw new TorchFormatException(file, "cannot read " + e.getName() + ": " + oneLine(ex), ex);
        }
    }

    // ---- accessors ----------------------------------------------------------------------------

    /** The file (or the name given for a stream). */
    public Path path() {
        return path;
    }

    /** The state dict's tensor names, in the file's order. */
    public List<String> names() {
        return List.copyOf(tensors.keySet());
    }

    /** The state dict: name to tensor description, in the file's order. */
    public Map<String, TorchTensor> tensors() {
        return tensors;
    }

    /** The top-level key the state dict was found under, or "" when the file is the state dict. */
    public String stateDictKey() {
        return stateDictKey;
    }

    /** Top-level scalar entries of a wrapping checkpoint (e.g. {@code epoch}, {@code arch}) as strings. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** The whole unpickled object (dicts, lists, {@link TorchTensor}s and scalars). */
    public Object root() {
        return root;
    }

    /** Number of tensors in the state dict. */
    public int size() {
        return tensors.size();
    }

    /** The shape of tensor {@code name}. */
    public int[] shape(String name) {
        return tensor(name).shape();
    }

    /** The element type of tensor {@code name}. */
    public TorchDType dtype(String name) {
        return tensor(name).dtype();
    }

    private TorchTensor tensor(String name) {
        TorchTensor t = tensors.get(name);
        if (t == null) throw new IllegalArgumentException(path + ": no tensor named '" + name + "'");
        return t;
    }

    /** The values of {@code name} as float32, row-major (views gathered). */
    public float[] getFloats(String name) throws IOException {
        TorchTensor t = tensor(name);
        if (t.numel() == 0) return new float[0]; // an empty view may carry any offset
        ByteBuffer bb = storage(t); // first: the bytes exist, so the allocation below is bounded by the file
        float[] out = new float[(int) t.numel()];
        if (t.dtype() == TorchDType.FLOAT32 && t.isContiguous()) {
            bb.position((int) (t.offset() * 4));
            bb.asFloatBuffer().get(out);
            return out;
        }
        int[] shape = t.shape();
        long[] stride = t.stride();
        int[] ix = new int[shape.length];
        long j = t.offset();
        for (int i = 0; i < out.length; i++, j = next(shape, stride, ix, j)) {
            float f;
            switch (t.dtype()) {
                case FLOAT32 -> f = bb.getFloat((int) (j * 4));
                case FLOAT16 -> f = halfToFloat(bb.getShort((int) (j * 2)) & 0xFFFF);
                case BFLOAT16 -> f = Float.intBitsToFloat((bb.getShort((int) (j * 2)) & 0xFFFF) << 16);
                case FLOAT64 -> {
                    double v = bb.getDouble((int) (j * 8));
                    f = (float) v;
                    if (Float.isInfinite(f) && !Double.isInfinite(v))
                        throw new TorchFormatException(path, "tensor '" + name + "': value " + v + " at index " + i + " overflows float32");
                }
                default -> {
                    long v = integer(t, bb, j);
                    f = v;
                    if ((long) f != v)
                        throw new TorchFormatException(path, "tensor '" + name + "': value " + v + " at index " + i
                                + " is not exactly representable as float32");
                }
            }
            out[i] = f;
        }
        return out;
    }

    /** The tensor {@code name} as a float32 {@link Tensor}. */
    public Tensor get(String name) throws IOException {
        float[] v = getFloats(name);
        int[] shape = shape(name);
        return v.length == 0 ? Tensor.zeros(DType.FLOAT32, shape) : Tensor.of(v, shape);
    }

    private long integer(TorchTensor t, ByteBuffer bb, long j) throws TorchFormatException {
        int at = (int) (j * t.dtype().bytes());
        return switch (t.dtype()) {
            case INT64 -> bb.getLong(at);
            case INT32 -> bb.getInt(at);
            case INT16 -> bb.getShort(at);
            case INT8 -> bb.get(at);
            case UINT8 -> bb.get(at) & 0xFF;
            case BOOL -> {
                int v = bb.get(at) & 0xFF;
                if (v > 1) throw new TorchFormatException(path, "bool storage " + t.storage() + " holds byte " + v);
                yield v;
            }
            default -> throw new IllegalStateException(t.dtype().toString());
        };
    }

    /** The storage index after {@code cur} in row-major order ({@code ix} is the multi-index, updated). */
    private static long next(int[] shape, long[] stride, int[] ix, long cur) {
        for (int d = shape.length - 1; d >= 0; d--) {
            if (++ix[d] < shape[d]) return cur + stride[d];
            cur -= (long) (shape[d] - 1) * stride[d];
            ix[d] = 0;
        }
        return cur;
    }

    private ByteBuffer storage(TorchTensor t) throws IOException {
        Pickle.StorageRef s = storages.get(t.storage());
        long bytes = s.numel() * s.dtype().bytes();
        if (bytes > Integer.MAX_VALUE - 8)
            throw new TorchFormatException(path, "storage " + s.key() + " of " + bytes + " bytes is over 2 GiB, which is not supported");
        if (legacy != null) {
            ByteBuffer bb = ByteBuffer.allocate((int) bytes);
            long at = legacyOffsets.get(s.key());
            while (bb.hasRemaining()) {
                int n = legacy.read(bb, at + bb.position());
                if (n < 0) throw new TorchFormatException(path, "storage " + s.key() + " is truncated (file changed?)");
            }
            return bb.flip().order(ByteOrder.LITTLE_ENDIAN);
        }
        ZipEntry e = zip.getEntry(prefix + "data/" + s.key());
        return ByteBuffer.wrap(entryBytes(path, zip, e, bytes)).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** IEEE 754 binary16 to float32, exact. */
    static float halfToFloat(int h) {
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1F;
        int mant = h & 0x3FF;
        if (exp == 0x1F) return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
        if (exp != 0) return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
        float f = mant * 0x1p-24f;
        return sign != 0 ? -f : f;
    }

    @Override
    public void close() throws IOException {
        try {
            if (zip != null) zip.close();
            if (legacy != null) legacy.close();
        } finally {
            if (deleteOnClose != null) Files.deleteIfExists(deleteOnClose);
        }
    }

    @Override
    public String toString() {
        return "TorchFile[" + path + ", " + tensors.size() + " tensors" + (stateDictKey.isEmpty() ? "" : " under '" + stateDictKey + "'") + "]";
    }
}
