package dev.efficientnet.train.data;

import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;

/** Dataset views: subsets, splits and channel conversion. */
public final class Datasets {
    private Datasets() {
    }

    /** The examples of {@code d} at {@code indices}, in that order (indices are copied and checked). */
    public static Dataset subset(Dataset d, int[] indices) {
        Objects.requireNonNull(d, "d");
        int[] idx = indices.clone();
        for (int i = 0; i < idx.length; i++)
            if (idx[i] < 0 || idx[i] >= d.size())
                throw new IllegalArgumentException("indices[" + i + "] = " + idx[i] + " is outside [0, " + d.size() + ")");
        return new Dataset() {
            @Override
            public int size() {
                return idx.length;
            }

            @Override
            public int numClasses() {
                return d.numClasses();
            }

            @Override
            public int channels() {
                return d.channels();
            }

            @Override
            public Example get(int index) throws DataException {
                return d.get(idx[Objects.checkIndex(index, idx.length)]);
            }

            @Override
            public String describe() {
                return idx.length + " of " + d.describe();
            }
        };
    }

    /** The first {@code n} examples of {@code d} (all if it has fewer). */
    public static Dataset head(Dataset d, int n) {
        if (n < 0) throw new IllegalArgumentException("n must be >= 0, got " + n);
        int[] idx = new int[Math.min(n, d.size())];
        for (int i = 0; i < idx.length; i++) idx[i] = i;
        return subset(d, idx);
    }

    /**
     * Splits {@code d} into {@code {train, validation}} by a random permutation from {@code seed};
     * the validation part holds {@code round(size * valFraction)} examples.
     */
    public static Dataset[] split(Dataset d, double valFraction, long seed) {
        if (!(valFraction >= 0 && valFraction <= 1))
            throw new IllegalArgumentException("valFraction must be in [0, 1], got " + valFraction);
        int n = d.size();
        int[] perm = permutation(n, new SplittableRandom(Seeds.derive(seed, 0x5B1175L)));
        int nv = (int) Math.round(n * valFraction);
        int[] val = Arrays.copyOfRange(perm, 0, nv);
        int[] train = Arrays.copyOfRange(perm, nv, n);
        Arrays.sort(val);
        Arrays.sort(train);
        return new Dataset[]{subset(d, train), subset(d, val)};
    }

    static int[] permutation(int n, SplittableRandom r) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** {@code d} with grayscale examples replicated to 3 channels ({@code d} itself if it is not 1-channel). */
    public static Dataset toRgb(Dataset d) {
        Objects.requireNonNull(d, "d");
        if (d.channels() != 1) return d;
        return new Converted(d, 3);
    }

    /**
     * {@code d} with RGB examples converted to 1 channel with the ITU-R 601-2 luma
     * ({@code 0.299 R + 0.587 G + 0.114 B}); {@code d} itself if it is already 1-channel.
     */
    public static Dataset toGray(Dataset d) {
        Objects.requireNonNull(d, "d");
        if (d.channels() == 1) return d;
        if (d.channels() != 3) throw new IllegalArgumentException("toGray needs a 1- or 3-channel dataset, got "
                + d.channels() + " channels");
        return new Converted(d, 1);
    }

    /** Converts one example's channels (1 -> 3 replicates, 3 -> 1 takes the luma). */
    public static Example convert(Example e, int channels) {
        if (e.channels() == channels) return e;
        float[] p = e.pixels();
        int n = e.height() * e.width();
        if (e.channels() == 1 && channels == 3) {
            float[] out = new float[3 * n];
            for (int i = 0, o = 0; i < n; i++, o += 3) {
                float v = p[i];
                out[o] = v;
                out[o + 1] = v;
                out[o + 2] = v;
            }
            return e.withPixels(out, e.height(), e.width(), 3);
        }
        if (e.channels() == 3 && channels == 1) {
            float[] out = new float[n];
            for (int i = 0; i < n; i++) out[i] = 0.299f * p[3 * i] + 0.587f * p[3 * i + 1] + 0.114f * p[3 * i + 2];
            return e.withPixels(out, e.height(), e.width(), 1);
        }
        throw new IllegalArgumentException("cannot convert " + e.channels() + " channels to " + channels);
    }

    private record Converted(Dataset d, int channels) implements Dataset {
        @Override
        public int size() {
            return d.size();
        }

        @Override
        public int numClasses() {
            return d.numClasses();
        }

        @Override
        public Example get(int index) throws DataException {
            return convert(d.get(index), channels);
        }

        @Override
        public String describe() {
            return d.describe() + (channels == 3 ? " (gray replicated to RGB)" : " (converted to grayscale)");
        }
    }
}
