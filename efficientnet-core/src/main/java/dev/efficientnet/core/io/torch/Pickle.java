package dev.efficientnet.core.io.torch;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A restricted unpickler for the subset of Python's pickle (protocols 2 to 5) that
 * {@code torch.save} writes for state dicts. It never executes code: a {@code GLOBAL} is accepted
 * only if it is on a short whitelist (ordered dicts, the tensor rebuild functions, the storage
 * types, {@code _codecs.encode} for bytes and {@code torch.Size}); any other global, instance
 * creation opcode or extension is refused at once. The machine is iterative (no recursion), so deep
 * nesting cannot overflow the Java stack, and the number of objects, the stack and the mark depth are
 * capped, so hostile input ends in a {@link TorchFormatException} instead of an
 * {@link OutOfMemoryError}.
 *
 * <p>Values: {@code null}, {@link Boolean}, {@link Long} (or {@link BigInteger} beyond 64 bits),
 * {@link Double}, {@link String}, {@code byte[]}, {@link ArrayList} (lists), {@link Tuple},
 * {@link LinkedHashMap} (dicts and ordered dicts, scalar keys only), {@link TorchTensor}.
 */
final class Pickle {
    /** Caps that keep hostile pickles bounded in memory. */
    static final int MAX_OBJECTS = 1_000_000;
    static final int MAX_STACK = 1_000_000;
    static final int MAX_MARKS = 100_000;
    static final int MAX_RANK = 32;

    /** A Python tuple (immutable). */
    record Tuple(List<Object> items) {
        @Override
        public String toString() {
            return "tuple of " + items.size();
        }
    }

    /** A whitelisted global. */
    record Global(String module, String name) {
        @Override
        public String toString() {
            return module + "." + name;
        }
    }

    /** A storage named by a persistent id: {@code ('storage', torch.XStorage, key, location, numel)}. */
    record StorageRef(String key, TorchDType dtype, long numel) {
    }

    private static final Object MARK = new Object();

    private final Path file;
    private final byte[] b;
    private int pos;
    private final List<Object> stack = new ArrayList<>();
    private int[] marks = new int[16];
    private int markDepth;
    private final Map<Long, Object> memo = new HashMap<>();
    private final Map<String, StorageRef> storages = new LinkedHashMap<>();
    private int objects;

    private Pickle(Path file, byte[] bytes) {
        this.file = file;
        this.b = bytes;
    }

    /** Unpickles {@code bytes}; {@code storages} receives every storage referenced, by key. */
    static Object load(Path file, byte[] bytes, Map<String, StorageRef> storages) throws TorchFormatException {
        Pickle p = new Pickle(file, bytes);
        Object result = p.run();
        storages.putAll(p.storages);
        return result;
    }

    /** One pickle of a sequence (the legacy format): its value and where the next one starts. */
    record Next(Object value, int end) {
    }

    /**
     * Unpickles the pickle starting at {@code start} of {@code bytes} in the legacy format, whose
     * persistent ids have a sixth element (a storage view, which must be None).
     */
    static Next loadAt(Path file, byte[] bytes, int start, Map<String, StorageRef> storages) throws TorchFormatException {
        Pickle p = new Pickle(file, bytes);
        p.pos = start;
        p.legacy = true;
        Object result = p.run();
        storages.putAll(p.storages);
        return new Next(result, p.pos);
    }

    private boolean legacy;

    private TorchFormatException fail(String problem) {
        return new TorchFormatException(file, "pickle: " + problem + " (at byte " + pos + " of the pickle)");
    }

    private Object run() throws TorchFormatException {
        while (true) {
            if (pos >= b.length) throw fail("ends without STOP (truncated?)");
            int at = pos;
            int op = b[pos++] & 0xFF;
            switch (op) {
                case 0x80 -> { // PROTO
                    int v = u8();
                    if (v < 2 || v > 5) throw fail("unsupported protocol " + v);
                }
                case 0x95 -> need(8); // FRAME: length hint, ignored
                case 0x2e -> { // STOP
                    if (stack.size() != 1 || markDepth != 0)
                        throw fail("STOP with " + stack.size() + " values on the stack and " + markDepth + " open marks");
                    Object r = stack.get(0);
                    if (r == MARK) throw fail("STOP on a mark");
                    return r;
                }
                case 0x28 -> { // MARK
                    if (markDepth >= MAX_MARKS) throw fail("more than " + MAX_MARKS + " nested marks");
                    if (markDepth == marks.length) marks = Arrays.copyOf(marks, marks.length * 2);
                    marks[markDepth++] = stack.size();
                    push(MARK);
                }
                case 0x30 -> pop(); // POP
                case 0x31 -> popMark(); // POP_MARK
                case 0x32 -> { // DUP
                    Object top = peek();
                    push(top);
                }
                case 0x4e -> push(null);
                case 0x88 -> push(Boolean.TRUE);
                case 0x89 -> push(Boolean.FALSE);
                case 0x4a -> { // BININT
                    need(4);
                    push(count((long) ByteBuffer.wrap(b, pos, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt()));
                    pos += 4;
                }
                case 0x4b -> push(count((long) u8())); // BININT1
                case 0x4d -> { // BININT2
                    int lo = u8();
                    push(count((long) (lo | (u8() << 8))));
                }
                case 0x8a, 0x8b -> { // LONG1, LONG4
                    long n = op == 0x8a ? u8() : u32();
                    if (n > 64) throw fail("integer of " + n + " bytes");
                    need((int) n);
                    byte[] le = Arrays.copyOfRange(b, pos, pos + (int) n);
                    pos += (int) n;
                    if (n == 0) {
                        push(count(0L));
                        break;
                    }
                    byte[] be = new byte[le.length];
                    for (int i = 0; i < le.length; i++) be[i] = le[le.length - 1 - i];
                    BigInteger v = new BigInteger(be);
                    push(count(v.bitLength() < 64 ? (Object) v.longValue() : v));
                }
                case 0x47 -> { // BINFLOAT (big-endian)
                    need(8);
                    push(count(ByteBuffer.wrap(b, pos, 8).getDouble()));
                    pos += 8;
                }
                case 0x58 -> push(count(utf8(u32()))); // BINUNICODE
                case 0x8c -> push(count(utf8(u8()))); // SHORT_BINUNICODE
                case 0x8d -> push(count(utf8(u64()))); // BINUNICODE8
                case 0x42 -> push(count(bytes(u32()))); // BINBYTES
                case 0x43 -> push(count(bytes(u8()))); // SHORT_BINBYTES
                case 0x8e -> push(count(bytes(u64()))); // BINBYTES8
                case 0x29 -> push(count(new Tuple(List.of()))); // EMPTY_TUPLE
                case 0x85, 0x86, 0x87 -> { // TUPLE1..3
                    int n = op - 0x84;
                    Object[] items = new Object[n];
                    for (int i = n - 1; i >= 0; i--) items[i] = pop();
                    push(count(new Tuple(Arrays.asList(items))));
                }
                case 0x74 -> push(count(new Tuple(popMark()))); // TUPLE
                case 0x5d -> push(count(new ArrayList<>())); // EMPTY_LIST
                case 0x6c -> push(count(new ArrayList<>(popMark()))); // LIST
                case 0x7d -> push(count(new LinkedHashMap<>())); // EMPTY_DICT
                case 0x64 -> { // DICT
                    List<Object> items = popMark();
                    Map<Object, Object> d = new LinkedHashMap<>();
                    setItems(d, items);
                    push(count(d));
                }
                case 0x61 -> { // APPEND
                    Object v = pop();
                    list(peek(), "APPEND").add(v);
                }
                case 0x65 -> { // APPENDS
                    List<Object> items = popMark();
                    list(peek(), "APPENDS").addAll(items);
                }
                case 0x73 -> { // SETITEM
                    Object v = pop();
                    Object k = pop();
                    setItems(dict(peek(), "SETITEM"), Arrays.asList(k, v));
                }
                case 0x75 -> { // SETITEMS
                    List<Object> items = popMark();
                    setItems(dict(peek(), "SETITEMS"), items);
                }
                case 0x71 -> memo(u8(), peek()); // BINPUT
                case 0x72 -> memo(u32(), peek()); // LONG_BINPUT
                case 0x94 -> memo(memo.size(), peek()); // MEMOIZE
                case 0x68 -> push(get(u8())); // BINGET
                case 0x6a -> push(get(u32())); // LONG_BINGET
                case 0x63 -> { // GLOBAL
                    String module = line();
                    String name = line();
                    push(count(global(module, name)));
                }
                case 0x93 -> { // STACK_GLOBAL
                    Object name = pop();
                    Object module = pop();
                    if (!(module instanceof String) || !(name instanceof String)) throw fail("STACK_GLOBAL needs two strings");
                    push(count(global((String) module, (String) name)));
                }
                case 0x52 -> { // REDUCE
                    Object args = pop();
                    Object fn = pop();
                    push(count(reduce(fn, args)));
                }
                case 0x62 -> { // BUILD
                    Object state = pop();
                    Object target = peek();
                    // OrderedDict state (state_dict()._metadata) is kept out of the state dict: ignored
                    if (!(target instanceof Map) || !(state == null || state instanceof Map))
                        throw fail("BUILD of " + typeName(target) + " with " + typeName(state) + " is not supported");
                }
                case 0x51 -> push(count(persistent(pop()))); // BINPERSID
                case 0x81, 0x92, 0x69, 0x6f -> throw fail("refuses to create objects (opcode " + opName(op)
                        + "): only tensors, dicts, lists, tuples and scalars are read, no code is executed");
                default -> {
                    pos = at;
                    throw fail("unsupported opcode 0x" + Integer.toHexString(op));
                }
            }
        }
    }

    private static String opName(int op) {
        return switch (op) {
            case 0x81 -> "NEWOBJ";
            case 0x92 -> "NEWOBJ_EX";
            case 0x69 -> "INST";
            default -> "OBJ";
        };
    }

    private Object count(Object o) throws TorchFormatException {
        if (++objects > MAX_OBJECTS) throw fail("more than " + MAX_OBJECTS + " objects");
        return o;
    }

    private void push(Object o) throws TorchFormatException {
        if (stack.size() >= MAX_STACK) throw fail("stack deeper than " + MAX_STACK);
        stack.add(o);
    }

    private Object pop() throws TorchFormatException {
        if (stack.isEmpty()) throw fail("pop from an empty stack");
        int top = stack.size() - 1;
        if (markDepth > 0 && marks[markDepth - 1] == top) throw fail("value expected, found a mark");
        return stack.remove(top);
    }

    private Object peek() throws TorchFormatException {
        if (stack.isEmpty()) throw fail("empty stack");
        Object o = stack.get(stack.size() - 1);
        if (o == MARK) throw fail("value expected, found a mark");
        return o;
    }

    private List<Object> popMark() throws TorchFormatException {
        if (markDepth == 0) throw fail("no mark on the stack");
        int at = marks[--markDepth];
        List<Object> sub = stack.subList(at + 1, stack.size());
        List<Object> items = new ArrayList<>(sub);
        sub.clear();
        stack.remove(at);
        return items;
    }

    private void need(int n) throws TorchFormatException {
        if (n < 0 || b.length - pos < n) throw fail("truncated: " + n + " more bytes needed, " + (b.length - pos) + " left");
    }

    private int u8() throws TorchFormatException {
        need(1);
        return b[pos++] & 0xFF;
    }

    private long u32() throws TorchFormatException {
        need(4);
        long v = (b[pos] & 0xFFL) | (b[pos + 1] & 0xFFL) << 8 | (b[pos + 2] & 0xFFL) << 16 | (b[pos + 3] & 0xFFL) << 24;
        pos += 4;
        return v;
    }

    private long u64() throws TorchFormatException {
        need(8);
        long v = ByteBuffer.wrap(b, pos, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        pos += 8;
        if (v < 0) throw fail("length " + Long.toUnsignedString(v) + " is too large");
        return v;
    }

    private int length(long n) throws TorchFormatException {
        if (n > b.length - pos) throw fail("length " + n + " runs past the end (" + (b.length - pos) + " bytes left)");
        return (int) n;
    }

    private String utf8(long n) throws TorchFormatException {
        int len = length(n);
        try {
            CharBuffer cb = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b, pos, len));
            pos += len;
            return cb.toString();
        } catch (CharacterCodingException e) {
            throw fail("string is not valid UTF-8");
        }
    }

    private byte[] bytes(long n) throws TorchFormatException {
        int len = length(n);
        byte[] out = Arrays.copyOfRange(b, pos, pos + len);
        pos += len;
        return out;
    }

    private String line() throws TorchFormatException {
        int start = pos;
        while (pos < b.length && pos - start < 256 && b[pos] != '\n') pos++;
        if (pos >= b.length || b[pos] != '\n') throw fail("GLOBAL name not terminated within 256 bytes");
        String s = new String(b, start, pos - start, StandardCharsets.US_ASCII);
        pos++;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(Character.isLetterOrDigit(c) || c == '_' || c == '.')) throw fail("GLOBAL name has an invalid character");
        }
        return s;
    }

    private void memo(long index, Object value) throws TorchFormatException {
        if (value == MARK) throw fail("memoizing a mark");
        if (memo.size() >= MAX_OBJECTS && !memo.containsKey(index)) throw fail("memo larger than " + MAX_OBJECTS);
        memo.put(index, value);
    }

    private Object get(long index) throws TorchFormatException {
        if (!memo.containsKey(index)) throw fail("memo entry " + index + " was never stored");
        return memo.get(index);
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(Object o, String op) throws TorchFormatException {
        if (!(o instanceof ArrayList)) throw fail(op + " on " + typeName(o) + ", not a list");
        return (List<Object>) o;
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> dict(Object o, String op) throws TorchFormatException {
        if (!(o instanceof LinkedHashMap)) throw fail(op + " on " + typeName(o) + ", not a dict");
        return (Map<Object, Object>) o;
    }

    private void setItems(Map<Object, Object> d, List<Object> kv) throws TorchFormatException {
        if (kv.size() % 2 != 0) throw fail("odd number of dict items");
        for (int i = 0; i < kv.size(); i += 2) {
            Object k = kv.get(i);
            if (!(k == null || k instanceof String || k instanceof Long || k instanceof Boolean || k instanceof Double))
                throw fail("dict key of type " + typeName(k) + " is not supported (only strings and numbers)");
            d.put(k, kv.get(i + 1));
        }
    }

    // ---- the whitelist --------------------------------------------------------------------------

    private Object global(String module, String name) throws TorchFormatException {
        boolean ok = switch (module) {
            case "collections" -> name.equals("OrderedDict");
            case "torch._utils" -> name.equals("_rebuild_tensor_v2") || name.equals("_rebuild_parameter")
                    || name.equals("_rebuild_parameter_with_state");
            case "torch" -> name.equals("Size") || TorchDType.ofStorageClass(name) != null;
            case "_codecs" -> name.equals("encode");
            default -> false;
        };
        if (!ok)
            throw fail("refuses global " + module + "." + name + ": only tensors, dicts, lists, tuples and scalars are read "
                    + "and no code is executed (re-save the state dict alone, e.g. torch.save(ckpt['state_dict'], f))");
        return new Global(module, name);
    }

    private Object reduce(Object fn, Object args) throws TorchFormatException {
        if (!(fn instanceof Global g)) throw fail("REDUCE of " + typeName(fn) + ", not a callable");
        if (!(args instanceof Tuple t)) throw fail("REDUCE of " + fn + " with " + typeName(args) + " arguments, not a tuple");
        List<Object> a = t.items();
        switch (g.module() + "." + g.name()) {
            case "collections.OrderedDict": {
                Map<Object, Object> d = new LinkedHashMap<>();
                if (a.isEmpty()) return d;
                if (a.size() == 1 && a.get(0) instanceof List<?> pairs) {
                    for (Object p : pairs) {
                        List<?> kv = p instanceof Tuple pt ? pt.items() : p instanceof List<?> l ? l : null;
                        if (kv == null || kv.size() != 2) throw fail("OrderedDict item is not a pair");
                        setItems(d, new ArrayList<>(kv));
                    }
                    return d;
                }
                throw fail("OrderedDict with " + a.size() + " unsupported arguments");
            }
            case "torch._utils._rebuild_tensor_v2":
                if (a.size() < 6 || a.size() > 7) throw fail("_rebuild_tensor_v2 with " + a.size() + " arguments");
                return tensor(a);
            case "torch._utils._rebuild_parameter":
            case "torch._utils._rebuild_parameter_with_state":
                if (a.isEmpty() || !(a.get(0) instanceof TorchTensor)) throw fail(g + " without a tensor");
                return a.get(0);
            case "torch.Size":
                if (a.size() != 1 || !(a.get(0) instanceof Tuple)) throw fail("torch.Size needs one tuple");
                return a.get(0);
            case "_codecs.encode":
                if (a.size() != 2 || !(a.get(0) instanceof String s) || !"latin1".equals(a.get(1)))
                    throw fail("_codecs.encode is only accepted as (str, 'latin1')");
                for (int i = 0; i < s.length(); i++) if (s.charAt(i) > 0xFF) throw fail("_codecs.encode: not latin-1");
                return s.getBytes(StandardCharsets.ISO_8859_1);
            default:
                throw fail(g + " cannot be called");
        }
    }

    private Object persistent(Object pid) throws TorchFormatException {
        if (legacy && pid instanceof Tuple lt && lt.items().size() == 6) {
            if (lt.items().get(5) != null) throw fail("legacy storage views are not supported");
            pid = new Tuple(lt.items().subList(0, 5));
        }
        if (!(pid instanceof Tuple t) || t.items().size() != 5 || !"storage".equals(t.items().get(0)))
            throw fail("persistent id must be ('storage', type, key, location, numel), found " + typeName(pid));
        List<Object> a = t.items();
        if (!(a.get(1) instanceof Global g) || !g.module().equals("torch") || TorchDType.ofStorageClass(g.name()) == null)
            throw fail("persistent id: storage type " + a.get(1) + " is not a known storage class");
        if (!(a.get(2) instanceof String key) || key.isEmpty() || key.length() > 64 || !key.chars().allMatch(c -> c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'))
            throw fail("persistent id: invalid storage key");
        if (!(a.get(3) instanceof String)) throw fail("persistent id: location is not a string");
        if (!(a.get(4) instanceof Long numel) || numel < 0) throw fail("persistent id: storage size is not a non-negative integer");
        TorchDType dtype = TorchDType.ofStorageClass(g.name());
        if (numel > Long.MAX_VALUE / dtype.bytes()) throw fail("storage " + key + ": size " + numel + " overflows");
        StorageRef ref = new StorageRef(key, dtype, numel);
        StorageRef prev = storages.putIfAbsent(key, ref);
        if (prev != null && !prev.equals(ref))
            throw fail("storage " + key + " is declared twice, as " + prev.dtype() + "[" + prev.numel() + "] and "
                    + dtype + "[" + numel + "]");
        return prev != null ? prev : ref;
    }

    private TorchTensor tensor(List<Object> a) throws TorchFormatException {
        if (!(a.get(0) instanceof StorageRef s)) throw fail("_rebuild_tensor_v2: first argument is " + typeName(a.get(0)) + ", not a storage");
        if (!(a.get(1) instanceof Long offset) || offset < 0) throw fail("_rebuild_tensor_v2: storage offset is not a non-negative integer");
        int[] size = dims(a.get(2), "size");
        long[] stride = new long[size.length];
        if (!(a.get(3) instanceof Tuple st) || st.items().size() != size.length)
            throw fail("_rebuild_tensor_v2: stride must be a tuple of rank " + size.length);
        for (int i = 0; i < size.length; i++) {
            if (!(st.items().get(i) instanceof Long v) || v < 0) throw fail("_rebuild_tensor_v2: stride has an invalid entry");
            stride[i] = v;
        }
        long numel = 1;
        long maxIndex = offset;
        try {
            for (int i = 0; i < size.length; i++) {
                numel = Math.multiplyExact(numel, size[i]);
                if (size[i] > 0) maxIndex = Math.addExact(maxIndex, Math.multiplyExact(size[i] - 1L, stride[i]));
            }
        } catch (ArithmeticException e) {
            throw fail("_rebuild_tensor_v2: size/stride overflow");
        }
        if (numel > Integer.MAX_VALUE - 8) throw fail("tensor of " + numel + " elements is too large");
        if (numel > s.numel())
            throw fail("tensor " + Arrays.toString(size) + " has more elements than its storage " + s.key() + " ("
                    + s.numel() + "): overlapping views are not supported");
        if (numel > 0 && maxIndex >= s.numel())
            throw fail("tensor " + Arrays.toString(size) + " (offset " + offset + ", stride " + Arrays.toString(stride)
                    + ") reaches element " + maxIndex + " of storage " + s.key() + " which holds " + s.numel());
        return new TorchTensor(s.key(), s.dtype(), size, stride, offset, numel);
    }

    private int[] dims(Object o, String what) throws TorchFormatException {
        if (!(o instanceof Tuple t)) throw fail("_rebuild_tensor_v2: " + what + " is " + typeName(o) + ", not a tuple");
        if (t.items().size() > MAX_RANK) throw fail("_rebuild_tensor_v2: rank " + t.items().size() + " above " + MAX_RANK);
        int[] d = new int[t.items().size()];
        for (int i = 0; i < d.length; i++) {
            if (!(t.items().get(i) instanceof Long v) || v < 0 || v > Integer.MAX_VALUE)
                throw fail("_rebuild_tensor_v2: " + what + " has an invalid dimension");
            d[i] = (int) (long) v;
        }
        return d;
    }

    /** A short type name for messages (never walks into containers). */
    static String typeName(Object o) {
        if (o == null) return "None";
        if (o == MARK) return "a mark";
        if (o instanceof String) return "a string";
        if (o instanceof Long || o instanceof BigInteger) return "an integer";
        if (o instanceof Double) return "a float";
        if (o instanceof Boolean) return "a bool";
        if (o instanceof byte[]) return "bytes";
        if (o instanceof List) return "a list";
        if (o instanceof Tuple) return "a tuple";
        if (o instanceof Map) return "a dict";
        if (o instanceof TorchTensor) return "a tensor";
        if (o instanceof Global g) return g.toString();
        if (o instanceof StorageRef) return "a storage";
        return o.getClass().getSimpleName();
    }
}
