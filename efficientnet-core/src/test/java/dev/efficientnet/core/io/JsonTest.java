package dev.efficientnet.core.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonTest {

    static JsonException bad(String text, String fragment) {
        JsonException e = assertThrows(JsonException.class, () -> Json.parse(text), text);
        assertTrue(e.getMessage().contains(fragment), () -> "message '" + e.getMessage() + "' lacks '" + fragment + "'");
        return e;
    }

    @Test
    void parsesEveryValueTypeAndKeepsKeyOrder() {
        Object v = Json.parse(" {\"z\": 1, \"a\": -2.5e3, \"m\": \"x\", \"t\": true, \"f\": false, \"n\": null,"
                + " \"arr\": [1, [2, {}], []], \"o\": {\"k\": 0.5}}\n");
        Map<?, ?> m = assertInstanceOf(LinkedHashMap.class, v);
        assertEquals(List.of("z", "a", "m", "t", "f", "n", "arr", "o"), new ArrayList<>(m.keySet()));
        assertEquals(1L, m.get("z"));
        assertEquals(-2500.0, m.get("a"));
        assertEquals("x", m.get("m"));
        assertEquals(Boolean.TRUE, m.get("t"));
        assertEquals(Boolean.FALSE, m.get("f"));
        assertTrue(m.containsKey("n"));
        assertNull(m.get("n"));
        assertEquals(List.of(1L, List.of(2L, Map.of()), List.of()), m.get("arr"));
        assertEquals(Map.of("k", 0.5), m.get("o"));
        assertEquals("s", Json.parse("\"s\""));
        assertEquals(7L, Json.parse("7"));
        assertNull(Json.parse("null"));
    }

    @Test
    void numbers() {
        assertEquals(0L, Json.parse("0"));
        assertEquals(0L, Json.parse("-0"));
        assertEquals(Long.MAX_VALUE, Json.parse("9223372036854775807"));
        assertEquals(Long.MIN_VALUE, Json.parse("-9223372036854775808"));
        assertEquals(9.223372036854775808E18, Json.parse("9223372036854775808"));
        assertEquals(1e30, Json.parse("1000000000000000000000000000000"));
        assertEquals(100.0, Json.parse("1e2"));
        assertEquals(100.0, Json.parse("1E+2"));
        assertEquals(0.0015, Json.parse("1.5e-3"));
        assertEquals(-0.25, Json.parse("-0.25"));
        assertEquals(0.0, Json.parse("1e-400"));
        bad("01", "leading zero");
        bad("-01", "leading zero");
        bad("1.", "expected a digit after '.'");
        bad(".5", "expected a JSON value, found '.'");
        bad("-", "expected a digit after '-'");
        bad("+1", "expected a JSON value, found '+'");
        bad("1e", "exponent");
        bad("1e+", "exponent");
        bad("NaN", "expected a JSON value, found 'N'");
        bad("Infinity", "expected a JSON value");
        bad("-Infinity", "expected a digit");
        bad("1e400", "beyond the double range");
        bad("0x10", "unexpected 'x' after the JSON value");
        bad("1.0.0", "unexpected '.'");
        bad("tru", "expected 'true'");
        bad("nul", "expected 'null'");
    }

    @Test
    void stringsEscapesAndUnicode() {
        assertEquals("a\"b\\c/d\b\f\n\r\tAé€\uD83D\uDE00",
                Json.parse("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u0041\\u00e9\\u20AC\\ud83d\\uDE00\""));
        assertEquals("héllo 😀 日本", Json.parse("\"héllo 😀 日本\"".getBytes(StandardCharsets.UTF_8)));
        // escaped lone surrogates are kept (and written back escaped)
        String lone = (String) Json.parse("\"x\\ud800y\"");
        assertEquals("x\uD800y", lone);
        assertEquals("\"x\\ud800y\"", Json.write(lone));
        assertEquals(lone, Json.parse(Json.write(lone)));
        bad("\"\\x\"", "invalid escape '\\x'");
        bad("\"\\u12\"", "truncated \\u escape");
        bad("\"\\u12G4\"", "invalid \\u escape");
        bad("\"\\u00", "truncated \\u escape");
        bad("\"a\nb\"", "unescaped control character U+000A in string");
        bad("\"a\u0000b\"", "unescaped control character U+0000");
        bad("\"abc", "unterminated string");
        bad("\"abc\\", "unterminated escape");
        JsonException e = assertThrows(JsonException.class,
                () -> Json.parse(new byte[]{'"', 'a', (byte) 0xC3, '(', '"'}));
        assertTrue(e.getMessage().contains("invalid UTF-8 byte 0xC3 (byte offset 2)"), e.getMessage());
        assertEquals(2, e.offset());
        assertThrows(JsonException.class, () -> Json.parse(new byte[]{'"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"'}),
                "UTF-8-encoded surrogates are malformed");
        bad("\uFEFF{}", "expected a JSON value, found U+FEFF");
    }

    @Test
    void syntaxErrorsReportOffsetLineAndColumn() {
        assertEquals(3, bad("[1,]", "expected a JSON value, found ']'").offset());
        assertEquals(7, bad("{\"a\":1,}", "expected a string key, found '}'").offset());
        assertEquals(5, bad("{\"a\" 1}", "expected ':' after object key").offset());
        assertEquals(3, bad("[1 2]", "expected ',' or ']' in array, found '2'").offset());
        assertEquals(7, bad("{\"a\":1}x", "unexpected 'x' after the JSON value").offset());
        bad("", "empty input");
        bad(" \n\t ", "empty input");
        bad("{'a':1}", "expected a string key, found '''");
        bad("// c\n1", "expected a JSON value, found '/'");
        bad("[1, 2", "expected ',' or ']' in array, found end of input");
        bad("{\"a\":", "expected a JSON value, found end of input");
        JsonException e = bad("{\n  \"a\": tru\n}", "expected 'true'");
        assertEquals(2, e.line());
        assertEquals(8, e.column());
        assertEquals(9, e.offset());
        assertTrue(e.getMessage().endsWith("at offset 9 (line 2, column 8)"), e.getMessage());
    }

    @Test
    void duplicateKeysAreRejected() {
        JsonException e = bad("{\"a\":1,\"b\":{\"a\":2},\"a\":3}", "duplicate key \"a\"");
        assertEquals(19, e.offset());
    }

    @Test
    void nestingAndSizeLimits() {
        String ok = "[".repeat(64) + "]".repeat(64);
        assertInstanceOf(List.class, Json.parse(ok));
        bad("[".repeat(65) + "]".repeat(65), "nesting deeper than 64");
        bad("{\"a\":".repeat(65) + "1" + "}".repeat(65), "nesting deeper than 64");
        // a hostile, very deep document fails cleanly instead of overflowing the stack
        bad("[".repeat(1_000_000), "nesting deeper than 64");
        assertThrows(JsonException.class, () -> Json.parse("[[[1]]]", 2, 100));
        assertEquals(List.of(List.of(1L)), Json.parse("[[1]]", 2, 100));
        JsonException e = assertThrows(JsonException.class, () -> Json.parse("[1,2,3,4,5]", 64, 10));
        assertTrue(e.getMessage().contains("11 characters exceeds the limit of 10"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Json.parse("1", 0, 10));
    }

    enum Color { RED }

    @Test
    void writesCompactAndPretty() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", "b0");
        m.put("shape", new int[]{1, 3, 224, 224});
        m.put("lr", 0.1f);
        m.put("eps", 1e-3);
        m.put("steps", 10L);
        m.put("ok", true);
        m.put("none", null);
        m.put("nested", List.of(Map.of("k", "v"), List.of()));
        m.put("empty", Map.of());
        m.put("color", Color.RED);
        assertEquals("{\"name\":\"b0\",\"shape\":[1,3,224,224],\"lr\":0.1,\"eps\":0.001,\"steps\":10,\"ok\":true,"
                + "\"none\":null,\"nested\":[{\"k\":\"v\"},[]],\"empty\":{},\"color\":\"RED\"}", Json.write(m));
        assertEquals("{\n"
                + "  \"name\": \"b0\",\n"
                + "  \"shape\": [1, 3, 224, 224],\n"
                + "  \"lr\": 0.1,\n"
                + "  \"eps\": 0.001,\n"
                + "  \"steps\": 10,\n"
                + "  \"ok\": true,\n"
                + "  \"none\": null,\n"
                + "  \"nested\": [\n"
                + "    {\n"
                + "      \"k\": \"v\"\n"
                + "    },\n"
                + "    []\n"
                + "  ],\n"
                + "  \"empty\": {},\n"
                + "  \"color\": \"RED\"\n"
                + "}", Json.writePretty(m));
        assertEquals("[null,null,null,1.5]", Json.write(new double[]{Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1.5}));
        assertEquals("\"q\\\"b\\\\s\\n\\t\\u0001\\u001f é😀\"", Json.write("q\"b\\s\n\t\u0001\u001f é😀"));
        assertEquals("[1.0E-5,3.0,-0.0]", Json.write(List.of(1e-5, 3.0, -0.0)));
        assertEquals("[123456789012345678901234567890,1]", Json.write(List.of(new java.math.BigInteger("123456789012345678901234567890"),
                new java.util.concurrent.atomic.AtomicInteger(1))));
    }

    @Test
    void writtenJsonParsesBackEqual() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ünïcødé 😀", "tab\tnl\nquote\"bs\\ctl\u0007 \u2028");
        m.put("nums", Arrays.asList(0L, -1L, Long.MAX_VALUE, Long.MIN_VALUE, 0.1, -1e-300, 1.7976931348623157E308, 4.9E-324));
        m.put("deep", List.of(List.of(List.of(Map.of("x", List.of())))));
        m.put("bools", Arrays.asList(true, false, null));
        assertEquals(m, Json.parse(Json.write(m)));
        assertEquals(m, Json.parse(Json.writePretty(m)));
        assertEquals(m, Json.parse(Json.write(m).getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void writerRejectsWhatJsonCannotHold() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.write(Map.of("a", List.of(new Object()))));
        assertTrue(e.getMessage().contains("$.a[0]") && e.getMessage().contains("unsupported type java.lang.Object"), e.getMessage());
        Map<Object, Object> intKey = new LinkedHashMap<>();
        intKey.put(1, "x");
        e = assertThrows(IllegalArgumentException.class, () -> Json.write(intKey));
        assertTrue(e.getMessage().contains("not a String"), e.getMessage());
        List<Object> cycle = new ArrayList<>();
        cycle.add(cycle);
        e = assertThrows(IllegalArgumentException.class, () -> Json.write(cycle));
        assertTrue(e.getMessage().contains("nesting deeper than 64"), e.getMessage());
    }

    @Test
    void readsFilesAndNamesThemInErrors(@TempDir Path dir) throws Exception {
        Path good = dir.resolve("cfg.json");
        AtomicFiles.writeString(good, Json.writePretty(Map.of("epochs", 3)) + "\n");
        assertEquals(Map.of("epochs", 3L), Json.read(good));
        Path broken = dir.resolve("broken.json");
        Files.writeString(broken, "{\"epochs\": 3,}");
        JsonException e = assertThrows(JsonException.class, () -> Json.read(broken));
        assertTrue(e.getMessage().startsWith(broken + ": expected a string key"), e.getMessage());
        assertEquals(13, e.offset());
        assertEquals(Map.of("a", 1L), Json.parseObject("{\"a\":1}"));
        assertThrows(JsonException.class, () -> Json.parseObject("[1]"));
    }
}
