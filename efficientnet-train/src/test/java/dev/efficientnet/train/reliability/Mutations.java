package dev.efficientnet.train.reliability;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/** Seeded byte-level mutations for the fuzz harness. Each records the first offset it changed. */
final class Mutations {
    private Mutations() {
    }

    /**
     * A mutated file: its bytes, the smallest offset that differs from the original (or the new
     * length for a truncation) and what was done, for failure messages.
     */
    record Mutated(byte[] bytes, long firstChanged, boolean sameLength, String description) {
    }

    private static final long[] INTERESTING = {0, 1, -1, 2, 7, 8, 255, 256, 0x7FFF, 0x8000, 0xFFFF, 0x10000,
            Integer.MAX_VALUE, Integer.MIN_VALUE, 0xFFFFFFFFL, 1L << 32, Long.MAX_VALUE, Long.MIN_VALUE, 100_000_000L,
            99_999_999L, 1L << 40};

    /** One random mutation of {@code src}; with {@code focusEnd > 0} half of them land in [0, focusEnd). */
    static Mutated mutate(byte[] src, Random r, int focusEnd) {
        int kind = r.nextInt(8);
        switch (kind) {
            case 0:
                return truncate(src, r);
            case 1:
            case 2:
                return flip(src, r, focusEnd, 1 + (r.nextInt(4) == 0 ? r.nextInt(16) : 0));
            case 3:
                return insert(src, r, focusEnd);
            case 4:
                return delete(src, r, focusEnd);
            case 5:
                return overwriteInt(src, r, focusEnd);
            case 6:
                return overwriteRandom(src, r, focusEnd);
            default:
                return duplicate(src, r);
        }
    }

    private static int pos(byte[] src, Random r, int focusEnd) {
        if (src.length == 0) return 0;
        if (focusEnd > 0 && r.nextBoolean()) return r.nextInt(Math.min(focusEnd, src.length));
        return r.nextInt(src.length);
    }

    static Mutated truncate(byte[] src, Random r) {
        int len = src.length == 0 ? 0 : r.nextInt(src.length);
        return new Mutated(Arrays.copyOf(src, len), len, false, "truncate to " + len + " of " + src.length + " bytes");
    }

    static Mutated flip(byte[] src, Random r, int focusEnd, int flips) {
        byte[] b = src.clone();
        long first = Long.MAX_VALUE;
        StringBuilder d = new StringBuilder("flip bits at");
        for (int i = 0; i < flips && b.length > 0; i++) {
            int p = pos(b, r, focusEnd);
            int bit = r.nextInt(8);
            b[p] ^= (byte) (1 << bit);
            first = Math.min(first, p);
            if (i < 6) d.append(' ').append(p).append('.').append(bit);
        }
        if (flips > 6) d.append(" ... (").append(flips).append(" flips)");
        // two flips of the same bit cancel out: report the real first difference
        return new Mutated(b, firstDifference(src, b), true, d.toString());
    }

    static Mutated insert(byte[] src, Random r, int focusEnd) {
        int p = src.length == 0 ? 0 : r.nextInt(src.length + 1);
        if (focusEnd > 0 && r.nextBoolean()) p = r.nextInt(Math.min(focusEnd, src.length) + 1);
        int n = 1 + (r.nextInt(4) == 0 ? r.nextInt(4096) : r.nextInt(8));
        byte[] ins = new byte[n];
        r.nextBytes(ins);
        byte[] b = new byte[src.length + n];
        System.arraycopy(src, 0, b, 0, p);
        System.arraycopy(ins, 0, b, p, n);
        System.arraycopy(src, p, b, p + n, src.length - p);
        return new Mutated(b, p, false, "insert " + n + " random bytes at " + p);
    }

    static Mutated delete(byte[] src, Random r, int focusEnd) {
        if (src.length == 0) return new Mutated(src, 0, true, "delete nothing");
        int p = pos(src, r, focusEnd);
        int n = 1 + r.nextInt(Math.max(1, Math.min(64, src.length - p)));
        n = Math.min(n, src.length - p);
        byte[] b = new byte[src.length - n];
        System.arraycopy(src, 0, b, 0, p);
        System.arraycopy(src, p + n, b, p, src.length - p - n);
        return new Mutated(b, p, false, "delete " + n + " bytes at " + p);
    }

    static Mutated overwriteInt(byte[] src, Random r, int focusEnd) {
        byte[] b = src.clone();
        if (b.length == 0) return new Mutated(b, 0, true, "overwrite nothing");
        int width = r.nextBoolean() ? 4 : 8;
        int p = pos(b, r, focusEnd);
        long v = INTERESTING[r.nextInt(INTERESTING.length)];
        boolean little = r.nextBoolean();
        for (int i = 0; i < width && p + i < b.length; i++) {
            int shift = little ? 8 * i : 8 * (width - 1 - i);
            b[p + i] = (byte) (v >>> shift);
        }
        return new Mutated(b, firstDifference(src, b), true, "write " + width + "-byte " + (little ? "LE" : "BE") + " value "
                + v + " at " + p);
    }

    static Mutated overwriteRandom(byte[] src, Random r, int focusEnd) {
        byte[] b = src.clone();
        if (b.length == 0) return new Mutated(b, 0, true, "overwrite nothing");
        int p = pos(b, r, focusEnd);
        int n = Math.min(b.length - p, 1 + r.nextInt(32));
        for (int i = 0; i < n; i++) b[p + i] = (byte) r.nextInt(256);
        return new Mutated(b, firstDifference(src, b), true, "overwrite " + n + " random bytes at " + p);
    }

    static Mutated duplicate(byte[] src, Random r) {
        if (src.length == 0) return new Mutated(src, 0, true, "duplicate nothing");
        int from = r.nextInt(src.length);
        int n = 1 + r.nextInt(Math.min(256, src.length - from));
        int at = r.nextInt(src.length + 1);
        byte[] b = new byte[src.length + n];
        System.arraycopy(src, 0, b, 0, at);
        System.arraycopy(src, from, b, at, n);
        System.arraycopy(src, at, b, at + n, src.length - at);
        return new Mutated(b, at, false, "duplicate " + n + " bytes from " + from + " at " + at);
    }

    static long firstDifference(byte[] a, byte[] b) {
        int n = Math.min(a.length, b.length);
        for (int i = 0; i < n; i++) if (a[i] != b[i]) return i;
        return a.length == b.length ? Long.MAX_VALUE : n;
    }

    static byte[] gzip(byte[] raw) {
        try {
            ByteArrayOutputStream bos = new ByteArrayOutputStream();
            try (GZIPOutputStream gz = new GZIPOutputStream(bos)) {
                gz.write(raw);
            }
            return bos.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** True if {@code t} or a cause of it is an {@link OutOfMemoryError}. */
    static boolean hasOom(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof OutOfMemoryError) return true;
            if (c.getCause() == c) break;
        }
        return false;
    }
}
