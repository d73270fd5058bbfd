package dev.efficientnet.train.reliability;

import dev.efficientnet.core.io.torch.TorchFile;
import dev.efficientnet.core.io.torch.TorchFormatException;
import dev.efficientnet.train.reliability.FuzzTest.Outcome;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
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
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * PyTorch checkpoint target of {@link FuzzTest} ({@link TorchFile}): byte mutations of a whole
 * {@code torch.save} archive, mutations of its pickle inside a well-formed zip, hostile tensor
 * declarations (sizes, strides, offsets, storage sizes, storage types), hostile archives (missing,
 * short, long or compressed storages, two pickles) and hostile pickle programs (deep nesting,
 * self-referencing containers, huge lengths, forbidden globals, object creation, opcode soup).
 * Every accepted file must read every tensor (or fail that read with the reader's exception).
 */
final class PthFuzz implements FuzzTest.Target {
    /** One tensor of the fixture: storage dtype class, storage key, storage numel, offset, size, stride. */
    private record Spec(String name, String storageClass, String key, long storageNumel, long offset, long[] size, long[] stride) {
    }

    private final List<Spec> specs = new ArrayList<>();
    private final Map<String, byte[]> storageData = new LinkedHashMap<>();
    private byte[] validPickle;
    private byte[] valid;
    private byte[] validLegacy;

    @Override
    public String name() {
        return "pth";
    }

    @Override
    public void prepare(Path dir) throws IOException {
        Random r = new Random(2);
        specs.add(new Spec("conv_stem.weight", "FloatStorage", "0", 24, 0, new long[]{2, 3, 2, 2}, new long[]{12, 4, 2, 1}));
        specs.add(new Spec("bn1.running_mean", "HalfStorage", "1", 4, 0, new long[]{4}, new long[]{1}));
        specs.add(new Spec("bn1.num_batches_tracked", "LongStorage", "2", 1, 0, new long[0], new long[0]));
        specs.add(new Spec("blocks.0.t", "FloatStorage", "3", 12, 0, new long[]{4, 3}, new long[]{1, 4}));
        specs.add(new Spec("blocks.0.slice", "FloatStorage", "3", 12, 5, new long[]{2, 2}, new long[]{3, 1}));
        specs.add(new Spec("classifier.bias", "BFloat16Storage", "4", 3, 0, new long[]{3}, new long[]{1}));
        specs.add(new Spec("empty", "FloatStorage", "5", 0, 0, new long[]{0, 3}, new long[]{3, 1}));
        storageData.put("0", randomBytes(r, 24 * 4));
        storageData.put("1", randomBytes(r, 4 * 2));
        storageData.put("2", ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(7).array());
        storageData.put("3", randomBytes(r, 12 * 4));
        storageData.put("4", randomBytes(r, 3 * 2));
        storageData.put("5", new byte[0]);
        validPickle = pickle(specs, true);
        valid = zip(validPickle, storageData, Map.of());
        validLegacy = legacy(validPickle, storageData);
        Files.write(dir.resolve("valid.pth"), valid);
        Files.write(dir.resolve("legacy.pth"), validLegacy);
        for (String name : List.of("valid.pth", "legacy.pth")) {
            try (TorchFile f = TorchFile.open(dir.resolve(name))) {
                if (f.size() != specs.size()) throw new AssertionError("fixture does not read: " + f);
                for (String n : f.names()) f.getFloats(n);
            }
        }
    }

    private static byte[] randomBytes(Random r, int n) {
        byte[] b = new byte[n];
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i + 4 <= n; i += 4) bb.putFloat(i, (float) r.nextGaussian());
        if (n % 4 != 0) r.nextBytes(b);
        return b;
    }

    // ---- writing pickles and archives -------------------------------------------------------

    private static final class P {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        P op(int... bytes) {
            for (int b : bytes) out.write(b);
            return this;
        }

        P global(String module, String name) {
            out.write('c');
            out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
            return this;
        }

        P str(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            out.write('X');
            out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(b.length).array());
            out.writeBytes(b);
            return this;
        }

        P integer(long v) {
            out.write(0x8a);
            out.write(8);
            out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }

    /** A protocol-2 pickle of {"epoch": 3, "state_dict": OrderedDict(specs)} (or just the dict). */
    private static byte[] pickle(List<Spec> specs, boolean wrapped) {
        P p = new P().op(0x80, 2);
        if (wrapped) p.op('}').op('(').str("epoch").integer(3).str("state_dict");
        p.global("collections", "OrderedDict").op(')', 'R');
        p.op('(');
        for (Spec s : specs) {
            p.str(s.name).global("torch._utils", "_rebuild_tensor_v2").op('(');
            p.op('(').str("storage").global("torch", s.storageClass).str(s.key).str("cpu").integer(s.storageNumel).op('t', 'Q');
            p.integer(s.offset).op('(');
            for (long d : s.size) p.integer(d);
            p.op('t', '(');
            for (long d : s.stride) p.integer(d);
            p.op('t', 0x89).global("collections", "OrderedDict").op(')', 'R', 't', 'R');
        }
        p.op('u');
        if (wrapped) p.op('u');
        return p.op('.').bytes();
    }

    /** A torch.save archive; {@code overrides} replaces (or with null removes) entries by name. */
    private static byte[] zip(byte[] pickle, Map<String, byte[]> storages, Map<String, byte[]> overrides) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("archive/data.pkl", pickle);
        for (Map.Entry<String, byte[]> e : storages.entrySet()) entries.put("archive/data/" + e.getKey(), e.getValue());
        entries.put("archive/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        for (Map.Entry<String, byte[]> e : overrides.entrySet()) {
            if (e.getValue() == null) entries.remove(e.getKey());
            else entries.put(e.getKey(), e.getValue());
        }
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bos)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                ZipEntry ze = new ZipEntry(e.getKey());
                if (!e.getKey().endsWith(".deflate")) {
                    ze.setMethod(ZipEntry.STORED);
                    ze.setSize(e.getValue().length);
                    ze.setCompressedSize(e.getValue().length);
                    CRC32 crc = new CRC32();
                    crc.update(e.getValue());
                    ze.setCrc(crc.getValue());
                } else {
                    ze = new ZipEntry(e.getKey().substring(0, e.getKey().length() - ".deflate".length()));
                    ze.setMethod(ZipEntry.DEFLATED);
                }
                z.putNextEntry(ze);
                z.write(e.getValue());
                z.closeEntry();
            }
        }
        return bos.toByteArray();
    }

    /** The pre-1.6 format: magic, version 1001, system info, the object, the sorted keys, then each storage. */
    private static byte[] legacy(byte[] object, Map<String, byte[]> storages) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[]{(byte) 0x80, 2, (byte) 0x8a, 0x0a, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46, (byte) 0xf9, 0x20, 0x6a,
                (byte) 0xa8, 0x50, 0x19, '.'});
        out.writeBytes(new byte[]{(byte) 0x80, 2, 'M', (byte) 0xe9, 0x03, '.'});
        out.writeBytes(new P().op(0x80, 2, '}').str("little_endian").op(0x88, 's', '.').bytes());
        out.writeBytes(object);
        P keys = new P().op(0x80, 2, '(');
        for (String k : storages.keySet()) keys.str(k);
        out.writeBytes(keys.op('l', '.').bytes());
        int i = 0;
        long[] elem = {4, 2, 8, 4, 2, 4};
        for (byte[] d : storages.values()) {
            out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(d.length / elem[i++]).array());
            out.writeBytes(d);
        }
        return out.toByteArray();
    }

    // ---- cases ----------------------------------------------------------------------------------

    @Override
    public List<String> fixedCases() {
        return List.of("marks nested 100000 deep", "lists nested 900000 deep", "1000001 empty dicts", "self-containing list as key",
                "BINUNICODE length 2^32-1", "LONG4 length 2^31", "os.system", "builtins.eval", "NEWOBJ", "storage numel 2^61",
                "sparse 3 GB storage", "pickle 40 MB");
    }

    @Override
    public Outcome runFixed(String name, Path dir) throws Exception {
        Path f = dir.resolve("fixed.pth");
        byte[] pickle;
        Map<String, byte[]> storages = storageData;
        switch (name) {
            case "marks nested 100000 deep" -> pickle = new P().op(0x80, 2).op(repeat('(', 100_000)).op(repeat('t', 100_000)).op('.').bytes();
            case "lists nested 900000 deep" -> {
                P p = new P().op(0x80, 2).op(']');
                for (int i = 0; i < 900_000; i++) p.op(']');
                p.op(repeat('a', 900_000));
                pickle = p.op('.').bytes();
            }
            case "1000001 empty dicts" -> pickle = new P().op(0x80, 2).op('(').op(repeat('}', 1_000_001)).op('l', '.').bytes();
            case "self-containing list as key" ->
                    pickle = new P().op(0x80, 2).op('}', ']', 'q', 1, 'h', 1, 'a', 'K', 1, 's', '.').bytes();
            case "BINUNICODE length 2^32-1" -> pickle = new P().op(0x80, 2, 'X', 0xFF, 0xFF, 0xFF, 0xFF, 'a', 'b', '.').bytes();
            case "LONG4 length 2^31" -> pickle = new P().op(0x80, 2, 0x8b, 0, 0, 0, 0x80, 1, '.').bytes();
            case "os.system" -> pickle = new P().op(0x80, 2).global("os", "system").str("touch /tmp/efficientnet-fuzz-pwned")
                    .op(0x85, 'R', '.').bytes();
            case "builtins.eval" -> pickle = new P().op(0x80, 2).global("builtins", "eval").str("1").op(0x85, 'R', '.').bytes();
            case "NEWOBJ" -> pickle = new P().op(0x80, 2).global("collections", "OrderedDict").op(')', 0x81, '.').bytes();
            case "storage numel 2^61" -> {
                List<Spec> s = new ArrayList<>(specs);
                s.set(0, new Spec("conv_stem.weight", "FloatStorage", "0", 1L << 61, 0, new long[]{1L << 30, 1L << 30},
                        new long[]{1L << 30, 1}));
                pickle = pickle(s, false);
            }
            case "sparse 3 GB storage" -> {
                List<Spec> s = List.of(new Spec("big", "FloatStorage", "0", (3L << 30) / 4, 0, new long[]{(3L << 30) / 4}, new long[]{1}));
                pickle = pickle(s, false);
                storages = Map.of("0", new byte[16]);
            }
            case "pickle 40 MB" -> {
                P p = new P().op(0x80, 2).op('(');
                byte[] chunk = "x".repeat(1 << 20).getBytes(StandardCharsets.US_ASCII);
                for (int i = 0; i < 40; i++) {
                    p.op('X', 0, 0, 0x10, 0);
                    p.out.writeBytes(chunk);
                }
                pickle = p.op('l', '.').bytes();
            }
            default -> throw new IllegalArgumentException(name);
        }
        Files.write(f, zip(pickle, storages, Map.of()));
        Outcome o = check(f);
        if (Files.exists(Path.of("/tmp/efficientnet-fuzz-pwned"))) throw new AssertionError("a pickled global was executed");
        return o;
    }

    private static int[] repeat(int op, int n) {
        int[] a = new int[n];
        Arrays.fill(a, op);
        return a;
    }

    @Override
    public Outcome runRandom(Random r, Path dir, StringBuilder describe) throws Exception {
        Path f = dir.resolve("case.pth");
        int kind = r.nextInt(14);
        byte[] bytes;
        if (kind >= 12) {
            Mutations.Mutated m = Mutations.mutate(kind == 12 ? validLegacy : legacy(pickle(editedSpecs(r, describe), false), storageData),
                    r, 64 + validPickle.length);
            describe.append(" legacy: ").append(m.description());
            bytes = m.bytes();
        } else if (kind < 4) {
            Mutations.Mutated m = Mutations.mutate(valid, r, 64 + validPickle.length);
            describe.append("archive: ").append(m.description());
            bytes = m.bytes();
        } else if (kind < 7) {
            Mutations.Mutated m = Mutations.mutate(validPickle, r, 0);
            describe.append("pickle: ").append(m.description());
            bytes = zip(m.bytes(), storageData, Map.of());
        } else if (kind < 9) {
            List<Spec> s = new ArrayList<>(specs);
            String what = editSpec(s, r);
            describe.append("tensor edit: ").append(what);
            bytes = zip(pickle(s, r.nextBoolean()), storageData, Map.of());
        } else if (kind < 10) {
            bytes = hostileArchive(r, describe);
        } else {
            bytes = zip(hostilePickle(r, describe), storageData, Map.of());
        }
        Files.write(f, bytes);
        return check(f);
    }

    private List<Spec> editedSpecs(Random r, StringBuilder describe) {
        List<Spec> s = new ArrayList<>(specs);
        describe.append("tensor edit: ").append(editSpec(s, r));
        return s;
    }

    private static final long[] ABSURD = {-1, 0, 1, 3, 7, 1L << 31, (1L << 31) - 1, 1L << 32, 1L << 40, Long.MAX_VALUE, Long.MIN_VALUE,
            Long.MAX_VALUE / 4 + 1};

    private String editSpec(List<Spec> s, Random r) {
        int i = r.nextInt(s.size());
        Spec o = s.get(i);
        long v = ABSURD[r.nextInt(ABSURD.length)];
        Spec n;
        String what;
        switch (r.nextInt(8)) {
            case 0 -> {
                n = new Spec(o.name, o.storageClass, o.key, v, o.offset, o.size, o.stride);
                what = "storage numel " + v;
            }
            case 1 -> {
                n = new Spec(o.name, o.storageClass, o.key, o.storageNumel, v, o.size, o.stride);
                what = "offset " + v;
            }
            case 2 -> {
                long[] size = o.size.clone();
                if (size.length == 0) size = new long[]{v};
                else size[r.nextInt(size.length)] = v;
                long[] stride = size.length == o.stride.length ? o.stride : new long[]{1};
                n = new Spec(o.name, o.storageClass, o.key, o.storageNumel, o.offset, size, stride);
                what = "size " + Arrays.toString(size);
            }
            case 3 -> {
                long[] stride = o.stride.clone();
                if (stride.length == 0) stride = new long[]{v};
                else stride[r.nextInt(stride.length)] = v;
                n = new Spec(o.name, o.storageClass, o.key, o.storageNumel, o.offset, o.size, stride);
                what = "stride " + Arrays.toString(stride);
            }
            case 4 -> {
                String[] classes = {"DoubleStorage", "IntStorage", "BoolStorage", "ByteStorage", "CharStorage", "ShortStorage",
                        "ComplexFloatStorage", "QInt8Storage", "UntypedStorage", "Tensor", "load"};
                String c = classes[r.nextInt(classes.length)];
                n = new Spec(o.name, c, o.key, o.storageNumel, o.offset, o.size, o.stride);
                what = "storage class " + c;
            }
            case 5 -> {
                String[] keys = {"9", "", "../0", "0/../1", "a b", "x".repeat(100), "1"};
                String k = keys[r.nextInt(keys.length)];
                n = new Spec(o.name, o.storageClass, k, o.storageNumel, o.offset, o.size, o.stride);
                what = "storage key '" + k + "'";
            }
            case 6 -> {
                int rank = r.nextInt(40);
                long[] size = new long[rank];
                long[] stride = new long[rank];
                Arrays.fill(size, 1 + r.nextInt(3));
                for (int d = 0; d < rank; d++) stride[d] = r.nextInt(4);
                n = new Spec(o.name, o.storageClass, o.key, o.storageNumel, o.offset, size, stride);
                what = "rank " + rank;
            }
            default -> {
                long[] stride = new long[o.size.length];
                n = new Spec(o.name, o.storageClass, o.key, o.storageNumel, o.offset, o.size, stride);
                what = "zero strides (overlapping view)";
            }
        }
        s.set(i, n);
        return o.name + " " + what;
    }

    private byte[] hostileArchive(Random r, StringBuilder describe) throws IOException {
        Map<String, byte[]> o = new LinkedHashMap<>();
        switch (r.nextInt(7)) {
            case 0 -> {
                String k = "archive/data/" + r.nextInt(6);
                o.put(k, null);
                describe.append("missing ").append(k);
            }
            case 1 -> {
                String k = "archive/data/" + r.nextInt(6);
                byte[] d = storageData.get(k.substring(k.lastIndexOf('/') + 1));
                byte[] changed = Arrays.copyOf(d, Math.max(0, d.length + (r.nextBoolean() ? 1 + r.nextInt(8) : -1 - r.nextInt(8))));
                o.put(k, changed);
                describe.append(k).append(" resized to ").append(changed.length);
            }
            case 2 -> {
                String k = "archive/data/" + r.nextInt(6);
                o.put(k, null);
                o.put(k + ".deflate", storageData.get(k.substring(k.lastIndexOf('/') + 1)));
                describe.append(k).append(" deflated");
            }
            case 3 -> {
                o.put("archive/data.pkl", null);
                o.put("archive/data.pkl.deflate", validPickle);
                describe.append("data.pkl deflated");
            }
            case 4 -> {
                o.put("archive/data.pkl", null);
                describe.append("no data.pkl");
            }
            case 5 -> {
                o.put("other/data.pkl", validPickle);
                describe.append("two pickles");
            }
            default -> {
                o.put("archive/byteorder", (r.nextBoolean() ? "big" : "\u0000\u0001").getBytes(StandardCharsets.ISO_8859_1));
                describe.append("byteorder");
            }
        }
        return zip(validPickle, storageData, o);
    }

    private static byte[] hostilePickle(Random r, StringBuilder describe) {
        switch (r.nextInt(6)) {
            case 0 -> {
                int n = 1 + r.nextInt(300);
                byte[] b = new byte[n + 3];
                b[0] = (byte) 0x80;
                b[1] = 2;
                String ops = "()t]a}seuqhKJMXNR.Q0123l\u0085\u0086\u0087\u0088\u0089\u008a\u008c\u0093\u0094\u0095b";
                for (int i = 2; i < n + 2; i++) b[i] = (byte) ops.charAt(r.nextInt(ops.length()));
                b[n + 2] = '.';
                describe.append("opcode soup ").append(n);
                return b;
            }
            case 1 -> {
                String[][] bad = {{"os", "system"}, {"builtins", "exec"}, {"torch", "load"}, {"numpy.core.multiarray", "_reconstruct"},
                        {"torch._utils", "_rebuild_qtensor"}, {"argparse", "Namespace"}, {"collections", "defaultdict"},
                        {"torch.serialization", "_get_layout"}, {"__builtin__", "getattr"}, {"torch", "FloatStorage.__new__"}};
                String[] g = bad[r.nextInt(bad.length)];
                describe.append("global ").append(g[0]).append('.').append(g[1]);
                return new P().op(0x80, 2).global(g[0], g[1]).op(')', 'R', '.').bytes();
            }
            case 2 -> {
                describe.append("REDUCE of a non-callable");
                return new P().op(0x80, 2).str("x").op(')', 'R', '.').bytes();
            }
            case 3 -> {
                int n = 1 + r.nextInt(1000);
                describe.append("memo get ").append(n);
                return new P().op(0x80, 2, ']', 'j').op(n & 0xFF, (n >> 8) & 0xFF, 0, 0).op('.').bytes();
            }
            case 4 -> {
                describe.append("persistent id not a storage tuple");
                return new P().op(0x80, 2).str("storage").op('Q', '.').bytes();
            }
            default -> {
                describe.append("tensor args wrong types");
                return new P().op(0x80, 2).global("torch._utils", "_rebuild_tensor_v2").op('(').str("a").str("b").str("c").str("d")
                        .op(0x89).op('N', 't', 'R', '.').bytes();
            }
        }
    }

    // ---- checking -------------------------------------------------------------------------------

    private static Outcome check(Path f) throws IOException {
        TorchFile t;
        try {
            t = TorchFile.open(f);
        } catch (TorchFormatException e) {
            FuzzTest.assertNamesFile(e, f);
            if (e.getMessage().contains("\n")) throw new AssertionError("multi-line message: " + e.getMessage());
            return Outcome.REJECTED;
        }
        boolean late = false;
        try (t) {
            for (String n : t.names()) {
                int[] shape = t.shape(n);
                long numel = 1;
                for (int d : shape) {
                    if (d < 0) throw new AssertionError(n + ": negative dimension accepted");
                    numel *= d;
                }
                try {
                    float[] v = t.getFloats(n);
                    if (v.length != numel) throw new AssertionError(n + ": " + v.length + " values for shape " + Arrays.toString(shape));
                } catch (TorchFormatException e) {
                    FuzzTest.assertNamesFile(e, f);
                    late = true;
                }
            }
        }
        return late ? Outcome.REJECTED : Outcome.ACCEPTED_CHANGED;
    }
}
