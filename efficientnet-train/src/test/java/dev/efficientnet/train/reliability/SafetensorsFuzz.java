package dev.efficientnet.train.reliability;

import dev.efficientnet.core.io.Json;
import dev.efficientnet.core.io.Safetensors;
import dev.efficientnet.core.io.SafetensorsDType;
import dev.efficientnet.core.io.SafetensorsException;
import dev.efficientnet.core.io.SafetensorsFile;
import dev.efficientnet.core.tensor.MemoryScope;
import dev.efficientnet.core.tensor.Tensor;
import dev.efficientnet.train.reliability.FuzzTest.Outcome;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Safetensors target of {@link FuzzTest}: byte mutations, structured header edits, hostile JSON, giant headers. */
final class SafetensorsFuzz implements FuzzTest.Target {
    /** One tensor of the fixture. */
    private record Spec(String name, String dtype, long[] shape, byte[] data) {
    }

    private final List<Spec> specs = new ArrayList<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();
    private byte[] valid;
    private int headerLen;

    @Override
    public String name() {
        return "safetensors";
    }

    @Override
    public void prepare(Path dir) {
        Random r = new Random(1);
        specs.add(spec(r, "stem.conv.weight", "F32", 3, 3, 2, 4));
        specs.add(spec(r, "stem.bn.bias", "F32", 4));
        specs.add(spec(r, "blocks.0.half", "F16", 2, 3));
        specs.add(spec(r, "blocks.0.bf", "BF16", 5));
        specs.add(spec(r, "head.f64", "F64", 2));
        specs.add(spec(r, "steps", "I64", 3));
        specs.add(spec(r, "mask", "BOOL", 4));
        specs.add(spec(r, "pixels", "U8", 7));
        specs.add(spec(r, "empty", "F32", 0, 3));
        specs.add(spec(r, "scalar", "F32"));
        metadata.put("format", "pt");
        metadata.put("note", "fuzz fixture");
        valid = build(header(specs, metadata, null), data(specs));
        headerLen = (int) ByteBuffer.wrap(valid, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    private static Spec spec(Random r, String name, String dtype, long... shape) {
        long n = 1;
        for (long d : shape) n *= d;
        int bytes = (int) n * SafetensorsDType.valueOf(dtype).bytes();
        byte[] data = new byte[bytes];
        switch (dtype) {
            case "F32": {
                ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < n; i++) b.putFloat((float) r.nextGaussian());
                break;
            }
            case "F64": {
                ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < n; i++) b.putDouble(r.nextGaussian());
                break;
            }
            case "I64": {
                ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < n; i++) b.putLong(r.nextInt(1000));
                break;
            }
            case "BOOL":
                for (int i = 0; i < n; i++) data[i] = (byte) r.nextInt(2);
                break;
            default:
                r.nextBytes(data);
        }
        return new Spec(name, dtype, shape, data);
    }

    /** The header map of {@code specs} with consecutive offsets; {@code edit} may change it afterwards. */
    private static Map<String, Object> header(List<Spec> specs, Map<String, String> metadata, Object unused) {
        Map<String, Object> h = new LinkedHashMap<>();
        if (metadata != null) h.put(Safetensors.METADATA_KEY, new LinkedHashMap<>(metadata));
        long off = 0;
        for (Spec s : specs) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("dtype", s.dtype);
            List<Object> shape = new ArrayList<>();
            for (long d : s.shape) shape.add(d);
            e.put("shape", shape);
            e.put("data_offsets", new ArrayList<>(List.of(off, off + s.data.length)));
            off += s.data.length;
            h.put(s.name, e);
        }
        return h;
    }

    private static byte[] data(List<Spec> specs) {
        int n = 0;
        for (Spec s : specs) n += s.data.length;
        ByteBuffer b = ByteBuffer.allocate(n);
        for (Spec s : specs) b.put(s.data);
        return b.array();
    }

    private static byte[] build(Map<String, Object> header, byte[] data) {
        return build(Json.write(header).getBytes(StandardCharsets.UTF_8), data, true);
    }

    private static byte[] build(byte[] json, byte[] data, boolean pad) {
        int n = pad ? (json.length + 7) / 8 * 8 : json.length;
        ByteBuffer b = ByteBuffer.allocate(8 + n + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(n).put(json);
        for (int i = json.length; i < n; i++) b.put((byte) ' ');
        b.put(data);
        return b.array();
    }

    // ---- cases ----------------------------------------------------------------------------------

    @Override
    public List<String> fixedCases() {
        return List.of("header 30 MB of [{},{},...]", "header 99 MB of spaces and a tiny object", "header length 100000001",
                "200000 zero-size tensors", "shape rank 50000", "JSON nested 100000 deep", "sparse 3 GB tensor",
                "metadata string 12 MB");
    }

    @Override
    public Outcome runFixed(String name, Path dir) throws Exception {
        Path f = dir.resolve("fixed.safetensors");
        switch (name) {
            case "header 30 MB of [{},{},...]": {
                int count = 10_000_000;
                StringBuilder sb = new StringBuilder(count * 3 + 64).append("{\"__metadata__\":{\"x\":\"y\"},\"junk\":[");
                for (int i = 0; i < count; i++) sb.append(i == 0 ? "{}" : ",{}");
                sb.append("]}");
                Files.write(f, build(sb.toString().getBytes(StandardCharsets.US_ASCII), new byte[0], true));
                break;
            }
            case "header 99 MB of spaces and a tiny object": {
                int n = 99_000_000;
                try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
                    ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(n);
                    raf.write(len.array());
                    byte[] spaces = new byte[1 << 20];
                    Arrays.fill(spaces, (byte) ' ');
                    spaces[0] = '{';
                    raf.write(spaces);
                    Arrays.fill(spaces, 0, 1, (byte) ' ');
                    int written = spaces.length;
                    while (written + spaces.length < n) {
                        raf.write(spaces);
                        written += spaces.length;
                    }
                    byte[] rest = new byte[n - written];
                    Arrays.fill(rest, (byte) ' ');
                    rest[rest.length - 1] = '}';
                    raf.write(rest);
                }
                break;
            }
            case "header length 100000001": {
                byte[] b = valid.clone();
                ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 100_000_001L);
                Files.write(f, b);
                try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
                    raf.setLength(200_000_000L); // sparse: the length check alone must not be what stops it
                }
                break;
            }
            case "200000 zero-size tensors": {
                StringBuilder sb = new StringBuilder("{");
                for (int i = 0; i < 200_000; i++)
                    sb.append(i == 0 ? "" : ",").append("\"t").append(i).append("\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}");
                sb.append('}');
                Files.write(f, build(sb.toString().getBytes(StandardCharsets.US_ASCII), new byte[0], true));
                break;
            }
            case "shape rank 50000": {
                StringBuilder sb = new StringBuilder("{\"t\":{\"dtype\":\"F32\",\"shape\":[");
                for (int i = 0; i < 50_000; i++) sb.append(i == 0 ? "1" : ",1");
                sb.append("],\"data_offsets\":[0,4]}}");
                Files.write(f, build(sb.toString().getBytes(StandardCharsets.US_ASCII), new byte[4], true));
                break;
            }
            case "JSON nested 100000 deep": {
                String json = "{\"t\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}";
                Files.write(f, build(json.getBytes(StandardCharsets.US_ASCII), new byte[0], true));
                break;
            }
            case "sparse 3 GB tensor": {
                long bytes = 3L << 30;
                String json = "{\"big\":{\"dtype\":\"F32\",\"shape\":[" + bytes / 4 + "],\"data_offsets\":[0," + bytes + "]}}";
                byte[] head = build(json.getBytes(StandardCharsets.US_ASCII), new byte[0], true);
                Files.write(f, head);
                try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
                    raf.setLength(head.length + bytes);
                }
                break;
            }
            case "metadata string 12 MB": {
                String json = "{\"__metadata__\":{\"x\":\"" + "a".repeat(12 << 20) + "\"}}";
                Files.write(f, build(json.getBytes(StandardCharsets.US_ASCII), new byte[0], true));
                break;
            }
            default:
                throw new IllegalArgumentException(name);
        }
        return check(f, null, false);
    }

    @Override
    public Outcome runRandom(Random r, Path dir, StringBuilder describe) throws Exception {
        Path f = dir.resolve("case.safetensors");
        int kind = r.nextInt(12);
        byte[] bytes;
        Mutations.Mutated m = null;
        if (kind < 5) {
            m = Mutations.mutate(valid, r, 8 + headerLen);
            bytes = m.bytes();
            describe.append(m.description());
        } else if (kind < 9) {
            Map<String, Object> h = header(specs, metadata, null);
            String what = editHeader(h, r);
            describe.append("header edit: ").append(what);
            bytes = build(h, data(specs));
            if (r.nextInt(4) == 0) {
                Mutations.Mutated m2 = Mutations.mutate(bytes, r, 0);
                describe.append(" + ").append(m2.description());
                bytes = m2.bytes();
            }
        } else if (kind < 10) {
            bytes = valid.clone();
            long v = switch (r.nextInt(6)) {
                case 0 -> headerLen + 1 + r.nextInt(64);
                case 1 -> headerLen - 1 - r.nextInt(Math.min(headerLen - 1, 64));
                case 2 -> -1 - r.nextInt(1000);
                case 3 -> r.nextLong();
                case 4 -> bytes.length - 8 + r.nextInt(3) - 1;
                default -> r.nextInt(9);
            };
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, v);
            describe.append("header length field = ").append(v);
        } else {
            String json = hostileJson(r, describe);
            byte[] raw = json.getBytes(StandardCharsets.UTF_8);
            if (r.nextInt(5) == 0) {
                raw = Arrays.copyOf(raw, raw.length + 2);
                raw[raw.length - 2] = (byte) (0x80 | r.nextInt(0x80));
                raw[raw.length - 1] = (byte) 0xC0;
                describe.append(" + invalid UTF-8");
            }
            bytes = build(raw, new byte[r.nextInt(3) * 4], r.nextBoolean());
        }
        Files.write(f, bytes);
        boolean dataOnly = m != null && m.sameLength() && m.firstChanged() >= 8 + headerLen;
        return check(f, bytes, dataOnly);
    }

    /** One structural edit of the header map; returns what it did. */
    @SuppressWarnings("unchecked")
    private String editHeader(Map<String, Object> h, Random r) {
        List<String> names = new ArrayList<>();
        for (String k : h.keySet()) if (!k.equals(Safetensors.METADATA_KEY)) names.add(k);
        String name = names.get(r.nextInt(names.size()));
        Map<String, Object> e = (Map<String, Object>) h.get(name);
        List<Object> off = (List<Object>) e.get("data_offsets");
        long begin = (Long) off.get(0), end = (Long) off.get(1);
        Object[] absurd = {-1L, 0L, (long) Integer.MAX_VALUE, 1L << 31, 1L << 40, Long.MAX_VALUE, 2.5, 1e30, -0.0,
                "3", null, true, new ArrayList<>(), new LinkedHashMap<>()};
        switch (r.nextInt(16)) {
            case 0:
                off.set(0, -1L - r.nextInt(16));
                return name + " negative begin";
            case 1:
                off.set(1, -1L - r.nextInt(16));
                return name + " negative end";
            case 2: {
                String other = names.get(r.nextInt(names.size()));
                List<Object> o = (List<Object>) ((Map<String, Object>) h.get(other)).get("data_offsets");
                long shift = 1 + r.nextInt(8);
                off.set(0, (Long) o.get(0) + shift);
                off.set(1, (Long) o.get(0) + shift + (end - begin));
                return name + " overlaps " + other;
            }
            case 3:
                off.set(0, end);
                off.set(1, begin);
                return name + " begin > end";
            case 4:
                off.set(1, end + 1 + r.nextInt(1 << 20));
                return name + " end past the data";
            case 5: {
                List<Object> shape = (List<Object>) e.get("shape");
                Object v = absurd[r.nextInt(absurd.length)];
                if (shape.isEmpty()) shape.add(v);
                else shape.set(r.nextInt(shape.size()), v);
                return name + " shape dim = " + v;
            }
            case 6: {
                List<Object> shape = new ArrayList<>();
                int rank = 1 + r.nextInt(12);
                for (int i = 0; i < rank; i++) shape.add((long) (1 << r.nextInt(31)));
                e.put("shape", shape);
                return name + " shape " + shape;
            }
            case 7: {
                // shape whose element count wraps around 2^64 back to the right byte count
                e.put("shape", new ArrayList<>(List.of(1L << 31, 1L << 31, 1L << 2, 0x7FFFFFFFL)));
                return name + " overflowing shape";
            }
            case 8: {
                List<Object> shape = (List<Object>) e.get("shape");
                long n = 1;
                for (Object d : shape) n *= (Long) d;
                if (n > 1) {
                    // same element count, different shape: valid, must read back with the new shape
                    e.put("shape", new ArrayList<>(List.of(n)));
                    return name + " reshaped to [" + n + "]";
                }
                e.put("shape", new ArrayList<>(List.of(n + 1)));
                return name + " shape [" + (n + 1) + "]";
            }
            case 9: {
                String[] dt = {"F128", "f32", "", "I4", "COMPLEX64", "F8_E4M3FNUZ"};
                e.put("dtype", r.nextBoolean() ? dt[r.nextInt(dt.length)] : absurd[r.nextInt(absurd.length)]);
                return name + " dtype " + e.get("dtype");
            }
            case 10: {
                String[] same = {"U8", "I8", "BOOL", "F16", "BF16", "I16", "U16", "F32", "I32", "U32", "F64", "I64", "U64",
                        "F8_E5M2", "F8_E4M3"};
                e.put("dtype", same[r.nextInt(same.length)]);
                return name + " dtype changed to " + e.get("dtype");
            }
            case 11: {
                String field = List.of("dtype", "shape", "data_offsets").get(r.nextInt(3));
                if (r.nextBoolean()) {
                    e.remove(field);
                    return name + " missing " + field;
                }
                e.put(field, absurd[r.nextInt(absurd.length)]);
                return name + " " + field + " = " + e.get(field);
            }
            case 12:
                e.put("extra", 1L);
                return name + " unknown field";
            case 13: {
                List<Object> big = new ArrayList<>(List.of(Long.MAX_VALUE - r.nextInt(8), Long.MAX_VALUE));
                if (r.nextBoolean()) big = new ArrayList<>(List.of(begin, 1e19));
                e.put("data_offsets", big);
                return name + " offsets " + big;
            }
            case 14:
                h.put(Safetensors.METADATA_KEY, r.nextBoolean() ? new ArrayList<>(List.of("a")) : Map.of("k", 5L));
                return "bad metadata";
            default: {
                String hostile = List.of("../../../etc/passwd", "", "\u0000", "a/../../b", "__metadata__ ", "\uD83D\uDE00".repeat(300))
                        .get(r.nextInt(6));
                Object v = h.remove(name);
                h.put(hostile, v);
                return "renamed " + name + " to a hostile name";
            }
        }
    }

    private static String hostileJson(Random r, StringBuilder describe) {
        switch (r.nextInt(8)) {
            case 0: {
                int depth = 60 + r.nextInt(200);
                describe.append("nested arrays ").append(depth);
                return "{\"a\":{\"dtype\":\"F32\",\"shape\":" + "[".repeat(depth) + "]".repeat(depth) + ",\"data_offsets\":[0,0]}}";
            }
            case 1: {
                int depth = 60 + r.nextInt(200);
                describe.append("nested objects ").append(depth);
                return "{\"__metadata__\":" + "{\"k\":".repeat(depth) + "\"v\"" + "}".repeat(depth) + "}";
            }
            case 2:
                describe.append("duplicate keys");
                return "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
            case 3: {
                String[] nums = {"1e400", "-1e400", "9223372036854775808", "-9223372036854775809", "1.0", "01", "-0", "0x10",
                        "NaN", "Infinity", "1e-400", "4.0e0"};
                String n = nums[r.nextInt(nums.length)];
                describe.append("number ").append(n);
                return "{\"a\":{\"dtype\":\"F32\",\"shape\":[" + n + "],\"data_offsets\":[0,4]}}";
            }
            case 4: {
                String[] bad = {"{", "}", "[]", "null", "\"str\"", "{\"a\":}", "{\"a\" 1}", "{\"a\":1,}", "{'a':1}", "{\"a\":\"\\uD800\"}",
                        "{\"a\":\"\\u00\"}", "{\"a\":\"\u0001\"}", "{} {}", "\uFEFF{}", "{\"a\":tru}", "{\"a\":[1,2,]}"};
                String s = bad[r.nextInt(bad.length)];
                describe.append("malformed JSON ").append(s);
                return s;
            }
            case 5: {
                StringBuilder sb = new StringBuilder();
                int n = 1 + r.nextInt(400);
                String tokens = "{}[]:,\"0123456789-+.eEtrufalsn \\u";
                for (int i = 0; i < n; i++) sb.append(tokens.charAt(r.nextInt(tokens.length())));
                describe.append("random tokens ").append(n);
                return sb.toString();
            }
            case 6: {
                int n = 1 + r.nextInt(2000);
                describe.append("many tensors ").append(n);
                StringBuilder sb = new StringBuilder("{");
                for (int i = 0; i < n; i++)
                    sb.append(i == 0 ? "" : ",").append("\"t").append(i).append("\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}");
                return sb.append('}').toString();
            }
            default: {
                int n = r.nextInt(1 << 20);
                describe.append("long string ").append(n);
                return "{\"__metadata__\":{\"k\":\"" + "\\u0041".repeat(n / 6) + "\"}}";
            }
        }
    }

    // ---- checking -------------------------------------------------------------------------------

    /**
     * Reads {@code f} and checks the outcome. {@code dataOnly}: the mutation left the header and the
     * length untouched, so the file must be accepted with the fixture's names, dtypes and shapes and
     * the F32 tensors must hold exactly the (mutated) bytes.
     */
    private Outcome check(Path f, byte[] bytes, boolean dataOnly) throws IOException {
        SafetensorsFile st;
        try {
            st = Safetensors.read(f);
        } catch (SafetensorsException e) {
            if (dataOnly) throw new AssertionError("a mutation inside tensor data was rejected: " + e);
            FuzzTest.assertNamesFile(e, f);
            return Outcome.REJECTED;
        }
        // independent consistency check: the tensors tile the data section exactly
        long size = Files.size(f);
        byte[] head = new byte[8];
        try (var in = Files.newInputStream(f)) {
            if (in.readNBytes(head, 0, 8) != 8) throw new AssertionError("accepted a file shorter than 8 bytes");
        }
        long n = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).getLong();
        long covered = 0;
        for (String name : st.names()) {
            int[] shape = st.shape(name);
            long numel = 1;
            for (int d : shape) {
                if (d < 0) throw new AssertionError("accepted negative dimension in " + Arrays.toString(shape));
                numel *= d;
            }
            if (numel != st.numel(name)) throw new AssertionError(name + ": numel " + st.numel(name) + " != product of " + Arrays.toString(shape));
            covered += numel * st.dtype(name).bytes();
        }
        if (covered != size - 8 - n)
            throw new AssertionError("accepted tensors covering " + covered + " bytes of a " + (size - 8 - n) + "-byte data section");
        boolean unchanged = true;
        boolean lateReject = false;
        for (String name : st.names()) {
            try (MemoryScope scope = MemoryScope.open()) {
                Tensor t = st.get(name);
                if (!Arrays.equals(t.shape(), st.shape(name)))
                    throw new AssertionError(name + ": got shape " + Arrays.toString(t.shape()) + " for declared " + Arrays.toString(st.shape(name)));
            } catch (SafetensorsException e) {
                FuzzTest.assertNamesFile(e, f);
                SafetensorsDType dt = st.dtype(name);
                if (dataOnly && dt.isFloatingPoint() && dt != SafetensorsDType.F64)
                    throw new AssertionError(name + " (" + dt + "): a data bit flip was rejected: " + e);
                lateReject = true;
            }
        }
        if (dataOnly) {
            if (!st.names().equals(specs.stream().map(Spec::name).toList()))
                throw new AssertionError("names changed: " + st.names());
            long off = 8 + headerLen;
            for (Spec s : specs) {
                if (!Arrays.equals(toInt(s.shape), st.shape(s.name)) || !s.dtype.equals(st.dtype(s.name).name()))
                    throw new AssertionError(s.name + ": header changed by a data-only mutation");
                if (s.dtype.equals("F32")) {
                    float[] got = st.getFloats(s.name);
                    ByteBuffer b = ByteBuffer.wrap(bytes, (int) off, s.data.length).order(ByteOrder.LITTLE_ENDIAN);
                    for (int i = 0; i < got.length; i++)
                        if (Float.floatToRawIntBits(got[i]) != b.getInt())
                            throw new AssertionError(s.name + "[" + i + "] does not hold the file's bytes");
                }
                if (!Arrays.equals(s.data, Arrays.copyOfRange(bytes, (int) off, (int) off + s.data.length))) unchanged = false;
                off += s.data.length;
            }
        } else {
            unchanged = bytes != null && Arrays.equals(bytes, valid);
        }
        if (lateReject) return Outcome.REJECTED;
        return unchanged ? Outcome.ACCEPTED : Outcome.ACCEPTED_CHANGED;
    }

    private static int[] toInt(long[] s) {
        int[] o = new int[s.length];
        for (int i = 0; i < s.length; i++) o[i] = (int) s[i];
        return o;
    }
}
