package dev.efficientnet.core.io;

import java.io.IOException;
import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small, strict JSON (RFC 8259) parser and writer with no dependencies.
 *
 * <p><b>Parsing</b> gives {@link LinkedHashMap} for objects (member order kept), {@link ArrayList}
 * for arrays, {@link String}, {@link Long} for integers that fit in a long, {@link Double} for every
 * other number (integers beyond the long range included), {@link Boolean} and {@code null}. It is
 * strict: no comments, trailing commas, single quotes, leading zeros, {@code NaN}/{@code Infinity},
 * unescaped control characters, byte order marks or trailing content (whitespace aside); duplicate
 * object keys and numbers beyond the double range are errors. Escaped lone surrogates
 * ({@code "\ud800"}) are accepted and kept, as most parsers do; raw bytes must be valid UTF-8.
 * Hostile input is bounded: nesting deeper than {@link #DEFAULT_MAX_DEPTH} and text longer than
 * {@link #DEFAULT_MAX_LENGTH} characters are rejected (both limits adjustable), and every failure
 * is a {@link JsonException} naming the problem with its offset, line and column.
 *
 * <p><b>Writing</b> accepts what parsing produces plus other {@link Map}s with string keys,
 * {@link Iterable}s, object and primitive arrays, any {@link Number}, {@link CharSequence},
 * {@link Character} and enums (by name). Non-finite floats are written as {@code null}, as
 * JavaScript's {@code JSON.stringify} does, since JSON has no NaN or infinity. Compact output has no
 * whitespace; pretty output indents by two spaces and keeps arrays of scalars on one line. Anything
 * written parses back to equal values (floats come back as {@link Double}).
 */
public final class Json {
    /** Default limit on nesting of arrays and objects. */
    public static final int DEFAULT_MAX_DEPTH = 64;
    /** Default limit on the length of the text, in characters (16 Mi). */
    public static final int DEFAULT_MAX_LENGTH = 16 << 20;

    private Json() {
    }

    // ---- parsing ------------------------------------------------------------------------------

    /**
     * Parses {@code text} with the default limits.
     *
     * @param text the text
     * @return the value: a Map, List, String, Double, Boolean or null
     */
    public static Object parse(CharSequence text) {
        return parse(text, DEFAULT_MAX_DEPTH, DEFAULT_MAX_LENGTH);
    }

    /**
     * Parses {@code text}, rejecting nesting deeper than {@code maxDepth} arrays/objects and text
     * longer than {@code maxLength} characters.
     *
     * @param text the text
     * @param maxDepth the maximum nesting depth
     * @param maxLength the maximum length
     * @return the value: a Map, List, String, Double, Boolean or null
     */
    public static Object parse(CharSequence text, int maxDepth, int maxLength) {
        if (text == null) throw new IllegalArgumentException("text is null");
        if (maxDepth < 1) throw new IllegalArgumentException("maxDepth must be >= 1, got " + maxDepth);
        if (maxLength < 0) throw new IllegalArgumentException("maxLength must be >= 0, got " + maxLength);
        String s = text.toString();
        if (s.length() > maxLength)
            throw new JsonException("text of " + s.length() + " characters exceeds the limit of " + maxLength, 0, 1, 1);
        return new Parser(s, maxDepth).parseDocument();
    }

    /**
     * Parses UTF-8 bytes (strictly decoded) with the default limits.
     *
     * @param utf8 the UTF-8 bytes
     * @return the value: a Map, List, String, Double, Boolean or null
     */
    public static Object parse(byte[] utf8) {
        return parse(utf8, DEFAULT_MAX_DEPTH, DEFAULT_MAX_LENGTH);
    }

    /**
     * Parses UTF-8 bytes (strictly decoded) with the given limits ({@code maxLength} counts bytes).
     *
     * @param utf8 the UTF-8 bytes
     * @param maxDepth the maximum nesting depth
     * @param maxLength the maximum length
     * @return the value: a Map, List, String, Double, Boolean or null
     */
    public static Object parse(byte[] utf8, int maxDepth, int maxLength) {
        if (utf8 == null) throw new IllegalArgumentException("utf8 is null");
        if (utf8.length > maxLength)
            throw new JsonException("text of " + utf8.length + " bytes exceeds the limit of " + maxLength, 0, 1, 1);
        return parse(decodeUtf8(utf8), maxDepth, maxLength);
    }

    /**
     * Parses text that must be a JSON object.
     *
     * @param text the text
     * @return the object, in document order
     */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> parseObject(CharSequence text) {
        Object v = parse(text);
        if (!(v instanceof Map)) throw new JsonException("expected a JSON object, found " + typeName(v), 0, 1, 1);
        return (Map<String, Object>) v;
    }

    /**
     * Reads and parses a UTF-8 JSON file with the default limits; the file size is checked before it
     * is read. Syntax errors are {@link JsonException}s whose message starts with the file name.
     *
     * @param file the file
     * @return the value: a Map, List, String, Double, Boolean or null
     * @throws IOException if a file cannot be read or written
     */
    public static Object read(Path file) throws IOException {
        long size = Files.size(file);
        if (size > DEFAULT_MAX_LENGTH)
            throw new JsonException(file + ": ", new JsonException("file of " + size + " bytes exceeds the limit of "
                    + DEFAULT_MAX_LENGTH, 0, 1, 1));
        byte[] bytes = Files.readAllBytes(file);
        try {
            return parse(bytes);
        } catch (JsonException e) {
            throw new JsonException(file + ": ", e);
        }
    }

    /**
     * Strict UTF-8 decoding; malformed bytes become a {@link JsonException} at the character offset
     * reached (the message also gives the byte offset).
     */
    static String decodeUtf8(byte[] bytes) {
        CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult r = dec.decode(in, out, true);
        if (r.isUnderflow()) r = dec.flush(out);
        if (r.isError()) {
            out.flip();
            String prefix = out.toString();
            int at = in.position();
            int[] lc = lineColumn(prefix, prefix.length());
            throw new JsonException(String.format("invalid UTF-8 byte 0x%02X (byte offset %d)", bytes[at] & 0xFF, at),
                    prefix.length(), lc[0], lc[1]);
        }
        if (!r.isUnderflow()) {
            try {
                r.throwException();
            } catch (CharacterCodingException e) {
                throw new IllegalStateException("UTF-8 decoding failed", e);
            }
        }
        out.flip();
        return out.toString();
    }

    static int[] lineColumn(String s, int offset) {
        int line = 1;
        int col = 1;
        int end = Math.min(offset, s.length());
        for (int i = 0; i < end; i++) {
            if (s.charAt(i) == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
        return new int[]{line, col};
    }

    static String typeName(Object v) {
        if (v == null) return "null";
        if (v instanceof Map) return "an object";
        if (v instanceof List) return "an array";
        if (v instanceof String) return "a string";
        if (v instanceof Boolean) return "a boolean";
        if (v instanceof Number) return "a number";
        return v.getClass().getSimpleName();
    }

    private static final class Parser {
        private final String s;
        private final int n;
        private final int maxDepth;
        private int pos;
        private int depth;

        Parser(String s, int maxDepth) {
            this.s = s;
            this.n = s.length();
            this.maxDepth = maxDepth;
        }

        JsonException error(String problem, int at) {
            int[] lc = lineColumn(s, at);
            return new JsonException(problem, at, lc[0], lc[1]);
        }

        String found(int at) {
            if (at >= n) return "end of input";
            char c = s.charAt(at);
            if (c < 0x20 || c == 0x7F) return String.format("control character U+%04X", (int) c);
            if (Character.isSurrogate(c) || c == '\uFEFF') return String.format("U+%04X", (int) c);
            return "'" + c + "'";
        }

        Object parseDocument() {
            skipWs();
            if (pos >= n) throw error("empty input: expected a JSON value", pos);
            Object v = parseValue();
            skipWs();
            if (pos < n) throw error("unexpected " + found(pos) + " after the JSON value", pos);
            return v;
        }

        void skipWs() {
            while (pos < n) {
                char c = s.charAt(pos);
                if (c == ' ' || c == '\n' || c == '\r' || c == '\t') pos++;
                else break;
            }
        }

        Object parseValue() {
            if (pos >= n) throw error("expected a JSON value, found end of input", pos);
            char c = s.charAt(pos);
            switch (c) {
                case '{':
                    return parseObject();
                case '[':
                    return parseArray();
                case '"':
                    return parseString();
                case 't':
                    expectWord("true");
                    return Boolean.TRUE;
                case 'f':
                    expectWord("false");
                    return Boolean.FALSE;
                case 'n':
                    expectWord("null");
                    return null;
                default:
                    if (c == '-' || (c >= '0' && c <= '9')) return parseNumber();
                    throw error("expected a JSON value, found " + found(pos), pos);
            }
        }

        void expectWord(String word) {
            if (!s.startsWith(word, pos)) throw error("expected '" + word + "', found " + found(pos), pos);
            pos += word.length();
        }

        void enter() {
            if (++depth > maxDepth) throw error("nesting deeper than " + maxDepth + " arrays/objects", pos);
        }

        Map<String, Object> parseObject() {
            enter();
            pos++; // '{'
            Map<String, Object> map = new LinkedHashMap<>();
            skipWs();
            if (pos < n && s.charAt(pos) == '}') {
                pos++;
                depth--;
                return map;
            }
            while (true) {
                skipWs();
                if (pos >= n || s.charAt(pos) != '"')
                    throw error("expected a string key, found " + found(pos), pos);
                int keyAt = pos;
                String key = parseString();
                skipWs();
                if (pos >= n || s.charAt(pos) != ':')
                    throw error("expected ':' after object key, found " + found(pos), pos);
                pos++;
                skipWs();
                Object value = parseValue();
                if (map.containsKey(key)) throw error("duplicate key " + quote(key), keyAt);
                map.put(key, value);
                skipWs();
                if (pos >= n) throw error("expected ',' or '}' in object, found end of input", pos);
                char c = s.charAt(pos++);
                if (c == '}') break;
                if (c != ',') throw error("expected ',' or '}' in object, found " + found(pos - 1), pos - 1);
            }
            depth--;
            return map;
        }

        List<Object> parseArray() {
            enter();
            pos++; // '['
            List<Object> list = new ArrayList<>();
            skipWs();
            if (pos < n && s.charAt(pos) == ']') {
                pos++;
                depth--;
                return list;
            }
            while (true) {
                skipWs();
                list.add(parseValue());
                skipWs();
                if (pos >= n) throw error("expected ',' or ']' in array, found end of input", pos);
                char c = s.charAt(pos++);
                if (c == ']') break;
                if (c != ',') throw error("expected ',' or ']' in array, found " + found(pos - 1), pos - 1);
            }
            depth--;
            return list;
        }

        String parseString() {
            int start = pos;
            pos++; // opening quote
            int runStart = pos;
            StringBuilder sb = null;
            while (true) {
                if (pos >= n) throw error("unterminated string", start);
                char c = s.charAt(pos);
                if (c == '"') {
                    String result;
                    if (sb == null) result = s.substring(runStart, pos);
                    else result = sb.append(s, runStart, pos).toString();
                    pos++;
                    return result;
                }
                if (c < 0x20) throw error("unescaped " + found(pos) + " in string", pos);
                if (c != '\\') {
                    pos++;
                    continue;
                }
                if (sb == null) sb = new StringBuilder();
                sb.append(s, runStart, pos);
                int escAt = pos;
                pos++;
                if (pos >= n) throw error("unterminated escape sequence", escAt);
                char e = s.charAt(pos++);
                switch (e) {
                    case '"': sb.append('"'); break;
                    case '\\': sb.append('\\'); break;
                    case '/': sb.append('/'); break;
                    case 'b': sb.append('\b'); break;
                    case 'f': sb.append('\f'); break;
                    case 'n': sb.append('\n'); break;
                    case 'r': sb.append('\r'); break;
                    case 't': sb.append('\t'); break;
                    case 'u': sb.append(parseHex4(escAt)); break;
                    default:
                        throw error("invalid escape '\\" + (e < 0x20 ? String.format("U+%04X", (int) e) : String.valueOf(e)) + "'", escAt);
                }
                runStart = pos;
            }
        }

        char parseHex4(int escAt) {
            if (pos + 4 > n) throw error("truncated \\u escape", escAt);
            int v = 0;
            for (int i = 0; i < 4; i++) {
                char h = s.charAt(pos + i);
                int d = h >= '0' && h <= '9' ? h - '0'
                        : h >= 'a' && h <= 'f' ? h - 'a' + 10
                        : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
                if (d < 0) throw error("invalid \\u escape: expected 4 hex digits, found " + found(pos + i), escAt);
                v = v * 16 + d;
            }
            pos += 4;
            return (char) v;
        }

        Object parseNumber() {
            int start = pos;
            if (s.charAt(pos) == '-') pos++;
            if (pos >= n) throw error("invalid number: expected a digit after '-'", start);
            char c = s.charAt(pos);
            if (c == '0') {
                pos++;
                if (pos < n && isDigit(s.charAt(pos))) throw error("invalid number: leading zero", start);
            } else if (isDigit(c)) {
                while (pos < n && isDigit(s.charAt(pos))) pos++;
            } else {
                throw error("invalid number: expected a digit, found " + found(pos), pos);
            }
            boolean integral = true;
            if (pos < n && s.charAt(pos) == '.') {
                integral = false;
                pos++;
                if (pos >= n || !isDigit(s.charAt(pos)))
                    throw error("invalid number: expected a digit after '.', found " + found(pos), pos);
                while (pos < n && isDigit(s.charAt(pos))) pos++;
            }
            if (pos < n && (s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
                integral = false;
                pos++;
                if (pos < n && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) pos++;
                if (pos >= n || !isDigit(s.charAt(pos)))
                    throw error("invalid number: expected a digit in the exponent, found " + found(pos), pos);
                while (pos < n && isDigit(s.charAt(pos))) pos++;
            }
            String token = s.substring(start, pos);
            if (integral && pos - start <= 20) {
                try {
                    return Long.parseLong(token);
                } catch (NumberFormatException overflow) {
                    // beyond the long range: falls through to double
                }
            }
            double d = Double.parseDouble(token);
            if (Double.isInfinite(d)) throw error("number " + abbreviate(token) + " is beyond the double range", start);
            return d;
        }

        static boolean isDigit(char c) {
            return c >= '0' && c <= '9';
        }

        static String abbreviate(String token) {
            return token.length() <= 40 ? token : token.substring(0, 37) + "...";
        }
    }

    // ---- writing ------------------------------------------------------------------------------

    /**
     * Compact JSON for {@code value} (no whitespace).
     *
     * @param value the value
     * @return compact JSON for {@code value} (no whitespace)
     */
    public static String write(Object value) {
        return write(value, false);
    }

    /**
     * Pretty JSON for {@code value}: two-space indentation, arrays of scalars on one line.
     *
     * @param value the value
     * @return pretty JSON for {@code value}: two-space indentation, arrays of scalars on one line
     */
    public static String writePretty(Object value) {
        return write(value, true);
    }

    /**
     * JSON for {@code value}, pretty or compact.
     *
     * @param value the value
     * @param pretty whether to indent the output
     * @return JSON for {@code value}, pretty or compact
     */
    public static String write(Object value, boolean pretty) {
        StringBuilder sb = new StringBuilder();
        new Writer(sb, pretty).value(value, 0);
        return sb.toString();
    }

    /**
     * {@code value} as a JSON string literal, quotes included.
     *
     * @param value the value
     * @return {@code value} as a JSON string literal, quotes included
     */
    public static String quote(String value) {
        StringBuilder sb = new StringBuilder(value.length() + 2);
        appendString(sb, value);
        return sb.toString();
    }

    /** {@link #quote} for messages: strings past 120 characters are cut with "...". */
    static String quoteShort(String value) {
        return value.length() <= 120 ? quote(value) : quote(value.substring(0, 117)) + "...";
    }

    static void appendString(StringBuilder sb, String v) {
        sb.append('"');
        int n = v.length();
        int run = 0;
        for (int i = 0; i < n; i++) {
            char c = v.charAt(i);
            String esc = null;
            if (c == '"') esc = "\\\"";
            else if (c == '\\') esc = "\\\\";
            else if (c < 0x20) {
                switch (c) {
                    case '\n': esc = "\\n"; break;
                    case '\r': esc = "\\r"; break;
                    case '\t': esc = "\\t"; break;
                    case '\b': esc = "\\b"; break;
                    case '\f': esc = "\\f"; break;
                    default: esc = String.format("\\u%04x", (int) c);
                }
            } else if (Character.isHighSurrogate(c)) {
                if (i + 1 < n && Character.isLowSurrogate(v.charAt(i + 1))) {
                    i++; // a valid pair is written as is
                    continue;
                }
                esc = String.format("\\u%04x", (int) c);
            } else if (Character.isLowSurrogate(c)) {
                esc = String.format("\\u%04x", (int) c); // unpaired: not encodable as UTF-8
            }
            if (esc != null) {
                sb.append(v, run, i).append(esc);
                run = i + 1;
            }
        }
        sb.append(v, run, n).append('"');
    }

    private static final class Writer {
        private final StringBuilder sb;
        private final boolean pretty;
        private final Deque<Object> path = new ArrayDeque<>();

        Writer(StringBuilder sb, boolean pretty) {
            this.sb = sb;
            this.pretty = pretty;
        }

        IllegalArgumentException error(String problem) {
            StringBuilder p = new StringBuilder("$");
            Iterator<Object> it = path.descendingIterator();
            while (it.hasNext()) {
                Object k = it.next();
                if (k instanceof Integer) p.append('[').append(k).append(']');
                else p.append('.').append(k);
            }
            return new IllegalArgumentException("cannot write JSON at " + p + ": " + problem);
        }

        void newline(int indent) {
            if (!pretty) return;
            sb.append('\n');
            for (int i = 0; i < indent; i++) sb.append("  ");
        }

        void value(Object v, int depth) {
            if (v == null) {
                sb.append("null");
            } else if (v instanceof String) {
                appendString(sb, (String) v);
            } else if (v instanceof CharSequence || v instanceof Character) {
                appendString(sb, v.toString());
            } else if (v instanceof Boolean) {
                sb.append(((Boolean) v).booleanValue());
            } else if (v instanceof Number) {
                number((Number) v);
            } else if (v instanceof Enum) {
                appendString(sb, ((Enum<?>) v).name());
            } else if (v instanceof Map) {
                object((Map<?, ?>) v, depth + 1);
            } else if (v instanceof Iterable) {
                List<Object> items = new ArrayList<>();
                for (Object o : (Iterable<?>) v) items.add(o);
                array(items, depth + 1);
            } else if (v.getClass().isArray()) {
                int len = Array.getLength(v);
                List<Object> items = new ArrayList<>(len);
                for (int i = 0; i < len; i++) items.add(Array.get(v, i));
                array(items, depth + 1);
            } else {
                throw error("unsupported type " + v.getClass().getName());
            }
        }

        void number(Number v) {
            if (v instanceof Double || v instanceof Float) {
                double d = v.doubleValue();
                if (!Double.isFinite(d)) sb.append("null");
                else if (v instanceof Float) sb.append(Float.toString(v.floatValue()));
                else sb.append(Double.toString(d));
            } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte
                    || v instanceof BigInteger) {
                sb.append(v.toString());
            } else if (v instanceof BigDecimal) {
                sb.append(v.toString());
            } else {
                String t = v.toString(); // AtomicLong, LongAdder, ...: integral if it says so
                if (isIntegerLiteral(t)) sb.append(t);
                else {
                    double d = v.doubleValue();
                    sb.append(Double.isFinite(d) ? Double.toString(d) : "null");
                }
            }
        }

        static boolean isIntegerLiteral(String t) {
            int i = t.startsWith("-") ? 1 : 0;
            if (i >= t.length()) return false;
            if (t.charAt(i) == '0' && t.length() > i + 1) return false;
            for (; i < t.length(); i++) if (t.charAt(i) < '0' || t.charAt(i) > '9') return false;
            return true;
        }

        void checkDepth(int depth) {
            if (depth > DEFAULT_MAX_DEPTH)
                throw error("nesting deeper than " + DEFAULT_MAX_DEPTH + " arrays/objects (a cycle?)");
        }

        void object(Map<?, ?> map, int depth) {
            checkDepth(depth);
            if (map.isEmpty()) {
                sb.append("{}");
                return;
            }
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                Object k = e.getKey();
                if (!(k instanceof String))
                    throw error("object key " + k + " is " + (k == null ? "null" : "a " + k.getClass().getName()) + ", not a String");
                if (!first) sb.append(',');
                first = false;
                newline(depth);
                appendString(sb, (String) k);
                sb.append(pretty ? ": " : ":");
                path.push(k);
                value(e.getValue(), depth);
                path.pop();
            }
            newline(depth - 1);
            sb.append('}');
        }

        void array(List<Object> items, int depth) {
            checkDepth(depth);
            if (items.isEmpty()) {
                sb.append("[]");
                return;
            }
            boolean flat = true;
            for (Object o : items) {
                if (o instanceof Map || o instanceof Iterable || (o != null && o.getClass().isArray())) {
                    flat = false;
                    break;
                }
            }
            sb.append('[');
            for (int i = 0; i < items.size(); i++) {
                if (i > 0) sb.append(pretty && flat ? ", " : ",");
                if (!flat) newline(depth);
                path.push(i);
                value(items.get(i), depth);
                path.pop();
            }
            if (!flat) newline(depth - 1);
            sb.append(']');
        }
    }
}
